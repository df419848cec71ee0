/**
 * create: validate the key, then register it with Upstack as an idempotent
 * upsert owned by this resource. Re-running after a crash updates the same
 * destination instead of making a second one.
 */
import type * as pulumi from "@pulumi/pulumi";
import { context } from "../context";
import { PartialCreateError } from "../errors";
import { adviseOnKeyName } from "../klaviyo/closed-loop";
import { checkedInputs, type RawInputs } from "../schema";
import { buildOutputs } from "./outputs";
import { validateKey, writeDestination } from "./write-destination";

/** The create handler. */
export async function create(raw: RawInputs): Promise<pulumi.dynamic.CreateResult> {
  const inputs = checkedInputs(raw);
  const validation = await validateKey(inputs);
  adviseOnKeyName(context(), validation);
  const dest = await writeDestination(inputs, validation, { adopt: inputs.adopt });
  const outs = buildOutputs(dest, validation, inputs);
  if (dest.status === "unhealthy") {
    // The destination exists; the engine records it (partial create) and the next `up` retries as an update.
    throw new PartialCreateError(
      dest.id,
      { ...outs },
      `Upstack registered the Klaviyo destination ${dest.id} but reports it unhealthy: ${dest.statusReason ?? "no reason given"}. Check the key in Klaviyo and run \`pulumi up\` again.`,
    );
  }
  return { id: dest.id, outs };
}
