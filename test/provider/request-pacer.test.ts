import { RequestPacer, UNDECLARED_LANE } from "../../provider/klaviyo/request-pacer";

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

test("one declared account: 1 request per second, then 15 per minute", async () => {
  const c = clock();
  const pacer = new RequestPacer(1000, c.sleep, c.now);
  const starts: number[] = [];
  await Promise.all(Array.from({ length: 17 }, () => pacer.run("AbC123", async () => starts.push(c.at()))));
  const t0 = starts[0]!;
  expect(starts.slice(0, 15).map((s) => s - t0)).toEqual(Array.from({ length: 15 }, (_, i) => i * 1000));
  expect(starts[15]! - t0).toBe(60_000); // the 16th waits until the first leaves the minute
  expect(starts[16]! - t0).toBe(61_000);
});

test("different declared accounts do not wait for each other", async () => {
  const c = clock();
  const pacer = new RequestPacer(1000, c.sleep, c.now);
  const starts: number[] = [];
  await Promise.all(["AAAAAA", "BBBBBB", "CCCCCC"].map((lane) => pacer.run(lane, async () => starts.push(c.at()))));
  expect(c.slept).toEqual([]);
  expect(new Set(starts).size).toBe(1);
});

test("undeclared keys share one lane at 1/s without the per-minute cap", async () => {
  const c = clock();
  const pacer = new RequestPacer(1000, c.sleep, c.now);
  const starts: number[] = [];
  await Promise.all(Array.from({ length: 20 }, () => pacer.run(UNDECLARED_LANE, async () => starts.push(c.at()))));
  expect(starts[19]! - starts[0]!).toBe(19_000);
});

test("a failed call does not block its lane; pacing 0 turns it off", async () => {
  const c = clock();
  const pacer = new RequestPacer(1000, c.sleep, c.now);
  await expect(pacer.run("AbC123", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
  await expect(pacer.run("AbC123", async () => "next")).resolves.toBe("next");
  const off = new RequestPacer(0, c.sleep, c.now);
  const before = c.slept.length;
  await Promise.all(Array.from({ length: 5 }, () => off.run("AbC123", async () => 1)));
  expect(c.slept.length).toBe(before);
});
