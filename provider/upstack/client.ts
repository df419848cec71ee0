/**
 * The only module that speaks the Upstack destination contract
 * (openapi/upstack-klaviyo-destination.json). If Upstack publishes a different
 * API, this file changes and nothing else does.
 *
 * As the document says: the `ETag` response header (never the body's `etag`)
 * is the version a later `If-Match` sends back unchanged; every PUT carries an
 * Idempotency-Key reused on each retry; a PUT adopts only when the caller says
 * so; a delete is conditional on the last known ETag and, on 412, reads once to
 * tell "gone", "someone else's now" and "changed outside Pulumi" apart.
 */
import { randomUUID } from "node:crypto";
import type { UpstackCredentials } from "../config";
import { PULUMI_VOCABULARY, type Vocabulary } from "../core/vocabulary";
import { HttpError, UpstackApiError } from "../errors";
import type { HttpResponse, Transport } from "../transport/http-transport";

/** A Klaviyo destination as Upstack returns it. */
export interface UpstackDestination {
  /** `dst_…`. */
  readonly id: string;
  /** The pixel it belongs to. */
  readonly pixelId: string;
  /** Who manages it; null when made in the dashboard. */
  readonly owner: string | null;
  /** Whether events flow. */
  readonly enabled: boolean;
  /** Display name. */
  readonly label: string;
  /** `healthy`, `unhealthy` or `disabled`. */
  readonly status: string;
  /** Why it is not healthy, when it is not. */
  readonly statusReason: string | null;
  /** Klaviyo account id, when known. */
  readonly klaviyoAccountId: string | null;
  /** The Site ID the destination was declared for. */
  readonly publicApiKey: string | null;
  /** Declared scopes. */
  readonly scopes: readonly string[];
  /** Fingerprint of the key Upstack holds. */
  readonly keyFingerprint: string;
  /** `pk_...abcd`. */
  readonly keyHint: string;
  /** ISO 8601 timestamps. */
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly keyRotatedAt: string;
  /** The version's ETag, from the `ETag` response header (quotes included). */
  readonly etag: string;
}

/** The body of an upsert. */
export interface DestinationWrite {
  /** The Klaviyo private key (sent, never returned). */
  readonly privateApiKey: string;
  /** The Site ID, or null when none is declared (clears one set elsewhere). */
  readonly publicApiKey: string | null;
  /** The account the key was validated against. */
  readonly klaviyoAccountId?: string;
  /** Whether events flow. */
  readonly enabled: boolean;
  /** Display name. */
  readonly label: string;
  /** Who manages it. */
  readonly owner: string;
  /** Take over a destination with another owner. */
  readonly adopt?: boolean;
  /** Declared scopes; empty when Full Access is required. */
  readonly scopes: readonly string[];
}

/** Conditions on a write. */
export interface WriteConditions {
  /** Write only if the destination is at this ETag. */
  readonly ifMatch?: string;
  /** Reused on every attempt of one logical write. Generated when absent. */
  readonly idempotencyKey?: string;
}

/** What {@link UpstackClient.delete} found. */
export type DeleteOutcome = "deleted" | "absent" | "not-owned";

/** The service path of the pixel's Klaviyo destination. */
export const DESTINATION_PATH = "/destinations/api/klaviyo";

/** A client for the destination contract. */
export class UpstackClient {
  /**
   * @param transport - the shared transport.
   * @param baseUrl - Upstack's base URL.
   * @param words - the words of the place its errors appear (default Pulumi's).
   */
  constructor(
    private readonly transport: Transport,
    private readonly baseUrl: string,
    private readonly words: Vocabulary = PULUMI_VOCABULARY,
  ) {}

  /** Reads the pixel's destination; undefined when it has none. */
  async get(creds: UpstackCredentials): Promise<UpstackDestination | undefined> {
    const res = await this.send(creds, "GET");
    if (res.status === 404) return undefined;
    return expectDestination(res, "read", creds.pixelId, this.words);
  }

  /** Creates or updates the pixel's destination (idempotent; see the contract). */
  async upsert(creds: UpstackCredentials, write: DestinationWrite, conditions: WriteConditions = {}): Promise<UpstackDestination> {
    const headers: Record<string, string> = {};
    if (conditions.ifMatch !== undefined) headers["if-match"] = conditions.ifMatch;
    const res = await this.send(creds, "PUT", { body: write, headers, idempotencyKey: conditions.idempotencyKey ?? randomUUID() });
    return expectDestination(res, "write", creds.pixelId, this.words);
  }

  /**
   * Deletes the pixel's destination if `owner` manages it and, when `ifMatch`
   * is given, only if it is still at that ETag. Returns `deleted` (204),
   * `absent` (404: gone already, e.g. a retried delete whose answer was lost),
   * or `not-owned` (someone else manages it now). On 412 it reads once: gone →
   * `absent`, another owner → `not-owned`; still this owner's but changed since
   * `ifMatch` → throws `upstack_changed_outside_pulumi` (nothing is deleted).
   */
  async delete(creds: UpstackCredentials, owner: string, ifMatch?: string): Promise<DeleteOutcome> {
    const res = await this.send(creds, "DELETE", { query: { owner }, headers: ifMatch === undefined ? {} : { "if-match": ifMatch } });
    if (res.status === 204) return "deleted";
    if (res.status === 404) return "absent";
    if (res.status === 409) return "not-owned";
    if (res.status === 412) {
      const current = await this.get(creds);
      if (current === undefined) return "absent";
      if (current.owner !== owner) return "not-owned";
      throw new UpstackApiError(
        "upstack_changed_outside_pulumi",
        412,
        `Pixel ${creds.pixelId}'s Klaviyo destination ${current.id} was changed outside ${this.words.engineName} since it was last read, so it was not deleted. ${this.words.refresh}, then destroy again (or delete it in the Upstack dashboard).`,
      );
    }
    throw upstackError(res, "delete", creds.pixelId, this.words);
  }

