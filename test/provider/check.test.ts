import * as provider from "../../provider";
import { UNKNOWN } from "../../provider/core";
import { checked, expectNoSecrets, inputsFor, requestCounts, startWorld, type World } from "../support/world";

let world: World;
beforeEach(async () => {
  world = await startWorld();
});
afterEach(async () => {
  await world.close();
});

describe("check: input validation", () => {
  test("normalises: trims the key, lower-cases the pixel, applies defaults, adds the fingerprint", async () => {
    const inputs = await checked({}, inputsFor(world, { privateApiKey: `  ${world.key.key}\n`, pixelId: world.pixelId.toUpperCase() }));
    expect(inputs["privateApiKey"]).toBe(world.key.key);
    expect(inputs["pixelId"]).toBe(world.pixelId);
    expect(inputs["enabled"]).toBe(true);
    expect(inputs["label"]).toBe("UpstackData");
    expect(inputs["adopt"]).toBe(false);
    expect(inputs["keyFingerprint"]).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ["key with inner whitespace", { privateApiKey: "pk_abc def" }, "privateApiKey", /whitespace inside/],
    ["key without pk_", { privateApiKey: "sk_" + "a".repeat(34) }, "privateApiKey", /does not start with pk_/],
    ["public key given as private", { privateApiKey: "AbC123" }, "privateApiKey", /public key \(Site ID\)/],
    ["key of a wrong length", { privateApiKey: "pk_" + "a".repeat(20) }, "privateApiKey", /matches no Klaviyo private key format/],
    ["key with symbols", { privateApiKey: "pk_" + "a".repeat(30) + "$%^&" }, "privateApiKey", /characters a Klaviyo private key never has/],
    ["empty key", { privateApiKey: "   " }, "privateApiKey", /is empty/],
    ["key not a string", { privateApiKey: 42 }, "privateApiKey", /must be a string/],
    ["pixel not a uuid", { pixelId: "pixel-1" }, "pixelId", /UUID/],
    ["public key malformed", { publicApiKey: "AbC12" }, "publicApiKey", /6 letters and digits/],
    ["enabled not boolean", { enabled: "yes" }, "enabled", /true or false/],
    ["label empty", { label: "  " }, "label", /1 to 100 characters/],
    ["label too long", { label: "x".repeat(101) }, "label", /1 to 100 characters/],
    ["scopes empty", { scopes: [] }, "scopes", /scopes is empty/],
    ["scopes malformed", { scopes: ["events:write", "everything"] }, "scopes", /1 entry that is not a Klaviyo scope/],
    ["adopt not boolean", { adopt: 1 }, "adopt", /true or false/],
    ["upstack key malformed", { upstackApiKey: "up_123" }, "upstackApiKey", /starts with upstack_/],
  ];
  test.each(cases)("%s → a failure naming %s", async (_name, overrides, property, reason) => {
    const res = await provider.check({}, inputsFor(world, overrides));
    expect(res.failures).toEqual([expect.objectContaining({ property, reason: expect.stringMatching(reason) })]);
    expect(res.failures![0]!.reason.startsWith(property)).toBe(true);
    expect(world.emu.requests()).toHaveLength(0);
  });

  test("a key failure never echoes the key, not even partly", async () => {
    const bad = "pk_" + "0123456789abcdef".repeat(2) + "zz" + " tail";
    const res = await provider.check({}, inputsFor(world, { privateApiKey: bad }));
    expect(res.failures).toHaveLength(1);
    expect(res.failures![0]!.reason).not.toContain("0123456789");
    expect(res.failures![0]!.reason).not.toContain("tail");
  });

  test("missing pixel id names both ways to set it", async () => {
    const res = await provider.check({}, { privateApiKey: world.key.key, owner: "pulumi:p/s/n" });
    expect(res.failures).toEqual([{ property: "pixelId", reason: expect.stringMatching(/upstack:pixelId.*UPSTACK_PIXEL_ID/) }]);
  });

  test("unknown values (preview) pass through untouched and nothing is called", async () => {
    const res = await provider.check({}, inputsFor(world, { privateApiKey: UNKNOWN, label: UNKNOWN }));
    expect(res.failures ?? []).toHaveLength(0);
    expect(res.inputs).toMatchObject({ privateApiKey: UNKNOWN, label: UNKNOWN });
    expect(world.emu.requests()).toHaveLength(0);
  });
});

describe("check: live validation of new or changed keys", () => {
  test("a new key costs one accounts request and one key-listing request", async () => {
    await checked({}, inputsFor(world));
    expect(requestCounts(world.emu)).toEqual({ "klaviyo GET /api/accounts/": 1, "klaviyo GET /api/api-keys/": 1 });
  });

  test("an unchanged key is not validated again: zero requests", async () => {
    const first = await checked({}, inputsFor(world));
    world.emu.clearRequests();
    await provider.configure({ config: { get: (k: string) => world.config[k] } } as never); // a new host process: cache empty
    await checked(first, inputsFor(world));
    expect(world.emu.requests()).toHaveLength(0);
  });

  test("the same key in one process is validated once, even for many resources at once", async () => {
    await Promise.all(Array.from({ length: 20 }, () => provider.check({}, inputsFor(world))));
    expect(requestCounts(world.emu)).toEqual({ "klaviyo GET /api/accounts/": 1, "klaviyo GET /api/api-keys/": 1 });
  });

  test("a revoked key fails with what to do", async () => {
    await world.emu.admin.revokeKlaviyoKey(world.key.id);
    const res = await provider.check({}, inputsFor(world));
    expect(res.failures).toEqual([
      { property: "privateApiKey", reason: expect.stringMatching(/Klaviyo rejected the key pk_\.\.\.\w{4} \(HTTP 401.*revoked.*pulumi config set --secret/) },
    ]);
    expectNoSecrets([res.failures], world.secrets());
  });

  test("a disabled key fails", async () => {
    await world.emu.admin.setKlaviyoKeyDisabled(world.key.id, true);
    const res = await provider.check({}, inputsFor(world));
    expect(res.failures?.[0]?.reason).toMatch(/Klaviyo rejected the key/);
  });

  test("a key of another account fails naming both accounts", async () => {
    const res = await provider.check({}, inputsFor(world, { publicApiKey: "ZzZ999" }));
    expect(res.failures).toEqual([
      { property: "publicApiKey", reason: expect.stringContaining(`belongs to Klaviyo account ${world.account.id} (Acme Outdoor), expected ZzZ999`) },
    ]);
  });

  test("a key of the declared account passes", async () => {
    const inputs = await checked({}, inputsFor(world, { publicApiKey: world.account.id }));
    expect(inputs["publicApiKey"]).toBe(world.account.id);
  });

  test("a read-only key is refused: Upstack needs Full Access", async () => {
    const ro = await world.emu.admin.createKlaviyoKey({ accountId: world.account.id, accessLevel: "read_only" });
    const res = await provider.check({}, inputsFor(world, { privateApiKey: world.remember(ro.key) }));
    expect(res.failures).toEqual([
      { property: "privateApiKey", reason: expect.stringMatching(/has Read-Only access; Upstack Data requires Full Access\. Missing scopes: .*events:write/) },
    ]);
  });

  test("a custom key without accounts:read names the missing scope", async () => {
    const k = await world.emu.admin.createKlaviyoKey({ accountId: world.account.id, accessLevel: "custom", scopes: ["events:write"] });
    const res = await provider.check({}, inputsFor(world, { privateApiKey: world.remember(k.key) }));
    expect(res.failures?.[0]?.reason).toMatch(/lacks the accounts:read scope \(Klaviyo answered 403/);
  });

  test("a custom key without credentials:read is not Full Access", async () => {
    const k = await world.emu.admin.createKlaviyoKey({ accountId: world.account.id, accessLevel: "custom", scopes: ["accounts:read", "events:write"] });
    const res = await provider.check({}, inputsFor(world, { privateApiKey: world.remember(k.key) }));
    expect(res.failures?.[0]?.reason).toMatch(/is not a Full Access key/);
  });

  test("declared scopes: a custom key that has them passes; probes only verifiable read scopes", async () => {
    const scopes = ["accounts:read", "events:write", "metrics:read", "profiles:read", "profiles:write"];
    const k = await world.emu.admin.createKlaviyoKey({ accountId: world.account.id, accessLevel: "custom", scopes });
    const inputs = await checked({}, inputsFor(world, { privateApiKey: world.remember(k.key), scopes }));
    expect(inputs["scopes"]).toEqual(scopes);
    expect(requestCounts(world.emu)).toEqual({
      "klaviyo GET /api/accounts/": 1,
      "klaviyo GET /api/api-keys/": 1,
      "klaviyo GET /api/metrics/": 1,
      "klaviyo GET /api/profiles/": 1,
    });
  });

  test("declared scopes: a listed key lacking one is refused by name", async () => {
    const k = await world.emu.admin.createKlaviyoKey({
      accountId: world.account.id,
      accessLevel: "custom",
      scopes: ["accounts:read", "credentials:read", "events:write"],
    });
    const res = await provider.check({}, inputsFor(world, { privateApiKey: world.remember(k.key), scopes: ["events:write", "profiles:write"] }));
    expect(res.failures?.[0]?.reason).toMatch(/lacks the declared scope\(s\) profiles:write/);
  });

  test("a CDN challenge (HTML 403) is inconclusive, not a missing scope", async () => {
    world.emu.faults.add({ service: "klaviyo", path: "/api/accounts/", fault: { kind: "html403" } });
    const res = await provider.check({}, inputsFor(world));
    expect(res.failures?.[0]?.reason).toMatch(/CDN answered .* with a challenge page/);
    expect(res.failures?.[0]?.reason).not.toMatch(/lacks/);
  });

  test("a v2-format key validates", async () => {
    const k = await world.emu.admin.createKlaviyoKey({ accountId: world.account.id, format: "v2" });
    await checked({}, inputsFor(world, { privateApiKey: world.remember(k.key) }));
  });
});
