/**
 * Klaviyo private-key scopes known to the emulator and what each access level grants.
 * @packageDocumentation
 */
import type { KlaviyoAccessLevel } from "../types";

/** Every scope the emulator knows; a Full Access key has all of them. */
export const KLAVIYO_SCOPES = [
  "accounts:read",
  "campaigns:read",
  "campaigns:write",
  "catalogs:read",
  "catalogs:write",
  "credentials:read",
  "credentials:write",
  "data-privacy:read",
  "data-privacy:write",
  "events:read",
  "events:write",
  "flows:read",
  "flows:write",
  "images:read",
  "images:write",
  "lists:read",
  "lists:write",
  "metrics:read",
  "metrics:write",
  "profiles:read",
  "profiles:write",
  "push-tokens:read",
  "push-tokens:write",
  "segments:read",
  "segments:write",
  "subscriptions:read",
  "subscriptions:write",
  "tags:read",
  "tags:write",
  "templates:read",
  "templates:write",
  "webhooks:read",
  "webhooks:write",
] as const;

/** One Klaviyo scope. */
export type KlaviyoScope = (typeof KLAVIYO_SCOPES)[number];

/** Every `:read` scope: what a Read-only key has. */
export const KLAVIYO_READ_SCOPES: readonly KlaviyoScope[] = KLAVIYO_SCOPES.filter((s) => s.endsWith(":read"));

/** True when `scope` is a known Klaviyo scope. */
export function isKlaviyoScope(scope: string): scope is KlaviyoScope {
  return (KLAVIYO_SCOPES as readonly string[]).includes(scope);
}

/** The scopes a key of `accessLevel` holds (`custom` keeps exactly the listed ones, deduplicated, in list order). */
export function scopesFor(accessLevel: KlaviyoAccessLevel, custom: readonly string[] = []): string[] {
  if (accessLevel === "full") return [...KLAVIYO_SCOPES];
  if (accessLevel === "read_only") return [...KLAVIYO_READ_SCOPES];
  return KLAVIYO_SCOPES.filter((s) => custom.includes(s));
}
