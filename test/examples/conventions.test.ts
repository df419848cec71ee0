// Pulumi resource-option conventions (protect, retainOnDelete, ignoreChanges, dependsOn, aliases)
// and the plain-string key warning, through the engine test driver against the emulator, with the
// small fixture programs in ./fixtures.
import * as path from "node:path";
import { findSecrets, isSecret, type CallContext } from "@upstack-klaviyo/engine-driver";
import { FIXTURES_DIR, Harness, createOrder, plain, stateDestinations, type Store } from "./helpers";

const PROGRAM = path.join(FIXTURES_DIR, "conventions");
const PROJECT = "upstack-klaviyo-conventions";

const h = new Harness();
beforeAll(() => h.start());
afterAll(() => h.close());

function baseConfig(s: Store, extra: Record<string, string> = {}) {
  return { pixelId: s.pixelId, klaviyoPrivateKey: { secret: s.key.key }, "upstack:apiKey": { secret: s.upstack.apiKey }, ...extra };
}

test("protect: true -> destroy refuses; the destination stays at Upstack and in the state", async () => {
  const s = await h.world("Protected Co");
  const stateFile = path.join(h.tempDir(), "state.json");
  const up = await h.run(h.engine(PROGRAM, stateFile, baseConfig(s, { protect: "true" })), "up");
  const id = plain(up.outputs)["destinationId"];
  expect(stateDestinations(h.engine(PROGRAM, stateFile, {}))[0]!.protect).toBe(true);

  h.emu.clearRequests();
  const down = await h.run(h.engine(PROGRAM, stateFile, baseConfig(s, { protect: "true" })), "destroy", false);
  expect(down.ok).toBe(false);
  expect(down.errors.join("\n")).toMatch(/protected/);
  expect(down.calls.filter((c) => c.method === "Delete")).toEqual([]);
  expect(h.emu.requests({ service: "upstack" })).toEqual([]);
  expect((await h.emu.admin.getDestination(s.pixelId))?.id).toBe(id);
  expect(stateDestinations(h.engine(PROGRAM, stateFile, {})).map((r) => r.id)).toEqual([id]);
});

test("retainOnDelete: true -> destroy removes it from the state only; the destination stays at Upstack", async () => {
  const s = await h.world("Retained Co");
  const stateFile = path.join(h.tempDir(), "state.json");
  const up = await h.run(h.engine(PROGRAM, stateFile, baseConfig(s, { retainOnDelete: "true" })), "up");
  const id = plain(up.outputs)["destinationId"];

  h.emu.clearRequests();
  const down = await h.run(h.engine(PROGRAM, stateFile, baseConfig(s, { retainOnDelete: "true" })), "destroy");
  expect(down.resources.find((r) => r.custom)?.retained).toBe(true);
  expect(down.calls.filter((c) => c.method === "Delete")).toEqual([]);
  expect(h.emu.requests({ service: "upstack" })).toEqual([]);
  expect(stateDestinations(h.engine(PROGRAM, stateFile, {}))).toEqual([]);
  const held = await h.emu.admin.getDestination(s.pixelId);
  expect(held?.id).toBe(id);
  expect(held?.owner).toBe(`pulumi:${PROJECT}/dev/klaviyo`);
});

test('ignoreChanges: ["label"] -> changing the label in config does nothing (zero requests)', async () => {
  const s = await h.world("Ignoring Co");
  const stateFile = path.join(h.tempDir(), "state.json");
  await h.run(h.engine(PROGRAM, stateFile, baseConfig(s, { ignoreLabel: "true", label: "First label" })), "up");

  h.emu.clearRequests();
  const up = await h.run(h.engine(PROGRAM, stateFile, baseConfig(s, { ignoreLabel: "true", label: "Second label" })), "up");
  expect(up.resources.find((r) => r.custom)?.op).toBe("same");
  expect(up.calls.filter((c) => c.method === "Update" || c.method === "Create")).toEqual([]);
  expect(h.emu.requests()).toEqual([]);
  expect((await h.emu.admin.getDestination(s.pixelId))?.label).toBe("First label");
  expect(plain(stateDestinations(h.engine(PROGRAM, stateFile, {}))[0]!.outputs)["label"]).toBe("First label");

  // Control: without ignoreChanges the same config change is an update (one Upstack PUT).
  const control = await h.run(h.engine(PROGRAM, stateFile, baseConfig(s, { label: "Second label" })), "up");
  expect(control.resources.find((r) => r.custom)?.op).toBe("update");
  expect(h.emu.requests().map((r) => `${r.service} ${r.method}`)).toEqual(["upstack PUT"]);
  expect((await h.emu.admin.getDestination(s.pixelId))?.label).toBe("Second label");
});

