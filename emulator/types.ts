/**
 * Public types of the local emulator: options, admin inputs and views, fault rules, request log.
 * @packageDocumentation
 */
import type { UpstackWrongReading } from "./upstack/wrong-readings";

/** One rate tier's limits (an operation's `x-klaviyo-ratelimit` in Klaviyo's spec): a burst window of one second and a steady window of one minute. */
export interface RateLimitSpec {
  /** Requests allowed in any one-second window. */
  burstPerSecond: number;
  /** Requests allowed in any sixty-second window. */
  perMinute: number;
}

/** Options of the emulated Klaviyo API. */
export interface KlaviyoEmulatorOptions {
  /**
   * `false` disables rate limiting; an object overrides, by operation id (`get_accounts`,
   * `get_api_keys_beta`, `get_metrics`, `get_profiles`, `get_events`, `get_lists`), the tiers
   * read from Klaviyo's spec files.
   */
  rateLimits?: false | Partial<Record<string, RateLimitSpec>>;
  /** Keys per page of the api-keys listing (default 10); later pages are reached through `links.next`. */
  apiKeysPageSize?: number;
  /** Send `Retry-After` on 429 responses (default true; Klaviyo does not always send it). */
  retryAfterHeader?: boolean;
  /** A file every Klaviyo answer is appended to as one JSON line (default: `UPSTACK_EMULATOR_KLAVIYO_ANSWER_LOG`, else none). */
  answerLog?: string;
}

/** One request to the emulated Upstack API and the answer it got, for tests that watch the traffic. */
export interface UpstackExchange {
  /** HTTP method. */
  method: string;
  /** Path without the query. */
  path: string;
  /** Query parameters. */
  query: Record<string, string>;
  /** Request headers, lower-cased (they carry credentials: never log them unredacted). */
  requestHeaders: Record<string, string>;
  /** The request body text ("" when none). */
  requestBody: string;
  /** The answer's status. */
  status: number;
  /** The answer's headers. */
  responseHeaders: Record<string, string>;
  /** The answer's body text ("" when none). */
  responseBody: string;
}

/** Options of the emulated Upstack destination API. */
export interface UpstackEmulatorOptions {
  /** Requests per minute per Upstack API key (default 600); `false` disables the limit. */
  rateLimitPerMinute?: number | false;
  /** Called with every request the Upstack routes answer (fault-injected answers excluded). */
  observe?: (exchange: UpstackExchange) => void;
  /** Test-only: read the contract wrongly in these ways (see `UPSTACK_WRONG_READINGS`). */
  wrongReadings?: readonly UpstackWrongReading[];
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
      /** Answer with a given HTTP status instead of handling the request. */
      kind: "status";
      /** HTTP status to answer with. */
      status: number;
      /** Seconds for `Retry-After`; `null` sends no header; default 1 for 429 and 503. */
      retryAfter?: number | null;
      /** JSON body to send instead of the service's default error body. */
      body?: unknown;
      /** Extra response headers (e.g. the `ETag` of a body that stands for a destination). */
      headers?: Record<string, string>;
    }
  | {
      /** Wait, then handle the request normally. */
      kind: "latency";
      /** Delay before handling normally, in milliseconds (0 to 600000). */
      ms: number;
    }
  | {
      /** Destroy the connection without answering (the request is not handled). */
      kind: "reset";
    }
  | {
      /** Never answer: the request stays open until the client gives up or the emulator closes. */
      kind: "hang";
    }
  | {
      /** Answer 403 with a CDN challenge HTML page (`cf-mitigated: challenge`) instead of JSON. */
      kind: "html403";
    }
  | {
      /** Handle the request (its changes are applied and persisted), then destroy the connection without answering. */
      kind: "commit-then-reset";
    };

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
  /** Account id: 6 mixed-case alphanumerics, also the account's public API key (site id). */
  id: string;
  /** Organization name (default `Emulated Store <id>`). */
  name: string;
  /** Klaviyo `test_account` flag (default false). */
  testAccount: boolean;
  /** ISO time the account was created. */
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
  /** Id of the existing account the key belongs to (404 when there is none). */
  accountId: string;
  /** Default `full`. */
  accessLevel?: KlaviyoAccessLevel;
  /** The scopes of a `custom` key (at least one); refused (400) for `full` and `read_only`, whose scopes follow from the level. */
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
  /** Key id: 26 uppercase alphanumerics (used by the admin PATCH and DELETE routes). */
  id: string;
  /** The fake plaintext key (emulator-only). */
  key: string;
  /** Id of the account the key belongs to. */
  accountId: string;
  /** The key's access level. */
  accessLevel: KlaviyoAccessLevel;
  /** The scopes the key holds: every scope of Klaviyo's list for `full`, every `:read` one for `read_only`, the listed ones for `custom`. */
  scopes: string[];
  /** The key's label (default `UpstackData`). */
  label: string;
  /** True when the key was created disabled (a disabled key does not authenticate). */
  disabled: boolean;
}

