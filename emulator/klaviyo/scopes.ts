/**
 * Klaviyo private-key scopes and what each access level grants, from Klaviyo's spec files: the
 * scope list is the enum of the api-keys listing's `scopes` attribute (get_api_keys_beta.json).
 * @packageDocumentation
 */
import type { KlaviyoAccessLevel } from "../types";
import { EMULATED_SPEC, readScopes } from "./spec";

/** Every scope a key can hold (the spec's enum); a Full Access key holds all of them. */
export const KLAVIYO_SCOPES: readonly string[] = EMULATED_SPEC.scopes;

/** One Klaviyo scope, such as `events:write`. */
export type KlaviyoScope = string;

/** Every `:read` scope of {@link KLAVIYO_SCOPES}: what a Read-Only key holds. */
export const KLAVIYO_READ_SCOPES: readonly string[] = readScopes();

/** True when `scope` is in Klaviyo's scope list. */
export function isKlaviyoScope(scope: string): scope is KlaviyoScope {
  return KLAVIYO_SCOPES.includes(scope);
}

/** The scopes a key of `accessLevel` holds (`custom` keeps exactly the listed ones, deduplicated, in the spec's order). */
export function scopesFor(accessLevel: KlaviyoAccessLevel, custom: readonly string[] = []): string[] {
  if (accessLevel === "full") return [...KLAVIYO_SCOPES];
  if (accessLevel === "read_only") return [...KLAVIYO_READ_SCOPES];
  return KLAVIYO_SCOPES.filter((s) => custom.includes(s));
}
