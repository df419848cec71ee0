/**
 * The previous state of a destination, parsed once and typed. It reads both
 * what an engine keeps as old inputs (the managed inputs `keyFingerprint` and
 * `status`, or an old key) and old outputs, so every rule reads one shape.
 */
import { keyFingerprint } from "../fingerprint";
import { normalizeScopes, type RawInputs } from "./inputs";

/** What the rules know from before: all optional, since a new resource has nothing. */
export interface PriorState {
  /** The destination id, when there was one. */
  readonly destinationId: string | undefined;
  /** The pixel. */
  readonly pixelId: string | undefined;
  /** Fingerprint of the key last validated or read (or of the old key input). */
  readonly keyFingerprint: string | undefined;
  /** `pk_...` hint of that key, from the outputs. */
  readonly keyHint: string | undefined;
  /** The Site ID the key was checked against. */
  readonly publicApiKey: string | undefined;
  /** The declared scopes, normalised; undefined when Full Access was required. */
  readonly scopes: readonly string[] | undefined;
  /** The status last read: `healthy`, `unhealthy`, `disabled`. */
  readonly status: string | undefined;
  /** Whether events flowed. */
  readonly enabled: boolean | undefined;
  /** The display name. */
  readonly label: string | undefined;
  /** Who managed it. */
  readonly owner: string | undefined;
  /** The ETag last seen, for a conditional update. */
  readonly etag: string | undefined;
  /** What the last validation established. */
  readonly validation: KnownValidation;
  /** Klaviyo's id of the key disabled after the last rotation that retired one. */
  readonly retiredKeyId: string | undefined;
  /** When that key was disabled (ISO 8601). */
  readonly retiredAt: string | undefined;
}

/** What is remembered from an earlier validation when no new one is made. */
export interface KnownValidation {
  /** The Klaviyo account id. */
  readonly accountId: string;
  /** The account's name, when known. */
  readonly accountName: string | undefined;
  /** Klaviyo's id of the validated key, when its listing identified it. */
  readonly keyId: string | undefined;
  /** The key's name in Klaviyo, when its listing identified it. */
  readonly keyName: string | undefined;
  /** How access was established. */
  readonly accessCheck: string;
  /** When (ISO 8601). */
  readonly validatedAt: string;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** Parses previous inputs or outputs (as the engine stored them) into a {@link PriorState}. */
export function parsePrior(raw: RawInputs | undefined): PriorState {
  const r = raw ?? {};
  const oldKey = r["privateApiKey"];
  const scopes = Array.isArray(r["scopes"]) ? normalizeScopes(r["scopes"].filter((s): s is string => typeof s === "string")) : undefined;
  return {
    destinationId: str(r["destinationId"]),
    pixelId: str(r["pixelId"]),
    keyFingerprint: str(r["keyFingerprint"]) ?? (typeof oldKey === "string" ? keyFingerprint(oldKey.trim()) : undefined),
    keyHint: str(r["keyHint"]),
    publicApiKey: str(r["publicApiKey"]),
    scopes: scopes !== undefined && scopes.length > 0 ? scopes : undefined,
    // `destinationStatus` is how states written before 0.2 named the managed status input.
    status: str(r["status"]) ?? str(r["destinationStatus"]),
    enabled: typeof r["enabled"] === "boolean" ? r["enabled"] : undefined,
    label: str(r["label"]),
    owner: str(r["owner"]),
    etag: str(r["etag"]),
    validation: {
      accountId: str(r["klaviyoAccountId"]) ?? "",
      accountName: str(r["klaviyoAccountName"]),
      keyId: str(r["klaviyoKeyId"]),
      keyName: str(r["klaviyoKeyName"]),
      accessCheck: str(r["accessCheck"]) ?? "",
      validatedAt: str(r["validatedAt"]) ?? "",
    },
    retiredKeyId: str(r["retiredKeyId"]),
    retiredAt: typeof r["retiredAt"] === "string" ? r["retiredAt"] : undefined,
  };
}
