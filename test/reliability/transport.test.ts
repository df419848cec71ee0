import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { HttpError } from "../../provider/errors";
import { createSelfSignedCertificate } from "../../provider/terraform/self-signed-cert";
import { HttpTransport, type HttpRequest, type TransportOptions } from "../../provider/transport/http-transport";
import { DEFAULT_RETRY_OPTIONS } from "../../provider/transport/retry-policy";
import { klaviyoRetryHintMs } from "../../provider/klaviyo/throttle";
import { assertNoLeak, closeAllServers, closedPort, describeAll, since, startServer, type TestServer } from "./support";

// Fake credentials with recognisable bodies (never real keys).
const KLAVIYO_KEY = "pk_RelTestKlaviyoKey0123456789abcdefgh";
const UPSTACK_KEY = "upstack_reltestupstackkey0123456789abcdef0123";
const SECRETS = [KLAVIYO_KEY, UPSTACK_KEY];

const transports: HttpTransport[] = [];
type Opts = Partial<TransportOptions> & { /** Really wait (deadline tests); by default waits are only recorded. */ realSleep?: boolean };
function transport({ realSleep, ...options }: Opts = {}): { t: HttpTransport; delays: number[] } {
  const delays: number[] = [];
  const t = new HttpTransport({
    attemptTimeoutMs: 2000,
    deadlineMs: 10_000,
    random: () => 0.5,
    sleep: async (ms) => {
      delays.push(ms);
      if (realSleep === true) await new Promise((r) => setTimeout(r, ms));
    },
    ...options,
  });
  transports.push(t);
  return { t, delays };
}

afterEach(async () => {
  await closeAllServers();
  await Promise.all(transports.splice(0).map((t) => t.close()));
});

const req = (server: TestServer | string, extra: Partial<HttpRequest> = {}): HttpRequest => ({
  service: "upstack",
  method: "GET",
  baseUrl: typeof server === "string" ? server : server.url,
  path: "/destinations/api/klaviyo",
  headers: { authorization: `Klaviyo-API-Key ${KLAVIYO_KEY}`, "x-api-key": UPSTACK_KEY },
  ...extra,
});

async function errorOf(p: Promise<unknown>): Promise<HttpError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(HttpError);
    return e as HttpError;
  }
  throw new Error("expected a rejection");
}

