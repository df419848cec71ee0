/**
 * The emulated Upstack destination API (`/destinations/api/klaviyo`), per
 * openapi/upstack-klaviyo-destination.json. Order of checks: route, auth, rate limit, scope, then the
 * method's own rules in the order the document gives (PUT: Idempotency-Key, media type, replay, body,
 * preconditions, ownership; DELETE: existence, If-Match, owner). Test-only wrong readings
 * (`wrongReadings`) bend single rules so a test can prove the conformance kit notices.
 * @packageDocumentation
 */
import { emptyReply, header, jsonReply, parseJsonBody, type Reply, type RequestContext } from "../http";
import { sha256Hex } from "../keys";
import type { SlidingWindowLimiter } from "../rate-limit";
import type { EmulatorState, IdempotencyRecord } from "../state";
import type { UpstackEmulatorOptions, UpstackExchange } from "../types";
import { fakeId, newEtag } from "../keys";
import type { DestinationRecord, UpstackKeyRecord } from "../state";
import { applyDestination, destinationView, findDestination, findUpstackKey, newDestination, removeDestination, type DestinationFields } from "./model";
import { destinationWriteSchema, fieldErrors } from "./schema";
import type { UpstackWrongReading } from "./wrong-readings";

/** The contract's only path. */
export const KLAVIYO_DESTINATION_PATH = "/destinations/api/klaviyo";

/** How long an Idempotency-Key is remembered. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/** Default Upstack limit per API key. */
export const UPSTACK_DEFAULT_RATE_LIMIT_PER_MINUTE = 600;

/** What the Upstack routes need. */
export interface UpstackDeps {
  state: EmulatorState;
  limiter: SlidingWindowLimiter;
  options: UpstackEmulatorOptions;
}

/** The contract's `code` for a status when the caller names none (every error answer has one). */
const DEFAULT_CODES: Readonly<Record<number, string>> = {
  400: "invalid_request",
  401: "unauthorized",
  403: "missing_scope",
  404: "not_found",
  405: "method_not_allowed",
  409: "owned_by_other",
  412: "precondition_failed",
  413: "payload_too_large",
  415: "unsupported_media_type",
  422: "idempotency_key_reused",
  429: "rate_limited",
};

