import { randomUUID } from "node:crypto";
import * as provider from "../../provider";
import { keyFingerprint } from "../../provider/fingerprint";
import { checked, createOne, configureProvider, expectNoSecrets, inputsFor, rejectionOf, requestCounts, startWorld, type World } from "../support/world";

let world: World;
beforeEach(async () => {
  world = await startWorld();
});
afterEach(async () => {
  await world.close();
});

describe("create", () => {
  test("validates, then registers: 2 Klaviyo requests and 1 Upstack write; outputs hold no key", async () => {
    const { id, outs } = await createOne(world);
    expect(requestCounts(world.emu)).toEqual({
      "klaviyo GET /api/accounts/": 1,
      "klaviyo GET /api/api-keys/": 1,
      "upstack PUT /destinations/api/klaviyo": 1,
    });
    const dest = await world.emu.admin.getDestination(world.pixelId);
    expect(dest).toMatchObject({
      id,
      owner: "pulumi:proj/dev/klaviyo",
      keyFingerprint: keyFingerprint(world.key.key),
      status: "healthy",
      label: "UpstackData",
      enabled: true,
    });
    expect(outs).toMatchObject({
      destinationId: id,
      pixelId: world.pixelId,
      keyFingerprint: keyFingerprint(world.key.key),
      keyHint: `pk_...${world.key.key.slice(-4)}`,
      klaviyoAccountId: world.account.id,
      klaviyoAccountName: "Acme Outdoor",
      klaviyoKeyId: world.key.id,
      klaviyoKeyName: world.key.label,
      status: "healthy",
      enabled: true,
      label: "UpstackData",
    });
    for (const field of ["validatedAt", "rotatedAt", "createdAt", "updatedAt"]) expect(Date.parse(String(outs[field]))).not.toBeNaN();
    expectNoSecrets([outs], world.secrets());
  });

  test("create alone (no check in this process) validates first", async () => {
    const inputs = await checked({}, inputsFor(world));
    await configureProvider(world.config); // fresh process: empty cache
    world.emu.clearRequests();
    await provider.create(inputs);
    expect(world.emu.requests().map((r) => `${r.service} ${r.path}`)).toEqual([
      "klaviyo /api/accounts/",
      "klaviyo /api/api-keys/",
      "upstack /destinations/api/klaviyo",
    ]);
  });

  test("re-running create (a crash after Upstack committed) never makes a second destination", async () => {
    const first = await createOne(world);
    const again = await provider.create(first.inputs);
    expect(again.id).toBe(first.id);
    expect(await world.emu.admin.listDestinations()).toHaveLength(1);
  });

  test("registered but unhealthy (key disabled between check and create): a partial create the engine records", async () => {
    const inputs = await checked({}, inputsFor(world));
    await world.emu.admin.setKlaviyoKeyDisabled(world.key.id, true);
    const err = (await rejectionOf(provider.create(inputs))) as Error & { id?: string; properties?: Record<string, unknown>; reasons?: string[] };
    const dest = await world.emu.admin.getDestination(world.pixelId);
    expect(err.id).toBe(dest?.id);
    expect(err.properties).toMatchObject({ destinationId: dest?.id, status: "unhealthy" });
    expect(err.reasons?.[0]).toMatch(/reports it unhealthy: Klaviyo rejects the private key/);
    expectNoSecrets([err.message, err.properties], world.secrets());
  });

  test("an invalid key writes nothing to Upstack", async () => {
    await world.emu.admin.revokeKlaviyoKey(world.key.id);
    const err = await rejectionOf(provider.create(inputsFor(world, { enabled: true, label: "UpstackData", adopt: false })));
    expect(err.message).toMatch(/Klaviyo rejected the key/);
    expect(world.emu.requests({ service: "upstack" })).toHaveLength(0);
    expect(await world.emu.admin.listDestinations()).toHaveLength(0);
  });

  test("a destination made in the dashboard is refused with what to do; adopt takes it over", async () => {
    const other = await world.emu.admin.createKlaviyoKey({ accountId: world.account.id });
    world.remember(other.key);
    const existing = await world.emu.admin.putDestination(world.pixelId, { privateApiKey: other.key, label: "Dashboard" });
    const err = await rejectionOf(createOne(world));
    expect(err).toMatchObject({ code: "upstack_owned_by_other", property: "adopt" });
    expect(err.message).toMatch(/made in the Upstack dashboard. Set `adopt: true`/);
    expect((await world.emu.admin.getDestination(world.pixelId))?.keyFingerprint).toBe(keyFingerprint(other.key));

    const adopted = await createOne(world, { adopt: true });
    expect(adopted.id).toBe(existing.id);
    // What the dashboard had set and this resource does not declare is cleared: no perpetual diff.
    expect(await provider.diff(adopted.id, adopted.outs, adopted.inputs)).toMatchObject({ changes: false });
    const dest = await world.emu.admin.getDestination(world.pixelId);
    expect(dest).toMatchObject({ owner: "pulumi:proj/dev/klaviyo", keyFingerprint: keyFingerprint(world.key.key), label: "UpstackData" });
  });

  test("another stack's destination is refused, naming its owner", async () => {
    await createOne(world, { owner: "pulumi:proj/prod/klaviyo" });
    const err = await rejectionOf(createOne(world, { owner: "pulumi:proj/dev/klaviyo" }));
    expect(err.message).toContain("managed by pulumi:proj/prod/klaviyo");
  });

  test("missing Upstack credentials: one error naming both ways", async () => {
    await configureProvider({ "upstack:apiUrl": world.emu.url, "upstack:klaviyoApiUrl": world.emu.url });
    const saved = process.env["UPSTACK_API_KEY"];
    delete process.env["UPSTACK_API_KEY"];
    try {
      const err = await rejectionOf(createOne(world));
      expect(err).toMatchObject({ code: "config_missing_credentials" });
      expect(err.message).toMatch(/upstack:apiKey.*UPSTACK_API_KEY/);
    } finally {
      if (saved !== undefined) process.env["UPSTACK_API_KEY"] = saved;
    }
  });

  test("a per-resource Upstack key is used for its pixel", async () => {
    const pixel = randomUUID();
    const key = await world.emu.admin.createUpstackKey({ pixelId: pixel });
    world.remember(key.apiKey);
    const { id } = await createOne(world, { pixelId: pixel, upstackApiKey: key.apiKey });
    expect((await world.emu.admin.getDestination(pixel))?.id).toBe(id);
  });

  test("a revoked Upstack key fails fast (no retries) with the fix", async () => {
    const [k] = await world.emu.admin.listUpstackKeys();
    await world.emu.admin.revokeUpstackKey(k!.id);
    const err = await rejectionOf(createOne(world));
    expect(err).toMatchObject({ code: "upstack_unauthorized" });
    expect(err.message).toMatch(/pulumi config set --secret upstack:apiKey/);
    expect(world.emu.requests({ service: "upstack" })).toHaveLength(1);
    expectNoSecrets([err.message, err.stack], world.secrets());
  });
});

