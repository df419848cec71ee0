/**
 * The admin API under `/_admin` (JSON, no auth): Klaviyo accounts and keys, Upstack keys and
 * destinations, request log, faults, reset.
 * @packageDocumentation
 */
import { z } from "zod";
import { ADMIN_ROUTES, matchAdminRoute } from "./admin-routes";
import { emptyReply, jsonReply, parseJsonBody, type Reply, type RequestContext } from "./http";
import type { FaultRegistry } from "./faults";
import { KLAVIYO_PRIVATE_KEY_PATTERN, newEtag } from "./keys";
import { AdminInputError, accountView, createAccount, createKey, findKeyByPlaintext, keyView, revokeKey, setKeyDisabled } from "./klaviyo/model";
import type { SlidingWindowLimiter } from "./rate-limit";
import type { RequestLog } from "./request-log";
import type { EmulatorState } from "./state";
import type { FaultRule } from "./types";
import {
  applyDestination,
  createUpstackKey,
  destinationView,
  findDestination,
  newDestination,
  removeDestination,
  revokeUpstackKey,
  upstackKeyView,
  type DestinationFields,
} from "./upstack/model";
import { fieldErrors } from "./upstack/schema";

/** What the admin API needs. */
export interface AdminDeps {
  state: EmulatorState;
  faults: FaultRegistry;
  log: RequestLog;
  limiters: readonly SlidingWindowLimiter[];
}

const accountInput = z.strictObject({
  id: z
    .string()
    .regex(/^[A-Za-z0-9]{6}$/)
    .optional(),
  name: z.string().min(1).optional(),
  testAccount: z.boolean().optional(),
});
const keyInput = z.strictObject({
  accountId: z.string().min(1),
  accessLevel: z.enum(["full", "read_only", "custom"]).optional(),
  scopes: z.array(z.string()).optional(),
  label: z.string().min(1).optional(),
  format: z.enum(["classic", "v2"]).optional(),
  disabled: z.boolean().optional(),
});
const keyPatch = z.strictObject({ disabled: z.boolean() });
const upstackKeyInput = z.strictObject({
  pixelId: z.string().uuid().optional(),
  scopes: z.array(z.string()).optional(),
});
const privateKey = z.string().regex(KLAVIYO_PRIVATE_KEY_PATTERN, "must be a Klaviyo private key");
const destinationPut = z.strictObject({
  privateApiKey: privateKey,
  label: z.string().min(1).max(100).optional(),
  enabled: z.boolean().optional(),
  owner: z.string().min(1).max(300).nullable().optional(),
  klaviyoAccountId: z.string().nullable().optional(),
  publicApiKey: z.string().nullable().optional(),
  scopes: z.array(z.string()).optional(),
});
const destinationPatch = z.strictObject({
  privateApiKey: privateKey.optional(),
  label: z.string().min(1).max(100).optional(),
  enabled: z.boolean().optional(),
  owner: z.string().min(1).max(300).nullable().optional(),
  klaviyoAccountId: z.string().nullable().optional(),
  publicApiKey: z.string().nullable().optional(),
});

function parse<T>(schema: z.ZodType<T>, ctx: RequestContext): T | Reply {
  const raw = parseJsonBody(ctx);
  if (raw instanceof Error) return jsonReply(400, { message: "The body must be JSON", errors: [{ path: "", message: "invalid JSON" }] });
  const result = schema.safeParse(raw ?? {});
  if (!result.success) return jsonReply(400, { message: "Invalid admin request", errors: fieldErrors(result.error) });
  return result.data;
}

function isReply(v: unknown): v is Reply {
  return typeof v === "object" && v !== null && "status" in v && "body" in v && "headers" in v;
}

function notFound(message = "Not found"): Reply {
  return jsonReply(404, { message });
}

/** Removes undefined members so the result suits exactOptionalPropertyTypes inputs. */
function defined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

function derivedAccount(state: EmulatorState, key: string): string | null {
  return findKeyByPlaintext(state, key)?.accountId ?? null;
}

