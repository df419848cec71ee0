// End-to-end scenarios: Pulumi programs (examples/basic and the scenario fixture) run through the
// engine test driver, which drives the real Node dynamic-provider host over gRPC, against the local
// emulator (Klaviyo + Upstack). Each scenario checks what the engine recorded (run result, state
// file) and what Upstack holds (the emulator's own destinations), and ends with a scan of every
// state file, host/program output and error message for every key it used.
import * as path from "node:path";
import type { ConfigValue, RunResult } from "@upstack-klaviyo/engine-driver";
import {
  BASIC_PROGRAM,
  SCENARIO_PROGRAM,
  Scenario,
  type World,
  dest,
  expectFailed,
  expectOk,
  keyFingerprint,
  keyHint,
  plain,
  stateCount,
  stateDest,
} from "./support";

jest.setTimeout(180_000); // each scenario takes 2–10 s idle; a CI machine under load has taken over 60 s

const BASIC_PROJECT = "upstack-klaviyo-basic";
const SCENARIO_PROJECT = "upstack-klaviyo-scenario";

const h = new Scenario();

beforeAll(async () => {
  await h.start();
});

afterAll(async () => {
  await h.close();
});

afterEach(async () => {
  try {
    // No Klaviyo private key or Upstack API key anywhere the engine or the host wrote.
    expect(h.leaks()).toEqual([]);
  } finally {
    await h.endTest();
  }
});

function basicConfig(w: World, privateKey = w.key.key, extra: Record<string, ConfigValue> = {}): Record<string, ConfigValue> {
  return {
    upstackPixelId: w.pixelId,
    klaviyoPublicApiKey: w.account.id,
    klaviyoPrivateKey: { secret: privateKey },
    "upstack:apiKey": { secret: w.upstack.apiKey },
    ...h.providerConfig(),
    ...extra,
  };
}

function basicEngine(dir: string, config: Record<string, ConfigValue>, stack = "dev", stateName = "state.json") {
  return h.engine({ programDir: BASIC_PROGRAM, stateFile: path.join(dir, stateName), stack, config });
}

/** Requests Klaviyo answered other than with a 429 (a rate-limit retry is not a second validation). */
function okCount(reqs: ReturnType<Scenario["takeRequests"]>, service: "klaviyo" | "upstack"): number {
  return reqs.filter((r) => r.service === service && r.status !== 429).length;
}

function count(reqs: ReturnType<Scenario["takeRequests"]>, service: "klaviyo" | "upstack", method?: string): number {
  return reqs.filter((r) => r.service === service && (method === undefined || r.method === method)).length;
}

async function destinationsOn(pixelId: string) {
  return (await h.emu.admin.listDestinations()).filter((d) => d.pixelId === pixelId);
}

function methods(run: RunResult): string[] {
  return run.calls.map((c) => c.method);
}

