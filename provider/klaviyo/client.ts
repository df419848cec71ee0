/**
 * The Klaviyo endpoints the provider calls, and nothing else. Every call goes through the shared
 * transport; every request carries only parameters Klaviyo's spec files define for
 * that operation; every answer is parsed with the schemas in ./answers and classified here, in one
 * place, into what it says about the key.
 */
import type * as z from "zod";
import type { KlaviyoSpec, SpecOperation } from "../../spec/klaviyo";
import type { HttpResponse, Transport } from "../transport/http-transport";
import { klaviyoRetryHintMs } from "./throttle";
import { accountsAnswer, apiKeysAnswer, describeMisfit, errorAnswer, probeAnswer, type KlaviyoErrorObject } from "./answers";

/** The stable API revision the provider pins (the revision of the stable spec files). */
export const KLAVIYO_REVISION = "2026-07-15";
/** The beta revision for `GET /api/api-keys` (the revision of the beta spec files). */
export const KLAVIYO_BETA_REVISION = "2026-07-15.pre";
/** Most pages of the api-keys listing followed through `links.next`. */
export const MAX_LISTING_PAGES = 20;

/** A Klaviyo account as `GET /api/accounts/` describes it. */
export interface KlaviyoAccount {
  /** The account's Site ID (`attributes.public_api_key`), which is also its id. */
  readonly id: string;
  /** `contact_information.organization_name`, when not empty. */
  readonly name: string | undefined;
  /** Whether it is a test account. */
  readonly testAccount: boolean;
}

/** One private key as the beta `GET /api/api-keys` lists it. */
export interface KlaviyoKeyListing {
  /** Klaviyo's id of the key. */
  readonly id: string;
  /** The key's name (label). */
  readonly name: string;
  /** `active` or `disabled`. */
  readonly status: "active" | "disabled";
  /** The scopes the key holds: the only access information Klaviyo publishes. */
  readonly scopes: readonly string[];
  /** `pk_****abcd`, or undefined when Klaviyo did not give it. */
  readonly redactedKey: string | undefined;
}

/** Why a Klaviyo call did not give the answer asked for. */
export type KlaviyoFailureKind =
  /** 401, or a JSON 400 about neither a parameter nor the revision: the key is rejected. */
  | "invalid"
  /** A JSON 403: the key is valid but lacks the operation's scope. */
  | "forbidden"
  /** A CDN's HTML 403 (`cf-mitigated: challenge`): says nothing about the key. */
  | "challenge"
  /** A JSON 400 naming a query parameter or the revision, or a 404 "No valid revisions found": our request is wrong. */
  | "request"
  /** 404 or 410 without a revision complaint: the endpoint is not there (for the beta listing: changed or withdrawn). */
  | "gone"
  /** A 2xx answer that does not fit the spec's schema, or a `links.next` the provider will not follow. */
  | "unexpected"
  /** Anything else (5xx, other statuses). */
  | "other";

/** A failed Klaviyo call. */
export interface KlaviyoFailure {
  /** Always false. */
  readonly ok: false;
  /** What it means; see {@link KlaviyoFailureKind}. */
  readonly kind: KlaviyoFailureKind;
  /** HTTP status. */
  readonly status: number;
  /** Klaviyo's `detail` or `title`, or what did not fit. */
  readonly detail: string | undefined;
  /** The query parameter Klaviyo named (`source.parameter`), for `request`. */
  readonly parameter: string | undefined;
}

/** What a Klaviyo answer says. */
export type KlaviyoOutcome<T> = { readonly ok: true; readonly value: T } | KlaviyoFailure;

/** Runs one request when the rate tier allows it (the key validator's pacer). */
export type Pace = <T>(call: () => Promise<T>) => Promise<T>;

/** Scopes that can be checked with a side-effect-free GET, and the operation that needs each. */
export const READ_PROBES: Readonly<Record<string, string>> = {
  "metrics:read": "get_metrics",
  "profiles:read": "get_profiles",
  "events:read": "get_events",
  "lists:read": "get_lists",
};

