/**
 * The emulated beta `GET /api/api-keys/{id}` (get_api_key_beta) and `PATCH /api/api-keys/{id}`
 * (update_api_key_beta). The router (./routes) takes their scopes, revision, rate tier and query
 * parameters from Klaviyo's spec files like every other operation's; these handlers answer with
 * the key as the spec's `GetApiKeyResponse` / `PatchApiKeyResponse` describe it: attributes
 * `name`, `status` (`active` | `disabled`), `scopes`, `created`, and `redacted_key` only when the
 * request asks `additional-fields[api-key]=redacted_key`. `fields[api-key]` is accepted (the spec
 * defines it) but, as for the listing, answered with every attribute: the response schemas mark
 * `name`, `status`, `scopes` and `created` required and say nothing of sparse answers.
 *
 * A key of another account, or a revoked (deleted) one, is a 404: the caller's account has no
 * such key. The PATCH body must be an `ApiKeyUpdateRequest` whose `data.id` is the path's id; the
 * spec's request description says an attribute may be omitted but never `null`.
 * @packageDocumentation
 */
import { parseJsonBody, type Reply, type RequestContext } from "../http";
import { klaviyoRedacted } from "../keys";
import type { EmulatorState, KlaviyoAccountRecord, KlaviyoKeyRecord } from "../state";
import { klaviyoError } from "./errors";

/** A handler's answer other than a 200 with a body. */
export class HandlerReply {
  /** @param reply - the reply to send as it is. */
  constructor(readonly reply: Reply) {}
}

const BY_ID = /^\/api\/api-keys\/([^/]+)\/?$/;

/** The key id of a `/api/api-keys/{id}` path. */
function keyIdOf(pathname: string): string {
  const m = BY_ID.exec(pathname);
  return m?.[1] === undefined ? "" : decodeURIComponent(m[1]);
}

function listParam(ctx: RequestContext, name: string): string[] {
  const raw = ctx.query.get(name);
  return raw === null ? [] : raw.split(",").map((s) => s.trim());
}

function invalidBody(detail: string, pointer: string): HandlerReply {
  return new HandlerReply(klaviyoError(400, "invalid", "Invalid input.", detail, {}, { pointer }));
}

/** The caller's account's key with the path's id, or a 404. */
function target(ctx: RequestContext, account: KlaviyoAccountRecord, state: EmulatorState): KlaviyoKeyRecord | HandlerReply {
  const id = keyIdOf(ctx.pathname);
  const k = state.data.klaviyo.keys.find((x) => x.id === id && x.accountId === account.id && !x.revoked);
  if (k !== undefined) return k;
  return new HandlerReply(klaviyoError(404, "not_found", "Not found.", `No API key found with id ${id}.`, {}, { parameter: "id" }));
}

/** The document of one key, as get_api_key_beta / update_api_key_beta answer it. */
function keyDocument(ctx: RequestContext, k: KlaviyoKeyRecord): unknown {
  const attributes: Record<string, unknown> = {
    name: k.label,
    status: k.disabled ? "disabled" : "active",
    scopes: [...k.scopes],
    created: k.createdAt,
  };
  if (listParam(ctx, "additional-fields[api-key]").includes("redacted_key")) attributes["redacted_key"] = klaviyoRedacted(k.key);
  const self = `${ctx.baseUrl}/api/api-keys/${k.id}/`;
  return { data: { type: "api-key", id: k.id, attributes, links: { self } }, links: { self } };
}

/** Checks a PATCH body against ApiKeyUpdateRequest (plus "never null"); a 400, or the attributes to apply. */
function patchAttributes(ctx: RequestContext, id: string): HandlerReply | { name?: string; status?: "active" | "disabled" } {
  const body = parseJsonBody(ctx);
  if (body instanceof Error || typeof body !== "object" || body === null) return invalidBody("The request body must be a JSON:API document.", "/data");
  const data = (body as { data?: unknown }).data;
  if (typeof data !== "object" || data === null) return invalidBody("'data' is required.", "/data");
  const d = data as Record<string, unknown>;
  if (d["type"] !== "api-key") return invalidBody("'type' must be 'api-key'.", "/data/type");
  if (typeof d["id"] !== "string") return invalidBody("'id' is required.", "/data/id");
  if (d["id"] !== id) return invalidBody("The id in the body does not match the id in the URL.", "/data/id");
  const attributes = d["attributes"];
  if (typeof attributes !== "object" || attributes === null) return invalidBody("'attributes' is required.", "/data/attributes");
  const a = attributes as Record<string, unknown>;
  const out: { name?: string; status?: "active" | "disabled" } = {};
  if ("name" in a) {
    if (typeof a["name"] !== "string") return invalidBody("'name' must be a string; omit it to keep the current name.", "/data/attributes/name");
    out.name = a["name"];
  }
  if ("status" in a) {
    if (a["status"] !== "active" && a["status"] !== "disabled") {
      return invalidBody("'status' must be 'active' or 'disabled'; omit it to keep the current status.", "/data/attributes/status");
    }
    out.status = a["status"];
  }
  return out;
}

/** get_api_key_beta: one key of the caller's account. */
export function getApiKey(ctx: RequestContext, _caller: KlaviyoKeyRecord, account: KlaviyoAccountRecord, deps: { state: EmulatorState }): unknown {
  const k = target(ctx, account, deps.state);
  return k instanceof HandlerReply ? k : keyDocument(ctx, k);
}

/** update_api_key_beta: renames, disables or re-enables one key of the caller's account. */
export function updateApiKey(ctx: RequestContext, _caller: KlaviyoKeyRecord, account: KlaviyoAccountRecord, deps: { state: EmulatorState }): unknown {
  const k = target(ctx, account, deps.state);
  if (k instanceof HandlerReply) return k;
  const change = patchAttributes(ctx, k.id);
  if (change instanceof HandlerReply) return change;
  if (change.name !== undefined) k.label = change.name;
  if (change.status !== undefined) k.disabled = change.status === "disabled";
  deps.state.commit();
  return keyDocument(ctx, k);
}