test("1. create: one healthy destination with the key's fingerprint; outputs hold the hint, never the key", async () => {
  const w = await h.world();
  const dir = h.tempDir();
  const engine = basicEngine(dir, basicConfig(w));
  h.takeRequests();

  const r = expectOk(await engine.up());
  const d = dest(r);
  expect(d.op).toBe("create");
  expect(r.changeSummary).toMatchObject({ create: 1, update: 0, replace: 0, delete: 0 });
  expect(methods(r)).toEqual(["Configure", "Check", "Create"]);
  const outs = plain(d.outputs);
  expect(outs["keyFingerprint"]).toBe(keyFingerprint(w.key.key));
  expect(outs["keyHint"]).toBe(keyHint(w.key.key));
  expect(outs["status"]).toBe("healthy");
  expect(outs["pixelId"]).toBe(w.pixelId);
  expect(outs["klaviyoAccountId"]).toBe(w.account.id);
  expect(outs["owner"]).toBe(`pulumi:${BASIC_PROJECT}/dev/klaviyo`);
  expect(outs["destinationId"]).toBe(d.id);
  expect(JSON.stringify(outs)).not.toContain(w.key.key);
  expect(plain(r.outputs)).toEqual({ destinationId: d.id, status: "healthy", keyHint: keyHint(w.key.key), klaviyoAccountId: w.account.id });

  // Cost as documented: check + create in one host process validate once.
  const reqs = h.takeRequests();
  expect(okCount(reqs, "klaviyo")).toBe(2);
  expect(count(reqs, "upstack")).toBe(1);
  expect(count(reqs, "upstack", "PUT")).toBe(1);

  // State: one resource, the key only as an encrypted secret input.
  const st = stateDest(engine)!;
  expect(stateCount(engine)).toBe(1);
  expect(st.id).toBe(d.id);
  expect(st.outputs["keyFingerprint"]).toBe(keyFingerprint(w.key.key));
  expect(engine.rawState()).toContain('"ciphertext"');
  expect(engine.readState()!.pending_operations).toEqual([]);

  // Upstack's record.
  const held = await destinationsOn(w.pixelId);
  expect(held).toHaveLength(1);
  expect(held[0]).toMatchObject({
    id: d.id,
    status: "healthy",
    enabled: true,
    label: "UpstackData",
    keyFingerprint: keyFingerprint(w.key.key),
    keyHint: keyHint(w.key.key),
    klaviyoAccountId: w.account.id,
    owner: `pulumi:${BASIC_PROJECT}/dev/klaviyo`,
  });
});

test("2. nothing changed: a second up and a preview make zero HTTP requests", async () => {
  const w = await h.world();
  const dir = h.tempDir();
  const engine = basicEngine(dir, basicConfig(w));
  const r1 = expectOk(await engine.up());
  const id = dest(r1).id;
  const before = await h.emu.admin.getDestination(w.pixelId);
  h.emu.clearRequests();

  const r2 = expectOk(await engine.up());
  expect(dest(r2).op).toBe("same");
  expect(r2.changeSummary).toMatchObject({ same: 1, create: 0, update: 0, replace: 0, delete: 0 });
  expect(methods(r2)).toEqual(["Configure", "Check", "Diff"]);
  expect(h.emu.requests()).toEqual([]);
  expect(stateDest(engine)!.id).toBe(id);

  const p = expectOk(await engine.preview());
  expect(dest(p).op).toBe("same");
  expect(methods(p)).toEqual(["Configure", "Check", "Diff"]);
  expect(h.emu.requests()).toEqual([]);

  // Upstack untouched.
  expect(await h.emu.admin.getDestination(w.pixelId)).toEqual(before);
});

test("3. rotation by a config change: validated, updated in place, same destination, new fingerprint", async () => {
  const w = await h.world();
  const dir = h.tempDir();
  const r1 = expectOk(await basicEngine(dir, basicConfig(w)).up());
  const id = dest(r1).id!;
  const rotated = await h.klaviyoKey(w.account.id);
  h.takeRequests();

  // `pulumi config set --secret klaviyoPrivateKey <new>`: a new engine over the same state.
  const engine = basicEngine(dir, basicConfig(w, rotated.key));
  const p = expectOk(await engine.preview());
  expect(dest(p).op).toBe("update");
  expect(dest(p).changes).toContain("privateApiKey");
  let reqs = h.takeRequests();
  expect(count(reqs, "upstack")).toBe(0); // preview validates the new key against Klaviyo only
  expect(okCount(reqs, "klaviyo")).toBe(2);
  expect((await h.emu.admin.getDestination(w.pixelId))!.keyFingerprint).toBe(keyFingerprint(w.key.key));

  const r2 = expectOk(await engine.up());
  const d = dest(r2);
  expect(d.op).toBe("update");
  // privateApiKey, and keyFingerprint (the provider-managed input check derives from the key)
  expect(d.changes).toContain("privateApiKey");
  expect(d.changes).not.toContain("pixelId");
  expect(d.replaces).toEqual([]);
  expect(r2.changeSummary).toMatchObject({ update: 1, replace: 0, create: 0, delete: 0 });
  expect(methods(r2)).not.toContain("Create");
  expect(methods(r2)).not.toContain("Delete");
  expect(d.id).toBe(id);
  const outs = plain(d.outputs);
  expect(outs["keyFingerprint"]).toBe(keyFingerprint(rotated.key));
  expect(outs["keyHint"]).toBe(keyHint(rotated.key));
  expect(outs["destinationId"]).toBe(id);
  expect(typeof outs["rotatedAt"]).toBe("string");
  reqs = h.takeRequests();
  expect(count(reqs, "upstack", "PUT")).toBe(1);
  expect(count(reqs, "upstack", "DELETE")).toBe(0);

  const st = stateDest(engine)!;
  expect(st.id).toBe(id);
  expect(st.outputs["keyFingerprint"]).toBe(keyFingerprint(rotated.key));
  expect(stateCount(engine)).toBe(1);

  const held = await destinationsOn(w.pixelId);
  expect(held).toHaveLength(1);
  expect(held[0]).toMatchObject({ id, keyFingerprint: keyFingerprint(rotated.key), keyHint: keyHint(rotated.key), status: "healthy" });
});

