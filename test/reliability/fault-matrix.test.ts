/**
 * Every fault the emulator can inject × every request the provider makes,
 * through the handlers as the host calls them. A transient fault (once) must
 * be absorbed; a persistent one (every call) must end in a clear, coded error
 * within the deadline. Afterwards Upstack holds exactly the destinations
 * expected, with the key the outputs claim, and a re-run converges.
 */
import { setTimeout as delay } from "node:timers/promises";
import type { Fault, ServiceName } from "../../emulator/types";
import * as provider from "../../provider";
import { keyFingerprint } from "../../provider/fingerprint";
import { configureProvider, inputsFor, startWorld, type World } from "../support/world";
import { setEnv, since } from "./support";

const DEST = "/destinations/api/klaviyo";
const ATTEMPT_TIMEOUT_MS = 300;
const TRANSIENT_DEADLINE_MS = 5000;
const PERSISTENT_DEADLINE_MS = 800;
const MARGIN_MS = 700;
const SLOW_MS = 420; // latency above the attempt timeout

type Op = "create" | "update" | "read" | "delete";
interface Target {
  name: string;
  service: ServiceName;
  method: string;
  path: string;
  op: Op;
}
const TARGETS: Target[] = [
  { name: "klaviyo GET /api/accounts/ (create)", service: "klaviyo", method: "GET", path: "/api/accounts/", op: "create" },
  { name: "klaviyo GET /api/api-keys/ (create)", service: "klaviyo", method: "GET", path: "/api/api-keys/", op: "create" },
  { name: "upstack GET (read)", service: "upstack", method: "GET", path: DEST, op: "read" },
  { name: "upstack PUT (create)", service: "upstack", method: "PUT", path: DEST, op: "create" },
  { name: "upstack PUT (update: key rotation)", service: "upstack", method: "PUT", path: DEST, op: "update" },
  { name: "upstack DELETE (delete)", service: "upstack", method: "DELETE", path: DEST, op: "delete" },
];

type Outcome = { ok: true; attempts: number } | { ok: false; code: string };
interface FaultCase {
  name: string;
  fault: Fault;
  applies: (t: Target) => boolean;
  /** Whether a write reaches Upstack's state even though the client never sees the answer. */
  commits: boolean;
  transient: (t: Target) => Outcome;
  persistent: (t: Target) => Outcome;
}
const retried: Outcome = { ok: true, attempts: 2 };
const any = () => true;
const FAULTS: FaultCase[] = [
  {
    name: "429 + Retry-After 1",
    fault: { kind: "status", status: 429, retryAfter: 1 },
    applies: any,
    commits: false,
    transient: () => retried,
    persistent: () => ({ ok: false, code: "http_error" }),
  },
  {
    name: "429 without Retry-After",
    fault: { kind: "status", status: 429, retryAfter: null },
    applies: any,
    commits: false,
    transient: () => retried,
    persistent: () => ({ ok: false, code: "http_error" }),
  },
  {
    name: "500",
    fault: { kind: "status", status: 500 },
    applies: any,
    commits: false,
    transient: () => retried,
    persistent: () => ({ ok: false, code: "http_error" }),
  },
  {
    name: "502",
    fault: { kind: "status", status: 502 },
    applies: any,
    commits: false,
    transient: () => retried,
    persistent: () => ({ ok: false, code: "http_error" }),
  },
  {
    name: "503 without Retry-After",
    fault: { kind: "status", status: 503, retryAfter: null },
    applies: any,
    commits: false,
    transient: () => retried,
    persistent: () => ({ ok: false, code: "http_error" }),
  },
  {
    name: "reset",
    fault: { kind: "reset" },
    applies: any,
    commits: false,
    transient: () => retried,
    persistent: () => ({ ok: false, code: "http_connection" }),
  },
  { name: "hang", fault: { kind: "hang" }, applies: any, commits: false, transient: () => retried, persistent: () => ({ ok: false, code: "http_timeout" }) },
  {
    name: `latency ${SLOW_MS} ms (over the attempt timeout)`,
    fault: { kind: "latency", ms: SLOW_MS },
    applies: any,
    commits: true,
    transient: () => retried,
    persistent: () => ({ ok: false, code: "http_timeout" }),
  },
  {
    name: "latency 80 ms (under the timeout)",
    fault: { kind: "latency", ms: 80 },
    applies: any,
    commits: false,
    transient: () => ({ ok: true, attempts: 1 }),
    persistent: () => ({ ok: true, attempts: 1 }),
  },
  {
    name: "html403 (CDN challenge)",
    fault: { kind: "html403" },
    applies: (t) => t.service === "klaviyo",
    commits: false,
    transient: () => ({ ok: false, code: "klaviyo_inconclusive" }),
    persistent: () => ({ ok: false, code: "klaviyo_inconclusive" }),
  },
  {
    name: "commit-then-reset",
    fault: { kind: "commit-then-reset" },
    applies: (t) => t.service === "upstack" && t.method !== "GET",
    commits: true,
    transient: () => retried,
    persistent: () => ({ ok: false, code: "http_connection" }),
  },
];

