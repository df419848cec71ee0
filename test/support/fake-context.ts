/**
 * A core context whose transport is a fake that answers from a script (no
 * network), for unit tests of the rules and of how answers are interpreted.
 * Everything else in the context is the real thing.
 */
import { loadKlaviyoSpec } from "../../spec/klaviyo";
import { buildContext, createLogger, type CoreContext, type HttpRequest, type HttpResponse, type Transport, type Vocabulary } from "../../provider/core";

/** Answers one request. */
export type Answer = (req: HttpRequest) => HttpResponse | Promise<HttpResponse>;

/** A fake transport that records the requests and answers with `answer`. */
export interface FakeTransport extends Transport {
  /** `service METHOD path` of each request, in order. */
  readonly sent: string[];
  /** The full requests, in order. */
  readonly requests: HttpRequest[];
}

/** A response. A body with an `etag` (an Upstack destination) also gets it as the `ETag` header, where the contract puts it. */
export function res(status: number, body?: unknown, headers: Record<string, string> = {}): HttpResponse {
  const etag =
    typeof body === "object" && body !== null && typeof (body as { etag?: unknown }).etag === "string" ? { etag: (body as { etag: string }).etag } : {};
  return { status, headers: { "content-type": "application/json", ...etag, ...headers }, body, attempts: 1 };
}

/** Makes a fake transport. */
export function fakeTransport(answer: Answer): FakeTransport {
  const sent: string[] = [];
  const requests: HttpRequest[] = [];
  return {
    sent,
    requests,
    async send(req) {
      sent.push(`${req.service} ${req.method} ${req.path}`);
      requests.push(req);
      return answer(req);
    },
    async close() {},
  };
}

/** What a fake context records. */
export interface FakeContext {
  /** The context. */
  readonly ctx: CoreContext;
  /** The transport. */
  readonly transport: FakeTransport;
  /** Log lines written. */
  readonly lines: string[];
}

/** A context with a fake transport, a fixed clock, a capturing logger and default settings pointing at loopback. */
export function fakeContext(answer: Answer, options: { words?: Vocabulary; env?: Record<string, string>; now?: number } = {}): FakeContext {
  const transport = fakeTransport(answer);
  const lines: string[] = [];
  const env: Record<string, string> = {
    KLAVIYO_API_URL: "http://127.0.0.1:9",
    UPSTACK_API_URL: "http://127.0.0.1:9",
    UPSTACK_API_KEY: "upstack_unit_test_key_0001",
    UPSTACK_KLAVIYO_PACE_MS: "0",
    ...options.env,
  };
  const now = options.now ?? Date.UTC(2026, 11, 3, 9, 0, 0);
  const ctx = buildContext({
    env: (k) => (env[k]?.trim() ? env[k] : undefined),
    transport,
    clock: { now: () => now },
    log: createLogger({ write: (line) => lines.push(line), now: () => now }),
    ...(options.words === undefined ? {} : { words: options.words }),
  });
  return { ctx, transport, lines };
}

/** Generates a fake classic-format Klaviyo key ending in `tail` (4 characters). */
export function fakeKey(tail = "a1b2"): string {
  const body = Array.from({ length: 30 }, () => "abcdefghijklmnopqrstuvwxyz0123456789"[Math.floor(Math.random() * 36)]).join("");
  return `pk_${body}${tail}`;
}

/** Klaviyo's spec files, read once for the fakes' answers. */
const SPEC = loadKlaviyoSpec();

/** Klaviyo's accounts answer for account `id`, shaped as its spec files describe it. */
export function accountsBody(id: string, name = "Acme Outdoor"): unknown {
  return {
    data: [{ type: "account", id, attributes: { test_account: false, contact_information: { organization_name: name }, public_api_key: id } }],
    links: { self: "http://127.0.0.1:9/api/accounts/" },
  };
}

/** A listed key's access: every scope a key can hold (Full Access), every read scope, or the scopes given. */
export type ListedAccess = "full" | "read_only" | readonly string[];

/** The scopes a listed key holds for `access`. */
export function scopesFor(access: ListedAccess): string[] {
  if (access === "full") return [...SPEC.scopes];
  if (access === "read_only") return SPEC.scopes.filter((s) => s.endsWith(":read"));
  return [...access];
}

/** Klaviyo's api-keys answer (beta) listing keys `[last4, access, name?, status?]`, shaped as its spec files describe it. */
export function apiKeysBody(keys: [string, ListedAccess, string?, string?][]): unknown {
  return {
    data: keys.map(([last4, access, name, status], i) => ({
      type: "api-key",
      id: `k${i}`,
      attributes: {
        name: name ?? "UpstackData",
        status: status ?? "active",
        scopes: scopesFor(access),
        created: "2026-01-01T00:00:00+00:00",
        redacted_key: `pk_****${last4}`,
      },
    })),
    links: { self: "http://127.0.0.1:9/api/api-keys/", next: null, prev: null },
  };
}

/** A JSON:API error body. */
export function jsonApiError(status: number, detail: string): unknown {
  return { errors: [{ id: "e", status, code: "error", title: detail, detail }] };
}

/** An Upstack destination as the contract returns it. */
export function destination(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: "dst_unit0000000000000001",
    pixelId: "9b2f6c1e-0d4a-4c3e-8f57-2a1b3c4d5e6f",
    owner: "pulumi:proj/dev/klaviyo",
    enabled: true,
    label: "UpstackData",
    status: "healthy",
    statusReason: null,
    klaviyoAccountId: "AbC123",
    publicApiKey: null,
    scopes: [],
    keyFingerprint: "sha256:" + "0".repeat(64),
    keyHint: "pk_...a1b2",
    createdAt: "2026-12-01T00:00:00.000Z",
    updatedAt: "2026-12-01T00:00:00.000Z",
    keyRotatedAt: "2026-12-01T00:00:00.000Z",
    etag: '"v1"',
    ...overrides,
  };
}