const unpaced: Pace = (call) => call();

/** A client for the Klaviyo endpoints the provider needs. */
export class KlaviyoClient {
  /**
   * @param transport - the shared transport.
   * @param baseUrl - Klaviyo's base URL (`KLAVIYO_API_URL`).
   * @param spec - Klaviyo's spec files (operations, revisions, parameters).
   */
  constructor(
    private readonly transport: Transport,
    private readonly baseUrl: string,
    private readonly spec: KlaviyoSpec,
  ) {}

  /** `GET /api/accounts/`: is the key live, and which account is it from? Needs accounts:read. */
  async getAccount(privateKey: string): Promise<KlaviyoOutcome<KlaviyoAccount>> {
    const op = this.spec.byId("get_accounts");
    const res = await this.get(privateKey, op, "/api/accounts/", {});
    const body = parse(res, accountsAnswer());
    if (!body.ok) return body;
    const [account, ...more] = body.value.data;
    if (account === undefined || more.length > 0) {
      return unexpected(res, `data holds ${body.value.data.length} accounts; a private key belongs to exactly one`);
    }
    const a = account.attributes;
    const name = a.contact_information.organization_name === "" ? undefined : a.contact_information.organization_name;
    return { ok: true, value: { id: a.public_api_key, name, testAccount: a.test_account } };
  }

  /**
   * Beta `GET /api/api-keys`: every private key of the key's account, with status, scopes and the
   * redacted key, following `links.next` (same origin and path only, at most
   * {@link MAX_LISTING_PAGES} pages), each page through `pace`. Needs credentials:read.
   */
  async listApiKeys(privateKey: string, pace: Pace = unpaced): Promise<KlaviyoOutcome<KlaviyoKeyListing[]>> {
    const op = this.spec.byId("get_api_keys_beta");
    const keys: KlaviyoKeyListing[] = [];
    let path = "/api/api-keys/";
    let query: Record<string, string> = { "additional-fields[api-key]": "redacted_key" };
    for (let page = 1; ; page++) {
      const res = await pace(() => this.get(privateKey, op, path, query, page > 1));
      const body = parse(res, apiKeysAnswer());
      if (!body.ok) return body;
      for (const k of body.value.data) {
        keys.push({
          id: k.id,
          name: k.attributes.name,
          status: k.attributes.status,
          scopes: k.attributes.scopes,
          redactedKey: k.attributes.redacted_key ?? undefined,
        });
      }
      const next = body.value.links?.next;
      if (next === undefined || next === null || next === "") return { ok: true, value: keys };
      if (page >= MAX_LISTING_PAGES) return unexpected(res, `the listing goes on past ${MAX_LISTING_PAGES} pages (links.next still set)`);
      const target = this.sameOriginPath(next, "/api/api-keys");
      if (target === undefined) return unexpected(res, "links.next points outside Klaviyo's api-keys endpoint; the provider does not follow it");
      ({ path, query } = target);
    }
  }

  /**
   * A side-effect-free GET of the operation that needs `scope` (see {@link READ_PROBES}): does the
   * key hold the scope? Asks for the smallest page the operation allows, when it defines `page[size]`.
   */
  async probe(privateKey: string, scope: string, pace: Pace = unpaced): Promise<KlaviyoOutcome<true>> {
    const operationId = READ_PROBES[scope];
    if (operationId === undefined) throw new Error(`no read probe for ${scope}`);
    const op = this.spec.byId(operationId);
    const size = op.queryParameters.get("page[size]")?.schema["minimum"];
    const query: Record<string, string> = typeof size === "number" ? { "page[size]": String(size) } : {};
    const res = await pace(() => this.get(privateKey, op, `${op.path}/`, query));
    const body = parse(res, probeAnswer());
    return body.ok ? { ok: true, value: true } : body;
  }

