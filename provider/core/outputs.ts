/**
 * The resource's outputs, built in one place from what Upstack holds and
 * what validation established. They never hold a key: only its fingerprint
 * and hint. Their names and types are the shape's (see shape.ts).
 */
import type { UpstackDestination } from "../upstack/client";
import type { DesiredState } from "./inputs";
import type { KnownValidation } from "./prior";
import type { DestinationOutputs } from "./shape";

export type { DestinationOutputs } from "./shape";

/** Builds outputs from Upstack's destination and what validation established. */
export function buildOutputs(
  dest: UpstackDestination,
  validation: KnownValidation,
  inputs: Pick<DesiredState, "pixelId" | "owner" | "publicApiKey" | "scopes">,
): DestinationOutputs {
  const out: DestinationOutputs = {
    destinationId: dest.id,
    pixelId: inputs.pixelId,
    keyFingerprint: dest.keyFingerprint,
    keyHint: dest.keyHint,
    klaviyoAccountId: dest.klaviyoAccountId ?? validation.accountId,
    status: dest.status,
    enabled: dest.enabled,
    label: dest.label,
    owner: dest.owner ?? inputs.owner,
    etag: dest.etag,
    accessCheck: validation.accessCheck,
    validatedAt: validation.validatedAt,
    rotatedAt: dest.keyRotatedAt,
    createdAt: dest.createdAt,
    updatedAt: dest.updatedAt,
  };
  if (validation.accountName !== undefined) out.klaviyoAccountName = validation.accountName;
  if (validation.keyId !== undefined) out.klaviyoKeyId = validation.keyId;
  if (validation.keyName !== undefined) out.klaviyoKeyName = validation.keyName;
  if (dest.statusReason) out.statusReason = dest.statusReason;
  const publicApiKey = dest.publicApiKey ?? inputs.publicApiKey;
  if (publicApiKey) out.publicApiKey = publicApiKey;
  const scopes = dest.scopes.length > 0 ? dest.scopes : inputs.scopes;
  if (scopes !== undefined && scopes.length > 0) out.scopes = [...scopes];
  return out;
}