test("an under-scoped Upstack key (read only) fails fast, nothing written, with the fix", async () => {
  const pixel = randomUUID();
  const readOnly = await world.emu.admin.createUpstackKey({ pixelId: pixel, scopes: ["destinations:read"] });
  world.remember(readOnly.apiKey);
  world.emu.clearRequests();
  const err = await rejectionOf(createOne(world, { pixelId: pixel, upstackApiKey: readOnly.apiKey }));
  expect(err).toMatchObject({ code: "upstack_missing_scope", property: "upstackApiKey" });
  expect(err.message).toMatch(/destinations:read and destinations:write/);
  expect(world.emu.requests({ service: "upstack" })).toHaveLength(1);
  expect(await world.emu.admin.getDestination(pixel)).toBeNull();
  expectNoSecrets([err.message, err.stack], world.secrets());
});

describe("diff (no network)", () => {
  test("classifies every change", async () => {
    const { inputs, id, outs } = await createOne(world);
    world.emu.clearRequests();
    const d = (news: Record<string, unknown>) => provider.diff(id, outs, { ...inputs, ...news });
    expect(await d({})).toMatchObject({ changes: false, replaces: [] });
    expect(await d({ privateApiKey: "pk_" + "1".repeat(34) })).toMatchObject({ changes: true, replaces: [] });
    expect(await d({ pixelId: randomUUID() })).toMatchObject({ changes: true, replaces: ["pixelId"], deleteBeforeReplace: false });
    expect(await d({ enabled: false })).toMatchObject({ changes: true, replaces: [] });
    expect(await d({ label: "Other" })).toMatchObject({ changes: true, replaces: [] });
    expect(await d({ publicApiKey: world.account.id })).toMatchObject({ changes: true, replaces: [] });
    expect(await d({ scopes: ["events:write"] })).toMatchObject({ changes: true, replaces: [] });
    expect(await d({ adopt: true })).toMatchObject({ changes: false });
    expect(await provider.diff(id, { ...outs, status: "unhealthy" }, inputs)).toMatchObject({ changes: true, replaces: [] });
    expect(world.emu.requests()).toHaveLength(0);
  });
});