test("4. toggling enabled (scenario fixture): update in place, no Klaviyo request, Upstack follows", async () => {
  const w = await h.world();
  const dir = h.tempDir();
  const cfg = (enabled: boolean): Record<string, ConfigValue> => ({
    pixelId: w.pixelId,
    klaviyoPrivateKey: { secret: w.key.key },
    publicApiKey: w.account.id,
    label: "Scenario store",
    enabled: String(enabled),
    "upstack:apiKey": { secret: w.upstack.apiKey },
    ...h.providerConfig(),
  });
  const make = (enabled: boolean) => h.engine({ programDir: SCENARIO_PROGRAM, stateFile: path.join(dir, "state.json"), config: cfg(enabled) });

  const r1 = expectOk(await make(true).up());
  const id = dest(r1).id!;
  expect(plain(dest(r1).outputs)).toMatchObject({ enabled: true, status: "healthy", label: "Scenario store", owner: `pulumi:${SCENARIO_PROJECT}/dev/klaviyo` });
  expect(await h.emu.admin.getDestination(w.pixelId)).toMatchObject({ id, enabled: true, status: "healthy", label: "Scenario store" });
  h.takeRequests();

  const off = make(false);
  const r2 = expectOk(await off.up());
  expect(dest(r2).op).toBe("update");
  expect(dest(r2).changes).toEqual(["enabled"]);
  expect(dest(r2).id).toBe(id);
  expect(plain(dest(r2).outputs)).toMatchObject({ enabled: false, status: "disabled", destinationId: id });
  expect(plain(r2.outputs)).toMatchObject({ enabled: false, status: "disabled" });
  let reqs = h.takeRequests();
  expect(count(reqs, "klaviyo")).toBe(0);
  expect(count(reqs, "upstack")).toBe(1);
  expect(stateDest(off)!.outputs).toMatchObject({ enabled: false, status: "disabled" });
  let held = await destinationsOn(w.pixelId);
  expect(held).toHaveLength(1);
  expect(held[0]).toMatchObject({ id, enabled: false, status: "disabled", keyFingerprint: keyFingerprint(w.key.key) });

  const r3 = expectOk(await make(true).up());
  expect(dest(r3).op).toBe("update");
  expect(dest(r3).changes).toEqual(["enabled"]);
  expect(plain(dest(r3).outputs)).toMatchObject({ enabled: true, status: "healthy", destinationId: id });
  reqs = h.takeRequests();
  expect(count(reqs, "klaviyo")).toBe(0);
  expect(count(reqs, "upstack")).toBe(1);
  held = await destinationsOn(w.pixelId);
  expect(held).toHaveLength(1);
  expect(held[0]).toMatchObject({ id, enabled: true, status: "healthy" });
});

