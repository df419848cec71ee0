/**
 * The Klaviyo endpoints the provider calls, and nothing else. Every call goes
 * through the shared {@link HttpTransport}; responses are classified here, in
 * one place, into what they say about the key.
 */
import type { HttpResponse, HttpTransport } from "../transport/http-transport";

/** The stable API revision the provider pins. */
export const KLAVIYO_REVISION = "2026-07-15";
/** The beta revision for `GET /api/api-keys/`. */
export const KLAVIYO_BETA_REVISION = "2026-07-15.pre";

/** A Klaviyo account as `GET /api/accounts/` describes it. */
export interface KlaviyoAccount {
  /** The account id, equal to its public key (Site ID). */
  readonly id: string;
  /** `contact_information.organization_name`, when set. */
  readonly name: string | undefined;
  /** Whether it is a test account. */
  readonly testAccount: boolean;
}

/** One private key as the beta `GET /api/api-keys/` lists it. */
export interface KlaviyoKeyListing {
  /** Klaviyo's id of the key. */
  readonly id: string;
  /** The key's name. */
  readonly name: string | undefined;
  /** Redacted key, `pk_****abcd`. */
  readonly redactedKey: string;
  /** `full`, `read_only` or `custom`. */
  readonly accessLevel: string;
  /** The key's scopes. */
  readonly scopes: readonly string[];
}

/** What a Klaviyo answer says. */
export type KlaviyoOutcome<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false;
      /** `invalid`: 400/401, the key is rejected. `forbidden`: JSON 403, a scope is missing. `challenge`: a CDN's HTML 403. `other`: anything else. */
      readonly kind: "invalid" | "forbidden" | "challenge" | "other";
      readonly status: number;
      /** Klaviyo's `detail` or `title`, when it gave one. */
      readonly detail: string | undefined;
    };

/** Scopes that can be probed with a side-effect-free GET, and the path that needs each. */
export const READ_PROBES: Readonly<Record<string, string>> = {
  "metrics:read": "/api/metrics/",
  "profiles:read": "/api/profiles/",
  "events:read": "/api/events/",
  "lists:read": "/api/lists/",
};

/** A client for the Klaviyo endpoints the provider needs. */
export class KlaviyoClient {
  /**
   * @param transport - the shared transport.
   * @param baseUrl - Klaviyo's base URL (`KLAVIYO_API_URL`).
   */
  constructor(
    private readonly transport: HttpTransport,
    private readonly baseUrl: string,
  ) {}

  /** `GET /api/accounts/`: is the key live, and which account is it from? Needs accounts:read. */
  async getAccount(privateKey: string): Promise<KlaviyoOutcome<KlaviyoAccount>> {
    const res = await this.get(privateKey, "/api/accounts/", KLAVIYO_REVISION);
    const outcome = classify(res);
    if (!outcome.ok) return outcome;
    const first = firstData(res.body);
    const attributes = (first?.["attributes"] ?? {}) as Record<string, unknown>;
    const contact = (attributes["contact_information"] ?? {}) as Record<string, unknown>;
    const id = typeof first?.["id"] === "string" ? first["id"] : typeof attributes["public_api_key"] === "string" ? attributes["public_api_key"] : undefined;
    if (id === undefined) return { ok: false, kind: "other", status: res.status, detail: "the accounts response named no account" };
    const name = typeof contact["organization_name"] === "string" && contact["organization_name"] !== "" ? contact["organization_name"] : undefined;
    return { ok: true, value: { id, name, testAccount: attributes["test_account"] === true } };
  }

  /** Beta `GET /api/api-keys/`: the account's private keys with access level and scopes. Needs credentials:read. */
  async listApiKeys(privateKey: string): Promise<KlaviyoOutcome<KlaviyoKeyListing[]>> {
    const res = await this.get(privateKey, "/api/api-keys/", KLAVIYO_BETA_REVISION);
    const outcome = classify(res);
    if (!outcome.ok) return outcome;
    const data = (res.body as { data?: unknown } | undefined)?.data;
    const list: KlaviyoKeyListing[] = [];
    if (Array.isArray(data)) {
      for (const item of data) {
        const a = ((item as { attributes?: unknown } | null)?.attributes ?? {}) as Record<string, unknown>;
        if (typeof a["key"] !== "string") continue;
        const id = (item as { id?: unknown }).id;
        list.push({
          id: typeof id === "string" ? id : "",
          name: typeof a["name"] === "string" ? a["name"] : typeof a["label"] === "string" ? a["label"] : undefined,
          redactedKey: a["key"],
          accessLevel: typeof a["access_level"] === "string" ? a["access_level"] : "unknown",
          scopes: Array.isArray(a["scopes"]) ? a["scopes"].filter((s): s is string => typeof s === "string") : [],
        });
      }
    }
    return { ok: true, value: list };
  }

  /** A side-effect-free GET of one page of size 1 at `path`: does the key have the scope it needs? */
  async probe(privateKey: string, path: string): Promise<KlaviyoOutcome<true>> {
    const res = await this.get(privateKey, path, KLAVIYO_REVISION, { "page[size]": "1" });
    const outcome = classify(res);
    return outcome.ok ? { ok: true, value: true } : outcome;
  }

  private get(privateKey: string, path: string, revision: string, query?: Record<string, string>): Promise<HttpResponse> {
    return this.transport.send({
      service: "klaviyo",
      method: "GET",
      baseUrl: this.baseUrl,
      path,
      ...(query === undefined ? {} : { query }),
      headers: {
        authorization: `Klaviyo-API-Key ${privateKey}`,
        revision,
        accept: "application/vnd.api+json",
      },
    });
  }
}

/** Classifies a response; the one place that decides what a Klaviyo status means. */
export function classify(res: HttpResponse): KlaviyoOutcome<true> {
  if (res.status >= 200 && res.status < 300) return { ok: true, value: true };
  const detail = errorDetail(res.body);
  const isJsonApiError = detail !== undefined || hasErrors(res.body);
  if (res.status === 400 || res.status === 401) {
    // A 400 with an HTML body comes from the CDN (e.g. a wrong auth scheme), not the API.
    return isJsonApiError ? { ok: false, kind: "invalid", status: res.status, detail } : { ok: false, kind: "other", status: res.status, detail };
  }
  if (res.status === 403) {
    const challenged = res.headers["cf-mitigated"] !== undefined || !isJsonApiError;
    return { ok: false, kind: challenged ? "challenge" : "forbidden", status: 403, detail };
  }
  return { ok: false, kind: "other", status: res.status, detail };
}

function hasErrors(body: unknown): boolean {
  return typeof body === "object" && body !== null && Array.isArray((body as { errors?: unknown }).errors);
}

function errorDetail(body: unknown): string | undefined {
  if (!hasErrors(body)) return undefined;
  const first = (body as { errors: unknown[] }).errors[0] as { detail?: unknown; title?: unknown } | undefined;
  if (typeof first?.detail === "string") return first.detail;
  if (typeof first?.title === "string") return first.title;
  return undefined;
}

function firstData(body: unknown): Record<string, unknown> | undefined {
  const data = (body as { data?: unknown } | undefined)?.data;
  const first: unknown = Array.isArray(data) ? data[0] : data;
  return typeof first === "object" && first !== null ? (first as Record<string, unknown>) : undefined;
}