describe("update", () => {
  test("rotation: the new key is validated, then swapped in place; same destination, new fingerprint", async () => {
    const { id, outs } = await createOne(world);
    const next = await world.emu.admin.createKlaviyoKey({ accountId: world.account.id });
    world.remember(next.key);
    world.emu.clearRequests();
    const news = await checked({ privateApiKey: world.key.key }, inputsFor(world, { privateApiKey: next.key }));
    const res = await provider.update(id, outs, news);
    const o = res.outs as Record<string, unknown>;
    expect(requestCounts(world.emu)).toEqual({ "klaviyo GET /api/accounts/": 1, "klaviyo GET /api/api-keys/": 1, "upstack PUT /destinations/api/klaviyo": 1 });
    expect(o["destinationId"]).toBe(id);
    expect(o["keyFingerprint"]).toBe(keyFingerprint(next.key));
    expect(o["rotatedAt"]).not.toBe(outs["rotatedAt"]);
    expect((await world.emu.admin.getDestination(world.pixelId))?.keyFingerprint).toBe(keyFingerprint(next.key));
    expectNoSecrets([o], world.secrets());
  });

  test("rotation to a bad key fails before anything is written; Upstack keeps the old key", async () => {
    const { id, outs, inputs } = await createOne(world);
    const bad = await world.emu.admin.createKlaviyoKey({ accountId: world.account.id });
    world.remember(bad.key);
    await world.emu.admin.revokeKlaviyoKey(bad.id);
    world.emu.clearRequests();
    const err = await rejectionOf(provider.update(id, outs, { ...inputs, privateApiKey: bad.key }));
    expect(err.message).toMatch(/Klaviyo rejected the key/);
    expect(world.emu.requests({ service: "upstack" })).toHaveLength(0);
    expect((await world.emu.admin.getDestination(world.pixelId))?.keyFingerprint).toBe(keyFingerprint(world.key.key));
  });

  test("settings change without a new key makes only the Upstack write", async () => {
    const { id, outs, inputs } = await createOne(world);
    world.emu.clearRequests();
    const res = await provider.update(id, outs, { ...inputs, enabled: false, label: "Paused" });
    expect(requestCounts(world.emu)).toEqual({ "upstack PUT /destinations/api/klaviyo": 1 });
    expect(res.outs).toMatchObject({ enabled: false, label: "Paused", status: "disabled", rotatedAt: outs["rotatedAt"] });
  });

  test("a dashboard edit since the last read is not overwritten silently", async () => {
    const { id, outs, inputs } = await createOne(world);
    await world.emu.admin.patchDestination(world.pixelId, { label: "Edited in dashboard" });
    const err = await rejectionOf(provider.update(id, outs, { ...inputs, label: "Mine" }));
    expect(err).toMatchObject({ code: "upstack_changed_outside_pulumi" });
    expect(err.message).toMatch(/pulumi refresh/);
    expect((await world.emu.admin.getDestination(world.pixelId))?.label).toBe("Edited in dashboard");
  });

  test("an update whose answer was lost converges when run again with the old ETag", async () => {
    const { id, outs, inputs } = await createOne(world);
    world.emu.faults.add({ service: "upstack", method: "PUT", fault: { kind: "commit-then-reset" }, times: 10 });
    await rejectionOf(provider.update(id, outs, { ...inputs, label: "New" }));
    world.emu.faults.clear();
    const res = await provider.update(id, outs, { ...inputs, label: "New" });
    expect(res.outs).toMatchObject({ label: "New", destinationId: id });
  });
});