interface Row {
  target: Target;
  fc: FaultCase;
  times: 0 | 1;
}
const ROWS: [string, Row][] = [];
for (const target of TARGETS) {
  for (const fc of FAULTS) {
    if (!fc.applies(target)) continue;
    for (const times of [1, 0] as const) ROWS.push([`${target.name} × ${fc.name} × ${times === 1 ? "transient" : "persistent"}`, { target, fc, times }]);
  }
}

let world: World;
let restoreEnv: () => void = () => undefined;
beforeEach(async () => {
  restoreEnv = setEnv({ UPSTACK_KLAVIYO_QUIET: "1", UPSTACK_KLAVIYO_TIMEOUT_MS: undefined, UPSTACK_KLAVIYO_DEADLINE_MS: undefined });
  world = await startWorld();
});
afterEach(async () => {
  world.emu.faults.clear();
  await world.close();
  restoreEnv();
  await configureProvider({});
});

/** A fresh provider process with these timeouts (the context reads the environment when rebuilt). */
async function freshProcess(deadlineMs: number, attemptTimeoutMs: number = ATTEMPT_TIMEOUT_MS): Promise<void> {
  process.env["UPSTACK_KLAVIYO_TIMEOUT_MS"] = String(attemptTimeoutMs);
  process.env["UPSTACK_KLAVIYO_DEADLINE_MS"] = String(deadlineMs);
  await configureProvider(world.config);
}

const OWNER = "pulumi:proj/dev/klaviyo";

test("the matrix covers every request × every fault that applies to it", () => {
  expect(ROWS.length).toBe(2 * (10 + 10 + 9 + 10 + 10 + 10));
});

test.each(ROWS)("%s", async (_name, { target, fc, times }) => {
  const pixel = world.pixelId;
  const keyA = world.key.key;
  const fpA = keyFingerprint(keyA);
  const inputsA = inputsFor(world, { enabled: true, label: "UpstackData", adopt: false });

  // Set up what the operation needs, without faults.
  await freshProcess(TRANSIENT_DEADLINE_MS);
  let existing: { id: string; outs: Record<string, unknown> } | undefined;
  let keyB: string | undefined;
  if (target.op !== "create") {
    const res = await provider.create(inputsA);
    existing = { id: res.id, outs: res.outs as Record<string, unknown> };
  }
  if (target.op === "update") keyB = world.remember((await world.emu.admin.createKlaviyoKey({ accountId: world.account.id })).key);
  const inputsB = keyB === undefined ? inputsA : { ...inputsA, privateApiKey: keyB };

  const run = async (): Promise<Record<string, unknown> | void> => {
    switch (target.op) {
      case "create":
        return (await provider.create(inputsA)) as unknown as Record<string, unknown>;
      case "update":
        return (await provider.update(existing!.id, existing!.outs, inputsB)) as unknown as Record<string, unknown>;
      case "read":
        return (await provider.read(existing!.id, existing!.outs)) as unknown as Record<string, unknown>;
      case "delete":
        return provider.delete(existing!.id, existing!.outs);
    }
  };

  // The operation under the fault, in a fresh process (empty validation cache).
  const deadline = times === 1 ? TRANSIENT_DEADLINE_MS : PERSISTENT_DEADLINE_MS;
  await freshProcess(deadline);
  world.emu.clearRequests();
  world.emu.faults.add({ service: target.service, method: target.method, path: target.path, times, fault: fc.fault });
  const expected = times === 1 ? fc.transient(target) : fc.persistent(target);
  const start = Date.now();
  let result: Record<string, unknown> | void = undefined;
  let error: (Error & { code?: string }) | undefined;
  try {
    result = await run();
  } catch (e) {
    error = e as Error & { code?: string };
  }
  const elapsed = since(start);
  const attempts = world.emu.requests().filter((r) => r.service === target.service && r.method === target.method && r.path === target.path).length;

  if (expected.ok) {
    if (error !== undefined) throw new Error(`expected success, got ${error.code ?? ""}: ${error.message}`);
    expect(attempts).toBe(expected.attempts);
  } else {
    expect(error).toBeDefined();
    // A Klaviyo request that cannot be answered makes the key's validation inconclusive (klaviyo_inconclusive,
    // with the transport's http_* error as its cause); Upstack requests surface the transport's code.
    expect(error!.code).toBe(
      target.service === "klaviyo" && expected.code !== undefined && expected.code.startsWith("http_") ? "klaviyo_inconclusive" : expected.code,
    );
    if (target.service === "klaviyo" && expected.code?.startsWith("http_"))
      expect((error as Error & { cause?: { code?: string } }).cause?.code).toBe(expected.code);
    expect(error!.message.length).toBeGreaterThan(20);
    if (target.service === "klaviyo" && expected.code?.startsWith("http_")) expect(error!.message).not.toMatch(/lacks|missing scope|not a Full Access/);
  }
  expect(elapsed).toBeLessThan(deadline + MARGIN_MS);
  // A failed Klaviyo validation writes nothing.
  if (target.service === "klaviyo" && error !== undefined) expect(world.emu.requests({ service: "upstack" })).toHaveLength(0);

  world.emu.faults.clear();
  // Requests the client gave up on may still be handled late (latency): let them land.
  if (fc.fault.kind === "latency" && fc.commits && target.service === "upstack" && target.method !== "GET") await delay(fc.fault.ms + 100);

  const committed = error === undefined || (fc.commits && target.service === "upstack");
  const dests = await world.emu.admin.listDestinations();
  const dest = await world.emu.admin.getDestination(pixel);
  switch (target.op) {
    case "create":
      if (committed) {
        expect(dests).toHaveLength(1);
        expect(dest).toMatchObject({ owner: OWNER, keyFingerprint: fpA });
        if (error === undefined)
          expect((result as { outs: Record<string, unknown> }).outs).toMatchObject({ keyFingerprint: dest!.keyFingerprint, destinationId: dest!.id });
      } else expect(dests).toHaveLength(0);
      break;
    case "update":
      expect(dests).toHaveLength(1);
      expect(dest).toMatchObject({ id: existing!.id, owner: OWNER, keyFingerprint: committed ? keyFingerprint(keyB!) : fpA });
      if (error === undefined)
        expect((result as { outs: Record<string, unknown> }).outs).toMatchObject({ keyFingerprint: dest!.keyFingerprint, destinationId: existing!.id });
      break;
    case "read":
      expect(dests).toHaveLength(1);
      expect(dest).toMatchObject({ id: existing!.id, keyFingerprint: fpA });
      if (error === undefined) expect(result).toMatchObject({ id: existing!.id, props: { keyFingerprint: dest!.keyFingerprint } });
      break;
    case "delete":
      expect(dests).toHaveLength(committed ? 0 : 1);
      if (!committed) expect(dest).toMatchObject({ id: existing!.id, keyFingerprint: fpA });
      break;
  }

  // Running the same operation again once the fault is gone converges (as `pulumi up` would).
  if (error !== undefined) {
    await freshProcess(TRANSIENT_DEADLINE_MS);
    const again = await run();
    const finalDests = await world.emu.admin.listDestinations();
    const final = await world.emu.admin.getDestination(pixel);
    if (target.op === "delete") expect(finalDests).toHaveLength(0);
    else {
      expect(finalDests).toHaveLength(1);
      const wantFp = target.op === "update" ? keyFingerprint(keyB!) : fpA;
      expect(final).toMatchObject({ owner: OWNER, keyFingerprint: wantFp });
      if (existing !== undefined) expect(final!.id).toBe(existing.id);
      if (target.op === "read") expect(again).toMatchObject({ id: existing!.id, props: { keyFingerprint: wantFp } });
      else expect((again as { outs: Record<string, unknown> }).outs).toMatchObject({ keyFingerprint: wantFp, destinationId: final!.id });
    }
  }
});

