/**
 * update: rotate the key or change settings in place. A new key is validated
 * first; the write is conditional on the ETag last seen, so a change made in
 * the dashboard meanwhile is never overwritten silently, and it adopts only
 * when asked (see {@link updateConditions}).
 */
import type * as pulumi from "@pulumi/pulumi";
import { keyFingerprint } from "../fingerprint";
import { checkedInputs, type RawInputs } from "../schema";
import { updateConditions } from "../upstack/write-policy";
import { buildOutputs, validationFromOutputs } from "./outputs";
import { validateKey, writeDestination } from "./write-destination";

/** The update handler. */
export async function update(_id: string, olds: RawInputs, news: RawInputs): Promise<pulumi.dynamic.UpdateResult> {
  const inputs = checkedInputs(news);
  const fingerprint = keyFingerprint(inputs.privateApiKey);
  const revalidate =
    fingerprint !== olds["keyFingerprint"] ||
    (inputs.publicApiKey ?? null) !== (olds["publicApiKey"] ?? null) ||
    [...(inputs.scopes ?? [])].join(",") !== [...((olds["scopes"] as string[] | undefined) ?? [])].sort().join(",") ||
    olds["status"] === "unhealthy";
  const validation = revalidate ? await validateKey(inputs) : { ...validationFromOutputs(olds), fingerprint };
  const dest = await writeDestination(inputs, validation, updateConditions(olds, inputs));
  return { outs: buildOutputs(dest, validation, inputs) };
}
