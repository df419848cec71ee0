/**
 * The emulated Klaviyo endpoints: accounts, api-keys (beta) and read probes, with Klaviyo's order
 * of checks (CDN, route, revision, authentication, scope, throttle).
 * @packageDocumentation
 */
import { header, jsonReply, type Reply, type RequestContext } from "../http";
import { klaviyoRedacted } from "../keys";
import { KLAVIYO_DEFAULT_RATE_LIMITS, klaviyoWindows, type SlidingWindowLimiter } from "../rate-limit";
import type { EmulatorState, KlaviyoAccountRecord, KlaviyoKeyRecord } from "../state";
import type { KlaviyoEmulatorOptions, RateLimitSpec, RateLimitTier } from "../types";
import {
  JSON_API,
  cdnBadRequestHtml,
  incorrectCredentials,
  methodNotAllowed,
  missingRevision,
  noValidRevision,
  notFound,
  notProvided,
  permissionDenied,
  throttled,
} from "./errors";
import { apiKeyIdFromPath, handleApiKeyById } from "./api-key-routes";
import { usableKey } from "./model";
import { checkRevision } from "./revision";

/** What the Klaviyo routes need. */
export interface KlaviyoDeps {
  state: EmulatorState;
  limiter: SlidingWindowLimiter;
  options: KlaviyoEmulatorOptions;
}

interface Endpoint {
  scope: string;
  tier: RateLimitTier;
  beta: boolean;
  handle: (ctx: RequestContext, key: KlaviyoKeyRecord, account: KlaviyoAccountRecord, deps: KlaviyoDeps) => unknown;
}

function emptyList(path: string) {
  return (ctx: RequestContext): unknown => ({ data: [], links: { self: `${ctx.baseUrl}${path}`, next: null, prev: null } });
}

function accountsBody(ctx: RequestContext, _key: KlaviyoKeyRecord, a: KlaviyoAccountRecord): unknown {
  const slug = a.id.toLowerCase();
  return {
    data: [
      {
        type: "account",
        id: a.id,
        attributes: {
          test_account: a.testAccount,
          contact_information: {
            default_sender_name: a.name,
            default_sender_email: `hello@${slug}.example.com`,
            website_url: `https://${slug}.example.com`,
            organization_name: a.name,
            street_address: {
              address1: "1 Emulator Way",
              address2: "",
              city: "Boston",
              region: "MA",
              country: "US",
              zip: "02110",
            },
          },
          industry: "Ecommerce",
          timezone: "America/New_York",
          preferred_currency: "USD",
          public_api_key: a.id,
          locale: "en-US",
        },
        links: { self: `${ctx.baseUrl}/api/accounts/${a.id}/` },
      },
    ],
    links: { self: `${ctx.baseUrl}/api/accounts/`, next: null, prev: null },
  };
}

function apiKeysBody(ctx: RequestContext, _key: KlaviyoKeyRecord, a: KlaviyoAccountRecord, deps: KlaviyoDeps): unknown {
  const keys = deps.state.data.klaviyo.keys.filter((k) => k.accountId === a.id && !k.revoked);
  return {
    data: keys.map((k) => ({
      type: "api-key",
      id: k.id,
      attributes: {
        label: k.label,
        key: klaviyoRedacted(k.key),
        access_level: k.accessLevel,
        scopes: [...k.scopes],
        disabled: k.disabled,
        created: k.createdAt,
      },
      links: { self: `${ctx.baseUrl}/api/api-keys/${k.id}/` },
    })),
    links: { self: `${ctx.baseUrl}/api/api-keys/`, next: null, prev: null },
  };
}

/** The endpoints, by path without the trailing slash. */
const ENDPOINTS: ReadonlyMap<string, Endpoint> = new Map<string, Endpoint>([
  ["/api/accounts", { scope: "accounts:read", tier: "XS", beta: false, handle: accountsBody }],
  ["/api/api-keys", { scope: "credentials:read", tier: "S", beta: true, handle: apiKeysBody }],
  ["/api/metrics", { scope: "metrics:read", tier: "M", beta: false, handle: emptyList("/api/metrics/") }],
  ["/api/profiles", { scope: "profiles:read", tier: "M", beta: false, handle: emptyList("/api/profiles/") }],
  ["/api/events", { scope: "events:read", tier: "M", beta: false, handle: emptyList("/api/events/") }],
  ["/api/lists", { scope: "lists:read", tier: "M", beta: false, handle: emptyList("/api/lists/") }],
]);

/** The rate-limit tier of a path, if it is an emulated endpoint. */
export function klaviyoTier(pathname: string): RateLimitTier | undefined {
  return ENDPOINTS.get(pathname.replace(/\/+$/, ""))?.tier;
}

function tierSpec(options: KlaviyoEmulatorOptions, tier: RateLimitTier): RateLimitSpec | undefined {
  if (options.rateLimits === false) return undefined;
  return options.rateLimits?.[tier] ?? KLAVIYO_DEFAULT_RATE_LIMITS[tier];
}

/** Handles one request to the emulated Klaviyo API. */
export function handleKlaviyo(ctx: RequestContext, deps: KlaviyoDeps): Reply {
  const auth = header(ctx, "authorization");
  if (auth !== undefined && /^bearer(\s|$)/i.test(auth.trim())) return cdnBadRequestHtml();

  const keyId = apiKeyIdFromPath(ctx.pathname);
  if (keyId !== undefined) return handleApiKeyById(ctx, keyId, deps);

  const path = ctx.pathname.replace(/\/+$/, "");
  const endpoint = ENDPOINTS.get(path);
  if (!endpoint) return notFound();
  if (ctx.method !== "GET") return { ...methodNotAllowed(ctx.method), headers: { ...methodNotAllowed(ctx.method).headers, allow: "GET" } };

  const revision = checkRevision(header(ctx, "revision"), endpoint.beta);
  if (revision === "missing") return missingRevision();
  if (revision === "invalid") return noValidRevision();

  const m = auth === undefined ? null : /^Klaviyo-API-Key\s+(\S+)\s*$/i.exec(auth.trim());
  const plaintext = m?.[1];
  if (plaintext === undefined) return notProvided();
  const key = usableKey(deps.state, plaintext);
  const account = key && deps.state.data.klaviyo.accounts.find((a) => a.id === key.accountId);
  if (!key || !account) return incorrectCredentials();

  if (!key.scopes.includes(endpoint.scope)) return permissionDenied(endpoint.scope);

  const spec = tierSpec(deps.options, endpoint.tier);
  const rateHeaders: Record<string, string> = {};
  if (spec) {
    const decision = deps.limiter.take(`klaviyo:${account.id}:${path}`, klaviyoWindows(spec), ctx.now.getTime());
    if (!decision.allowed) {
      const retryAfter = deps.options.retryAfterHeader === false ? null : decision.retryAfterSeconds;
      return throttled(decision.retryAfterSeconds, retryAfter);
    }
    rateHeaders["ratelimit-limit"] = String(decision.limit);
    rateHeaders["ratelimit-remaining"] = String(decision.remaining);
    rateHeaders["ratelimit-reset"] = String(decision.resetSeconds);
  }
  return jsonReply(200, endpoint.handle(ctx, key, account, deps), rateHeaders, JSON_API);
}
