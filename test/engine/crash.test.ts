/**
 * Crash safety: the provider host is killed at each step of create and of
 * rotate — before the write, after Upstack committed but before the response
 * arrived, after the response — then `up` runs again. Exactly one
 * destination, the state converges, no manual step.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { ContractWatch } from "../support/contract-watch";
import { keyFingerprint } from "../../provider/fingerprint";
import { Engine, findSecrets, type EngineHooks } from "@upstack-klaviyo/engine-driver";

jest.setTimeout(120_000);

const PROGRAM = join(__dirname, "..", "..", "examples", "basic");
let emu: RunningEmulator;
const dirs: string[] = [];
const engines: Engine[] = [];

// Every Upstack request the provider sends, and every answer, including those of retried lost writes.
const contract = new ContractWatch();

beforeAll(async () => {
  emu = await startEmulator({ klaviyo: { rateLimits: false }, upstack: { observe: contract.observe } });
});
afterAll(async () => {
  await emu.close();
  contract.assertClean();
});
afterEach(async () => {
  emu.faults.clear();
  await Promise.all(engines.splice(0).map((e) => e.dispose()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function world() {
  const { account, key } = await emu.admin.createKlaviyoAccountWithKey({ name: "Crash Co" });
  const next = await emu.admin.createKlaviyoKey({ accountId: account.id });
  const pixelId = randomUUID();
  const upstack = await emu.admin.createUpstackKey({ pixelId });
  const dir = mkdtempSync(join(tmpdir(), "crash-"));
  dirs.push(dir);
  const make = (privateKey: string, hooks: EngineHooks = {}) => {
    const e = new Engine({
      programDir: PROGRAM,
      stateFile: join(dir, "state.json"),
      stack: "crash",
      env: { UPSTACK_KLAVIYO_QUIET: "1" },
      hooks,
      config: {
        upstackPixelId: pixelId,
        klaviyoPrivateKey: { secret: privateKey },
        "upstack:apiKey": { secret: upstack.apiKey },
        "upstack:apiUrl": emu.url,
        "upstack:klaviyoApiUrl": emu.url,
      },
    });
    engines.push(e);
    return e;
  };
  return { pixelId, key: key.key, next: next.key, secrets: [key.key, next.key, upstack.apiKey], make, dir };
}

type Moment = "before the write" | "after Upstack committed, before the response" | "after the response";
const MOMENTS: Moment[] = ["before the write", "after Upstack committed, before the response", "after the response"];

/** Hooks that kill the host at `moment` during `method`. */
function killAt(method: "Create" | "Update", moment: Moment): EngineHooks {
  if (moment === "before the write") {
    return {
      beforeCall: (ctx) => {
        if (ctx.method !== method) return;
        ctx.killHost("SIGKILL");
        throw new Error("host killed before the write");
      },
    };
  }
  if (moment === "after the response") {
    return {
      afterCall: (ctx) => {
        if (ctx.method !== method) return;
        ctx.killHost("SIGKILL");
        throw new Error("host killed after the response, before the engine recorded it");
      },
    };
  }
  return {
    beforeCall: (ctx) => {
      if (ctx.method !== method) return;
      // Upstack commits every PUT but its answer never arrives; once the first PUT has landed, kill the host
      // (the call is under way, so the run fails as the engine would see a crashed plugin).
      emu.faults.add({ service: "upstack", method: "PUT", times: 0, fault: { kind: "commit-then-reset" } });
      emu.clearRequests();
      const started = Date.now();
      const watch = setInterval(() => {
        const landed = emu.requests({ service: "upstack" }).some((r) => r.method === "PUT");
        if (landed || Date.now() - started > 10_000) {
          clearInterval(watch);
          ctx.killHost("SIGKILL");
          emu.faults.clear();
        }
      }, 2);
    },
  };
}

describe.each(MOMENTS)("host killed %s", (moment) => {
  test("during create: the next up converges on exactly one destination", async () => {
    const w = await world();
    const crashed = await w.make(w.key, killAt("Create", moment)).up();
    expect(crashed.ok).toBe(false);
    const committed = (await emu.admin.getDestination(w.pixelId)) !== null;
    expect(committed).toBe(moment !== "before the write");

    const again = await w.make(w.key).up();
    expect(again.ok).toBe(true);
    const dests = (await emu.admin.listDestinations()).filter((d) => d.pixelId === w.pixelId);
    expect(dests).toHaveLength(1);
    const state = w.make(w.key).readState();
    const res = state?.resources.find((r) => r.type.includes("UpstackKlaviyoDestination"));
    expect(res?.id).toBe(dests[0]!.id);
    expect(res?.outputs["keyFingerprint"]).toBe(keyFingerprint(w.key));
    expect(dests[0]!.keyFingerprint).toBe(keyFingerprint(w.key));
    expect((await w.make(w.key).up()).changeSummary.same).toBe(1);
    expect(findSecrets([{ file: join(w.dir, "state.json") }, crashed.hostOutput, again.hostOutput, ...crashed.errors, ...again.errors], w.secrets)).toEqual([]);
  });

  test("during rotate: the next up converges on the new key in place", async () => {
    const w = await world();
    expect((await w.make(w.key).up()).ok).toBe(true);
    const id = (await emu.admin.getDestination(w.pixelId))!.id;
    const crashed = await w.make(w.next, killAt("Update", moment)).up();
    expect(crashed.ok).toBe(false);
    const held = (await emu.admin.getDestination(w.pixelId))!.keyFingerprint;
    expect(held).toBe(keyFingerprint(moment === "before the write" ? w.key : w.next));

    const again = await w.make(w.next).up();
    expect(again.ok).toBe(true);
    const dests = (await emu.admin.listDestinations()).filter((d) => d.pixelId === w.pixelId);
    expect(dests).toHaveLength(1);
    expect(dests[0]).toMatchObject({ id, keyFingerprint: keyFingerprint(w.next) });
    const res = w
      .make(w.next)
      .readState()
      ?.resources.find((r) => r.type.includes("UpstackKlaviyoDestination"));
    expect(res?.outputs["keyFingerprint"]).toBe(keyFingerprint(w.next));
    expect((await w.make(w.next).up()).changeSummary.same).toBe(1);
  });
});
