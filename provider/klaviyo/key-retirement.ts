/**
 * Retiring the replaced Klaviyo key after a rotation (`retireReplacedKey: true`): the rules that
 * decide whether a key may be disabled, and the two requests that do it.
 *
 * The rules, in order (each refusal says why and how to do it by hand):
 * - only after a rotation: the key recorded before differs from the key now validated;
 * - only once Upstack holds the new key and reports the destination healthy;
 * - only a key identified without doubt: its Klaviyo id was recorded when it was validated
 *   (Klaviyo's listing showed exactly one key with its last four characters);
 * - never the key Upstack holds: the old id must differ from the new key's id, the old
 *   fingerprint from the one Upstack reports, and no other destination of this run may still use it;
 * - never a key of another account: the old key's recorded account must be the new key's.
 *
 * Then, authenticated with the new key (so Klaviyo itself confines both requests to the new key's
 * account): `GET /api/api-keys/{id}` confirms the key is still there and that its redacted form
 * ends with the recorded hint's last four characters; if it is already disabled (an earlier run
 * disabled it and crashed before recording it), that is recorded without a second PATCH;
 * otherwise one `PATCH … status: disabled`. A failure leaves the rotation as it is and returns a
 * warning with the manual steps.
 */
import { PULUMI_VOCABULARY, type Vocabulary } from "../core/vocabulary";
import { HttpError } from "../errors";
import type { KlaviyoApiKeys, KlaviyoKeyState } from "./api-key-client";
import type { KlaviyoFailure, KlaviyoOutcome } from "./client";

type KlaviyoKeyOutcome = KlaviyoOutcome<KlaviyoKeyState>;

/** What is known about the key that was replaced (from the outputs recorded before the rotation). */
export interface ReplacedKey {
  /** `sha256:` fingerprint recorded before. */
  readonly fingerprint: string | undefined;
  /** `pk_...abcd` recorded before. */
  readonly hint: string | undefined;
  /** Klaviyo's id of the key, when validation identified it. */
  readonly keyId: string | undefined;
  /** The Klaviyo account it was validated against. */
  readonly accountId: string | undefined;
}

/** The key now registered (just validated). */
export interface CurrentKey {
  /** Its fingerprint. */
  readonly fingerprint: string;
  /** `pk_...abcd`. */
  readonly hint: string;
  /** Klaviyo's id of it, when validation identified it. */
  readonly keyId: string | undefined;
  /** Its Klaviyo account. */
  readonly accountId: string;
}

/** What Upstack reported after the write. */
export interface UpstackAfterWrite {
  /** Fingerprint of the key Upstack holds. */
  readonly keyFingerprint: string;
  /** `healthy`, `unhealthy` or `disabled`. */
  readonly status: string;
}

/** The decision: nothing to do, refused (with why), or retire this id. `othersUsing`: other destinations of this run that want the replaced key. */
export type RetirementDecision =
  | { readonly kind: "none" }
  | { readonly kind: "refused"; readonly reason: string }
  | { readonly kind: "retire"; readonly keyId: string; readonly last4: string | undefined };

/** Decides whether the replaced key may be disabled. Pure; no request. */
export function decideRetirement(
  enabled: boolean,
  replaced: ReplacedKey,
  current: CurrentKey,
  upstack: UpstackAfterWrite,
  othersUsing: readonly string[] = [],
): RetirementDecision {
  if (!enabled) return { kind: "none" };
  if (replaced.fingerprint === undefined || replaced.fingerprint === current.fingerprint) return { kind: "none" };
  if (upstack.keyFingerprint !== current.fingerprint) {
    return { kind: "refused", reason: `Upstack does not hold the new key ${current.hint}, so the key it replaced may still be in use` };
  }
  if (upstack.keyFingerprint === replaced.fingerprint) return { kind: "refused", reason: "that key is the one Upstack holds" };
  if (othersUsing.length > 0) {
    return {
      kind: "refused",
      reason: `Upstack still holds it for ${othersUsing.length === 1 ? "another destination" : `${othersUsing.length} other destinations`} of this run (${othersUsing.slice(0, 3).join(", ")})`,
    };
  }
  if (upstack.status !== "healthy") {
    return { kind: "refused", reason: `Upstack reports the destination ${upstack.status} with the new key ${current.hint}` };
  }
  if (replaced.keyId === undefined || replaced.keyId === "") {
    return {
      kind: "refused",
      reason:
        "its Klaviyo id is not known without doubt (when it was validated, Klaviyo's key listing did not show exactly one key ending in those four characters, or the key could not list keys)",
    };
  }
  if (current.keyId !== undefined && replaced.keyId === current.keyId) return { kind: "refused", reason: "Klaviyo's id of that key is the new key's id" };
  if (replaced.accountId === undefined || replaced.accountId === "" || replaced.accountId !== current.accountId) {
    return {
      kind: "refused",
      reason: `it belongs to Klaviyo account ${replaced.accountId || "(unknown)"}, not the new key's account ${current.accountId}`,
    };
  }
  return { kind: "retire", keyId: replaced.keyId, last4: replaced.hint === undefined ? undefined : replaced.hint.slice(-4) };
}

