/**
 * The emulated beta `GET /api/api-keys/{id}` (get_api_key_beta, scope `credentials:read`) and
 * `PATCH /api/api-keys/{id}` (update_api_key_beta, scope `credentials:write`), shaped as
 * Klaviyo's OpenAPI files for revision `2026-07-15.pre` describe them: attributes `name`,
 * `status` (`active` | `disabled`), `scopes`, `created`, and `redacted_key` only when the request
 * asks `additional-fields[api-key]=redacted_key`; sparse fieldsets with `fields[api-key]`; any
 * other query parameter is a JSON:API 400 naming it. Both operations are rate tier 1/s burst,
 * 15/min steady per account (`x-klaviyo-ratelimit`), each with its own budget.
 *
 * A key of another account, or a revoked (deleted) one, is a 404: the caller's account has no
 * such key. The PATCH body must be `{"data": {"type": "api-key", "id": <the path id>,
 * "attributes": {"name"?: string, "status"?: "active" | "disabled"}}}`; the spec's request
 * description says an attribute may be omitted but never `null`.
 * @packageDocumentation
 */
import { randomUUID } from "node:crypto";
import { header, jsonReply, parseJsonBody, type Reply, type RequestContext } from "../http";
import { klaviyoRedacted } from "../keys";
import { klaviyoWindows, type SlidingWindowLimiter } from "../rate-limit";
import type { EmulatorState, KlaviyoAccountRecord, KlaviyoKeyRecord } from "../state";
import type { KlaviyoEmulatorOptions, RateLimitSpec } from "../types";
import { JSON_API, incorrectCredentials, methodNotAllowed, missingRevision, noValidRevision, notProvided, permissionDenied, throttled } from "./errors";
import { usableKey } from "./model";
import { checkRevision } from "./revision";

/** What these routes need (the same as the other Klaviyo routes). */
export interface ApiKeyRouteDeps {
  state: EmulatorState;
  limiter: SlidingWindowLimiter;
  options: KlaviyoEmulatorOptions;
}

/** The limits of both operations, from their `x-klaviyo-ratelimit` (`burst: 1/s`, `steady: 15/m`). */
export const API_KEY_BY_ID_RATE_LIMIT: RateLimitSpec = { burstPerSecond: 1, perMinute: 15 };

/** The sparse fieldset values the spec allows for `fields[api-key]`. */
const FIELDS = ["created", "id", "name", "redacted_key", "scopes", "status"] as const;
/** The values the spec allows for `additional-fields[api-key]`. */
const ADDITIONAL_FIELDS = ["redacted_key"] as const;

const BY_ID = /^\/api\/api-keys\/([^/]+)\/?$/;

/** The key id when `pathname` is `/api/api-keys/{id}` (with or without a trailing slash). */
export function apiKeyIdFromPath(pathname: string): string | undefined {
  const m = BY_ID.exec(pathname);
  return m?.[1] === undefined ? undefined : decodeURIComponent(m[1]);
}

/** A JSON:API 400 about one query parameter or body pointer. */
function invalid(detail: string, source: { parameter: string } | { pointer: string }): Reply {
  return jsonReply(
    400,
    { errors: [{ id: randomUUID(), status: 400, code: "invalid", title: "Invalid input.", detail, source, links: {}, meta: {} }] },
    {},
    JSON_API,
  );
}

/** A JSON:API 404 for a key the caller's account does not have. */
function noSuchKey(id: string): Reply {
  return jsonReply(
    404,
    {
      errors: [
        {
          id: randomUUID(),
          status: 404,
          code: "not_found",
          title: "Not found.",
          detail: `No API key found with id ${id}.`,
          source: { parameter: "id" },
          links: {},
          meta: {},
        },
      ],
    },
    {},
    JSON_API,
  );
}

function listParam(ctx: RequestContext, name: string, allowed: readonly string[]): string[] | Reply {
  const raw = ctx.query.get(name);
  if (raw === null) return [];
  const values = raw.split(",").map((s) => s.trim());
  const bad = values.find((v) => !allowed.includes(v));
  if (bad !== undefined) return invalid(`'${bad}' is not a valid value for ${name}. Valid values: ${allowed.join(", ")}.`, { parameter: name });
  return values;
}

/** The resource object of one key, as get_api_key_beta / update_api_key_beta answer it. */
function keyResource(ctx: RequestContext, k: KlaviyoKeyRecord, additional: readonly string[], fields: readonly string[]): Record<string, unknown> {
  const attributes: Record<string, unknown> = {
    name: k.label,
    status: k.disabled ? "disabled" : "active",
    scopes: [...k.scopes],
    created: k.createdAt,
  };
  if (additional.includes("redacted_key")) attributes["redacted_key"] = klaviyoRedacted(k.key);
  if (fields.length > 0) for (const name of Object.keys(attributes)) if (!fields.includes(name)) delete attributes[name];
  return { type: "api-key", id: k.id, attributes, links: { self: `${ctx.baseUrl}/api/api-keys/${k.id}/` } };
}

