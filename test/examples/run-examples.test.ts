// The runnable examples, run through the engine test driver (the real Pulumi provider host) against
// the in-process emulator. examples/basic is covered by the engine scenario suites.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { Engine, findSecrets, type ConfigValue } from "@upstack-klaviyo/engine-driver";
import { EXAMPLES_DIR, Harness, plain, stateDestinations, type Store } from "./helpers";

const h = new Harness();
beforeAll(() => h.start());
afterAll(() => h.close());

type StoreOut = { destinationId: string; status: string; keyHint: string };

describe("examples/many-stores", () => {
  const program = path.join(EXAMPLES_DIR, "many-stores");

  test("3 stores -> 3 destinations on 3 pixels; removing a store from config deletes only its destination", async () => {
    const names = ["Outdoor Co", "Tea House", "Bike Shop"];
    const stores: Store[] = [];
    for (const n of names) stores.push(await h.world(n));
    const stateFile = path.join(h.tempDir(), "state.json");
    const config = (which: number[]) => ({
      stores: JSON.stringify(
        Object.fromEntries(which.map((i) => [names[i]!, { pixelId: stores[i]!.pixelId, publicApiKey: stores[i]!.account.id, label: `${names[i]} Klaviyo` }])),
      ),
      klaviyoKeys: { secret: JSON.stringify(Object.fromEntries(which.map((i) => [names[i]!, stores[i]!.key.key]))) },
      ...h.apiKeysConfig(stores),
    });

    const up1 = await h.run(h.engine(program, stateFile, config([0, 1, 2]), { stack: "shops" }), "up");
    expect(up1.changeSummary.create).toBe(3);
    const exported = up1.outputs["destinations"] as unknown as Record<string, StoreOut>;
    expect(Object.keys(exported).sort()).toEqual([...names].sort());
    const held = await h.destinationsOn(...stores);
    expect(held).toHaveLength(3);
    expect(new Set(held.map((d) => d.pixelId))).toEqual(new Set(stores.map((s) => s.pixelId)));
    for (const [i, n] of names.entries()) {
      const d = held.find((x) => x.pixelId === stores[i]!.pixelId)!;
      expect(exported[n]).toEqual({ destinationId: d.id, status: "healthy", keyHint: `pk_...${stores[i]!.key.key.slice(-4)}` });
      expect(d.owner).toBe(`pulumi:upstack-klaviyo-many-stores/shops/klaviyo-${n.toLowerCase().replace(/ /g, "-")}`);
      expect(d.label).toBe(`${n} Klaviyo`);
      expect(d.klaviyoAccountId).toBe(stores[i]!.account.id);
    }

    // "Tea House" leaves the stack.
    h.emu.clearRequests();
    const up2 = await h.run(h.engine(program, stateFile, config([0, 2]), { stack: "shops" }), "up");
    expect(up2.changeSummary).toMatchObject({ create: 0, update: 0, replace: 0, delete: 1, same: 2 });
    const after = await h.destinationsOn(...stores);
    expect(after.map((d) => d.pixelId).sort()).toEqual([stores[0]!.pixelId, stores[2]!.pixelId].sort());
    for (const i of [0, 2]) expect(after.find((d) => d.pixelId === stores[i]!.pixelId)!.id).toBe(exported[names[i]!]!.destinationId);
    // Only the DELETE of the removed store; nothing else was asked of Upstack or Klaviyo.
    expect(h.emu.requests().map((r) => `${r.service} ${r.method}`)).toEqual(["upstack DELETE"]);
    expect(Object.keys(up2.outputs["destinations"] as object).sort()).toEqual(["Bike Shop", "Outdoor Co"]);
    expect(stateDestinations(h.engine(program, stateFile, {})).map((r) => r.id)).toHaveLength(2);

    const down = await h.run(h.engine(program, stateFile, config([0, 2]), { stack: "shops" }), "destroy");
    expect(down.changeSummary.delete).toBe(2);
    expect(await h.destinationsOn(...stores)).toHaveLength(0);
    expect(findSecrets([{ file: stateFile }, up1.hostOutput, up1.programOutput, up2.hostOutput], [...h.secrets])).toEqual([]);
  });

  test("a store without a key in klaviyoKeys fails with a message naming it, before anything is written", async () => {
    const s = await h.world("Lonely");
    const stateFile = path.join(h.tempDir(), "state.json");
    const r = await h.run(
      h.engine(program, stateFile, { stores: JSON.stringify({ Lonely: { pixelId: s.pixelId } }), klaviyoKeys: { secret: "{}" }, ...h.apiKeysConfig([s]) }),
      "up",
      false,
    );
    expect(r.ok).toBe(false);
    expect(r.errors.join("\n")).toMatch(/klaviyoKeys has no key for store "Lonely"/);
    expect(await h.emu.admin.getDestination(s.pixelId)).toBeNull();
  });
});