/** What retirement did. */
export type RetirementResult =
  | { readonly kind: "none" }
  | { readonly kind: "retired"; readonly keyId: string; readonly at: string; readonly patched: boolean }
  | { readonly kind: "failed"; readonly keyId: string | undefined; readonly warning: string };

/** The manual steps, in one place. */
export function manualSteps(replaced: ReplacedKey): string {
  const which = `${replaced.hint ?? "the old key"}${replaced.keyId ? ` (Klaviyo id ${replaced.keyId})` : ""}`;
  return `To retire it by hand: in Klaviyo, Settings → Account → API Keys, find the private key ${which}, check that no other integration still uses it, and disable it.`;
}

/**
 * Carries out a {@link RetirementDecision} with the new key's credentials. Never throws: a failure
 * is a `failed` result whose warning says what happened and the manual steps.
 */
export async function retire(
  decision: RetirementDecision,
  replaced: ReplacedKey,
  newKey: { readonly privateKey: string; readonly accountId: string; readonly hint: string },
  apiKeys: KlaviyoApiKeys,
  now: () => Date = () => new Date(),
  words: Vocabulary = PULUMI_VOCABULARY,
): Promise<RetirementResult> {
  if (decision.kind === "none") return { kind: "none" };
  const prefix = `${words.property("retireReplacedKey")}: the replaced Klaviyo key ${replaced.hint ?? ""}`.trimEnd();
  if (decision.kind === "refused") {
    return { kind: "failed", keyId: replaced.keyId, warning: `${prefix} was not disabled: ${decision.reason}. The rotation stands. ${manualSteps(replaced)}` };
  }
  const fail = (what: string): RetirementResult => ({
    kind: "failed",
    keyId: decision.keyId,
    warning: `${prefix} was not disabled: ${what}. The rotation stands: Upstack uses ${newKey.hint}. ${manualSteps(replaced)}`,
  });
  try {
    const seen = await apiKeys.get(newKey.privateKey, decision.keyId, newKey.accountId);
    if (!seen.ok) {
      return fail(describeFailure(seen, "GET /api/api-keys/{id}", "credentials:read"));
    }
    const redacted = seen.value.redactedKey;
    if (decision.last4 === undefined || redacted === undefined || !redacted.endsWith(decision.last4)) {
      return fail(`Klaviyo's key ${decision.keyId} does not show the last four characters recorded for it, so it is not certainly the replaced key`);
    }
    if (seen.value.status === "disabled") return { kind: "retired", keyId: decision.keyId, at: now().toISOString(), patched: false };
    const patched = await disableOnce(apiKeys, newKey, decision.keyId);
    if (!patched.ok) return fail(describeFailure(patched, "PATCH /api/api-keys/{id}", "credentials:write"));
    if (patched.value.status !== "disabled") return fail(`Klaviyo answered the PATCH with status ${patched.value.status}`);
    return { kind: "retired", keyId: decision.keyId, at: now().toISOString(), patched: true };
  } catch (error) {
    if (error instanceof HttpError) return fail(`Klaviyo could not be asked (${error.message})`);
    throw error;
  }
}

/**
 * One PATCH. Its answer may be lost after Klaviyo applied it (a PATCH is not repeated by the
 * transport): then one GET tells whether the key is disabled now.
 */
async function disableOnce(
  apiKeys: KlaviyoApiKeys,
  newKey: { readonly privateKey: string; readonly accountId: string },
  keyId: string,
): Promise<KlaviyoKeyOutcome> {
  try {
    return await apiKeys.disable(newKey.privateKey, keyId, newKey.accountId);
  } catch (error) {
    if (!(error instanceof HttpError) || (error.code !== "http_connection" && error.code !== "http_timeout")) throw error;
    const after = await apiKeys.get(newKey.privateKey, keyId, newKey.accountId);
    if (after.ok && after.value.status === "disabled") return after;
    throw error;
  }
}

function describeFailure(outcome: KlaviyoFailure, call: string, scope: string): string {
  const detail = outcome.detail === undefined ? "" : ` (${outcome.detail})`;
  switch (outcome.kind) {
    case "forbidden":
      return `the new key lacks the ${scope} scope (Klaviyo answered 403 to ${call}${detail})`;
    case "invalid":
      return `Klaviyo rejected the new key on ${call} (HTTP ${outcome.status}${detail})`;
    case "gone":
      return `Klaviyo answered ${outcome.status} to ${call}${detail}: the key was deleted, or Klaviyo changed or withdrew this beta endpoint`;
    case "request":
      return `Klaviyo refused the request to ${call} (HTTP ${outcome.status}${detail}): Klaviyo may have changed this beta endpoint`;
    case "challenge":
      return `Klaviyo's CDN answered ${call} with a challenge page (HTTP 403)`;
    default:
      return `Klaviyo answered ${call} with HTTP ${outcome.status}${detail}`;
  }
}