test("5. changing the pixel replaces create-before-delete: one destination, on the new pixel", async () => {
  const w = await h.world();
  const pixelB = (await h.world()).pixelId; // a second pixel (its own Upstack key below)
  const keyB = await h.upstackKey(pixelB);
  const dir = h.tempDir();
  const apiKeys = JSON.stringify({ [w.pixelId]: w.upstack.apiKey, [pixelB]: keyB.apiKey });
  const cfg = (pixelId: string): Record<string, ConfigValue> => ({
    upstackPixelId: pixelId,
    klaviyoPublicApiKey: w.account.id,
    klaviyoPrivateKey: { secret: w.key.key },
    "upstack:apiKeys": { secret: apiKeys },
    ...h.providerConfig(),
  });
  const r1 = expectOk(await basicEngine(dir, cfg(w.pixelId)).up());
  const oldId = dest(r1).id!;
  h.takeRequests();

  const engine = basicEngine(dir, cfg(pixelB));
  const p = expectOk(await engine.preview());
  expect(dest(p).op).toBe("replace");
  expect(dest(p).replaces).toEqual(["pixelId"]);
  expect(h.takeRequests().filter((r) => r.service === "upstack")).toEqual([]);

  const r2 = expectOk(await engine.up());
  const d = dest(r2);
  expect(d.op).toBe("replace");
  expect(d.replaces).toEqual(["pixelId"]);
  expect(r2.steps.map((s) => s.op)).toEqual(["create-replacement", "delete-replaced"]);
  expect(methods(r2)).toEqual(["Configure", "Check", "Diff", "Create", "Delete"]);
  expect(r2.changeSummary).toMatchObject({ replace: 1 });
  const newId = d.id!;
  expect(newId).not.toBe(oldId);
  expect(plain(d.outputs)).toMatchObject({ pixelId: pixelB, destinationId: newId, keyFingerprint: keyFingerprint(w.key.key), status: "healthy" });

  // Create before delete, each with its own pixel's key.
  const ups = h.takeRequests().filter((r) => r.service === "upstack");
  expect(ups.map((r) => `${r.method} ${r.status}`)).toEqual(["PUT 201", "DELETE 204"]);

  // State: just the new one.
  expect(stateCount(engine)).toBe(1);
  expect(stateDest(engine)).toMatchObject({ id: newId, outputs: { pixelId: pixelB } });

  // Upstack: exactly one, on the new pixel.
  expect(await h.emu.admin.getDestination(w.pixelId)).toBeNull();
  const held = [...(await destinationsOn(w.pixelId)), ...(await destinationsOn(pixelB))];
  expect(held).toHaveLength(1);
  expect(held[0]).toMatchObject({ id: newId, pixelId: pixelB, keyFingerprint: keyFingerprint(w.key.key), owner: `pulumi:${BASIC_PROJECT}/dev/klaviyo` });
});

test("6a. refresh after the destination was deleted out of band: it leaves the state", async () => {
  const w = await h.world();
  const dir = h.tempDir();
  const engine = basicEngine(dir, basicConfig(w));
  const r1 = expectOk(await engine.up());
  const id = dest(r1).id!;
  expect(await h.emu.admin.deleteDestination(w.pixelId)).toBe(true);
  h.takeRequests();

  const r = expectOk(await engine.refresh());
  expect(r.resources).toHaveLength(1);
  expect(r.resources[0]).toMatchObject({ id, op: "delete", drift: true });
  expect(methods(r)).toEqual(["Configure", "Read"]);
  const reqs = h.takeRequests();
  expect(reqs.map((x) => `${x.service} ${x.method} ${x.status}`)).toEqual(["upstack GET 404"]);
  expect(stateCount(engine)).toBe(0);
  expect(await destinationsOn(w.pixelId)).toEqual([]);
});