describe("the same faults through check (preview)", () => {
  test.each<[string, Fault]>([
    ["html403", { kind: "html403" }],
    ["persistent 500", { kind: "status", status: 500 }],
    ["persistent hang", { kind: "hang" }],
  ])("%s on GET /api/accounts/ → a privateApiKey failure that does not blame the key's scopes", async (_n, fault) => {
    await freshProcess(PERSISTENT_DEADLINE_MS);
    world.emu.faults.add({ service: "klaviyo", path: "/api/accounts/", times: 0, fault });
    const start = Date.now();
    const res = await provider.check({}, inputsFor(world));
    expect(since(start)).toBeLessThan(PERSISTENT_DEADLINE_MS + MARGIN_MS);
    expect(res.failures).toEqual([{ property: "privateApiKey", reason: expect.any(String) }]);
    expect(res.failures![0]!.reason).not.toMatch(/lacks|missing scope|not a Full Access|rejected the key/);
  });

  // Regression: transport errors used to reach check's failures raw ("klaviyo answered GET ..."); the key
  // validator now reports them as klaviyo_inconclusive about privateApiKey, like every other failure.
  test('a Klaviyo outage in check is phrased like every failure: it starts with "privateApiKey"', async () => {
    // Timing is not under test here: generous limits, so a loaded machine still sees the 500 (a 300 ms
    // first attempt once timed out on CI and the message named the timeout instead).
    await freshProcess(TRANSIENT_DEADLINE_MS, 2000);
    world.emu.faults.add({ service: "klaviyo", path: "/api/accounts/", times: 0, fault: { kind: "status", status: 500 } });
    const res = await provider.check({}, inputsFor(world));
    expect(res.failures?.[0]?.reason.startsWith("privateApiKey")).toBe(true);
    expect(res.failures?.[0]?.reason).toMatch(/could not validate the key pk_\.\.\.\w{4}: klaviyo answered GET \/api\/accounts\/ with HTTP 500/);
  });
});