test("dependsOn another destination -> that one is created first, even though it is declared second", async () => {
  const a = await h.world("Dependent Co");
  const b = await h.world("Dependency Co");
  const stateFile = path.join(h.tempDir(), "state.json");
  const engine = h.engine(PROGRAM, stateFile, {
    pixelId: a.pixelId,
    klaviyoPrivateKey: { secret: a.key.key },
    otherPixelId: b.pixelId,
    otherKlaviyoPrivateKey: { secret: b.key.key },
    ...h.apiKeysConfig([a, b]),
  });
  const events: string[] = [];
  const tag = (when: string, ctx: CallContext) => {
    if (ctx.method === "Create") events.push(`${when} ${(ctx.urn ?? "").split("::").pop()}`);
  };
  engine.hooks = { beforeCall: (ctx) => tag("start", ctx), afterCall: (ctx) => tag("end", ctx) };
  const up = await h.run(engine, "up");
  expect(createOrder(up)).toEqual(["klaviyo-other", "klaviyo"]);
  // Strictly sequential: without dependsOn the two Creates overlap (checked by hand:
  // "start klaviyo-other, start klaviyo, end klaviyo-other, end klaviyo").
  expect(events).toEqual(["start klaviyo-other", "end klaviyo-other", "start klaviyo", "end klaviyo"]);
  const state = stateDestinations(h.engine(PROGRAM, stateFile, {}));
  const dependent = state.find((r) => r.urn.endsWith("::klaviyo"))!;
  const dependency = state.find((r) => r.urn.endsWith("::klaviyo-other"))!;
  expect(dependent.dependencies).toContain(dependency.urn);
  expect(await h.destinationsOn(a, b)).toHaveLength(2);
});

test("aliases -> renaming with an alias to the old name is an in-place update that moves the owner; same id, no second destination", async () => {
  const s = await h.world("Renamed Co");
  const stateFile = path.join(h.tempDir(), "state.json");
  const first = await h.run(h.engine(PROGRAM, stateFile, baseConfig(s, { name: "klaviyo-old" })), "up");
  const id = plain(first.outputs)["destinationId"];
  expect((await h.emu.admin.getDestination(s.pixelId))?.owner).toBe(`pulumi:${PROJECT}/dev/klaviyo-old`);

  const renamed = await h.run(h.engine(PROGRAM, stateFile, baseConfig(s, { name: "klaviyo-new", previousName: "klaviyo-old" })), "up");
  expect(renamed.changeSummary).toMatchObject({ create: 0, replace: 0, delete: 0, update: 1 });
  const step = renamed.resources.find((r) => r.custom)!;
  expect(step.name).toBe("klaviyo-new");
  expect(step.op).toBe("update");
  expect(step.changes).toContain("owner");
  expect(renamed.calls.map((c) => c.method).filter((m) => m === "Create" || m === "Delete")).toEqual([]);
  expect(plain(renamed.outputs)["destinationId"]).toBe(id);
  expect(plain(renamed.outputs)["owner"]).toBe(`pulumi:${PROJECT}/dev/klaviyo-new`);
  const all = await h.destinationsOn(s);
  expect(all).toHaveLength(1);
  expect(all[0]!.id).toBe(id);
  expect(all[0]!.owner).toBe(`pulumi:${PROJECT}/dev/klaviyo-new`);
  expect(stateDestinations(h.engine(PROGRAM, stateFile, {})).map((r) => r.urn.split("::").pop())).toEqual(["klaviyo-new"]);

  // And the renamed resource is still the one destroy removes.
  await h.run(h.engine(PROGRAM, stateFile, baseConfig(s, { name: "klaviyo-new" })), "destroy");
  expect(await h.destinationsOn(s)).toHaveLength(0);
});

test("privateApiKey as a plain string -> warned about in the program output, still secret in the state", async () => {
  const s = await h.world("Plain Co");
  const stateFile = path.join(h.tempDir(), "state.json");
  const engine = h.engine(path.join(FIXTURES_DIR, "plain-key"), stateFile, {
    pixelId: s.pixelId,
    plainKey: s.key.key,
    "upstack:apiKey": { secret: s.upstack.apiKey },
  });
  const up = await h.run(engine, "up");
  expect(up.programOutput).toMatch(/UpstackKlaviyoDestination klaviyo: privateApiKey was passed as a plain string; it has been made secret/);
  const [res] = stateDestinations(engine);
  expect(res).toBeDefined();
  expect(isSecret(res!.inputs["privateApiKey"])).toBe(true);
  expect(res!.secretInputs).toContain("privateApiKey");
  expect(engine.rawState()).not.toContain(s.key.key);
  expect(findSecrets([{ file: stateFile }, up.hostOutput, up.programOutput, JSON.stringify(up.outputs)], [s.key.key])).toEqual([]);
  expect((await h.emu.admin.getDestination(s.pixelId))?.keyHint).toBe(`pk_...${s.key.key.slice(-4)}`);
});
