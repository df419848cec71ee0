/**
 * What access Upstack Data needs from a Klaviyo key, and how a key's access
 * is established without side effects. See the README's "How validation
 * works" for the same rules in prose.
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

/** The scopes a listed key grants. */
export function grantedScopes(accessLevel: string, scopes: readonly string[]): "all" | ReadonlySet<string> {
  if (accessLevel === "full") return "all";
  return new Set(scopes);
}