test("6b. refresh after the key was changed out of band records the server fingerprint; preview shows drift; up restores the key", async () => {
  const w = await h.world();
  const dir = h.tempDir();
  const engine = basicEngine(dir, basicConfig(w));
  const r1 = expectOk(await engine.up());
  const id = dest(r1).id!;
  const other = await h.klaviyoKey(w.account.id);
  await h.emu.admin.patchDestination(w.pixelId, { privateApiKey: other.key });
  expect((await h.emu.admin.getDestination(w.pixelId))!.keyFingerprint).toBe(keyFingerprint(other.key));
  h.takeRequests();

  const rr = expectOk(await engine.refresh());
  const rd = dest(rr);
  expect(rd.op).toBe("update");
  expect(rd.drift).toBe(true);
  expect(rd.id).toBe(id);
  expect(rd.changes).toContain("keyFingerprint");
  expect(plain(rd.outputs)["keyFingerprint"]).toBe(keyFingerprint(other.key));
  expect(plain(rd.outputs)["keyHint"]).toBe(keyHint(other.key));
  expect(stateDest(engine)!.outputs["keyFingerprint"]).toBe(keyFingerprint(other.key));
  let reqs = h.takeRequests();
  expect(reqs.map((x) => `${x.service} ${x.method}`)).toEqual(["upstack GET"]);

  const p = expectOk(await engine.preview());
  expect(dest(p).op).toBe("update");
  expect(dest(p).changes).toContain("privateApiKey");
  expect(dest(p).replaces).toEqual([]);
  reqs = h.takeRequests();
  expect(count(reqs, "upstack")).toBe(0);
  // Upstack still holds the other key after a preview.
  expect((await h.emu.admin.getDestination(w.pixelId))!.keyFingerprint).toBe(keyFingerprint(other.key));

  const r2 = expectOk(await engine.up());
  const d = dest(r2);
  expect(d.op).toBe("update");
  expect(d.id).toBe(id);
  expect(plain(d.outputs)["keyFingerprint"]).toBe(keyFingerprint(w.key.key));
  reqs = h.takeRequests();
  expect(count(reqs, "upstack", "PUT")).toBe(1);
  expect(stateDest(engine)!.outputs["keyFingerprint"]).toBe(keyFingerprint(w.key.key));
  const held = await destinationsOn(w.pixelId);
  expect(held).toHaveLength(1);
  expect(held[0]).toMatchObject({ id, keyFingerprint: keyFingerprint(w.key.key), status: "healthy" });
});

test("7. destroy: empty state, no destination left at Upstack", async () => {
  const w = await h.world();
  const dir = h.tempDir();
  const engine = basicEngine(dir, basicConfig(w));
  const r1 = expectOk(await engine.up());
  const id = dest(r1).id;
  h.takeRequests();

  const r = expectOk(await engine.destroy());
  expect(r.resources).toHaveLength(1);
  expect(r.resources[0]).toMatchObject({ op: "delete", id });
  expect(r.changeSummary).toMatchObject({ delete: 1 });
  expect(methods(r)).toEqual(["Configure", "Delete"]);
  expect(h.takeRequests().map((x) => `${x.service} ${x.method} ${x.status}`)).toEqual(["upstack DELETE 204"]);
  const st = engine.readState()!;
  expect(st.resources).toEqual([]);
  expect(st.pending_operations).toEqual([]);
  expect(st.outputs).toBeUndefined();
  expect(await h.emu.admin.getDestination(w.pixelId)).toBeNull();
  expect(await destinationsOn(w.pixelId)).toEqual([]);
});