function json(res: import("node:http").ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

describe("retries of retryable statuses", () => {
  test.each([408, 429, 500, 502, 503, 504])("%i twice, then 200 → success on attempt 3", async (status) => {
    const server = await startServer((_r, res, n) => (n <= 2 ? json(res, status, { message: "busy" }) : json(res, 200, { ok: true })));
    const { t, delays } = transport();
    const res = await t.send(req(server));
    expect(res).toMatchObject({ status: 200, body: { ok: true }, attempts: 3 });
    expect(server.received).toHaveLength(3);
    expect(delays).toEqual([150, 300]); // backoff 200·2^(n-1), jitter fixed at 0.5 → 3/4 of the ceiling
  });

  test.each([400, 401, 403, 404, 409, 412, 422, 501])("%i is returned at once, not retried", async (status) => {
    const server = await startServer((_r, res) => json(res, status, { message: "no" }));
    const { t, delays } = transport();
    const res = await t.send(req(server));
    expect(res).toMatchObject({ status, attempts: 1 });
    expect(server.received).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  test("an exhausted retryable status → http_error after 1 + maxRetries attempts", async () => {
    const server = await startServer((_r, res) => json(res, 502, { message: "bad gateway" }));
    const { t, delays } = transport();
    const err = await errorOf(t.send(req(server)));
    expect(err).toMatchObject({ code: "http_error", status: 502, attempts: DEFAULT_RETRY_OPTIONS.maxRetries + 1 });
    expect(server.received).toHaveLength(5);
    expect(delays).toEqual([150, 300, 600, 1200]);
  });

  test("Retry-After (seconds) is honoured: the wait is the server's, plus ≤10% jitter", async () => {
    const server = await startServer((_r, res, n) => (n === 1 ? json(res, 429, { message: "slow" }, { "retry-after": "3" }) : json(res, 200, {})));
    const { t, delays } = transport();
    await t.send(req(server));
    expect(delays).toEqual([3150]);
    expect(server.received).toHaveLength(2);
  });

  test("Retry-After as an HTTP date is honoured", async () => {
    const server = await startServer((_r, res, n) =>
      n === 1 ? json(res, 503, {}, { "retry-after": new Date(Date.now() + 4000).toUTCString() }) : json(res, 200, {}),
    );
    const { t, delays } = transport({ random: () => 0 });
    await t.send(req(server));
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeGreaterThan(2500); // the date has one-second resolution
    expect(delays[0]).toBeLessThanOrEqual(4000);
  });

  test("Klaviyo's throttle detail without Retry-After gives the wait", async () => {
    const server = await startServer((_r, res, n) =>
      n === 1
        ? json(res, 429, { errors: [{ status: 429, code: "throttled", detail: "Request was throttled. Expected available in 2 seconds." }] })
        : json(res, 200, {}),
    );
    const { t, delays } = transport({ random: () => 0 });
    // The hint is read by the hook the Klaviyo client hands the transport with every request.
    await t.send(req(server, { service: "klaviyo", path: "/api/accounts/", retryHint: klaviyoRetryHintMs }));
    expect(delays).toEqual([2000]);
  });

  test("onEvent reports each retry without credentials", async () => {
    const server = await startServer((_r, res, n) => (n <= 2 ? json(res, 500, {}) : json(res, 200, {})));
    const events: unknown[] = [];
    const { t } = transport({ onEvent: (e) => events.push(e) });
    await t.send(req(server));
    expect(events).toEqual([
      { kind: "retry", service: "upstack", what: "GET /destinations/api/klaviyo", reason: "HTTP 500", delayMs: 150, attempt: 1 },
      { kind: "retry", service: "upstack", what: "GET /destinations/api/klaviyo", reason: "HTTP 500", delayMs: 300, attempt: 2 },
    ]);
    assertNoLeak(JSON.stringify(events), SECRETS);
  });
});

describe("idempotency", () => {
  test("POST without an idempotency key is not retried", async () => {
    const server = await startServer((_r, res) => json(res, 503, {}));
    const { t } = transport();
    const res = await t.send(req(server, { method: "POST", body: { a: 1 } }));
    expect(res.status).toBe(503);
    expect(server.received).toHaveLength(1);
  });

  test("POST without a key is not retried after a connection reset either", async () => {
    const server = await startServer((_r, res) => res.socket?.destroy());
    const { t } = transport();
    const err = await errorOf(t.send(req(server, { method: "POST", body: { a: 1 } })));
    expect(err.code).toBe("http_connection");
    expect(server.received).toHaveLength(1);
  });

  test("POST with a key is retried, and the same Idempotency-Key and body arrive on every attempt", async () => {
    const server = await startServer((_r, res, n) => (n <= 3 ? json(res, 503, {}) : json(res, 201, { id: "x" })));
    const { t } = transport();
    const res = await t.send(req(server, { method: "POST", body: { a: 1 }, idempotencyKey: "idem-0123456789" }));
    expect(res).toMatchObject({ status: 201, attempts: 4 });
    expect(server.received.map((r) => r.headers["idempotency-key"])).toEqual(Array(4).fill("idem-0123456789"));
    expect(new Set(server.received.map((r) => r.body))).toEqual(new Set(['{"a":1}']));
    expect(server.received.every((r) => r.headers["content-type"] === "application/json")).toBe(true);
  });

  test("PUT is retried after a reset with the same Idempotency-Key", async () => {
    const server = await startServer((_r, res, n) => (n === 1 ? res.socket?.destroy() : json(res, 200, {})));
    const { t } = transport();
    await t.send(req(server, { method: "PUT", body: { b: 2 }, idempotencyKey: "idem-abcdefghij" }));
    expect(server.received.map((r) => r.headers["idempotency-key"])).toEqual(["idem-abcdefghij", "idem-abcdefghij"]);
  });
});

describe("timeouts and deadline", () => {
  test("a hanging server → http_timeout within the deadline (per-attempt timeout, then retries)", async () => {
    const server = await startServer(() => undefined);
    const { t } = transport({ attemptTimeoutMs: 150, deadlineMs: 800, realSleep: true, random: () => 0 });
    const start = Date.now();
    const err = await errorOf(t.send(req(server)));
    const elapsed = since(start);
    expect(err.code).toBe("http_timeout");
    expect(err.attempts).toBeGreaterThanOrEqual(2);
    expect(server.received.length).toBe(err.attempts);
    expect(elapsed).toBeLessThan(800 + 300);
    expect(err.message).toMatch(/did not answer GET \/destinations\/api\/klaviyo in time .*UPSTACK_KLAVIYO_TIMEOUT_MS/);
  });

  test("a server that sends headers then stalls the body → http_timeout", async () => {
    const server = await startServer((_r, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"partial":');
    });
    const { t } = transport({ attemptTimeoutMs: 150, deadlineMs: 600, realSleep: true });
    const start = Date.now();
    const err = await errorOf(t.send(req(server)));
    expect(err.code).toBe("http_timeout");
    expect(since(start)).toBeLessThan(600 + 300);
  });

  test("the deadline stops retries long before maxRetries", async () => {
    const server = await startServer((_r, res) => json(res, 500, {}));
    const { t } = transport({ deadlineMs: 400, realSleep: true, retry: { ...DEFAULT_RETRY_OPTIONS, maxRetries: 1000, baseDelayMs: 40, maxDelayMs: 40 } });
    const start = Date.now();
    const err = await errorOf(t.send(req(server)));
    const elapsed = since(start);
    expect(err.code).toBe("http_error");
    expect(elapsed).toBeLessThan(400 + 200);
    expect(err.attempts).toBeGreaterThan(3);
    expect(err.attempts).toBeLessThan(30);
    expect(server.received).toHaveLength(err.attempts);
  });

  // Regression (CI, fault matrix): a backoff that ended a few ms before the deadline started a PUT with a
  // 1 ms timeout; the client gave up on it, but the server acted on it afterwards and the rotation was
  // committed although the caller had been told it failed.
  test("a wait that overruns into the deadline's last minAttemptMs starts no further attempt", async () => {
    const server = await startServer((_r, res) => json(res, 503, {}));
    const { t } = transport({
      deadlineMs: 600,
      minAttemptMs: 100,
      retry: { ...DEFAULT_RETRY_OPTIONS, baseDelayMs: 20, maxDelayMs: 20 },
      // The wait overruns (a busy event loop) and ends 40 ms before the deadline.
      sleep: (ms) => new Promise((r) => setTimeout(r, ms + 540)),
    });
    const err = await errorOf(t.send(req(server, { method: "PUT", body: { privateApiKey: KLAVIYO_KEY } })));
    expect(err).toMatchObject({ code: "http_error", status: 503, attempts: 1 });
    await new Promise((r) => setTimeout(r, 200)); // an attempt the client abandoned may still arrive: let it
    expect(server.received).toHaveLength(1);
  });

  test("a retry is not planned when its wait leaves less than minAttemptMs before the deadline", async () => {
    const server = await startServer((_r, res) => json(res, 500, {}));
    const { t, delays } = transport({ deadlineMs: 1000, minAttemptMs: 500, retry: { ...DEFAULT_RETRY_OPTIONS, baseDelayMs: 800, maxDelayMs: 800 } });
    const err = await errorOf(t.send(req(server)));
    expect(err).toMatchObject({ code: "http_error", status: 500, attempts: 1 });
    expect(delays).toEqual([]); // a 600 ms wait (jitter 0.5) would leave < 500 ms of the 1000 ms deadline
  });

  test("a Retry-After past the deadline fails at once instead of sleeping past it", async () => {
    const server = await startServer((_r, res) => json(res, 429, {}, { "retry-after": "30" }));
    const { t, delays } = transport({ deadlineMs: 5000 });
    const err = await errorOf(t.send(req(server)));
    expect(err).toMatchObject({ code: "http_error", status: 429, attempts: 1 });
    expect(err.message).toMatch(/asked to wait 30 s more, past the 5000 ms deadline/);
    expect(delays).toEqual([]);
  });
});

describe("connection failures and URL policy", () => {
  test("connection refused → http_connection after every attempt", async () => {
    const port = await closedPort();
    const { t, delays } = transport();
    const err = await errorOf(t.send(req(`http://127.0.0.1:${port}`)));
    expect(err).toMatchObject({ code: "http_connection", attempts: 5 });
    expect(delays).toHaveLength(4);
    expect(err.message).toMatch(/Could not reach upstack at http:\/\/127\.0\.0\.1:\d+ .*ECONNREFUSED/);
  });

  test.each(["http://example.com", "http://10.0.0.7:4010", "http://localhost.evil.example", "http://127.0.0.1.nip.io", "ftp://127.0.0.1", "not a url"])(
    "%s is refused (http_insecure_url) before any request",
    async (base) => {
      const { t } = transport();
      const err = await errorOf(t.send(req(base)));
      expect(err).toMatchObject({ code: "http_insecure_url", attempts: 0 });
      expect(t.requestCounts()).toEqual({});
      assertNoLeak(describeAll(err), SECRETS);
    },
  );

  test("a base URL refused once is refused again (only accepted base URLs are remembered)", async () => {
    const { t } = transport();
    for (let i = 0; i < 2; i++) expect(await errorOf(t.send(req("http://example.com")))).toMatchObject({ code: "http_insecure_url", attempts: 0 });
    expect(t.requestCounts()).toEqual({});
  });

  test("an https base URL is spoken over TLS with the certificate checked: a certificate nobody vouches for gets no request", async () => {
    const own = createSelfSignedCertificate();
    let requests = 0;
    const server = https.createServer({ key: own.keyPem, cert: own.certPem }, (_req, res) => {
      requests++;
      res.end("{}");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { t } = transport({ retry: { ...DEFAULT_RETRY_OPTIONS, maxRetries: 0 } });
      const err = await errorOf(t.send(req(`https://127.0.0.1:${(server.address() as AddressInfo).port}`)));
      expect(err).toMatchObject({ code: "http_connection", attempts: 1 });
      expect(err.message).toMatch(/SELF_SIGNED|self.signed/i);
      expect(requests).toBe(0);
      assertNoLeak(describeAll(err), SECRETS);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  test.each([301, 302, 303, 307, 308])("%i redirect → http_redirect; the Location's server receives nothing", async (status) => {
    const target = await startServer((_r, res) => json(res, 200, { stolen: true }));
    const server = await startServer((_r, res) => {
      res.writeHead(status, { location: `${target.url}/collect?x=1` });
      res.end();
    });
    const { t } = transport();
    const err = await errorOf(t.send(req(server, { method: "PUT", body: { privateApiKey: KLAVIYO_KEY }, idempotencyKey: "idem-redirect-1" })));
    expect(err).toMatchObject({ code: "http_redirect", status, attempts: 1 });
    expect(err.message).toContain(`redirect (${status}) to ${target.url}`);
    expect(server.received).toHaveLength(1);
    expect(target.received).toHaveLength(0);
    assertNoLeak(describeAll(err), SECRETS);
  });
});

describe("credentials never appear in errors", () => {
  const scenarios: [string, () => Promise<{ server?: TestServer; base?: string; opts?: Opts }>][] = [
    ["timeout", async () => ({ server: await startServer(() => undefined), opts: { attemptTimeoutMs: 100, deadlineMs: 300, realSleep: true } })],
    ["refused", async () => ({ base: `http://127.0.0.1:${await closedPort()}` })],
    ["reset", async () => ({ server: await startServer((_r, res) => res.socket?.destroy()) })],
    ["500 exhausted, body echoing the headers", async () => ({ server: await startServer((r, res) => json(res, 500, { echo: r.headers })) })],
    ["429 exhausted", async () => ({ server: await startServer((_r, res) => json(res, 429, {}, { "retry-after": "99" })) })],
    ["redirect", async () => ({ server: await startServer((_r, res) => (res.writeHead(302, { location: "https://evil.example/x" }), res.end())) })],
  ];
  test.each(scenarios)("%s: message, stack and causes carry neither the Authorization nor the x-api-key value", async (_n, setup) => {
    const { server, base, opts } = await setup();
    const { t } = transport(opts);
    for (const service of ["klaviyo", "upstack"]) {
      const err = await errorOf(
        t.send(req(server ?? base!, { service, method: "PUT", body: { privateApiKey: KLAVIYO_KEY }, idempotencyKey: "idem-secret-1" })),
      );
      assertNoLeak(
        [err.message, err.stack ?? "", String(err), (err.cause as Error | undefined)?.message ?? "", (err.cause as Error | undefined)?.stack ?? ""].join("\n"),
        SECRETS,
      );
    }
  });
});

describe("bookkeeping", () => {
  test("requestCounts counts every attempt by service, method and path; query strings are sent", async () => {
    const server = await startServer((_r, res, n) => (n === 1 ? json(res, 503, {}, { "retry-after": "0" }) : json(res, 204, {})));
    const { t } = transport();
    await t.send(req(server, { method: "DELETE", query: { owner: "pulumi:p/s n" } }));
    expect(t.requestCounts()).toEqual({ "upstack DELETE /destinations/api/klaviyo": 2 });
    expect(server.received[0]!.url).toBe("/destinations/api/klaviyo?owner=pulumi%3Ap%2Fs+n");
  });

  test("a base URL with a path prefix keeps it", async () => {
    const server = await startServer((_r, res) => json(res, 200, {}));
    const { t } = transport();
    await t.send(req(`${server.url}/v1/`));
    expect(server.received[0]!.url).toBe("/v1/destinations/api/klaviyo");
  });
});
