// Proves the engine driver against the real Node dynamic-provider host, with the fixture program
// test/fixtures/things (a self-contained dynamic provider keeping objects in $FIXTURE_DIR).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Engine, EngineOptions, UNKNOWN, RunResult, findSecrets, isSecret, pulumiCliAvailable, skipReasonWithoutPulumi } from "@upstack-klaviyo/engine-driver";

jest.setTimeout(120_000);

const FIXTURE = path.join(__dirname, "fixtures", "things");
const PASSWORD = "hunter2-correct-horse-battery";

interface Item {
  name: string;
  size?: number;
  zone?: string;
  dbr?: boolean;
  failCreate?: string;
  chain?: boolean;
  protect?: boolean;
  retainOnDelete?: boolean;
}

const engines: Engine[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.dispose()));
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function setup(items: Item[], extra: Partial<EngineOptions> = {}): { dir: string; make: (items: Item[]) => Engine; engine: Engine } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "engine-driver-"));
  dirs.push(dir);
  const make = (its: Item[]): Engine => {
    const e = new Engine({
      programDir: FIXTURE,
      stateFile: path.join(dir, "state.json"),
      stack: "test",
      config: { items: JSON.stringify(its), password: { secret: PASSWORD } },
      env: { FIXTURE_DIR: dir },
      hostTimeoutMs: 15000,
      programTimeoutMs: 30000,
      ...extra,
    });
    engines.push(e);
    return e;
  };
  return { dir, make, engine: make(items) };
}

function objects(dir: string): Record<string, Record<string, unknown>> {
  const f = path.join(dir, "objects.json");
  return fs.existsSync(f) ? (JSON.parse(fs.readFileSync(f, "utf8")) as Record<string, Record<string, unknown>>) : {};
}

function methods(r: RunResult): string[] {
  return r.calls.map((c) => c.method);
}

function ops(r: RunResult): Record<string, string> {
  return Object.fromEntries(r.resources.map((x) => [x.name, x.op]));
}

function expectOk(r: RunResult): void {
  if (!r.ok)
    throw new Error(
      `run failed: ${r.errors.join("\n")}\nsteps: ${JSON.stringify(r.steps.map((s) => [s.name, s.op, s.error]))}\nhost:\n${r.hostOutput}\nprogram:\n${r.programOutput}`,
    );
}

test("create, then a second up is a no-op; secrets encrypted in the state file", async () => {
  const { dir, engine } = setup([
    { name: "a", size: 1 },
    { name: "b", size: 2, chain: true },
  ]);
  const r1 = await engine.up();
  expectOk(r1);
  expect(ops(r1)).toEqual({ a: "create", b: "create" });
  expect(methods(r1).filter((m) => m === "Create")).toHaveLength(2);
  expect(methods(r1)[0]).toBe("Configure");
  expect(r1.hostOutput).toContain("fixture: created");
  const a = r1.resources.find((x) => x.name === "a")!;
  const b = r1.resources.find((x) => x.name === "b")!;
  expect(a.type).toBe("pulumi-nodejs:dynamic:Resource");
  expect(a.urn).toBe("urn:pulumi:test::engine-fixture-things::pulumi-nodejs:dynamic:Resource::a");
  expect(typeof a.inputs?.["__provider"]).toBe("string");
  expect(isSecret(a.inputs?.["password"])).toBe(true);
  expect(a.options?.additionalSecretOutputs).toEqual(["token"]);
  expect(b.options?.dependsOn).toEqual([a.urn]);
  // b's input came from a's real output (registration waits for the step, as with the engine)
  const objs = objects(dir);
  expect(Object.keys(objs).sort()).toEqual([a.id, b.id].sort());
  expect(objs[b.id!]!["upstream"]).toBe(a.id);
  expect(fs.readFileSync(path.join(dir, "calls.log"), "utf8")).toContain(`configure password=len${PASSWORD.length}`);

  // State: engine-shaped, secrets encrypted with the passphrase.
  const raw = engine.rawState();
  expect(findSecrets([raw], [PASSWORD])).toEqual([]);
  expect(findSecrets({ state: raw }, [`tok-${a.id}`])).toEqual([]);
  expect(raw).toContain('"ciphertext"');
  const st = engine.readState()!;
  expect(st.resources.map((x) => x.urn)).toEqual([a.urn, b.urn]);
  const sa = st.resources[0]!;
  expect(sa.id).toBe(a.id);
  expect(sa.inputs["password"]).toEqual({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: PASSWORD });
  expect(isSecret(sa.outputs["password"])).toBe(true); // same name as a secret input
  expect(isSecret(sa.outputs["token"])).toBe(true); // additionalSecretOutputs
  expect(sa.outputs["size"]).toBe(1);
  expect(sa.secretInputs).toEqual(["password"]);
  expect(sa.secretOutputs.sort()).toEqual(["password", "token"]);
  expect(st.pending_operations).toEqual([]);
  // the plaintext does show up where it should: in the decrypted state
  expect(findSecrets([JSON.stringify(st)], [PASSWORD]).length).toBeGreaterThan(0);
  expect(r1.outputs["objectIds"]).toEqual({ a: a.id, b: b.id });

  const r2 = await engine.up();
  expectOk(r2);
  expect(ops(r2)).toEqual({ a: "same", b: "same" });
  expect(methods(r2)).not.toContain("Create");
  expect(methods(r2)).not.toContain("Update");
  expect(methods(r2)).not.toContain("Delete");
  expect(r2.changeSummary).toMatchObject({ same: 2, create: 0, update: 0 });
});