test("8. a destination made in the dashboard: refused without adopt (nothing changes), taken over with adopt", async () => {
  const w = await h.world();
  const dashboardKey = await h.klaviyoKey(w.account.id);
  const pre = await h.emu.admin.putDestination(w.pixelId, { privateApiKey: dashboardKey.key, label: "Made in the dashboard", klaviyoAccountId: w.account.id });
  expect(pre.owner).toBeNull();
  const dir = h.tempDir();
  const cfg = (adopt: boolean | undefined): Record<string, ConfigValue> => ({
    pixelId: w.pixelId,
    klaviyoPrivateKey: { secret: w.key.key },
    publicApiKey: w.account.id,
    ...(adopt === undefined ? {} : { adopt: String(adopt) }),
    "upstack:apiKey": { secret: w.upstack.apiKey },
    ...h.providerConfig(),
  });
  const make = (adopt: boolean | undefined) => h.engine({ programDir: SCENARIO_PROGRAM, stateFile: path.join(dir, "state.json"), config: cfg(adopt) });

  // Without adopt: refused, with a message that says how to take it over.
  const refused = make(undefined);
  const r1 = expectFailed(await refused.up());
  const d1 = dest(r1);
  expect(d1.op).toBe("create");
  expect(d1.error).toContain("adopt: true");
  expect(d1.error).toContain("made in the Upstack dashboard");
  expect(r1.errors.join("\n")).toContain("adopt: true");
  expect(stateCount(refused)).toBe(0);
  expect(refused.readState()!.pending_operations).toEqual([]);
  expect(await h.emu.admin.getDestination(w.pixelId)).toEqual(pre);
  expect(await destinationsOn(w.pixelId)).toHaveLength(1);

  // With adopt: the same destination, now owned by the stack and holding the stack's key.
  const adopter = make(true);
  const r2 = expectOk(await adopter.up());
  const d2 = dest(r2);
  expect(d2.op).toBe("create");
  expect(d2.id).toBe(pre.id);
  expect(plain(d2.outputs)).toMatchObject({
    destinationId: pre.id,
    owner: `pulumi:${SCENARIO_PROJECT}/dev/klaviyo`,
    keyFingerprint: keyFingerprint(w.key.key),
    status: "healthy",
  });
  expect(stateDest(adopter)!.id).toBe(pre.id);
  const held = await destinationsOn(w.pixelId);
  expect(held).toHaveLength(1);
  expect(held[0]).toMatchObject({
    id: pre.id,
    owner: `pulumi:${SCENARIO_PROJECT}/dev/klaviyo`,
    keyFingerprint: keyFingerprint(w.key.key),
    label: "UpstackData",
  });

  // Owned now: destroy removes it.
  expectOk(await adopter.destroy());
  expect(await h.emu.admin.getDestination(w.pixelId)).toBeNull();
});

test("9a. preview with a revoked key fails in check naming privateApiKey; no Upstack request, nothing created", async () => {
  const w = await h.world();
  await h.emu.admin.revokeKlaviyoKey(w.key.id);
  const dir = h.tempDir();
  const engine = basicEngine(dir, basicConfig(w));
  const before = (await h.emu.admin.listDestinations()).length;
  h.takeRequests();

  const p = expectFailed(await engine.preview());
  expect(p.checkFailures).toHaveLength(1);
  expect(p.checkFailures[0]!.property).toBe("privateApiKey");
  expect(p.checkFailures[0]!.reason).toMatch(/Klaviyo rejected the key pk_\.\.\.\w{4}/);
  expect(p.checkFailures[0]!.reason).toContain(keyHint(w.key.key).slice(-4));
  expect(dest(p).error).toContain("check failed: privateApiKey");
  expect(methods(p)).toEqual(["Configure", "Check"]);
  const reqs = h.takeRequests();
  expect(count(reqs, "upstack")).toBe(0);
  expect(reqs.filter((x) => x.service === "klaviyo").map((x) => `${x.method} ${x.path} ${x.status}`)).toEqual(["GET /api/accounts/ 401"]);
  expect(stateCount(engine)).toBe(0);
  expect(await destinationsOn(w.pixelId)).toEqual([]);
  expect((await h.emu.admin.listDestinations()).length).toBe(before);
});