/** An Upstack JSON error reply (`{message, code, ...}`; `code` defaults from the status). */
export function upstackError(status: number, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Reply {
  const code = DEFAULT_CODES[status] ?? (status >= 500 ? "server_error" : "http_error");
  return jsonReply(status, { message, code, ...extra }, headers);
}

/** Upstack's 429. */
export function upstackThrottled(retryAfter: number | null): Reply {
  return upstackError(429, "Too many requests", { code: "rate_limited" }, retryAfter === null ? {} : { "retry-after": String(retryAfter) });
}

function wrong(deps: UpstackDeps, reading: UpstackWrongReading): boolean {
  return deps.options.wrongReadings?.includes(reading) === true;
}

function weakTag(t: string): string {
  return t.trim().replace(/^W\//, "").replace(/^"|"$/g, "");
}

/**
 * RFC 9110 §13.1.1: `*` or a list of entity-tags, strong comparison (§8.8.3.2): a weak or
 * unquoted tag never matches, and nothing matches when there is no current representation.
 */
function ifMatchSatisfied(deps: UpstackDeps, ifMatch: string, current: string | undefined): boolean {
  if (current === undefined) return wrong(deps, "if-match-on-missing-creates");
  const tags = ifMatch.split(",").map((t) => t.trim());
  if (tags.includes("*")) return true;
  if (wrong(deps, "weak-if-match-matches")) return tags.some((t) => weakTag(t) === weakTag(current));
  return tags.includes(current);
}

function isJsonMediaType(contentType: string | undefined): boolean {
  return contentType?.split(";")[0]?.trim().toLowerCase() === "application/json";
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

function notFound(deps: UpstackDeps): Reply {
  const reply = upstackError(404, "This pixel has no Klaviyo destination");
  return wrong(deps, "no-code-on-404") ? jsonReply(404, { message: "This pixel has no Klaviyo destination" }) : reply;
}

function destinationReply(status: number, deps: UpstackDeps, pixelId: string, read = false): Reply {
  const d = findDestination(deps.state, pixelId);
  if (!d) return notFound(deps);
  const view = destinationView(deps.state, d);
  const etag = read && wrong(deps, "weak-etag-on-read") ? `W/${view.etag}` : view.etag;
  const body: Partial<typeof view> = wrong(deps, "unquoted-etag-in-body") ? { ...view, etag: view.etag.replace(/^"|"$/g, "") } : { ...view };
  if (read && wrong(deps, "read-body-without-etag")) delete body.etag;
  return jsonReply(status, body, { etag });
}

function handlePut(ctx: RequestContext, deps: UpstackDeps, pixelId: string): Reply {
  const idemKey = header(ctx, "idempotency-key");
  if (idemKey === undefined || idemKey.trim() === "") {
    return upstackError(400, "The Idempotency-Key header is required", {
      code: "idempotency_key_required",
      errors: [{ path: "header.Idempotency-Key", message: "is required" }],
    });
  }
  if (idemKey.length < 8 || idemKey.length > 128) {
    return upstackError(400, "The Idempotency-Key header must be 8 to 128 characters", {
      code: "invalid_request",
      errors: [{ path: "header.Idempotency-Key", message: "must be 8 to 128 characters" }],
    });
  }
  if (!isJsonMediaType(header(ctx, "content-type")) && !wrong(deps, "lenient-media-type")) {
    return upstackError(415, "The body must be sent as application/json");
  }
  const raw = parseJsonBody(ctx);
  if (raw instanceof Error || raw === undefined) {
    return upstackError(400, "The body must be a JSON object", { code: "invalid_request", errors: [{ path: "", message: "must be a JSON object" }] });
  }

  const nowMs = ctx.now.getTime();
  const up = deps.state.data.upstack;
  const liveRecords = up.idempotency.filter((r) => nowMs - r.at < IDEMPOTENCY_TTL_MS);
  if (liveRecords.length !== up.idempotency.length) up.idempotency = liveRecords;
  const bodyHash = sha256Hex(canonical(raw));
  const replay = (): Reply | undefined => {
    if (wrong(deps, "no-replay")) return undefined;
    const previous = up.idempotency.find((r) => r.pixelId === pixelId && r.key === idemKey);
    if (!previous) return undefined;
    if (previous.bodyHash !== bodyHash) {
      if (wrong(deps, "key-reuse-applied")) return undefined;
      return upstackError(422, "This Idempotency-Key was already used with a different body", { code: "idempotency_key_reused" });
    }
    return { status: previous.status, headers: { ...previous.headers, "idempotent-replayed": "true" }, body: previous.body };
  };
  const replayLate = wrong(deps, "replay-after-preconditions");
  if (!replayLate) {
    const r = replay();
    if (r) return r;
  }

  const parsed = destinationWriteSchema.safeParse(raw);
  if (!parsed.success) {
    return upstackError(400, "The body is invalid", { code: "invalid_request", errors: fieldErrors(parsed.error) });
  }
  const body = parsed.data;
  const existing = findDestination(deps.state, pixelId);

  const ownership = (): Reply | undefined => {
    if (!existing || existing.owner === body.owner || wrong(deps, "adopt-not-required")) return undefined;
    if (body.adopt === true && !wrong(deps, "adopt-ignored")) return undefined;
    return upstackError(409, "The Klaviyo destination is managed by someone else; set adopt to take it over", {
      code: "owned_by_other",
      owner: existing.owner,
    });
  };
  if (wrong(deps, "conflict-before-precondition")) {
    const r = ownership();
    if (r) return r;
  }
  const ifNoneMatch = header(ctx, "if-none-match");
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() === "*" && existing) {
    return upstackError(412, "The destination already exists", { code: "precondition_failed", etag: existing.etag });
  }
  const ifMatch = header(ctx, "if-match");
  if (ifMatch !== undefined && !ifMatchSatisfied(deps, ifMatch, existing?.etag)) {
    return upstackError(
      412,
      existing ? "If-Match does not match the destination's current ETag" : "If-Match given but the destination does not exist",
      existing ? { code: "precondition_failed", etag: existing.etag } : { code: "precondition_failed" },
    );
  }
  if (replayLate) {
    const r = replay();
    if (r) return r;
  }
  const refused = ownership();
  if (refused) return refused;

  const keep = existing !== undefined && wrong(deps, "omitted-fields-kept");
  const fields: DestinationFields = {
    privateApiKey: body.privateApiKey,
    owner: body.owner,
    enabled: body.enabled,
    label: body.label,
    klaviyoAccountId: body.klaviyoAccountId ?? (keep ? existing.klaviyoAccountId : null),
    publicApiKey: body.publicApiKey ?? (keep ? existing.publicApiKey : null),
    scopes: body.scopes ?? (keep ? existing.scopes : []),
  };
  let status: number;
  if (existing) {
    applyWrite(deps, existing, fields, ctx.now);
    status = 200;
  } else {
    up.destinations.push(newDestination(pixelId, fields, ctx.now));
    status = wrong(deps, "created-as-200") ? 200 : 201;
  }
  const reply = destinationReply(status, deps, pixelId);
  const record: IdempotencyRecord = { pixelId, key: idemKey, bodyHash, status: reply.status, headers: reply.headers, body: reply.body, at: nowMs };
  up.idempotency = up.idempotency.filter((r) => !(r.pixelId === pixelId && r.key === idemKey));
  up.idempotency.push(record);
  deps.state.commit();
  return reply;
}

/** Replaces an existing destination's fields (with the wrong readings that bend it). */
function applyWrite(deps: UpstackDeps, existing: DestinationRecord, fields: DestinationFields, now: Date): void {
  const changed = applyDestination(existing, fields, now);
  if (changed && wrong(deps, "new-id-on-replace")) existing.id = fakeId("dst_");
  if (changed && wrong(deps, "rotated-at-on-every-write")) existing.keyRotatedAt = now.toISOString();
  if (!changed && wrong(deps, "etag-changes-on-noop")) {
    existing.etag = newEtag();
    existing.updatedAt = now.toISOString();
  }
}

function handleDelete(ctx: RequestContext, deps: UpstackDeps, pixelId: string): Reply {
  const existing = findDestination(deps.state, pixelId);
  // RFC 9110 §13.2.1: without a destination the answer is 404 whatever the preconditions say.
  if (!existing) return notFound(deps);
  const ifMatch = header(ctx, "if-match");
  if (ifMatch !== undefined && !wrong(deps, "delete-ignores-if-match") && !ifMatchSatisfied(deps, ifMatch, existing.etag)) {
    return upstackError(412, "If-Match does not match the destination's current ETag", { code: "precondition_failed", etag: existing.etag });
  }
  const owner = ctx.query.get("owner");
  if (owner !== null && owner !== existing.owner && !wrong(deps, "delete-ignores-owner")) {
    return upstackError(409, "The Klaviyo destination is managed by someone else", { code: "owned_by_other", owner: existing.owner });
  }
  removeDestination(deps.state, pixelId);
  deps.state.commit();
  return wrong(deps, "delete-answers-200") ? jsonReply(200, { deleted: true }) : emptyReply(204);
}

function authenticate(deps: UpstackDeps, apiKey: string, pixelId: string): UpstackKeyRecord | Reply {
  const key = findUpstackKey(deps.state, apiKey);
  if (!key) {
    if (wrong(deps, "accept-any-key"))
      return { id: "any", keyHash: "", pixelId, scopes: ["destinations:read", "destinations:write"], revoked: false, createdAt: "" };
    return upstackError(401, "Invalid, revoked or expired API key");
  }
  if (key.pixelId !== pixelId && !wrong(deps, "ignore-pixel-scope")) return upstackError(401, "The API key is not scoped to this pixel");
  return key;
}

/** Handles one request to the emulated Upstack API (and shows it to `options.observe`). */
export function handleUpstack(ctx: RequestContext, deps: UpstackDeps): Reply {
  const reply = route(ctx, deps);
  const observe = deps.options.observe;
  if (observe !== undefined) {
    const requestHeaders: Record<string, string> = {};
    for (const [k, v] of Object.entries(ctx.headers)) if (v !== undefined) requestHeaders[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
    const exchange: UpstackExchange = {
      method: ctx.method,
      path: ctx.pathname,
      query: Object.fromEntries(ctx.query.entries()),
      requestHeaders,
      requestBody: ctx.body.toString("utf8"),
      status: reply.status,
      responseHeaders: { ...reply.headers },
      responseBody: reply.body,
    };
    observe(exchange);
  }
  return reply;
}

function route(ctx: RequestContext, deps: UpstackDeps): Reply {
  if (ctx.pathname.replace(/\/+$/, "") !== KLAVIYO_DESTINATION_PATH) return upstackError(404, "Not found", { code: "not_found" });
  if (!["GET", "PUT", "DELETE"].includes(ctx.method)) {
    return upstackError(405, `Method ${ctx.method} not allowed`, { code: "method_not_allowed" }, { allow: "GET, PUT, DELETE" });
  }

  const apiKey = header(ctx, "x-api-key");
  const pixelId = header(ctx, "x-pixel-id");
  if (apiKey === undefined || apiKey === "") return upstackError(401, "Missing x-api-key header");
  if (pixelId === undefined || pixelId === "") return upstackError(401, "Missing x-pixel-id header");
  const key = authenticate(deps, apiKey, pixelId);
  if ("status" in key) return key;

  const perMinute = deps.options.rateLimitPerMinute ?? UPSTACK_DEFAULT_RATE_LIMIT_PER_MINUTE;
  if (perMinute !== false) {
    const d = deps.limiter.take(`upstack:${key.id}`, [{ limit: perMinute, windowMs: 60_000 }], ctx.now.getTime());
    if (!d.allowed) return upstackThrottled(d.retryAfterSeconds);
  }

  const needed = ctx.method === "GET" ? "destinations:read" : "destinations:write";
  if (!key.scopes.includes(needed)) {
    return upstackError(403, `The API key lacks the scope ${needed}`, { code: "missing_scope", scope: needed });
  }

  if (ctx.method === "GET") return destinationReply(200, deps, pixelId, true);
  if (ctx.method === "PUT") return handlePut(ctx, deps, pixelId);
  return handleDelete(ctx, deps, pixelId);
}
