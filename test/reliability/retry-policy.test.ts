import fc from "fast-check";
import {
  DEFAULT_RETRY_OPTIONS,
  isRepeatable,
  isRetryableStatus,
  retryDelayMs,
  serverRetryHintMs,
  type RetryOptions,
} from "../../provider/transport/retry-policy";
import { klaviyoRetryHintMs } from "../../provider/klaviyo/throttle";

const klaviyoThrottle = (detail: string) => ({ errors: [{ id: "x", status: 429, code: "throttled", title: "Request was throttled.", detail }] });

describe("isRepeatable", () => {
  test.each(["GET", "PUT", "DELETE", "HEAD", "OPTIONS", "get", "put", "delete"])("%s is repeatable without an idempotency key", (m) => {
    expect(isRepeatable(m, false)).toBe(true);
  });
  test.each(["POST", "PATCH", "post"])("%s is not repeatable without a key, is with one", (m) => {
    expect(isRepeatable(m, false)).toBe(false);
    expect(isRepeatable(m, true)).toBe(true);
  });
});

describe("isRetryableStatus", () => {
  test.each([408, 429, 500, 502, 503, 504])("%i is retried", (s) => {
    expect(isRetryableStatus(s)).toBe(true);
  });
  test.each([200, 201, 204, 301, 302, 400, 401, 403, 404, 409, 412, 422, 501, 505, 599])("%i is not retried", (s) => {
    expect(isRetryableStatus(s)).toBe(false);
  });
  test("custom options replace the list", () => {
    const opts: RetryOptions = { ...DEFAULT_RETRY_OPTIONS, retryStatuses: [418] };
    expect(isRetryableStatus(418, opts)).toBe(true);
    expect(isRetryableStatus(503, opts)).toBe(false);
  });
  test("property: exactly the six default statuses in 100..599 are retried", () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 599 }), (s) => {
        expect(isRetryableStatus(s)).toBe([408, 429, 500, 502, 503, 504].includes(s));
      }),
      { numRuns: 500 },
    );
  });
});

