/**
 * What a change of inputs means, decided once: what changed, what forces
 * replacement, and whether the key must be validated again. Local only, no
 * network. The Pulumi check, diff and update and a Terraform plan all ask
 * this one function.
 */
import { keyFingerprint } from "../fingerprint";
import { isUnknown } from "./inputs";
import type { PriorState } from "./prior";
import { REPLACING_INPUT_NAMES, type InputName } from "./shape";

/** What {@link planChanges} decided. */
export interface ChangePlan {
  /** Inputs whose change updates the destination in place (plus `status` when it was last seen unhealthy). */
  readonly changes: readonly (InputName | "status")[];
  /** Inputs whose change replaces the destination (create the new one, then delete the old one). */
  readonly replaces: readonly InputName[];
  /** True when anything changes. */
  readonly hasChanges: boolean;
  /**
   * True when the key must be validated against Klaviyo before it is
   * written: nothing was validated for this key before (new resource, rotated
   * key), what it is checked against changed (`publicApiKey`, `scopes`), or
   * the destination was last read as unhealthy (a key disabled in Klaviyo).
   */
  readonly revalidateKey: boolean;
}

/** Inputs compared by value for an in-place update. */
const COMPARED = ["enabled", "label", "publicApiKey", "owner"] as const;

const scopeText = (v: unknown): string => (Array.isArray(v) ? v.join(",") : "");

/**
 * Compares the desired values (normalised by parseDesired; unknown
 * placeholders allowed) with the prior state.
 * @param prior - from parsePrior.
 * @param desired - parseDesired's `values`.
 */
export function planChanges(prior: PriorState, desired: Readonly<Record<string, unknown>>): ChangePlan {
  const replaces: InputName[] = [];
  const changes: (InputName | "status")[] = [];
  for (const name of REPLACING_INPUT_NAMES) {
    if (isUnknown(desired[name]) || desired[name] !== prior[name as "pixelId"]) replaces.push(name);
  }
  const key = desired["privateApiKey"];
  const fingerprint = typeof key === "string" && !isUnknown(key) ? keyFingerprint(key) : undefined;
  const keyChanged = fingerprint === undefined || fingerprint !== prior.keyFingerprint;
  if (keyChanged) changes.push("privateApiKey");
  for (const name of COMPARED) {
    const value = desired[name];
    if (isUnknown(value) || (value ?? null) !== (prior[name] ?? null)) changes.push(name);
  }
  const scopesChanged = isUnknown(desired["scopes"]) || scopeText(desired["scopes"]) !== scopeText(prior.scopes);
  if (scopesChanged) changes.push("scopes");
  const unhealthy = prior.status === "unhealthy";
  // Last seen unhealthy (Klaviyo rejected the key Upstack holds): an update re-registers the key, validated first.
  if (unhealthy) changes.push("status");
  const targetChanged = scopesChanged || isUnknown(desired["publicApiKey"]) || (desired["publicApiKey"] ?? null) !== (prior.publicApiKey ?? null);
  return {
    changes,
    replaces,
    hasChanges: changes.length > 0 || replaces.length > 0,
    revalidateKey: keyChanged || targetChanged || unhealthy,
  };
}