describe("read (refresh)", () => {
  test("returns outputs and inputs; the inputs carry no key", async () => {
    const { id, outs } = await createOne(world);
    world.emu.clearRequests();
    const res = await provider.read(id, outs);
    expect(res.id).toBe(id);
    expect(res.props).toMatchObject({ destinationId: id, keyFingerprint: outs["keyFingerprint"], status: "healthy" });
    expect(res.inputs).toMatchObject({ pixelId: world.pixelId, enabled: true, label: "UpstackData", keyFingerprint: outs["keyFingerprint"] });
    expect(res.inputs).not.toHaveProperty("privateApiKey");
    expect(requestCounts(world.emu)).toEqual({ "upstack GET /destinations/api/klaviyo": 1 });
    expectNoSecrets([res], world.secrets());
  });

  test("deleted outside Pulumi → gone (empty id)", async () => {
    const { id, outs } = await createOne(world);
    await world.emu.admin.deleteDestination(world.pixelId);
    expect((await provider.read(id, outs)).id).toBe("");
  });

  test("key changed outside Pulumi → the server's fingerprint, so the next diff shows drift", async () => {
    const { id, outs, inputs } = await createOne(world);
    const other = await world.emu.admin.createKlaviyoKey({ accountId: world.account.id });
    world.remember(other.key);
    await world.emu.admin.patchDestination(world.pixelId, { privateApiKey: other.key });
    const res = await provider.read(id, outs);
    expect(res.props?.["keyFingerprint"]).toBe(keyFingerprint(other.key));
    const d = await provider.diff(id, res.props!, inputs);
    expect(d).toMatchObject({ changes: true, replaces: [] });
  });

  test("a key disabled in Klaviyo shows as unhealthy, and the next check validates again and fails", async () => {
    const { id, outs, inputs } = await createOne(world);
    await world.emu.admin.setKlaviyoKeyDisabled(world.key.id, true);
    const res = await provider.read(id, outs);
    expect(res.props).toMatchObject({ status: "unhealthy", statusReason: expect.stringMatching(/Klaviyo rejects/) });
    await configureProvider(world.config);
    const next = await provider.check(res.inputs!, inputs);
    expect(next.failures?.[0]).toMatchObject({ property: "privateApiKey", reason: expect.stringMatching(/Klaviyo rejected the key/) });
  });

  test("taken over by someone else → gone from this stack", async () => {
    const { id, outs } = await createOne(world);
    await world.emu.admin.patchDestination(world.pixelId, { owner: "pulumi:proj/other/klaviyo" });
    expect((await provider.read(id, outs)).id).toBe("");
  });
});

describe("delete", () => {
  test("deletes; a second delete (404) is success", async () => {
    const { id, outs } = await createOne(world);
    await provider.delete(id, outs);
    expect(await world.emu.admin.listDestinations()).toHaveLength(0);
    await provider.delete(id, outs);
  });

  test("a destination now managed by someone else is left in place", async () => {
    const { id, outs } = await createOne(world);
    await world.emu.admin.patchDestination(world.pixelId, { owner: "pulumi:proj/other/klaviyo" });
    await provider.delete(id, outs);
    expect(await world.emu.admin.listDestinations()).toHaveLength(1);
  });
});