const HELP = "GET /_admin/help lists every admin route";

/** Refuses what the route table says the admin API does not offer or read; null when the request fits. */
function refuseOutsideTable(ctx: RequestContext): Reply | null {
  const found = matchAdminRoute(ctx.method, ctx.pathname);
  if (found.kind === "none") return notFound(`No admin route ${ctx.method} ${ctx.pathname}; ${HELP}`);
  if (found.kind === "method")
    return jsonReply(
      405,
      { message: `${ctx.pathname} does not take ${ctx.method}; it takes ${found.allow.join(", ")}. ${HELP}` },
      { allow: found.allow.join(", ") },
    );
  const unknown = [...new Set(ctx.query.keys())].filter((q) => !found.route.query.includes(q));
  if (unknown.length > 0) {
    const takes = found.route.query.length > 0 ? `it reads only ${found.route.query.join(", ")}` : "it reads none";
    return jsonReply(400, { message: `${ctx.method} ${found.route.path} does not read the query parameter(s) ${unknown.join(", ")}; ${takes}` });
  }
  if (found.route.body === null && ctx.body.length > 0)
    return jsonReply(400, { message: `${ctx.method} ${found.route.path} reads no body; send it without one` });
  return null;
}

/** Handles one `/_admin` request. */
export function handleAdmin(ctx: RequestContext, deps: AdminDeps): Reply {
  try {
    return refuseOutsideTable(ctx) ?? route(ctx, deps);
  } catch (e) {
    if (e instanceof AdminInputError) return jsonReply(e.status, { message: e.message });
    if (e instanceof Error && e.message.startsWith("Invalid fault rule")) return jsonReply(400, { message: e.message });
    throw e;
  }
}

function route(ctx: RequestContext, deps: AdminDeps): Reply {
  const { state } = deps;
  const parts = ctx.pathname.replace(/\/+$/, "").split("/").slice(2).map(decodeURIComponent);
  const [a, b, c, d] = parts;
  const m = ctx.method;

  if (a === undefined) {
    return jsonReply(200, {
      klaviyoUrl: ctx.baseUrl,
      upstackUrl: ctx.baseUrl,
      adminUrl: `${ctx.baseUrl}/_admin`,
      help: `${ctx.baseUrl}/_admin/help`,
      routes: ADMIN_ROUTES,
    });
  }
  if (a === "help" && m === "GET" && b === undefined) return jsonReply(200, { routes: ADMIN_ROUTES });
  if (a === "reset" && m === "POST" && b === undefined) {
    state.reset();
    deps.faults.clear();
    deps.log.clear();
    for (const l of deps.limiters) l.clear();
    return emptyReply(204);
  }
  if (a === "requests" && b === undefined) {
    if (m === "GET") {
      const service = ctx.query.get("service");
      if (service !== null && service !== "klaviyo" && service !== "upstack") return jsonReply(400, { message: "service must be klaviyo or upstack" });
      return jsonReply(200, deps.log.list(service === null ? {} : { service }));
    }
    if (m === "DELETE") return (deps.log.clear(), emptyReply(204));
  }
  if (a === "faults") {
    if (b === undefined && m === "GET") return jsonReply(200, deps.faults.list());
    if (b === undefined && m === "DELETE") return (deps.faults.clear(), emptyReply(204));
    if (b === undefined && m === "POST") {
      const raw = parseJsonBody(ctx);
      if (raw instanceof Error || raw === undefined) return jsonReply(400, { message: "The body must be a JSON fault rule" });
      return jsonReply(201, deps.faults.add(raw as FaultRule));
    }
    if (b !== undefined && c === undefined && m === "DELETE") return deps.faults.remove(b) ? emptyReply(204) : notFound(`No fault ${b}`);
  }
  if (a === "klaviyo" && b === "accounts" && c === undefined) {
    if (m === "GET") return jsonReply(200, state.data.klaviyo.accounts.map(accountView));
    if (m === "POST") {
      const input = parse(accountInput, ctx);
      return isReply(input) ? input : jsonReply(201, createAccount(state, defined(input), ctx.now));
    }
  }
  if (a === "klaviyo" && b === "keys") {
    if (c === undefined && m === "GET") return jsonReply(200, state.data.klaviyo.keys.map(keyView));
    if (c === undefined && m === "POST") {
      const input = parse(keyInput, ctx);
      return isReply(input) ? input : jsonReply(201, createKey(state, defined(input), ctx.now));
    }
    if (c !== undefined && d === undefined && m === "PATCH") {
      const input = parse(keyPatch, ctx);
      return isReply(input) ? input : jsonReply(200, setKeyDisabled(state, c, input.disabled));
    }
    if (c !== undefined && d === undefined && m === "DELETE") return (revokeKey(state, c), emptyReply(204));
  }
  if (a === "upstack" && b === "keys") {
    if (c === undefined && m === "GET") return jsonReply(200, state.data.upstack.keys.map(upstackKeyView));
    if (c === undefined && m === "POST") {
      const input = parse(upstackKeyInput, ctx);
      return isReply(input) ? input : jsonReply(201, createUpstackKey(state, defined(input), ctx.now));
    }
    if (c !== undefined && d === undefined && m === "DELETE") return (revokeUpstackKey(state, c), emptyReply(204));
  }
  if (a === "upstack" && b === "destinations") {
    if (c === undefined && m === "GET")
      return jsonReply(
        200,
        state.data.upstack.destinations.map((x) => destinationView(state, x)),
      );
    if (c !== undefined && d === undefined) return destinationRoute(ctx, deps, c);
  }
  return notFound(`No admin route ${m} ${ctx.pathname}`);
}