  /** The operation a scope's probe calls (for pacing by tier). */
  probeOperation(scope: string): SpecOperation | undefined {
    const id = READ_PROBES[scope];
    return id === undefined ? undefined : this.spec.byId(id);
  }

  private sameOriginPath(next: string, endpoint: string): { path: string; query: Record<string, string> } | undefined {
    let url: URL;
    try {
      url = new URL(next, this.baseUrl);
    } catch {
      return undefined;
    }
    if (url.origin !== new URL(this.baseUrl).origin) return undefined;
    if (url.pathname.replace(/\/+$/, "") !== endpoint) return undefined;
    return { path: url.pathname, query: Object.fromEntries(url.searchParams) };
  }

  private get(privateKey: string, op: SpecOperation, path: string, query: Record<string, string>, fromKlaviyoLink = false): Promise<HttpResponse> {
    // Never compose a parameter the operation does not define (Klaviyo answers it with a 400); a
    // links.next from Klaviyo is followed verbatim.
    const undefinedParameter = fromKlaviyoLink ? undefined : Object.keys(query).find((name) => !op.queryParameters.has(name));
    if (undefinedParameter !== undefined) throw new Error(`${op.operationId} defines no query parameter ${undefinedParameter}`);
    return this.transport.send({
      service: "klaviyo",
      method: "GET",
      baseUrl: this.baseUrl,
      path,
      ...(Object.keys(query).length === 0 ? {} : { query }),
      headers: {
        authorization: `Klaviyo-API-Key ${privateKey}`,
        revision: op.revision,
        accept: "application/vnd.api+json",
      },
      retryHint: klaviyoRetryHintMs,
    });
  }
}

function unexpected(res: HttpResponse, detail: string): KlaviyoFailure {
  return { ok: false, kind: "unexpected", status: res.status, detail, parameter: undefined };
}

/** Classifies `res`; a 2xx body must fit `schema`. */
function parse<T>(res: HttpResponse, schema: z.ZodType<T>): KlaviyoOutcome<T> {
  const outcome = classify(res);
  if (!outcome.ok) return outcome;
  const parsed = schema.safeParse(res.body);
  if (!parsed.success) return unexpected(res, `the answer does not fit Klaviyo's published schema (${describeMisfit(parsed.error)})`);
  return { ok: true, value: parsed.data };
}

/** Classifies a response by status and error body; the one place that decides what a Klaviyo status means. */
export function classify(res: HttpResponse): KlaviyoOutcome<true> {
  if (res.status >= 200 && res.status < 300) return { ok: true, value: true };
  const parsed = errorAnswer().safeParse(res.body);
  const errors: KlaviyoErrorObject[] = parsed.success ? parsed.data.errors : [];
  const first = errors[0];
  const detail = first?.detail ?? first?.title;
  const fail = (kind: KlaviyoFailureKind, parameter?: string): KlaviyoFailure => ({ ok: false, kind, status: res.status, detail, parameter });
  const aboutRevision = errors.some((e) => /revision/i.test(`${e.detail ?? ""} ${e.title ?? ""} ${e.source?.pointer ?? ""} ${e.source?.parameter ?? ""}`));
  const parameter = errors.find((e) => e.source?.parameter !== undefined)?.source?.parameter;
  if (res.status === 400) {
    // An HTML 400 comes from the CDN (e.g. a wrong auth scheme), not the API.
    if (!parsed.success) return fail("other");
    if (parameter !== undefined) return fail("request", parameter);
    if (aboutRevision) return fail("request", "revision");
    return fail("invalid");
  }
  if (res.status === 401) return parsed.success ? fail("invalid") : fail("other");
  if (res.status === 403) return res.headers["cf-mitigated"] !== undefined || !parsed.success ? fail("challenge") : fail("forbidden");
  if (res.status === 404 || res.status === 410) return aboutRevision ? fail("request", "revision") : fail("gone");
  return fail("other");
}
