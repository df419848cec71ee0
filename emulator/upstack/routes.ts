/**
 * The emulated Upstack destination API (`/destinations/api/klaviyo`), per
 * openapi/upstack-klaviyo-destination.json. Order of checks: route, auth, rate limit, scope, then the
 * method's own rules.
 * @packageDocumentation
 */
import { emptyReply, header, jsonReply, parseJsonBody, type Reply, type RequestContext } from "../http";
import { sha256Hex } from "../keys";
import type { SlidingWindowLimiter } from "../rate-limit";
import type { EmulatorState, IdempotencyRecord } from "../state";
import type { UpstackEmulatorOptions } from "../types";
import { applyDestination, destinationView, findDestination, findUpstackKey, newDestination, removeDestination, type DestinationFields } from "./model";
import { destinationWriteSchema, fieldErrors } from "./schema";

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

/** An Upstack JSON error reply (`{message, code?, ...}`). */
export function upstackError(status: number, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Reply {
  return jsonReply(status, { message, ...extra }, headers);
}

/** Upstack's 429. */
export function upstackThrottled(retryAfter: number | null): Reply {
  return upstackError(429, "Too many requests", { code: "rate_limited" }, retryAfter === null ? {} : { "retry-after": String(retryAfter) });
}

function normalizeTag(t: string): string {
  return t.trim().replace(/^W\//, "").replace(/^"|"$/g, "");
}

function ifMatchSatisfied(ifMatch: string, current: string | undefined): boolean {
  if (current === undefined) return false;
  if (ifMatch.trim() === "*") return true;
  const want = normalizeTag(current);
  return ifMatch.split(",").some((t) => normalizeTag(t) === want);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

function destinationReply(status: number, deps: UpstackDeps, pixelId: string): Reply {
  const d = findDestination(deps.state, pixelId);
  if (!d) return upstackError(404, "This pixel has no Klaviyo destination", { code: "not_found" });
  const view = destinationView(deps.state, d);
  return jsonReply(status, view, { etag: view.etag });
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
  const raw = parseJsonBody(ctx);
  if (raw instanceof Error || raw === undefined) {
    return upstackError(400, "The body must be a JSON object", { code: "invalid_request", errors: [{ path: "", message: "must be a JSON object" }] });
  }

  const nowMs = ctx.now.getTime();
  const up = deps.state.data.upstack;
  const liveRecords = up.idempotency.filter((r) => nowMs - r.at < IDEMPOTENCY_TTL_MS);
  if (liveRecords.length !== up.idempotency.length) up.idempotency = liveRecords;
  const bodyHash = sha256Hex(canonical(raw));
  const previous = up.idempotency.find((r) => r.pixelId === pixelId && r.key === idemKey);
  if (previous) {
    if (previous.bodyHash !== bodyHash) {
      return upstackError(422, "This Idempotency-Key was already used with a different body", { code: "idempotency_key_reused" });
    }
    return { status: previous.status, headers: { ...previous.headers, "idempotent-replayed": "true" }, body: previous.body };
  }

  const parsed = destinationWriteSchema.safeParse(raw);
  if (!parsed.success) {
    return upstackError(400, "The body is invalid", { code: "invalid_request", errors: fieldErrors(parsed.error) });
  }
  const body = parsed.data;
  const existing = findDestination(deps.state, pixelId);

  const ifNoneMatch = header(ctx, "if-none-match");
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() === "*" && existing) {
    return upstackError(412, "The destination already exists", { code: "precondition_failed", etag: existing.etag });
  }
  const ifMatch = header(ctx, "if-match");
  if (ifMatch !== undefined && !ifMatchSatisfied(ifMatch, existing?.etag)) {
    return upstackError(
      412,
      existing ? "If-Match does not match the destination's current ETag" : "If-Match given but the destination does not exist",
      existing ? { code: "precondition_failed", etag: existing.etag } : { code: "precondition_failed" },
    );
  }
  if (existing && existing.owner !== body.owner && body.adopt !== true) {
    return upstackError(409, "The Klaviyo destination is managed by someone else; set adopt to take it over", {
      code: "owned_by_other",
      owner: existing.owner,
    });
  }

  const fields: DestinationFields = {
    privateApiKey: body.privateApiKey,
    owner: body.owner,
    enabled: body.enabled,
    label: body.label,
    klaviyoAccountId: body.klaviyoAccountId ?? null,
    publicApiKey: body.publicApiKey ?? null,
    scopes: body.scopes ?? [],
  };
  let status: number;
  if (existing) {
    applyDestination(existing, fields, ctx.now);
    status = 200;
  } else {
    up.destinations.push(newDestination(pixelId, fields, ctx.now));
    status = 201;
  }
  const reply = destinationReply(status, deps, pixelId);
  const record: IdempotencyRecord = { pixelId, key: idemKey, bodyHash, status: reply.status, headers: reply.headers, body: reply.body, at: nowMs };
  up.idempotency.push(record);
  deps.state.commit();
  return reply;
}

function handleDelete(ctx: RequestContext, deps: UpstackDeps, pixelId: string): Reply {
  const existing = findDestination(deps.state, pixelId);
  if (!existing) return upstackError(404, "This pixel has no Klaviyo destination", { code: "not_found" });
  const owner = ctx.query.get("owner");
  if (owner !== null && owner !== existing.owner) {
    return upstackError(409, "The Klaviyo destination is managed by someone else", { code: "owned_by_other", owner: existing.owner });
  }
  const ifMatch = header(ctx, "if-match");
  if (ifMatch !== undefined && !ifMatchSatisfied(ifMatch, existing.etag)) {
    return upstackError(412, "If-Match does not match the destination's current ETag", { code: "precondition_failed", etag: existing.etag });
  }
  removeDestination(deps.state, pixelId);
  deps.state.commit();
  return emptyReply(204);
}

/** Handles one request to the emulated Upstack API. */
export function handleUpstack(ctx: RequestContext, deps: UpstackDeps): Reply {
  if (ctx.pathname.replace(/\/+$/, "") !== KLAVIYO_DESTINATION_PATH) return upstackError(404, "Not found", { code: "not_found" });
  if (!["GET", "PUT", "DELETE"].includes(ctx.method)) {
    return upstackError(405, `Method ${ctx.method} not allowed`, { code: "method_not_allowed" }, { allow: "GET, PUT, DELETE" });
  }

  const apiKey = header(ctx, "x-api-key");
  const pixelId = header(ctx, "x-pixel-id");
  if (apiKey === undefined || apiKey === "") return upstackError(401, "Missing x-api-key header");
  if (pixelId === undefined || pixelId === "") return upstackError(401, "Missing x-pixel-id header");
  const key = findUpstackKey(deps.state, apiKey);
  if (!key) return upstackError(401, "Invalid, revoked or expired API key");
  if (key.pixelId !== pixelId) return upstackError(401, "The API key is not scoped to this pixel");

  const perMinute = deps.options.rateLimitPerMinute ?? UPSTACK_DEFAULT_RATE_LIMIT_PER_MINUTE;
  if (perMinute !== false) {
    const d = deps.limiter.take(`upstack:${key.id}`, [{ limit: perMinute, windowMs: 60_000 }], ctx.now.getTime());
    if (!d.allowed) return upstackThrottled(d.retryAfterSeconds);
  }

  const needed = ctx.method === "GET" ? "destinations:read" : "destinations:write";
  if (!key.scopes.includes(needed)) {
    return upstackError(403, `The API key lacks the scope ${needed}`, { code: "missing_scope", scope: needed });
  }

  if (ctx.method === "GET") return destinationReply(200, deps, pixelId);
  if (ctx.method === "PUT") return handlePut(ctx, deps, pixelId);
  return handleDelete(ctx, deps, pixelId);
}
