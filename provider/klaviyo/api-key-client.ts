/**
 * Klaviyo's beta single-key endpoints, and nothing else: `GET /api/api-keys/{id}`
 * (get_api_key_beta, scope `credentials:read`) to read a key's status, and
 * `PATCH /api/api-keys/{id}` (update_api_key_beta, scope `credentials:write`) to disable one.
 * Both are revision `2026-07-15.pre`, rate tier 1/s burst and 15/min steady per account, each
 * operation with its own budget: every call is paced per account and operation.
 *
 * Answers are parsed with zod schemas written from the spec's `GetApiKeyResponse` and
 * `PatchApiKeyResponse`: strict on what is used (`data.id`, `attributes.status`), tolerant of
 * attributes added later. An answer that does not fit is reported as such (kind `other`), never as
 * a verdict about the key.
 */
import { z } from "zod";
import type { HttpResponse, HttpTransport } from "../transport/http-transport";
import { KLAVIYO_BETA_REVISION, classify, type KlaviyoOutcome } from "./client";
import { RequestPacer } from "./request-pacer";

/** One key as get_api_key_beta / update_api_key_beta describe it (never the key itself). */
export interface KlaviyoKeyState {
  /** Klaviyo's id of the key. */
  readonly id: string;
  /** The key's name (label) in Klaviyo. */
  readonly name: string | undefined;
  /** `active` or `disabled`. */
  readonly status: "active" | "disabled";
  /** `pk_****abcd`, when Klaviyo sent it (asked with `additional-fields[api-key]=redacted_key`). */
  readonly redactedKey: string | undefined;
}

/** A Klaviyo answer about one key; `notFound` when the caller's account has no key with that id (404). */
export type KlaviyoKeyOutcome =
  KlaviyoOutcome<KlaviyoKeyState> | { readonly ok: false; readonly kind: "notFound"; readonly status: 404; readonly detail: string | undefined };

/** `data` of GetApiKeyResponse / PatchApiKeyResponse: what the provider relies on. */
const KEY_RESPONSE = z.object({
  data: z.object({
    type: z.literal("api-key"),
    id: z.string().min(1),
    attributes: z
      .object({
        name: z.string().optional(),
        status: z.enum(["active", "disabled"]),
        redacted_key: z.string().nullable().optional(),
      })
      .loose(),
  }),
});

/** The request body of update_api_key_beta that disables key `id` (ApiKeyUpdateRequest). */
export function disableRequestBody(id: string): { data: { type: "api-key"; id: string; attributes: { status: "disabled" } } } {
  return { data: { type: "api-key", id, attributes: { status: "disabled" } } };
}

/** The beta single-key endpoints. */
export class KlaviyoApiKeys {
  /**
   * @param transport - the shared transport.
   * @param baseUrl - Klaviyo's base URL.
   * @param pacer - paces each operation per account (1/s, 15/min).
   */
  constructor(
    private readonly transport: HttpTransport,
    private readonly baseUrl: string,
    private readonly pacer: RequestPacer = new RequestPacer(),
  ) {}

  /**
   * `GET /api/api-keys/{id}?additional-fields[api-key]=redacted_key`, authenticated with
   * `privateKey`, paced in the lane of `accountId`.
   */
  async get(privateKey: string, id: string, accountId: string): Promise<KlaviyoKeyOutcome> {
    const res = await this.pacer.run(`GET /api/api-keys/{id} ${accountId}`, () => this.send(privateKey, "GET", id));
    return interpret(res, "GET /api/api-keys/{id}");
  }

  /** `PATCH /api/api-keys/{id}` with `status: disabled`, authenticated with `privateKey`, paced in the lane of `accountId`. */
  async disable(privateKey: string, id: string, accountId: string): Promise<KlaviyoKeyOutcome> {
    const res = await this.pacer.run(`PATCH /api/api-keys/{id} ${accountId}`, () => this.send(privateKey, "PATCH", id, disableRequestBody(id)));
    return interpret(res, "PATCH /api/api-keys/{id}");
  }

  private send(privateKey: string, method: "GET" | "PATCH", id: string, body?: unknown): Promise<HttpResponse> {
    return this.transport.send({
      service: "klaviyo",
      method,
      baseUrl: this.baseUrl,
      path: `/api/api-keys/${encodeURIComponent(id)}/`,
      query: { "additional-fields[api-key]": "redacted_key" },
      headers: {
        authorization: `Klaviyo-API-Key ${privateKey}`,
        revision: KLAVIYO_BETA_REVISION,
        accept: "application/vnd.api+json",
        ...(body === undefined ? {} : { "content-type": "application/vnd.api+json" }),
      },
      ...(body === undefined ? {} : { body }),
    });
  }
}

/** What one answer of either operation says; the one place these answers are interpreted. */
export function interpret(res: HttpResponse, call: string): KlaviyoKeyOutcome {
  const outcome = classify(res);
  if (!outcome.ok) {
    if (outcome.kind === "other" && res.status === 404) return { ok: false, kind: "notFound", status: 404, detail: outcome.detail };
    return outcome;
  }
  const parsed = KEY_RESPONSE.safeParse(res.body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? "" : ` at ${issue.path.join(".") || "the top level"}: ${issue.message}`;
    return { ok: false, kind: "other", status: res.status, detail: `${call} answered in a shape Klaviyo's spec does not describe${where}` };
  }
  const { data } = parsed.data;
  return {
    ok: true,
    value: {
      id: data.id,
      name: data.attributes.name,
      status: data.attributes.status,
      redactedKey: typeof data.attributes.redacted_key === "string" ? data.attributes.redacted_key : undefined,
    },
  };
}
