import { KLAVIYO_DEFAULT_RATE_LIMITS, startEmulator, type RunningEmulator } from "../../emulator";
import { klaviyoSpecRateLimits } from "../../emulator/rate-limit";
import { loadKlaviyoSpec } from "../../spec/klaviyo";
import { call, expectJsonApiError, klaviyoGet, upstackHeaders, DESTINATION_PATH } from "./helpers";

const running: RunningEmulator[] = [];
async function emulator(opts: Parameters<typeof startEmulator>[0]): Promise<RunningEmulator> {
  const e = await startEmulator(opts);
  running.push(e);
  return e;
}
afterAll(async () => {
  await Promise.all(running.map((e) => e.close()));
});

describe("Klaviyo rate limits", () => {
  it("the spec's tiers are the defaults", () => {
    expect(KLAVIYO_DEFAULT_RATE_LIMITS).toEqual(klaviyoSpecRateLimits(loadKlaviyoSpec()));
    expect(KLAVIYO_DEFAULT_RATE_LIMITS["get_api_keys_beta"]).toEqual({ burstPerSecond: 1, perMinute: 15 });
    expect(KLAVIYO_DEFAULT_RATE_LIMITS["get_events"]).toEqual({ burstPerSecond: 350, perMinute: 3500 });
  });

  it("spec tiers: two quick calls to /api/accounts/ (1/s) → the second is 429 throttled", async () => {
    const emu = await emulator({});
    const { key } = await emu.admin.createKlaviyoAccountWithKey();
    const first = await klaviyoGet(emu, "/api/accounts/", key.key);
    expect(first.status).toBe(200);
    expect(first.headers["ratelimit-limit"]).toBe("15");
    expect(first.headers["ratelimit-remaining"]).toBe("14");
    expect(Number(first.headers["ratelimit-reset"])).toBeGreaterThanOrEqual(0);
    const second = await klaviyoGet(emu, "/api/accounts/", key.key);
    expectJsonApiError(second, 429, "throttled", "Request was throttled. Expected available in 1 second.");
    expect(second.json.errors[0].title).toBe("Request was throttled.");
    expect(second.headers["retry-after"]).toBe("1");
    expect(second.headers["ratelimit-limit"]).toBeUndefined();
  });

  it("limits are per Klaviyo account, shared by its keys", async () => {
    const emu = await emulator({});
    const a = await emu.admin.createKlaviyoAccountWithKey();
    const second = await emu.admin.createKlaviyoKey({ accountId: a.account.id });
    const b = await emu.admin.createKlaviyoAccountWithKey();
    expect((await klaviyoGet(emu, "/api/accounts/", a.key.key)).status).toBe(200);
    expect((await klaviyoGet(emu, "/api/accounts/", second.key)).status).toBe(429);
    expect((await klaviyoGet(emu, "/api/accounts/", b.key.key)).status).toBe(200);
  });

  it("the steady per-minute window, with small configured limits, gives a multi-second wait", async () => {
    const emu = await emulator({ klaviyo: { rateLimits: { get_metrics: { burstPerSecond: 100, perMinute: 3 } } } });
    const { key } = await emu.admin.createKlaviyoAccountWithKey();
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 5; i++) {
      last = await klaviyoGet(emu, "/api/metrics/", key.key);
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const wait = Number(last!.headers["retry-after"]);
    expect(wait).toBeGreaterThan(50);
    expect(wait).toBeLessThanOrEqual(60);
    expect(last!.json.errors[0].detail).toBe(`Request was throttled. Expected available in ${wait} seconds.`);
    // The accounts endpoint keeps its spec tier while metrics is overridden.
    expect((await klaviyoGet(emu, "/api/accounts/", key.key)).status).toBe(200);
    expect((await klaviyoGet(emu, "/api/accounts/", key.key)).status).toBe(429);
  });

  it("burst window recovers after a second", async () => {
    const emu = await emulator({ klaviyo: { rateLimits: { get_accounts: { burstPerSecond: 2, perMinute: 100 } } } });
    const { key } = await emu.admin.createKlaviyoAccountWithKey();
    const s = [];
    for (let i = 0; i < 3; i++) s.push((await klaviyoGet(emu, "/api/accounts/", key.key)).status);
    expect(s).toEqual([200, 200, 429]);
    await new Promise((r) => setTimeout(r, 1050));
    expect((await klaviyoGet(emu, "/api/accounts/", key.key)).status).toBe(200);
  });

  it("retryAfterHeader: false omits Retry-After but keeps the detail", async () => {
    const emu = await emulator({ klaviyo: { retryAfterHeader: false } });
    const { key } = await emu.admin.createKlaviyoAccountWithKey();
    await klaviyoGet(emu, "/api/accounts/", key.key);
    const res = await klaviyoGet(emu, "/api/accounts/", key.key);
    expectJsonApiError(res, 429, "throttled", /Expected available in \d+ seconds?\./);
    expect(res.headers["retry-after"]).toBeUndefined();
  });

  it("rateLimits: false disables limiting (and the RateLimit headers)", async () => {
    const emu = await emulator({ klaviyo: { rateLimits: false } });
    const { key } = await emu.admin.createKlaviyoAccountWithKey();
    for (let i = 0; i < 20; i++) {
      const res = await klaviyoGet(emu, "/api/accounts/", key.key);
      expect(res.status).toBe(200);
      expect(res.headers["ratelimit-limit"]).toBeUndefined();
    }
  });
});

describe("Upstack rate limit", () => {
  it("429 {message} with Retry-After per API key; other keys unaffected", async () => {
    const emu = await emulator({ upstack: { rateLimitPerMinute: 3 } });
    const k1 = await emu.admin.createUpstackKey();
    const k2 = await emu.admin.createUpstackKey();
    const statuses = [];
    let last;
    for (let i = 0; i < 4; i++) {
      last = await call(`${emu.url}${DESTINATION_PATH}`, { headers: upstackHeaders(k1.apiKey, k1.pixelId) });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([404, 404, 404, 429]);
    expect(typeof last!.json.message).toBe("string");
    expect(Number(last!.headers["retry-after"])).toBeGreaterThan(0);
    expect((await call(`${emu.url}${DESTINATION_PATH}`, { headers: upstackHeaders(k2.apiKey, k2.pixelId) })).status).toBe(404);
  });

  it("defaults to 600 per minute", async () => {
    const emu = await emulator({});
    const k = await emu.admin.createUpstackKey();
    const results = await Promise.all(
      Array.from({ length: 601 }, () => call(`${emu.url}${DESTINATION_PATH}`, { headers: upstackHeaders(k.apiKey, k.pixelId) })),
    );
    const counts = results.reduce<Record<number, number>>((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {});
    expect(counts).toEqual({ 404: 600, 429: 1 });
  });
});
