import { RequestPacer } from "../../provider/klaviyo/request-pacer";
import { loadKlaviyoSpec } from "../../spec/klaviyo";

/** A virtual clock: sleeping advances it; nothing really waits. */
function clock() {
  let t = 1_000_000;
  const slept: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      slept.push(ms);
      t += ms;
    },
    slept,
    at: () => t,
  };
}

const spec = loadKlaviyoSpec();
const accounts = spec.byId("get_accounts").rateLimit;
const metrics = spec.byId("get_metrics").rateLimit;

test("the tiers come from Klaviyo's spec files", () => {
  expect(accounts).toEqual({ burstPerSecond: 1, perMinute: 15 });
  expect(spec.byId("get_api_keys_beta").rateLimit).toEqual({ burstPerSecond: 1, perMinute: 15 });
  expect(metrics).toEqual({ burstPerSecond: 10, perMinute: 150 });
  expect(spec.byId("get_profiles").rateLimit).toEqual({ burstPerSecond: 75, perMinute: 750 });
  expect(spec.byId("get_lists").rateLimit).toEqual({ burstPerSecond: 75, perMinute: 750 });
  expect(spec.byId("get_events").rateLimit).toEqual({ burstPerSecond: 350, perMinute: 3500 });
});

test("one account's accounts endpoint: 1 request per second, then 15 per minute", async () => {
  const c = clock();
  const pacer = new RequestPacer(true, c.sleep, c.now);
  const starts: number[] = [];
  await Promise.all(Array.from({ length: 17 }, () => pacer.run("AbC123", "get_accounts", accounts, async () => starts.push(c.at()))));
  const t0 = starts[0]!;
  expect(starts.slice(0, 15).map((s) => s - t0)).toEqual(Array.from({ length: 15 }, (_, i) => i * 1000));
  expect(starts[15]! - t0).toBe(60_000); // the 16th waits until the first leaves the minute
  expect(starts[16]! - t0).toBe(61_000);
});

test("metrics runs at its own tier, 10/s", async () => {
  const c = clock();
  const pacer = new RequestPacer(true, c.sleep, c.now);
  const m: number[] = [];
  await Promise.all(Array.from({ length: 5 }, () => pacer.run("AbC123", "get_metrics", metrics, async () => m.push(c.at()))));
  expect(m.map((s) => s - m[0]!)).toEqual([0, 100, 200, 300, 400]);
});

test("each endpoint of an account has its own lane: a metrics call does not wait behind the accounts lane", async () => {
  const c = clock();
  const pacer = new RequestPacer(true, c.sleep, c.now);
  await pacer.run("AbC123", "get_accounts", accounts, async () => 1);
  const t0 = c.at();
  let at = 0;
  await pacer.run("AbC123", "get_metrics", metrics, async () => (at = c.at()));
  expect(at).toBe(t0);
  expect(c.slept).toEqual([]);
});

test("different accounts do not wait for each other", async () => {
  const c = clock();
  const pacer = new RequestPacer(true, c.sleep, c.now);
  const starts: number[] = [];
  await Promise.all(["AAAAAA", "BBBBBB", "CCCCCC"].map((lane) => pacer.run(lane, "get_accounts", accounts, async () => starts.push(c.at()))));
  expect(c.slept).toEqual([]);
  expect(new Set(starts).size).toBe(1);
});

test("a call recorded after the fact (a key's first accounts request) makes the lane's next call wait", async () => {
  const c = clock();
  const pacer = new RequestPacer(true, c.sleep, c.now);
  pacer.record("AbC123", "get_accounts", accounts);
  const t0 = c.at();
  let at = 0;
  await pacer.run("AbC123", "get_accounts", accounts, async () => (at = c.at()));
  expect(at - t0).toBe(1000);
});

test("a failed call does not block its lane; pacing off does not wait", async () => {
  const c = clock();
  const pacer = new RequestPacer(true, c.sleep, c.now);
  await expect(pacer.run("AbC123", "get_accounts", accounts, async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
  await expect(pacer.run("AbC123", "get_accounts", accounts, async () => "next")).resolves.toBe("next");
  const off = new RequestPacer(false, c.sleep, c.now);
  const before = c.slept.length;
  await Promise.all(Array.from({ length: 5 }, () => off.run("AbC123", "get_accounts", accounts, async () => 1)));
  expect(c.slept.length).toBe(before);
});