describe("serverRetryHintMs", () => {
  const now = Date.UTC(2026, 0, 15, 12, 0, 0); // a whole second, so HTTP dates are exact

  test.each<[string, number]>([
    ["0", 0],
    ["1", 1000],
    ["3", 3000],
    ["120", 120_000],
    ["1.5", 1500],
    [" 2 ", 2000],
  ])("Retry-After %j seconds → %i ms", (h, ms) => {
    expect(serverRetryHintMs({ "retry-after": h }, undefined, now)).toBe(ms);
  });

  test("Retry-After as an HTTP date in the future → the time until then", () => {
    expect(serverRetryHintMs({ "retry-after": new Date(now + 5000).toUTCString() }, undefined, now)).toBe(5000);
    expect(serverRetryHintMs({ "retry-after": new Date(now + 61_000).toUTCString() }, undefined, now)).toBe(61_000);
  });

  test("Retry-After as an HTTP date in the past → 0, never negative", () => {
    expect(serverRetryHintMs({ "retry-after": new Date(now - 30_000).toUTCString() }, undefined, now)).toBe(0);
  });

  test.each<[string, number]>([
    ["Request was throttled. Expected available in 7 seconds.", 7000],
    ["Request was throttled. Expected available in 1 second.", 1000],
    ["Request was throttled. Expected available in 3 second(s).", 3000],
    ["Request was throttled. Expected available in 2.5 seconds.", 2500],
    ["request was throttled. EXPECTED AVAILABLE IN 4 SECONDS.", 4000],
  ])("Klaviyo detail %j → %i ms", (detail, ms) => {
    expect(serverRetryHintMs({}, klaviyoThrottle(detail), now, klaviyoRetryHintMs)).toBe(ms);
  });

  test("the header wins over the Klaviyo detail", () => {
    expect(serverRetryHintMs({ "retry-after": "2" }, klaviyoThrottle("Expected available in 30 seconds."), now, klaviyoRetryHintMs)).toBe(2000);
  });

  test("an unparseable header falls back to the body", () => {
    expect(serverRetryHintMs({ "retry-after": "soon" }, klaviyoThrottle("Expected available in 5 seconds."), now, klaviyoRetryHintMs)).toBe(5000);
    expect(serverRetryHintMs({ "retry-after": "   " }, klaviyoThrottle("Expected available in 5 seconds."), now, klaviyoRetryHintMs)).toBe(5000);
  });

  test.each<[string, Record<string, string>, unknown]>([
    ["no header, no body", {}, undefined],
    ["garbage header", { "retry-after": "soon" }, undefined],
    ["body without errors", {}, { message: "slow down" }],
    ["errors not a list", {}, { errors: "Expected available in 5 seconds." }],
    ["a detail that is not a throttle", {}, klaviyoThrottle("Incorrect authentication credentials.")],
    ["a text body", {}, "Expected available in 5 seconds."],
    ["null error entries", {}, { errors: [null, 3] }],
  ])("no hint: %s", (_n, headers, body) => {
    expect(serverRetryHintMs(headers, body, now, klaviyoRetryHintMs)).toBeUndefined();
  });

  test("the transport reads no service's body by itself: without the service's hook, Klaviyo's detail is no hint", () => {
    expect(serverRetryHintMs({}, klaviyoThrottle("Expected available in 7 seconds."), now)).toBeUndefined();
  });

  test("property: never throws and never returns a negative or non-finite value", () => {
    fc.assert(
      fc.property(fc.option(fc.string(), { nil: undefined }), fc.anything(), (h, body) => {
        const hint = serverRetryHintMs(h === undefined ? {} : { "retry-after": h }, body, now, klaviyoRetryHintMs);
        if (hint !== undefined) {
          expect(Number.isFinite(hint)).toBe(true);
          expect(hint).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe("retryDelayMs", () => {
  test("with a hint: the hint plus at most 10% jitter", () => {
    expect(retryDelayMs(1, 1000, DEFAULT_RETRY_OPTIONS, () => 0)).toBe(1000);
    expect(retryDelayMs(1, 1000, DEFAULT_RETRY_OPTIONS, () => 0.5)).toBe(1050);
    expect(retryDelayMs(3, 1000, DEFAULT_RETRY_OPTIONS, () => 0.999_999)).toBe(1100);
    expect(retryDelayMs(1, 0, DEFAULT_RETRY_OPTIONS, () => 0.7)).toBe(0);
  });

  test("without a hint: exponential from 200 ms, full jitter over the upper half, capped at 8 s", () => {
    const lo = (r: number) => retryDelayMs(r, undefined, DEFAULT_RETRY_OPTIONS, () => 0);
    const hi = (r: number) => retryDelayMs(r, undefined, DEFAULT_RETRY_OPTIONS, () => 1);
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(lo)).toEqual([100, 200, 400, 800, 1600, 3200, 4000, 4000]);
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(hi)).toEqual([200, 400, 800, 1600, 3200, 6400, 8000, 8000]);
    expect(hi(2000)).toBe(8000); // 2 ** 1999 is Infinity: still capped
  });

  test("property: bounds for any retry number, hint and random in [0, 1)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.option(fc.integer({ min: 0, max: 3_600_000 }), { nil: undefined }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 60_000 }),
        (retry, hint, r, base, max) => {
          const opts: RetryOptions = { ...DEFAULT_RETRY_OPTIONS, baseDelayMs: base, maxDelayMs: max };
          const d = retryDelayMs(retry, hint, opts, () => r);
          expect(Number.isFinite(d)).toBe(true);
          if (hint !== undefined) {
            expect(d).toBeGreaterThanOrEqual(hint);
            expect(d).toBeLessThanOrEqual(Math.round(hint * 1.1));
          } else {
            const ceiling = Math.min(max, base * 2 ** (retry - 1));
            expect(d).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
            expect(d).toBeLessThanOrEqual(Math.ceil(ceiling));
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  test("the default policy waits at most 3 s in total over its 4 retries without hints", () => {
    const total = [1, 2, 3, 4].reduce((s, r) => s + retryDelayMs(r, undefined, DEFAULT_RETRY_OPTIONS, () => 1), 0);
    expect(total).toBe(200 + 400 + 800 + 1600);
  });
});