  private send(
    creds: UpstackCredentials,
    method: "GET" | "PUT" | "DELETE",
    extra: { body?: unknown; headers?: Record<string, string>; idempotencyKey?: string; query?: Record<string, string> } = {},
  ): Promise<HttpResponse> {
    return this.transport.send({
      service: "upstack",
      method,
      baseUrl: this.baseUrl,
      path: DESTINATION_PATH,
      ...(extra.query === undefined ? {} : { query: extra.query }),
      headers: { "x-api-key": creds.apiKey, "x-pixel-id": creds.pixelId, accept: "application/json", ...extra.headers },
      ...(extra.body === undefined ? {} : { body: extra.body }),
      ...(extra.idempotencyKey === undefined ? {} : { idempotencyKey: extra.idempotencyKey }),
    });
  }
}

/** A strong entity-tag (RFC 9110 §8.8.3): the only kind If-Match can match. */
const STRONG_ETAG = /^"[\x21\x23-\x7E\x80-\xFF]*"$/;

function expectDestination(res: HttpResponse, action: string, pixelId: string, words: Vocabulary): UpstackDestination {
  if (res.status === 200 || res.status === 201) {
    const body = res.body as Partial<UpstackDestination> | undefined;
    const etag = res.headers["etag"];
    const problem =
      body === undefined || typeof body !== "object" || typeof body.id !== "string" || typeof body.keyFingerprint !== "string"
        ? "a body that is not a destination"
        : etag === undefined || !STRONG_ETAG.test(etag)
          ? `${etag === undefined ? "no ETag header" : "an ETag header that is not a strong entity-tag in double quotes"}, which the contract requires`
          : undefined;
    if (problem === undefined) return { ...(body as UpstackDestination), etag: etag as string };
    throw new HttpError({
      code: "http_error",
      service: "upstack",
      status: res.status,
      attempts: res.attempts,
      message: `Upstack answered the ${action} of pixel ${pixelId}'s Klaviyo destination with ${problem}. Check UPSTACK_API_URL; \`upstack-klaviyo conformance\` tests a server against the contract.`,
    });
  }
  throw upstackError(res, action, pixelId, words);
}

/**
 * Maps an Upstack error response to the error the user sees; the one place that decides.
 * @param res - Upstack's answer.
 * @param action - what was asked (`read`, `write`, `delete`), for the message.
 * @param pixelId - the pixel, for the message.
 * @param words - the words of the place the message appears (default Pulumi's).
 */
export function upstackError(res: HttpResponse, action: string, pixelId: string, words: Vocabulary = PULUMI_VOCABULARY): Error {
  const body = (typeof res.body === "object" && res.body !== null ? res.body : {}) as { message?: unknown; code?: unknown; owner?: unknown; errors?: unknown };
  const message = typeof body.message === "string" ? body.message : undefined;
  switch (res.status) {
    case 401:
      return new UpstackApiError(
        "upstack_unauthorized",
        401,
        `Upstack refused the API key for pixel ${pixelId} (401${message === undefined ? "" : `: ${message}`}): it is missing, invalid, revoked or expired, or scoped to another pixel. Create an Upstack API key for this pixel and set it with ${words.setUpstackKey}.`,
        { property: "upstackApiKey" },
      );
    case 403:
      return new UpstackApiError(
        "upstack_missing_scope",
        403,
        `Upstack's API key for pixel ${pixelId} lacks the scope to ${action} destinations (403${message === undefined ? "" : `: ${message}`}). Create a key with destinations:read and destinations:write.`,
        { property: "upstackApiKey" },
      );
    case 409: {
      const owner = typeof body.owner === "string" ? `managed by ${body.owner}` : "made in the Upstack dashboard";
      return new UpstackApiError(
        "upstack_owned_by_other",
        409,
        `Pixel ${pixelId} already has a Klaviyo destination ${owner}. Set ${words.assignment("adopt", "true")} ${words.adoptHow} to take it over, or remove that destination first (in the dashboard or from ${words.otherManager}).`,
        { property: "adopt" },
      );
    }
    case 412:
      return new UpstackApiError(
        "upstack_changed_outside_pulumi",
        412,
        `Pixel ${pixelId}'s Klaviyo destination was changed outside ${words.engineName} since it was last read, so it was not overwritten. ${words.refreshThenApply}.`,
      );
    case 400:
    case 422: {
      const reasons = Array.isArray(body.errors)
        ? body.errors.map((e) => {
            const x = e as { path?: unknown; message?: unknown };
            return `${String(x.path ?? "?")}: ${String(x.message ?? "invalid")}`;
          })
        : [];
      return new UpstackApiError(
        "upstack_rejected",
        res.status,
        `Upstack rejected the ${action} of pixel ${pixelId}'s Klaviyo destination (${res.status}): ${message ?? "invalid request"}${reasons.length > 0 ? ` — ${reasons.join("; ")}` : ""}.`,
      );
    }
    default:
      return new HttpError({
        code: "http_error",
        service: "upstack",
        status: res.status,
        body: res.body,
        headers: res.headers,
        attempts: res.attempts,
        message: `Upstack answered the ${action} of pixel ${pixelId}'s Klaviyo destination with HTTP ${res.status}${message === undefined ? "" : `: ${message}`}. Run again; if it persists, check ${words.setting("upstackApiUrl")} and Upstack's status.`,
      });
  }
}