test("preview calls only Check/Diff; update in place; replace create-before-delete and delete-before-replace", async () => {
  const { dir, make } = setup([{ name: "a", size: 1 }]);
  const r1 = await make([{ name: "a", size: 1 }]).up();
  expectOk(r1);
  const id1 = r1.resources[0]!.id!;
  const stateBefore = fs.readFileSync(path.join(dir, "state.json"), "utf8");

  const pv = await make([
    { name: "a", size: 5 },
    { name: "c", size: 1, chain: true },
  ]).preview();
  expectOk(pv);
  expect(ops(pv)).toEqual({ a: "update", c: "create" });
  expect([...new Set(methods(pv))].sort()).toEqual(["Check", "Configure", "Diff"]);
  expect(pv.resources.find((x) => x.name === "a")!.changes).toContain("size");
  // the chained input is not known in preview
  expect(pv.resources.find((x) => x.name === "c")!.inputs?.["upstream"]).toBe(UNKNOWN);
  expect(fs.readFileSync(path.join(dir, "state.json"), "utf8")).toBe(stateBefore);
  expect(Object.keys(objects(dir))).toEqual([id1]);

  const up2 = await make([{ name: "a", size: 5 }]).up();
  expectOk(up2);
  expect(ops(up2)).toEqual({ a: "update" });
  expect(methods(up2)).toContain("Update");
  expect(up2.resources[0]!.id).toBe(id1);
  expect(objects(dir)[id1]!["version"]).toBe(2);
  expect(objects(dir)[id1]!["size"]).toBe(5);

  const up3 = await make([{ name: "a", size: 5, zone: "b" }]).up();
  expectOk(up3);
  expect(ops(up3)).toEqual({ a: "replace" });
  const r3 = up3.resources[0]!;
  expect(r3.replaces).toEqual(["zone"]);
  expect(r3.deleteBeforeReplace).toBe(false);
  const m3 = methods(up3);
  expect(m3.indexOf("Create")).toBeLessThan(m3.indexOf("Delete"));
  expect(up3.steps.map((s) => s.op)).toEqual(["create-replacement", "delete-replaced"]);
  const id2 = r3.id!;
  expect(id2).not.toBe(id1);
  expect(Object.keys(objects(dir))).toEqual([id2]);
  expect(
    make([])
      .readState()!
      .resources.map((x) => x.id),
  ).toEqual([id2]);

  const up4 = await make([{ name: "a", size: 5, zone: "c", dbr: true }]).up();
  expectOk(up4);
  expect(ops(up4)).toEqual({ a: "replace" });
  expect(up4.resources[0]!.deleteBeforeReplace).toBe(true);
  const m4 = methods(up4);
  expect(m4.indexOf("Delete")).toBeLessThan(m4.indexOf("Create"));
  expect(Object.keys(objects(dir))).toEqual([up4.resources[0]!.id]);
});

test("refresh detects an out-of-band deletion; destroy deletes; protect blocks destroy", async () => {
  const { dir, make } = setup([]);
  const up = await make([{ name: "a" }, { name: "b", chain: true }, { name: "p", protect: true }]).up();
  expectOk(up);
  const ids = Object.fromEntries(up.resources.map((x) => [x.name, x.id!]));
  expect(up.resources.find((x) => x.name === "p")!.options?.protect).toBe(true);
  // remove "a" behind the engine's back, change "b"
  const objs = objects(dir);
  delete objs[ids["a"]!];
  objs[ids["b"]!]!["size"] = 42;
  fs.writeFileSync(path.join(dir, "objects.json"), JSON.stringify(objs));

  const rf = await make([]).refresh();
  expectOk(rf);
  expect(ops(rf)).toEqual({ a: "delete", b: "update", p: "same" });
  expect([...new Set(methods(rf))].sort()).toEqual(["Configure", "Read"]);
  const st = make([]).readState()!;
  expect(st.resources.map((x) => x.id)).toEqual([ids["b"], ids["p"]]);
  expect(st.resources[0]!.outputs["size"]).toBe(42);
  expect(st.resources[0]!.inputs["size"]).toBe(42); // read returned inputs
  expect(isSecret(st.resources[0]!.outputs["password"])).toBe(true);

  const d1 = await make([]).destroy();
  expect(d1.ok).toBe(false);
  expect(d1.errors.join("\n")).toMatch(/protected/);
  expect(methods(d1)).not.toContain("Delete");

  // unprotect by running the program without protect, then destroy
  expectOk(await make([{ name: "b", chain: true }, { name: "p" }]).up());
  const d2 = await make([]).destroy();
  expectOk(d2);
  expect(d2.resources.map((x) => [x.name, x.op])).toEqual([
    ["p", "delete"],
    ["b", "delete"],
  ]);
  expect(objects(dir)).toEqual({});
  expect(make([]).readState()!.resources).toEqual([]);
});