/** A fake Klaviyo private key without its plaintext. */
export interface KlaviyoKeyView {
  /** Key id: 26 uppercase alphanumerics. */
  id: string;
  /** `pk_****` + last 4 characters. */
  redacted: string;
  /** Id of the account the key belongs to. */
  accountId: string;
  /** The key's access level. */
  accessLevel: KlaviyoAccessLevel;
  /** The scopes the key holds. */
  scopes: string[];
  /** The key's label. */
  label: string;
  /** True when the key is disabled: it does not authenticate until re-enabled. */
  disabled: boolean;
  /** True when the key was revoked (deleted): it no longer authenticates and leaves Klaviyo's api-keys listing. */
  revoked: boolean;
  /** ISO time the key was created. */
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
  /** Key id: `uk_` + 16 lowercase alphanumerics (used by the admin DELETE route). */
  id: string;
  /** `upstack_` + 40 hex (emulator-only). */
  apiKey: string;
  /** Pixel UUID the key is scoped to (sent as `x-pixel-id`). */
  pixelId: string;
  /** The key's scopes, e.g. `destinations:read`, `destinations:write`. */
  scopes: string[];
}

/** A fake Upstack API key without its plaintext. */
export interface UpstackKeyView {
  /** Key id: `uk_` + 16 lowercase alphanumerics. */
  id: string;
  /** Pixel UUID the key is scoped to. */
  pixelId: string;
  /** The key's scopes. */
  scopes: string[];
  /** True when the key was revoked: it no longer authenticates. */
  revoked: boolean;
  /** ISO time the key was created. */
  createdAt: string;
}

/** Destination status values, computed at read time. */
export type DestinationStatus = "healthy" | "unhealthy" | "disabled";

/** A Klaviyo destination as the Upstack contract returns it (never with the plaintext key). */
export interface DestinationView {
  /** Destination id: `dst_` + 20 lowercase alphanumerics. */
  id: string;
  /** Pixel UUID the destination belongs to (one destination per pixel). */
  pixelId: string;
  /** Always `klaviyo`. */
  platform: "klaviyo";
  /** Who manages the destination, e.g. `pulumi:<project>/<stack>/<resource name>`; null for one made in the dashboard. */
  owner: string | null;
  /** False when events are not forwarded (`status` is then `disabled`). */
  enabled: boolean;
  /** Display label (1 to 100 characters). */
  label: string;
  /** `disabled` when not enabled, else `unhealthy` when Klaviyo would reject the key, else `healthy`; computed at read time. */
  status: DestinationStatus;
  /** Why the destination is unhealthy; null when it is healthy or disabled. */
  statusReason: string | null;
  /** The Klaviyo account the key was validated against (its public key); null when unknown. */
  klaviyoAccountId: string | null;
  /** The Klaviyo public API key (site id, the account id); null when not set. */
  publicApiKey: string | null;
  /** Klaviyo scopes the owner declared it relies on (informational; empty when none). */
  scopes: string[];
  /** `sha256:` + lowercase hex SHA-256 of the private key. */
  keyFingerprint: string;
  /** `pk_...` + the private key's last four characters. */
  keyHint: string;
  /** ISO time the destination was created. */
  createdAt: string;
  /** ISO time of the last change (a dashboard PATCH always counts as one). */
  updatedAt: string;
  /** ISO time the private key last changed (its fingerprint), or the creation time. */
  keyRotatedAt: string;
  /** Strong ETag (in double quotes), replaced on every change; also sent as the `ETag` header. */
  etag: string;
}

/** Input of `PUT /_admin/upstack/destinations/:pixelId` (a destination made in the dashboard). */
export interface AdminPutDestinationInput {
  /** The Klaviyo private key the destination forwards with (`pk_...`). */
  privateApiKey: string;
  /** Display label, 1 to 100 characters (default `Klaviyo`). */
  label?: string;
  /** Whether events are forwarded (default true). */
  enabled?: boolean;
  /** Default null (dashboard-made). */
  owner?: string | null;
  /** Default: the account of the emulated key `privateApiKey`, or null when the emulator does not know the key. */
  klaviyoAccountId?: string | null;
  /** Default: the resulting `klaviyoAccountId`. */
  publicApiKey?: string | null;
  /** Declared Klaviyo scopes (informational; default empty). */
  scopes?: string[];
}

/** Input of `PATCH /_admin/upstack/destinations/:pixelId` (a dashboard edit). */
export interface AdminPatchDestinationInput {
  /** New enabled flag; unchanged when absent. */
  enabled?: boolean;
  /** New label (1 to 100 characters); unchanged when absent. */
  label?: string;
  /** New owner, null to make it dashboard-managed; unchanged when absent. */
  owner?: string | null;
  /** New Klaviyo private key (bumps `keyRotatedAt` when it differs); unchanged when absent. */
  privateApiKey?: string;
  /** New Klaviyo account id, or null; unchanged when absent. */
  klaviyoAccountId?: string | null;
  /** New Klaviyo public API key, or null; unchanged when absent. */
  publicApiKey?: string | null;
}

/** Result of registering a fault rule. */
export interface FaultRuleCreated {
  /** Id of the new rule (`fault_` + a sequence number), for removing it. */
  id: string;
}

/** Result of {@link EmulatorAdminClient.createKlaviyoAccountWithKey}. */
export interface KlaviyoAccountWithKey {
  /** The account created. */
  account: KlaviyoAccountView;
  /** The key created on it, with its fake plaintext. */
  key: KlaviyoKeyCreated;
}