/** Validates a PATCH body against the spec's ApiKeyUpdateRequest (plus "never null"); a 400 reply, or the attributes to apply. */
function patchAttributes(ctx: RequestContext, id: string): { reply: Reply } | { attrs: { name?: string; status?: "active" | "disabled" } } {
  const body = parseJsonBody(ctx);
  if (body instanceof Error || typeof body !== "object" || body === null)
    return { reply: invalid("The request body must be a JSON:API document.", { pointer: "/data" }) };
  const data = (body as { data?: unknown }).data;
  if (typeof data !== "object" || data === null) return { reply: invalid("'data' is required.", { pointer: "/data" }) };
  const d = data as Record<string, unknown>;
  if (d["type"] !== "api-key") return { reply: invalid("'type' must be 'api-key'.", { pointer: "/data/type" }) };
  if (typeof d["id"] !== "string") return { reply: invalid("'id' is required.", { pointer: "/data/id" }) };
  if (d["id"] !== id) return { reply: invalid("The id in the body does not match the id in the URL.", { pointer: "/data/id" }) };
  const attributes = d["attributes"];
  if (typeof attributes !== "object" || attributes === null) return { reply: invalid("'attributes' is required.", { pointer: "/data/attributes" }) };
  const a = attributes as Record<string, unknown>;
  const out: { name?: string; status?: "active" | "disabled" } = {};
  if ("name" in a) {
    if (typeof a["name"] !== "string")
      return { reply: invalid("'name' must be a string; omit it to keep the current name.", { pointer: "/data/attributes/name" }) };
    out.name = a["name"];
  }
  if ("status" in a) {
    if (a["status"] !== "active" && a["status"] !== "disabled") {
      return { reply: invalid("'status' must be 'active' or 'disabled'; omit it to keep the current status.", { pointer: "/data/attributes/status" }) };
    }
    out.status = a["status"];
  }
  return { attrs: out };
}

/**
 * Handles `/api/api-keys/{id}` in Klaviyo's order of checks: method, revision (beta), query
 * parameters, authentication, scope, throttle, then the key itself.
 */
export function handleApiKeyById(ctx: RequestContext, id: string, deps: ApiKeyRouteDeps): Reply {
  if (ctx.method !== "GET" && ctx.method !== "PATCH") {
    const r = methodNotAllowed(ctx.method);
    return { ...r, headers: { ...r.headers, allow: "GET, PATCH" } };
  }
  const revision = checkRevision(header(ctx, "revision"), true);
  if (revision === "missing") return missingRevision();
  if (revision === "invalid") return noValidRevision();

  for (const name of ctx.query.keys()) {
    if (name !== "additional-fields[api-key]" && name !== "fields[api-key]")
      return invalid(`'${name}' is not a valid query parameter for this endpoint.`, { parameter: name });
  }
  const additional = listParam(ctx, "additional-fields[api-key]", ADDITIONAL_FIELDS);
  if (!Array.isArray(additional)) return additional;
  const fields = listParam(ctx, "fields[api-key]", FIELDS);
  if (!Array.isArray(fields)) return fields;

  const auth = header(ctx, "authorization");
  const m = auth === undefined ? null : /^Klaviyo-API-Key\s+(\S+)\s*$/i.exec(auth.trim());
  const plaintext = m?.[1];
  if (plaintext === undefined) return notProvided();
  const caller = usableKey(deps.state, plaintext);
  const account: KlaviyoAccountRecord | undefined = caller && deps.state.data.klaviyo.accounts.find((a) => a.id === caller.accountId);
  if (!caller || !account) return incorrectCredentials();

  const scope = ctx.method === "GET" ? "credentials:read" : "credentials:write";
  if (!caller.scopes.includes(scope)) return permissionDenied(scope);

  const rateHeaders: Record<string, string> = {};
  if (deps.options.rateLimits !== false) {
    const spec = API_KEY_BY_ID_RATE_LIMIT;
    const decision = deps.limiter.take(`klaviyo:${account.id}:${ctx.method} /api/api-keys/{id}`, klaviyoWindows(spec), ctx.now.getTime());
    if (!decision.allowed) {
      const retryAfter = deps.options.retryAfterHeader === false ? null : decision.retryAfterSeconds;
      return throttled(decision.retryAfterSeconds, retryAfter);
    }
    rateHeaders["ratelimit-limit"] = String(decision.limit);
    rateHeaders["ratelimit-remaining"] = String(decision.remaining);
    rateHeaders["ratelimit-reset"] = String(decision.resetSeconds);
  }

  const target = deps.state.data.klaviyo.keys.find((k) => k.id === id && k.accountId === account.id && !k.revoked);
  if (target === undefined) return noSuchKey(id);

  if (ctx.method === "PATCH") {
    const change = patchAttributes(ctx, id);
    if ("reply" in change) return change.reply;
    const { attrs } = change;
    if (attrs.name !== undefined) target.label = attrs.name;
    if (attrs.status !== undefined) target.disabled = attrs.status === "disabled";
    deps.state.commit();
  }
  const self = `${ctx.baseUrl}/api/api-keys/${target.id}/`;
  return jsonReply(200, { data: keyResource(ctx, target, additional, fields), links: { self } }, rateHeaders, JSON_API);
}
