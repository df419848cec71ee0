/**
 * The emulated Klaviyo endpoints: accounts, api-keys (beta) and read probes, with Klaviyo's order
 * of checks (CDN, route, method, revision, authentication, scope, throttle, query parameters).
 * Operations, scopes, revisions, tiers and parameters come from Klaviyo's spec files (./spec).
 * @packageDocumentation
 */
import { header, jsonReply, type Reply, type RequestContext } from "../http";
import { klaviyoRedacted } from "../keys";
import { KLAVIYO_DEFAULT_RATE_LIMITS, klaviyoWindows, type SlidingWindowLimiter } from "../rate-limit";
import type { EmulatorState, KlaviyoAccountRecord, KlaviyoKeyRecord } from "../state";
import type { KlaviyoEmulatorOptions, RateLimitSpec } from "../types";
import type { SpecOperation } from "../../spec/klaviyo";
import {
  JSON_API,
  cdnBadRequestHtml,
  incorrectCredentials,
  invalidParameter,
  methodNotAllowed,
  missingRevision,
  noValidRevision,
  notFound,
  notProvided,
  permissionDenied,
  throttled,
} from "./errors";
import { HandlerReply, getApiKey, updateApiKey } from "./api-key-routes";
import { usableKey } from "./model";
import { checkRevision } from "./revision";
import { EMULATED_SPEC, queryProblem } from "./spec";

/** What the Klaviyo routes need. */
export interface KlaviyoDeps {
  state: EmulatorState;
  limiter: SlidingWindowLimiter;
  options: KlaviyoEmulatorOptions;
}

type Handler = (ctx: RequestContext, key: KlaviyoKeyRecord, account: KlaviyoAccountRecord, deps: KlaviyoDeps) => unknown;

/** Default keys per page of the api-keys listing. */
export const API_KEYS_PAGE_SIZE = 10;

function emptyList(path: string) {
  return (ctx: RequestContext): unknown => ({ data: [], links: { self: `${ctx.baseUrl}${path}` } });
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
    links: { self: `${ctx.baseUrl}/api/accounts/` },
  };
}

/** An opaque cursor for the api-keys listing (the offset of the page). */
function cursorFor(offset: number): string {
  return Buffer.from(`o:${offset}`, "utf8").toString("base64url");
}

function offsetOf(cursor: string | null): number | undefined {
  if (cursor === null) return 0;
  const m = /^o:(\d+)$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  return m ? Number(m[1]) : undefined;
}

/**
 * `GET /api/api-keys` (beta): the account's keys, not revoked ones, as `ApiKeyResponseObjectResource`s:
 * `name`, `status`, `scopes`, `created`, and `redacted_key` only when asked for with
 * `additional-fields[api-key]=redacted_key`. Paginated through `links.next`.
 */
function apiKeysBody(ctx: RequestContext, _key: KlaviyoKeyRecord, a: KlaviyoAccountRecord, deps: KlaviyoDeps): unknown {
  const keys = deps.state.data.klaviyo.keys.filter((k) => k.accountId === a.id && !k.revoked);
  const size = deps.options.apiKeysPageSize ?? API_KEYS_PAGE_SIZE;
  const offset = offsetOf(ctx.query.get("page[cursor]")) ?? 0;
  const withRedacted = (ctx.query.get("additional-fields[api-key]") ?? "").split(",").includes("redacted_key");
  const page = keys.slice(offset, offset + size);
  const self = `${ctx.baseUrl}/api/api-keys/`;
  const links: Record<string, string> = { self };
  if (offset + size < keys.length) {
    const next = new URL(self);
    for (const [k, v] of ctx.query) if (k !== "page[cursor]") next.searchParams.set(k, v);
    next.searchParams.set("page[cursor]", cursorFor(offset + size));
    links["next"] = next.toString();
  }
  if (offset > 0) {
    const prev = new URL(self);
    for (const [k, v] of ctx.query) if (k !== "page[cursor]") prev.searchParams.set(k, v);
    prev.searchParams.set("page[cursor]", cursorFor(Math.max(0, offset - size)));
    links["prev"] = prev.toString();
  }
  return {
    data: page.map((k) => ({
      type: "api-key",
      id: k.id,
      attributes: {
        name: k.label,
        status: k.disabled ? "disabled" : "active",
        scopes: [...k.scopes],
        created: k.createdAt,
        ...(withRedacted ? { redacted_key: klaviyoRedacted(k.key) } : {}),
      },
      links: { self: `${ctx.baseUrl}/api/api-keys/${k.id}/` },
    })),
    links,
  };
}