test("a check failure fails the run with the property and reason", async () => {
  const { dir, engine } = setup([{ name: "a", size: -3 }]);
  const r = await engine.up();
  expect(r.ok).toBe(false);
  expect(r.checkFailures).toEqual([{ urn: expect.stringContaining("::a") as unknown as string, property: "size", reason: "size must be >= 0" }]);
  expect(r.resources[0]!.checkFailures).toEqual([{ property: "size", reason: "size must be >= 0" }]);
  expect(r.errors.join("\n")).toContain("size: size must be >= 0");
  expect(methods(r)).not.toContain("Create");
  expect(objects(dir)).toEqual({});
  expect(engine.readState()?.resources ?? []).toEqual([]);
});

test("a partial create is recorded in state with its id, then finished by the next up", async () => {
  const { dir, make } = setup([]);
  const r = await make([{ name: "a", failCreate: "partial" }]).up();
  expect(r.ok).toBe(false);
  const a = r.resources[0]!;
  expect(a.op).toBe("create");
  expect(a.initErrors).toEqual(["health check failed"]);
  expect(a.error).toContain("object created but did not become healthy");
  const st = make([]).readState()!;
  expect(st.resources).toHaveLength(1);
  expect(st.resources[0]!.id).toBe(a.id);
  expect(st.resources[0]!.initErrors).toEqual(["health check failed"]);
  expect(st.resources[0]!.outputs["objectId"]).toBe(a.id);
  expect(Object.keys(objects(dir))).toEqual([a.id]);

  // Next up: the init errors force an Update even though nothing changed; a plain failure (no id)
  // leaves nothing in state.
  const r2 = await make([{ name: "a" }, { name: "z", failCreate: "error" }]).up();
  expect(r2.ok).toBe(false);
  expect(ops(r2)).toEqual({ a: "update", z: "create" });
  expect(r2.resources.find((x) => x.name === "z")!.error).toContain("create refused");
  expect(r2.resources.find((x) => x.name === "z")!.initErrors).toBeUndefined();
  const st2 = make([]).readState()!;
  expect(st2.resources.map((x) => x.id)).toEqual([a.id]);
  expect(st2.resources[0]!.initErrors).toBeUndefined();
});

test("hooks: killing the host mid-run fails the step; an aborted run leaves a pending operation", async () => {
  const { dir, make } = setup([]);
  const e1 = make([{ name: "a" }]);
  e1.hooks = {
    beforeCall: (ctx) => {
      if (ctx.method === "Create") ctx.killHost();
    },
  };
  const r1 = await e1.up();
  expect(r1.ok).toBe(false);
  expect(r1.hostExit?.signal).toBe("SIGKILL");
  expect(r1.calls.find((c) => c.method === "Create")!.ok).toBe(false);
  expect(objects(dir)).toEqual({});

  const e2 = make([{ name: "a" }]);
  e2.hooks = {
    afterCall: (ctx) => {
      if (ctx.method === "Create" && ctx.response) {
        ctx.killHost();
        throw new Error("simulated engine crash after Create");
      }
    },
  };
  const r2 = await e2.up();
  expect(r2.aborted).toBe(true);
  expect(r2.ok).toBe(false);
  expect(Object.keys(objects(dir))).toHaveLength(1); // created remotely, lost by the engine
  const st = make([]).readState()!;
  expect(st.resources).toEqual([]);
  expect(st.pending_operations.map((p) => [p.type, p.resource.urn])).toEqual([["creating", expect.stringContaining("::a")]]);

  const r3 = await make([{ name: "a" }]).up();
  expectOk(r3);
  expect(r3.pendingOperationsAtStart.map((p) => p.type)).toEqual(["creating"]);
  expect(ops(r3)).toEqual({ a: "create" });
  expect(make([]).readState()!.pending_operations).toEqual([]);
  expect(Object.keys(objects(dir))).toHaveLength(2);
});

test("findSecrets finds plain, JSON-escaped and base64 forms, in strings and files", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "engine-driver-fs-"));
  dirs.push(dir);
  const f = path.join(dir, "log.txt");
  fs.writeFileSync(f, `key=${Buffer.from('s3cr"et').toString("base64")}\n`);
  const occ = findSecrets(['{"k":"s3cr\\"et"}', "nothing here", { file: f }, { file: path.join(dir, "missing") }], ['s3cr"et', ""]);
  expect(occ.map((o) => o.where)).toEqual(["#0", f]);
  expect(occ[0]!.context).toContain("<SECRET>");
});

test("pulumiCliAvailable reports whether Automation API suites can run", () => {
  expect(typeof pulumiCliAvailable()).toBe("boolean");
  const reason = skipReasonWithoutPulumi();
  if (reason) console.log(`skipping Automation API checks: ${reason}`);
  expect(reason === undefined).toBe(pulumiCliAvailable());
});