describe("examples/rotation", () => {
  test("create, rotate: same destination id, new keyFingerprint and rotatedAt", async () => {
    const program = path.join(EXAMPLES_DIR, "rotation");
    const s = await h.world("Rotating Co");
    const next = await h.klaviyoKey(s.account.id);
    const stateFile = path.join(h.tempDir(), "state.json");
    const config = (key: string) => ({
      upstackPixelId: s.pixelId,
      klaviyoPublicApiKey: s.account.id,
      klaviyoPrivateKey: { secret: key },
      "upstack:apiKey": { secret: s.upstack.apiKey },
    });

    const created = await h.run(h.engine(program, stateFile, config(s.key.key)), "up");
    expect(created.changeSummary.create).toBe(1);
    const before = plain(created.outputs);
    expect(before["keyFingerprint"]).toMatch(/^sha256:[0-9a-f]{64}$/);

    // A wrong "new" key: preview fails and nothing is written.
    const wrong = await h.world("Another account");
    h.emu.clearRequests();
    const bad = await h.run(h.engine(program, stateFile, config(wrong.key.key)), "preview", false);
    expect(bad.ok).toBe(false);
    expect(bad.errors.join("\n")).toMatch(/belongs to Klaviyo account/);
    expect(h.emu.requests({ service: "upstack" })).toEqual([]);
    expect((await h.emu.admin.getDestination(s.pixelId))!.keyFingerprint).toBe(before["keyFingerprint"]);

    h.emu.clearRequests();
    const rotated = await h.run(h.engine(program, stateFile, config(next.key)), "up");
    expect(rotated.changeSummary).toMatchObject({ update: 1, replace: 0, create: 0, delete: 0 });
    expect(rotated.resources.find((r) => r.custom)!.changes).toContain("privateApiKey");
    // Validated first, then one conditional PUT: no delete, no second destination.
    expect(h.emu.requests({ service: "upstack" }).map((r) => r.method)).toEqual(["PUT"]);
    const after = plain(rotated.outputs);
    expect(after["destinationId"]).toBe(before["destinationId"]);
    expect(after["keyFingerprint"]).not.toBe(before["keyFingerprint"]);
    expect(after["keyHint"]).toBe(`pk_...${next.key.slice(-4)}`);
    expect(Date.parse(String(after["rotatedAt"]))).toBeGreaterThanOrEqual(Date.parse(String(before["rotatedAt"])));
    expect(after["rotatedAt"]).not.toBe(before["rotatedAt"]);
    const held = (await h.emu.admin.getDestination(s.pixelId))!;
    expect(held.id).toBe(before["destinationId"]);
    expect(held.keyFingerprint).toBe(after["keyFingerprint"]);
    expect(await h.destinationsOn(s)).toHaveLength(1);
    expect(findSecrets([{ file: stateFile }, created.hostOutput, rotated.hostOutput, bad.hostOutput, bad.errors.join("\n")], [...h.secrets])).toEqual([]);
  });
});

describe("examples/github-actions", () => {
  test("the pixel and Upstack key come from UPSTACK_PIXEL_ID / UPSTACK_API_KEY in the environment", async () => {
    const program = path.join(EXAMPLES_DIR, "github-actions");
    const s = await h.world("CI Co");
    const stateFile = path.join(h.tempDir(), "state.json");
    const env = { UPSTACK_PIXEL_ID: s.pixelId, UPSTACK_API_KEY: s.upstack.apiKey };
    const up = await h.run(h.engine(program, stateFile, { klaviyoPrivateKey: { secret: s.key.key } }, { env }), "up");
    expect(plain(up.outputs)["pixelId"]).toBe(s.pixelId);
    expect((await h.emu.admin.getDestination(s.pixelId))!.id).toBe(plain(up.outputs)["destinationId"]);
    await h.run(h.engine(program, stateFile, {}, { env }), "destroy");
    expect(await h.emu.admin.getDestination(s.pixelId)).toBeNull();
  });
});

