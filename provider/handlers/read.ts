/**
 * read (`pulumi refresh`): reads the destination back. Gone, or managed by
 * someone else now → an empty id (the engine drops it from state). A key
 * changed outside Pulumi shows as a different fingerprint, so the next
 * preview shows drift; a key Klaviyo now rejects shows as status `unhealthy`
 * and makes the next check validate the key again.
 */
import type * as pulumi from "@pulumi/pulumi";
import { upstackCredentials } from "../config";
import { context } from "../context";
import { klaviyoStatusAtRefresh, retirementFromOutputs } from "../klaviyo/closed-loop";
import { logger } from "../log";
import type { RawInputs } from "../schema";
import { buildOutputs, validationFromOutputs } from "./outputs";

/** The read handler. */
export async function read(id: string, props: RawInputs): Promise<pulumi.dynamic.ReadResult> {
  const ctx = context();
  const { settings, upstack } = ctx;
  const pixelId = String(props["pixelId"] ?? "");
  const owner = String(props["owner"] ?? "");
  const dest = await upstack.get(upstackCredentials(settings, pixelId));
  if (dest === undefined || dest.id !== id || (dest.owner !== null && owner !== "" && dest.owner !== owner)) {
    return { id: "", props: {} };
  }
  const scopes = Array.isArray(props["scopes"]) ? (props["scopes"] as string[]) : undefined;
  const publicApiKey = typeof props["publicApiKey"] === "string" ? props["publicApiKey"] : undefined;
  const outs = buildOutputs(dest, validationFromOutputs(props), {
    pixelId,
    owner,
    ...(publicApiKey === undefined ? {} : { publicApiKey }),
    ...(scopes === undefined ? {} : { scopes }),
  });
  // Klaviyo's side: a key disabled or deleted there is unhealthy even before Upstack notices.
  const klaviyo = await klaviyoStatusAtRefresh({ ...ctx, warn: logger.warn }, props, outs);
  outs.status = klaviyo.status;
  if (klaviyo.statusReason === undefined) delete outs.statusReason;
  else outs.statusReason = klaviyo.statusReason;
  if (klaviyo.keyName !== undefined) outs.klaviyoKeyName = klaviyo.keyName;
  Object.assign(outs, retirementFromOutputs(props));
  const inputs: Record<string, unknown> = {
    pixelId,
    owner: outs.owner,
    enabled: outs.enabled,
    label: outs.label,
    adopt: false,
    keyFingerprint: outs.keyFingerprint,
    destinationStatus: outs.status,
  };
  if (outs.publicApiKey !== undefined) inputs["publicApiKey"] = outs.publicApiKey;
  if (outs.scopes !== undefined) inputs["scopes"] = outs.scopes;
  return { id, props: { ...outs }, inputs };
}
