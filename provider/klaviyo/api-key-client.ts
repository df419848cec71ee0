/**
 * Klaviyo's beta single-key endpoints, and nothing else: `GET /api/api-keys/{id}`
 * (get_api_key_beta, scope `credentials:read`) to read a key's status, and
 * `PATCH /api/api-keys/{id}` (update_api_key_beta, scope `credentials:write`) to disable one.
 * Revisions, paths, parameters and rate tiers come from Klaviyo's spec files (spec/klaviyo); every
 * call is paced per account and operation by the shared {@link RequestPacer}.
 *
 * Answers are parsed with a zod schema written from the spec's `GetApiKeyResponse` /
 * `PatchApiKeyResponse` (the same `data` in both): strict on what is used (`data.id`,
 * `attributes.status`), tolerant of attributes added later. Statuses are classified by
 * {@link classify}, the one place that decides what a Klaviyo status means.
 */
import * as z from "zod";
import type { KlaviyoSpec, SpecOperation } from "../../spec/klaviyo";
import type { HttpResponse, Transport } from "../transport/http-transport";
import { once } from "../once";
import { API_KEY_STATUSES, describeMisfit } from "./answers";
import { classify, type KlaviyoOutcome } from "./client";
import type { RequestPacer } from "./request-pacer";
import { klaviyoRetryHintMs } from "./throttle";

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

/** `GetApiKeyResponse` / `PatchApiKeyResponse`, reduced to what the provider reads; built on first use. */
export const apiKeyAnswer = once(() =>
  z.object({
    data: z.object({
      type: z.literal("api-key"),
      id: z.string().min(1),
      attributes: z.object({
        name: z.string().optional(),
        status: z.enum(API_KEY_STATUSES),
        /** Only present when asked for with `additional-fields[api-key]=redacted_key`; nullable in the files. */
        redacted_key: z.string().nullish(),
      }),
    }),
  }),
);

/** The request body of update_api_key_beta that disables key `id` (an `ApiKeyUpdateRequest`). */
export function disableRequestBody(id: string): { data: { type: "api-key"; id: string; attributes: { status: "disabled" } } } {
  return { data: { type: "api-key", id, attributes: { status: "disabled" } } };
}

/** The beta single-key endpoints. */
export class KlaviyoApiKeys {
  /**
   * @param transport - the shared transport.
   * @param baseUrl - Klaviyo's base URL.
   * @param spec - Klaviyo's spec files.
   * @param pacer - the shared pacer (per account and operation, at the operation's tier).
   */
  constructor(
    private readonly transport: Transport,
    private readonly baseUrl: string,
    private readonly spec: KlaviyoSpec,
    private readonly pacer: RequestPacer,
  ) {}

  /** `GET /api/api-keys/{id}` with the redacted key, authenticated with `privateKey`, paced in the lane of `accountId`. */
  get(privateKey: string, id: string, accountId: string): Promise<KlaviyoOutcome<KlaviyoKeyState>> {
    return this.send(this.spec.byId("get_api_key_beta"), privateKey, id, accountId, "asking Klaviyo for a key's status");
  }

  /** `PATCH /api/api-keys/{id}` setting `status: disabled`, authenticated with `privateKey`, paced in the lane of `accountId`. */
  disable(privateKey: string, id: string, accountId: string): Promise<KlaviyoOutcome<KlaviyoKeyState>> {
    return this.send(this.spec.byId("update_api_key_beta"), privateKey, id, accountId, "disabling a replaced key", disableRequestBody(id));
  }

  private async send(
    op: SpecOperation,
    privateKey: string,
    id: string,
    accountId: string,
    what: string,
    body?: unknown,
  ): Promise<KlaviyoOutcome<KlaviyoKeyState>> {
    const query = { "additional-fields[api-key]": "redacted_key" };
    const undefinedParameter = Object.keys(query).find((name) => !op.queryParameters.has(name));
    if (undefinedParameter !== undefined) throw new Error(`${op.operationId} defines no query parameter ${undefinedParameter}`);
    const res = await this.pacer.run(
      accountId,
      op.operationId,
      op.rateLimit,
      () =>
        this.transport.send({
          service: "klaviyo",
          method: op.method === "patch" ? "PATCH" : "GET",
          baseUrl: this.baseUrl,
          path: `${op.path.replace("{id}", encodeURIComponent(id))}/`,
          query,
          headers: {
            authorization: `Klaviyo-API-Key ${privateKey}`,
            revision: op.revision,
            accept: "application/vnd.api+json",
            ...(body === undefined ? {} : { "content-type": "application/vnd.api+json" }),
          },
          ...(body === undefined ? {} : { body }),
          retryHint: klaviyoRetryHintMs,
        }),
      what,
    );
    return interpret(res);
  }
}

/** What one answer of either operation says. */
export function interpret(res: HttpResponse): KlaviyoOutcome<KlaviyoKeyState> {
  const outcome = classify(res);
  if (!outcome.ok) return outcome;
  const parsed = apiKeyAnswer().safeParse(res.body);
  if (!parsed.success) {
    return {
      ok: false,
      kind: "unexpected",
      status: res.status,
      detail: `the answer does not fit Klaviyo's published schema (${describeMisfit(parsed.error)})`,
      parameter: undefined,
    };
  }
  const { data } = parsed.data;
  return {
    ok: true,
    value: { id: data.id, name: data.attributes.name, status: data.attributes.status, redactedKey: data.attributes.redacted_key ?? undefined },
  };
}