describe("examples/adopt", () => {
  test("a destination made in the dashboard: refused without adopt, taken over with it (same id, new owner, the stack's key)", async () => {
    const s = await h.world("Dashboard Co");
    const dashboardKey = await h.klaviyoKey(s.account.id);
    const made = await h.emu.admin.putDestination(s.pixelId, { privateApiKey: dashboardKey.key, label: "Klaviyo" });
    expect(made.owner).toBeNull();
    const config = { upstackPixelId: s.pixelId, klaviyoPrivateKey: { secret: s.key.key }, "upstack:apiKey": { secret: s.upstack.apiKey } };

    // The basic example has no adopt: the dashboard's destination is not the stack's to change.
    const refused = await h.run(h.engine(path.join(EXAMPLES_DIR, "basic"), path.join(h.tempDir(), "state.json"), config), "up", false);
    expect(refused.ok).toBe(false);
    expect(refused.errors.join("\n")).toMatch(/adopt/);
    expect((await h.emu.admin.getDestination(s.pixelId))!.etag).toBe(made.etag);

    const program = path.join(EXAMPLES_DIR, "adopt");
    const stateFile = path.join(h.tempDir(), "state.json");
    const up = await h.run(h.engine(program, stateFile, config), "up");
    const held = (await h.emu.admin.getDestination(s.pixelId))!;
    expect(plain(up.outputs)["destinationId"]).toBe(made.id);
    expect(held.id).toBe(made.id);
    expect(held.owner).toBe("pulumi:upstack-klaviyo-adopt/dev/klaviyo");
    expect(held.keyHint).toBe(`pk_...${s.key.key.slice(-4)}`);

    await h.run(h.engine(program, stateFile, config), "destroy");
    expect(await h.emu.admin.getDestination(s.pixelId)).toBeNull();
  });
});

describe("examples/environments", () => {
  const program = path.join(EXAMPLES_DIR, "environments");
  const stackConfig = (stack: string): Record<string, unknown> =>
    (parseYaml(fs.readFileSync(path.join(program, `Pulumi.${stack}.yaml`), "utf8")) as { config?: Record<string, unknown> }).config ?? {};

  test("dev: the stack file points both services at the emulator; with its port, the stack runs there", async () => {
    const dev = stackConfig("dev");
    expect(dev["upstack:apiUrl"]).toBe("http://127.0.0.1:4010");
    expect(dev["upstack:klaviyoApiUrl"]).toBe("http://127.0.0.1:4010");
    const s = await h.world("Dev Co");
    // The file's values, with the test emulator's port and this run's pixel.
    const fromFile: Record<string, ConfigValue> = {};
    for (const [k, v] of Object.entries(dev)) fromFile[k] = String(v).replace("http://127.0.0.1:4010", h.emu.url);
    fromFile["upstack-klaviyo-environments:upstackPixelId"] = s.pixelId;
    const config = { ...fromFile, klaviyoPrivateKey: { secret: s.key.key }, "upstack:apiKey": { secret: s.upstack.apiKey } };
    const stateFile = path.join(h.tempDir(), "state.json");
    const engine = new Engine({ programDir: program, stateFile, stack: "dev", config, env: { UPSTACK_KLAVIYO_QUIET: "1" } });
    const up = await h.run(engine, "up");
    expect(plain(up.outputs)).toMatchObject({ stack: "dev", status: "healthy" });
    await h.run(new Engine({ programDir: program, stateFile, stack: "dev", config, env: { UPSTACK_KLAVIYO_QUIET: "1" } }), "destroy");
  });

  test("prod: no base URLs and no secrets in the stack file; the ESC environment's pulumiConfig supplies every setting the program reads", () => {
    const prod = parseYaml(fs.readFileSync(path.join(program, "Pulumi.prod.yaml"), "utf8")) as { environment?: string[]; config?: unknown };
    expect(prod.config).toBeUndefined();
    expect(prod.environment).toEqual(["upstack-klaviyo/prod"]);
    const env = parseYaml(fs.readFileSync(path.join(program, "esc", "prod.yaml"), "utf8")) as { values: { pulumiConfig: Record<string, string> } };
    expect(Object.keys(env.values.pulumiConfig).sort()).toEqual(
      [
        "upstack:apiKey",
        "upstack-klaviyo-environments:upstackPixelId",
        "upstack-klaviyo-environments:klaviyoPublicApiKey",
        "upstack-klaviyo-environments:klaviyoPrivateKey",
      ].sort(),
    );
    for (const k of Object.keys(env.values.pulumiConfig)) expect(k).not.toMatch(/apiUrl|klaviyoApiUrl/);
  });
});
