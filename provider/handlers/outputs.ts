/**
 * The resource's outputs, built in one place. They never hold a key: only its
 * fingerprint and hint.
 */
import type { KeyValidation } from "../klaviyo/key-validator";
import type { DestinationInputs } from "../schema";
import type { UpstackDestination } from "../upstack/client";

/** The outputs of an `UpstackKlaviyoDestination` (see sdk/ for their docs). */
export interface DestinationOutputs {
  destinationId: string;
  pixelId: string;
  keyFingerprint: string;
  keyHint: string;
  klaviyoAccountId: string;
  klaviyoAccountName?: string;
  klaviyoKeyId?: string;
  klaviyoKeyName?: string;
  status: string;
  statusReason?: string;
  enabled: boolean;
  label: string;
  publicApiKey?: string;
  scopes?: string[];
  owner: string;
  etag: string;
  accessCheck: string;
  validatedAt: string;
  rotatedAt: string;
  createdAt: string;
  updatedAt: string;
  /** Klaviyo's id of the key disabled after the last rotation that retired one (`retireReplacedKey`). */
  retiredKeyId?: string;
  /** When that key was disabled (ISO 8601). */
  retiredAt?: string;
}

/** What is remembered from an earlier validation when no new one was made. */
export type KnownValidation = Pick<KeyValidation, "accountId" | "accountName" | "keyId" | "keyName" | "accessCheck" | "validatedAt">;

/** Builds outputs from Upstack's destination and what validation established. */
export function buildOutputs(
  dest: UpstackDestination,
  validation: KnownValidation,
  inputs: Pick<DestinationInputs, "pixelId" | "owner" | "publicApiKey" | "scopes">,
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

/** Reads the validation facts back from earlier outputs. */
export function validationFromOutputs(olds: Readonly<Record<string, unknown>>): KnownValidation {
  return {
    accountId: String(olds["klaviyoAccountId"] ?? ""),
    accountName: typeof olds["klaviyoAccountName"] === "string" ? olds["klaviyoAccountName"] : undefined,
    keyId: typeof olds["klaviyoKeyId"] === "string" ? olds["klaviyoKeyId"] : undefined,
    keyName: typeof olds["klaviyoKeyName"] === "string" ? olds["klaviyoKeyName"] : undefined,
    accessCheck: String(olds["accessCheck"] ?? ""),
    validatedAt: String(olds["validatedAt"] ?? ""),
  };
}