/** The operations served, by operation id; everything else about them comes from the spec files. */
const HANDLERS: Readonly<Record<string, Handler>> = {
  get_accounts: accountsBody,
  get_api_keys_beta: apiKeysBody,
  get_metrics: emptyList("/api/metrics/"),
  get_profiles: emptyList("/api/profiles/"),
  get_events: emptyList("/api/events/"),
  get_lists: emptyList("/api/lists/"),
  get_api_key_beta: getApiKey,
  update_api_key_beta: updateApiKey,
};

/** The operation the spec files define for a path (any method), and whether the emulator serves it for `method`. */
function route(method: string, pathname: string): { op: SpecOperation | undefined; known: boolean } {
  const op = EMULATED_SPEC.operation(method, pathname);
  if (op !== undefined && HANDLERS[op.operationId] !== undefined) return { op, known: true };
  const known = EMULATED_SPEC.operations.some((o) => HANDLERS[o.operationId] !== undefined && EMULATED_SPEC.operation(o.method, pathname) === o);
  return { op: undefined, known };
}

/** The spec operation a request goes to, if the emulator serves it. */
export function klaviyoOperation(method: string, pathname: string): SpecOperation | undefined {
  return route(method, pathname).op;
}

function tierSpec(options: KlaviyoEmulatorOptions, operationId: string): RateLimitSpec | undefined {
  if (options.rateLimits === false) return undefined;
  return options.rateLimits?.[operationId] ?? KLAVIYO_DEFAULT_RATE_LIMITS[operationId];
}

/** Handles one request to the emulated Klaviyo API. */
export function handleKlaviyo(ctx: RequestContext, deps: KlaviyoDeps): Reply {
  const auth = header(ctx, "authorization");
  if (auth !== undefined && /^bearer(\s|$)/i.test(auth.trim())) return cdnBadRequestHtml();

  const { op, known } = route(ctx.method, ctx.pathname);
  if (op === undefined) {
    if (!known) return notFound();
    const r = methodNotAllowed(ctx.method);
    const allowed = EMULATED_SPEC.operations.filter((o) => HANDLERS[o.operationId] !== undefined && EMULATED_SPEC.operation(o.method, ctx.pathname) === o);
    return { ...r, headers: { ...r.headers, allow: allowed.map((o) => o.method.toUpperCase()).join(", ") || "GET" } };
  }
  const handle = HANDLERS[op.operationId]!;

  const revision = checkRevision(header(ctx, "revision"), op.beta);
  if (revision === "missing") return missingRevision();
  if (revision === "invalid") return noValidRevision();

  const m = auth === undefined ? null : /^Klaviyo-API-Key\s+(\S+)\s*$/i.exec(auth.trim());
  const plaintext = m?.[1];
  if (plaintext === undefined) return notProvided();
  const key = usableKey(deps.state, plaintext);
  const account = key && deps.state.data.klaviyo.accounts.find((a) => a.id === key.accountId);
  if (!key || !account) return incorrectCredentials();

  const missing = op.scopes.find((s) => !key.scopes.includes(s));
  if (missing !== undefined) return permissionDenied(missing);

  const spec = tierSpec(deps.options, op.operationId);
  const rateHeaders: Record<string, string> = {};
  if (spec) {
    const decision = deps.limiter.take(`klaviyo:${account.id}:${op.operationId}`, klaviyoWindows(spec), ctx.now.getTime());
    if (!decision.allowed) {
      const retryAfter = deps.options.retryAfterHeader === false ? null : decision.retryAfterSeconds;
      return throttled(decision.retryAfterSeconds, retryAfter);
    }
    rateHeaders["ratelimit-limit"] = String(decision.limit);
    rateHeaders["ratelimit-remaining"] = String(decision.remaining);
    rateHeaders["ratelimit-reset"] = String(decision.resetSeconds);
  }

  const problem = queryProblem(op, ctx.query);
  if (problem !== undefined) return invalidParameter(problem.parameter, problem.detail);
  if (op.operationId === "get_api_keys_beta" && offsetOf(ctx.query.get("page[cursor]")) === undefined) {
    return invalidParameter("page[cursor]", "Invalid value for 'page[cursor]': not a cursor this endpoint issued.");
  }
  const answer = handle(ctx, key, account, deps);
  if (answer instanceof HandlerReply) return answer.reply;
  return jsonReply(200, answer, rateHeaders, JSON_API);
}