test("9b. preview with a key from another Klaviyo account fails in check naming publicApiKey; no Upstack request", async () => {
  const w = await h.world("Store A");
  const other = await h.world("Store B");
  const dir = h.tempDir();
  const engine = basicEngine(dir, basicConfig(w, w.key.key, { klaviyoPublicApiKey: other.account.id }));
  const before = (await h.emu.admin.listDestinations()).length;
  h.takeRequests();

  const p = expectFailed(await engine.preview());
  expect(p.checkFailures).toHaveLength(1);
  expect(p.checkFailures[0]!.property).toBe("publicApiKey");
  expect(p.checkFailures[0]!.reason).toContain(w.account.id);
  expect(p.checkFailures[0]!.reason).toContain(other.account.id);
  expect(dest(p).error).toContain("check failed: publicApiKey");
  const reqs = h.takeRequests();
  expect(count(reqs, "upstack")).toBe(0);
  expect(count(reqs, "klaviyo")).toBeGreaterThanOrEqual(1);
  expect(stateCount(engine)).toBe(0);
  expect(await destinationsOn(w.pixelId)).toEqual([]);
  expect((await h.emu.admin.listDestinations()).length).toBe(before);
});

test("10. two stacks claiming one pixel: the second up fails naming the first stack's owner; the first is untouched", async () => {
  const w = await h.world();
  const dir = h.tempDir();
  const a = basicEngine(dir, basicConfig(w), "a", "a.json");
  const b = basicEngine(dir, basicConfig(w), "b", "b.json");
  const ra = expectOk(await a.up());
  const idA = dest(ra).id!;
  const ownerA = `pulumi:${BASIC_PROJECT}/a/klaviyo`;
  expect(plain(dest(ra).outputs)["owner"]).toBe(ownerA);
  const heldA = await h.emu.admin.getDestination(w.pixelId);
  expect(heldA).toMatchObject({ id: idA, owner: ownerA });
  h.takeRequests();

  const rb = expectFailed(await b.up());
  const db = dest(rb);
  expect(db.op).toBe("create");
  expect(db.error).toContain(`managed by ${ownerA}`);
  expect(db.error).toContain("adopt: true");
  expect(rb.errors.join("\n")).toContain(ownerA);
  expect(
    h
      .takeRequests()
      .filter((x) => x.service === "upstack")
      .map((x) => `${x.method} ${x.status}`),
  ).toEqual(["PUT 409"]);
  expect(stateCount(b)).toBe(0);

  // Stack a and Upstack are untouched.
  expect(await h.emu.admin.getDestination(w.pixelId)).toEqual(heldA);
  expect(await destinationsOn(w.pixelId)).toHaveLength(1);
  expect(stateDest(a)!.id).toBe(idA);
  expect(stateDest(a)!.outputs["owner"]).toBe(ownerA);
});

test("11. a Klaviyo key disabled after it was registered: refresh shows it unhealthy, the next preview fails with the reason", async () => {
  const w = await h.world();
  const dir = h.tempDir();
  const engine = basicEngine(dir, basicConfig(w));
  expectOk(await engine.up());
  await h.emu.admin.setKlaviyoKeyDisabled(w.key.id, true);

  const rf = expectOk(await engine.refresh());
  expect(plain(dest(rf).outputs)).toMatchObject({ status: "unhealthy", statusReason: expect.stringMatching(/Klaviyo rejects the private key/) });
  expect((await h.emu.admin.getDestination(w.pixelId))?.status).toBe("unhealthy");

  h.takeRequests();
  const pv = expectFailed(await engine.preview());
  expect(pv.checkFailures).toEqual([
    expect.objectContaining({ property: "privateApiKey", reason: expect.stringMatching(/Klaviyo rejected the key pk_\.\.\.\w{4} \(HTTP 401/) }),
  ]);
  expect(count(h.takeRequests(), "upstack")).toBe(0);

  // Re-enabling the key (or rotating to a good one) clears it: the next up validates again and restores health.
  await h.emu.admin.setKlaviyoKeyDisabled(w.key.id, false);
  const up = expectOk(await engine.up());
  expect(plain(dest(up).outputs)["status"]).toBe("healthy");
});
