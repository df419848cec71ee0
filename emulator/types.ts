/**
 * Public types of the local emulator: options, admin inputs and views, fault rules, request log.
 * @packageDocumentation
 */

/** Klaviyo rate-limit tiers as documented by Klaviyo (per account and per endpoint). */
export type RateLimitTier = "XS" | "S" | "M" | "L" | "XL";

/** One tier's limits: a burst window of one second and a steady window of one minute. */
export interface RateLimitSpec {
  /** Requests allowed in any one-second window. */
  burstPerSecond: number;
  /** Requests allowed in any sixty-second window. */
  perMinute: number;
}

/** Options of the emulated Klaviyo API. */
export interface KlaviyoEmulatorOptions {
  /** `false` disables rate limiting; an object overrides the documented limits per tier. */
  rateLimits?: false | Partial<Record<RateLimitTier, RateLimitSpec>>;
  /** Send `Retry-After` on 429 responses (default true; Klaviyo does not always send it). */
  retryAfterHeader?: boolean;
}

/** Options of the emulated Upstack destination API. */
export interface UpstackEmulatorOptions {
  /** Requests per minute per Upstack API key (default 600); `false` disables the limit. */
  rateLimitPerMinute?: number | false;
}

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** JSON file the state is loaded from at start and written to (atomically) after every change. */
  stateFile?: string;
  /** Delay added to every non-admin request, in milliseconds. */
  latencyMs?: number;
  /** Emulated Klaviyo options. */
  klaviyo?: KlaviyoEmulatorOptions;
  /** Emulated Upstack options. */
  upstack?: UpstackEmulatorOptions;
}

/** The emulated services (admin calls are a third kind that is never logged or faulted). */
export type ServiceName = "klaviyo" | "upstack";

/** Klaviyo private key access levels. */
export type KlaviyoAccessLevel = "full" | "read_only" | "custom";

/** Klaviyo private key formats: classic `pk_` + 34 hex, or v2 `pk_` + 6 alphanumerics + `_` + 34 hex. */
export type KlaviyoKeyFormat = "classic" | "v2";

/** A fault injected into matching requests. */
export type Fault =
  | {
      kind: "status";
      /** HTTP status to answer with. */
      status: number;
      /** Seconds for `Retry-After`; `null` sends no header; default 1 for 429 and 503. */
      retryAfter?: number | null;
      /** JSON body to send instead of the service's default error body. */
      body?: unknown;
    }
  | { kind: "latency"; /** Delay before handling normally. */ ms: number }
  | { kind: "reset" }
  | { kind: "hang" }
  | { kind: "html403" }
  | { kind: "commit-then-reset" };

/** The kind of a {@link Fault}. */
export type FaultKind = Fault["kind"];

/** When a fault applies. */
export interface FaultRule {
  /** Only this service (default both). */
  service?: ServiceName;
  /** Only this HTTP method (case-insensitive). */
  method?: string;
  /** Only paths starting with this prefix. */
  path?: string;
  /** 1-based index, among the calls this rule matches, of the first faulted call (default 1). */
  nth?: number;
  /** How many calls from `nth` on are faulted (default 1; 0 = every call). */
  times?: number;
  /** What happens. */
  fault: Fault;
}

/** A registered fault rule with its counters. */
export interface FaultRuleView extends FaultRule {
  /** Rule id. */
  id: string;
  /** Calls this rule matched so far. */
  matched: number;
  /** Calls this rule faulted so far. */
  fired: number;
}

/** One logged request (admin calls are not logged; secrets never are). */
export interface RequestLogEntry {
  /** Monotonic sequence number, from 1. */
  seq: number;
  /** ISO time the request arrived. */
  at: string;
  /** Service the request went to. */
  service: ServiceName;
  /** HTTP method. */
  method: string;
  /** Path without the query string. */
  path: string;
  /** Status answered, or null when no response was sent (reset, hang). */
  status: number | null;
  /** True when a fault rule applied. */
  faulted?: boolean;
  /** Kind of the fault that applied. */
  fault?: FaultKind;
}

