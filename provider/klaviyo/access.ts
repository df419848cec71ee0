/**
 * What access Upstack Data needs from a Klaviyo key, and the one rule that reads a key's access
 * from its `scopes`: Klaviyo publishes no access-level field, only the scopes a key holds (beta
 * `GET /api/api-keys`). See the README's "How validation works" for the same rule in prose.
 */

/**
 * The scopes Upstack Data uses: it posts events as custom metrics, creates and
 * updates profiles, and reads the account. Upstack asks for Full Access
 * ("required for all Upstack Data features"), which is the default requirement.
 */
export const UPSTACK_MINIMUM_SCOPES: readonly string[] = ["accounts:read", "events:write", "metrics:read", "profiles:read", "profiles:write"];

/** What a key must have: Full Access (the default) or the scopes the user declared. */
export type AccessRequirement = { readonly kind: "full" } | { readonly kind: "scopes"; readonly scopes: readonly string[] };

/** Builds the requirement from the resource's `scopes` input. */
export function accessRequirement(scopes: readonly string[] | undefined): AccessRequirement {
  if (scopes === undefined) return { kind: "full" };
  const set = new Set(["accounts:read", ...scopes]);
  return { kind: "scopes", scopes: [...set].sort() };
}

/** A stable text form of a requirement, for cache keys and messages. */
export function describeRequirement(req: AccessRequirement): string {
  return req.kind === "full" ? "Full Access" : `scopes ${req.scopes.join(", ")}`;
}

/** A key's access level, read from its scopes (Klaviyo's UI offers these three kinds of key). */
export type AccessLevel = "full" | "read_only" | "custom";

/** The access level in words, as Klaviyo's UI names it. */
export function accessLevelName(level: AccessLevel): string {
  return level === "full" ? "Full Access" : level === "read_only" ? "Read-Only" : "Custom";
}

/**
 * The rule. `allScopes` is every scope a key can hold: the enum of the listing's `scopes`
 * attribute in Klaviyo's spec file (get_api_keys_beta.json).
 *
 * - **Full Access**: the key holds every scope of `allScopes` (a Full Access key is granted all).
 * - **Read-Only**: not Full Access, and every scope it holds ends in `:read` (no `:write`).
 * - **Custom**: anything else.
 *
 * Scopes the key holds that `allScopes` does not list (added by Klaviyo after the spec files
 * were copied) change nothing.
 */
export function accessLevelOf(scopes: readonly string[], allScopes: readonly string[]): AccessLevel {
  const held = new Set(scopes);
  if (allScopes.length > 0 && allScopes.every((s) => held.has(s))) return "full";
  if (scopes.every((s) => s.endsWith(":read"))) return "read_only";
  return "custom";
}

/** The verdict of {@link judgeAccess}. */
export interface AccessVerdict {
  /** The key's level under the rule. */
  readonly level: AccessLevel;
  /** Required scopes the key does not hold (empty: the key passes). */
  readonly missing: readonly string[];
}

/** Judges a key holding `scopes` against `req`, applying {@link accessLevelOf} once. */
export function judgeAccess(req: AccessRequirement, scopes: readonly string[], allScopes: readonly string[]): AccessVerdict {
  const level = accessLevelOf(scopes, allScopes);
  const held = new Set(scopes);
  const required = req.kind === "full" ? allScopes : req.scopes;
  return { level, missing: required.filter((s) => !held.has(s)) };
}