function destinationRoute(ctx: RequestContext, deps: AdminDeps, pixelId: string): Reply {
  const { state } = deps;
  const existing = findDestination(state, pixelId);
  const view = (status: number): Reply => {
    const dst = findDestination(state, pixelId);
    if (!dst) return notFound(`No destination for pixel ${pixelId}`);
    const v = destinationView(state, dst);
    return jsonReply(status, v, { etag: v.etag });
  };
  switch (ctx.method) {
    case "GET":
      return view(200);
    case "DELETE":
      if (!existing) return notFound(`No destination for pixel ${pixelId}`);
      removeDestination(state, pixelId);
      state.commit();
      return emptyReply(204);
    case "PUT": {
      const input = parse(destinationPut, ctx);
      if (isReply(input)) return input;
      const accountId = input.klaviyoAccountId !== undefined ? input.klaviyoAccountId : derivedAccount(state, input.privateApiKey);
      const fields: DestinationFields = {
        privateApiKey: input.privateApiKey,
        owner: input.owner ?? null,
        enabled: input.enabled ?? true,
        label: input.label ?? "Klaviyo",
        klaviyoAccountId: accountId,
        publicApiKey: input.publicApiKey !== undefined ? input.publicApiKey : accountId,
        scopes: input.scopes ?? [],
      };
      if (existing) {
        applyDestination(existing, fields, ctx.now);
        state.commit();
        return view(200);
      }
      state.data.upstack.destinations.push(newDestination(pixelId, fields, ctx.now));
      state.commit();
      return view(201);
    }
    case "PATCH": {
      if (!existing) return notFound(`No destination for pixel ${pixelId}`);
      const input = parse(destinationPatch, ctx);
      if (isReply(input)) return input;
      const changed = applyDestination(existing, defined(input), ctx.now);
      if (!changed) {
        // A dashboard save always counts as an edit.
        existing.updatedAt = ctx.now.toISOString();
        existing.etag = newEtag();
      }
      state.commit();
      return view(200);
    }
    default:
      return jsonReply(405, { message: `Method ${ctx.method} not allowed` }, { allow: "GET, PUT, PATCH, DELETE" });
  }
}