/** Filter for the request log. */
export interface RequestFilter {
  /** Only this service. */
  service?: ServiceName;
}

/** An emulated Klaviyo account (its id is the public key / site id). */
export interface KlaviyoAccountView {
  id: string;
  name: string;
  testAccount: boolean;
  createdAt: string;
}

/** Input of `POST /_admin/klaviyo/accounts`. */
export interface CreateKlaviyoAccountInput {
  /** 6 alphanumerics; random when absent. */
  id?: string;
  /** Organization name. */
  name?: string;
  /** Klaviyo `test_account` flag. */
  testAccount?: boolean;
}

/** Input of `POST /_admin/klaviyo/keys`. */
export interface CreateKlaviyoKeyInput {
  accountId: string;
  /** Default `full`. */
  accessLevel?: KlaviyoAccessLevel;
  /** The scopes of a `custom` key (ignored otherwise). */
  scopes?: string[];
  /** Default `UpstackData`. */
  label?: string;
  /** Default `classic`. */
  format?: KlaviyoKeyFormat;
  /** Create it disabled. */
  disabled?: boolean;
}

/** A fake Klaviyo private key as created (the only time the plaintext is returned). */
export interface KlaviyoKeyCreated {
  id: string;
  /** The fake plaintext key (emulator-only). */
  key: string;
  accountId: string;
  accessLevel: KlaviyoAccessLevel;
  scopes: string[];
  label: string;
  disabled: boolean;
}

/** A fake Klaviyo private key without its plaintext. */
export interface KlaviyoKeyView {
  id: string;
  /** `pk_****` + last 4 characters. */
  redacted: string;
  accountId: string;
  accessLevel: KlaviyoAccessLevel;
  scopes: string[];
  label: string;
  disabled: boolean;
  revoked: boolean;
  createdAt: string;
}

/** Input of `POST /_admin/upstack/keys`. */
export interface CreateUpstackKeyInput {
  /** Pixel UUID the key is scoped to; random when absent. */
  pixelId?: string;
  /** Default `["destinations:read", "destinations:write"]`. */
  scopes?: string[];
}

/** A fake Upstack API key as created (the only time the plaintext is returned). */
export interface UpstackKeyCreated {
  id: string;
  /** `upstack_` + 40 hex (emulator-only). */
  apiKey: string;
  pixelId: string;
  scopes: string[];
}

/** A fake Upstack API key without its plaintext. */
export interface UpstackKeyView {
  id: string;
  pixelId: string;
  scopes: string[];
  revoked: boolean;
  createdAt: string;
}

/** Destination status values, computed at read time. */
export type DestinationStatus = "healthy" | "unhealthy" | "disabled";

/** A Klaviyo destination as the Upstack contract returns it (never with the plaintext key). */
export interface DestinationView {
  id: string;
  pixelId: string;
  platform: "klaviyo";
  owner: string | null;
  enabled: boolean;
  label: string;
  status: DestinationStatus;
  statusReason: string | null;
  klaviyoAccountId: string | null;
  publicApiKey: string | null;
  scopes: string[];
  keyFingerprint: string;
  keyHint: string;
  createdAt: string;
  updatedAt: string;
  keyRotatedAt: string;
  etag: string;
}

/** Input of `PUT /_admin/upstack/destinations/:pixelId` (a destination made in the dashboard). */
export interface AdminPutDestinationInput {
  privateApiKey: string;
  label?: string;
  enabled?: boolean;
  /** Default null (dashboard-made). */
  owner?: string | null;
  klaviyoAccountId?: string | null;
  publicApiKey?: string | null;
  scopes?: string[];
}

/** Input of `PATCH /_admin/upstack/destinations/:pixelId` (a dashboard edit). */
export interface AdminPatchDestinationInput {
  enabled?: boolean;
  label?: string;
  owner?: string | null;
  privateApiKey?: string;
  klaviyoAccountId?: string | null;
  publicApiKey?: string | null;
}
