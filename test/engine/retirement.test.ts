// Rotation that closes the loop, through the real Pulumi provider host against the emulator:
// `retireReplacedKey` disables the replaced key in Klaviyo (exactly once, never the new key, never
// one it cannot identify, never another account's), a failed PATCH keeps the rotation with a
// warning, a crash between the Upstack write and the PATCH is finished by the next `up`, and a
// refresh asks Klaviyo for the status of the key Upstack holds.
import { randomUUID } from "node:crypto";
import * as path from "node:path";
import type { KlaviyoKeyCreated, RequestLogEntry } from "../../emulator";
import type { ConfigValue, EngineHooks } from "@upstack-klaviyo/engine-driver";
import { PATCH_WITHOUT_CREDENTIALS_WRITE, upstackHasNotNoticed } from "../support/retirement-faults";
import { REPO_ROOT, SCENARIO_PROGRAM, Scenario, dest, expectOk, keyFingerprint, plain, stateDest, type World } from "./support";

jest.setTimeout(120_000);

const h = new Scenario();

beforeAll(async () => {
  await h.start();
});
afterAll(async () => {
  await h.close();
});
afterEach(async () => {
  h.emu.faults.clear();
  try {
    // No Klaviyo private key or Upstack API key anywhere the engine or the host wrote.
    expect(h.leaks()).toEqual([]);
  } finally {
    await h.endTest();
  }
});

function config(w: World, privateKey: string, extra: Record<string, ConfigValue> = {}): Record<string, ConfigValue> {
  return {
    pixelId: w.pixelId,
    klaviyoPrivateKey: { secret: privateKey },
    retireReplacedKey: "true",
    "upstack:apiKey": { secret: w.upstack.apiKey },
    ...h.providerConfig(),
    ...extra,
  };
}

function engine(dir: string, cfg: Record<string, ConfigValue>, hooks: EngineHooks = {}) {
  return h.engine({ programDir: SCENARIO_PROGRAM, stateFile: path.join(dir, "state.json"), stack: "dev", config: cfg, hooks });
}

const patches = (reqs: RequestLogEntry[]) => reqs.filter((r) => r.service === "klaviyo" && r.method === "PATCH");

async function keyState(id: string) {
  return (await h.emu.admin.listKlaviyoKeys()).find((k) => k.id === id)!;
}

/** A world whose destination was created with its first key, and a second key of the same account. */
async function rotated(extra: Record<string, ConfigValue> = {}): Promise<{ w: World; next: KlaviyoKeyCreated; dir: string }> {
  const w = await h.world();
  const dir = h.tempDir();
  const created = expectOk(await engine(dir, config(w, w.key.key, extra)).up());
  expect(plain(dest(created).outputs)["klaviyoKeyId"]).toBe(w.key.id);
  const next = await h.klaviyoKey(w.account.id);
  h.takeRequests();
  return { w, next, dir };
}

test("rotation with retirement: the replaced key is disabled exactly once, the new key untouched, outputs record it", async () => {
  const { w, next, dir } = await rotated();
  const up = expectOk(await engine(dir, config(w, next.key)).up());
  const outs = plain(dest(up).outputs);
  expect(outs).toMatchObject({ keyFingerprint: keyFingerprint(next.key), klaviyoKeyId: next.id, retiredKeyId: w.key.id, status: "healthy" });
  expect(Date.parse(String(outs["retiredAt"]))).toBeGreaterThan(Date.now() - 120_000);
  const reqs = h.takeRequests();
  expect(patches(reqs).map((r) => `${r.path} ${r.status}`)).toEqual([`/api/api-keys/${w.key.id}/ 200`]);
  // The PATCH came after Upstack had the new key.
  const put = reqs.findIndex((r) => r.service === "upstack" && r.method === "PUT");
  expect(put).toBeGreaterThanOrEqual(0);
  expect(reqs.findIndex((r) => r.method === "PATCH")).toBeGreaterThan(put);
  expect(await keyState(w.key.id)).toMatchObject({ disabled: true, revoked: false });
  expect(await keyState(next.id)).toMatchObject({ disabled: false });
  expect((await h.emu.admin.getDestination(w.pixelId))!).toMatchObject({ keyFingerprint: keyFingerprint(next.key), status: "healthy" });

  // Nothing more on the next up and refresh; the record stays.
  const again = expectOk(await engine(dir, config(w, next.key)).up());
  expect(again.changeSummary.same).toBe(1);
  const refreshed = expectOk(await engine(dir, config(w, next.key)).refresh());
  expect(plain(dest(refreshed).outputs)).toMatchObject({ retiredKeyId: w.key.id, retiredAt: outs["retiredAt"], status: "healthy" });
  expect(patches(h.takeRequests())).toEqual([]);
});

test("without retireReplacedKey the replaced key stays active and nothing is asked of Klaviyo's key endpoints", async () => {
  const { w, next, dir } = await rotated({ retireReplacedKey: "false" });
  const up = expectOk(await engine(dir, config(w, next.key, { retireReplacedKey: "false" })).up());
  expect(plain(dest(up).outputs)).not.toHaveProperty("retiredKeyId");
  const reqs = h.takeRequests();
  expect(patches(reqs)).toEqual([]);
  expect(reqs.filter((r) => r.path.startsWith(`/api/api-keys/${w.key.id}`))).toEqual([]);
  expect(await keyState(w.key.id)).toMatchObject({ disabled: false });
});

test("retirement refused for a key it cannot identify without doubt: rotation done, warning with the manual steps, no PATCH", async () => {
  // The first key may not list keys (declared scopes, no credentials:read), so its Klaviyo id was never established.
  const w = await h.world();
  const scopes = ["accounts:read", "events:write", "metrics:read", "profiles:read", "profiles:write"];
  const first = await h.emu.admin.createKlaviyoKey({ accountId: w.account.id, accessLevel: "custom", scopes });
  h.secrets.add(first.key);
  const dir = h.tempDir();
  const created = expectOk(await engine(dir, config(w, first.key, { scopes: JSON.stringify(scopes) })).up());
  expect(plain(dest(created).outputs)).not.toHaveProperty("klaviyoKeyId");
  const next = await h.klaviyoKey(w.account.id);
  h.takeRequests();

  const up = expectOk(await engine(dir, config(w, next.key, { scopes: JSON.stringify(scopes) })).up());
  expect(plain(dest(up).outputs)).toMatchObject({ keyFingerprint: keyFingerprint(next.key) });
  expect(plain(dest(up).outputs)).not.toHaveProperty("retiredKeyId");
  expect(up.hostOutput).toContain(
    `retireReplacedKey: the replaced Klaviyo key pk_...${first.key.slice(-4)} was not disabled: its Klaviyo id is not known without doubt`,
  );
  expect(up.hostOutput).toMatch(/To retire it by hand: in Klaviyo, Settings → Account → API Keys/);
  expect(patches(h.takeRequests())).toEqual([]);
  expect(await keyState(first.id)).toMatchObject({ disabled: false });
  expect((await h.emu.admin.getDestination(w.pixelId))!.keyFingerprint).toBe(keyFingerprint(next.key));
});

test("retirement refused for a key of another Klaviyo account", async () => {
  const { w, dir } = await rotated();
  const other = await h.emu.admin.createKlaviyoAccountWithKey({ name: "Other Store" }, { label: "UpstackData" });
  h.secrets.add(other.key.key);
  h.takeRequests();
  const up = expectOk(await engine(dir, config(w, other.key.key)).up());
  expect(plain(dest(up).outputs)).toMatchObject({ keyFingerprint: keyFingerprint(other.key.key), klaviyoAccountId: other.account.id });
  expect(plain(dest(up).outputs)).not.toHaveProperty("retiredKeyId");
  expect(up.hostOutput).toContain(`it belongs to Klaviyo account ${w.account.id}, not the new key's account ${other.account.id}`);
  expect(patches(h.takeRequests())).toEqual([]);
  expect(await keyState(w.key.id)).toMatchObject({ disabled: false });
});

test("PATCH failing (the new key lacks credentials:write): rotation kept, warning with the manual steps, nothing else changed", async () => {
  const { w, next, dir } = await rotated();
  h.emu.faults.add(PATCH_WITHOUT_CREDENTIALS_WRITE);
  const up = expectOk(await engine(dir, config(w, next.key)).up());
  const outs = plain(dest(up).outputs);
  expect(outs).toMatchObject({ keyFingerprint: keyFingerprint(next.key), status: "healthy" });
  expect(outs).not.toHaveProperty("retiredKeyId");
  expect(up.hostOutput).toContain("the new key lacks the credentials:write scope");
  expect(up.hostOutput).toContain(`The rotation stands: Upstack uses pk_...${next.key.slice(-4)}`);
  expect(up.hostOutput).toContain(`find the private key pk_...${w.key.key.slice(-4)} (Klaviyo id ${w.key.id})`);
  const reqs = h.takeRequests();
  expect(patches(reqs)).toHaveLength(1); // not repeated
  expect(await keyState(w.key.id)).toMatchObject({ disabled: false });
  expect(await keyState(next.id)).toMatchObject({ disabled: false });
  expect(stateDest(engine(dir, config(w, next.key)))!.outputs["keyFingerprint"]).toBe(keyFingerprint(next.key));
});

type Crash = "before the PATCH" | "after Klaviyo applied the PATCH, before its answer";

describe.each<Crash>(["before the PATCH", "after Klaviyo applied the PATCH, before its answer"])(
  "host killed between the Upstack write and the retirement (%s)",
  (moment) => {
    test("the next up finishes the retirement exactly once", async () => {
      const { w, next, dir } = await rotated();
      const hooks: EngineHooks = {
        beforeCall: (ctx) => {
          if (ctx.method !== "Update") return;
          if (moment === "before the PATCH") {
            // The confirming GET of the old key never answers: the host dies with Upstack written, no PATCH sent.
            h.emu.faults.add({ service: "klaviyo", method: "GET", path: `/api/api-keys/${w.key.id}`, times: 0, fault: { kind: "hang" } });
          } else {
            h.emu.faults.add({ service: "klaviyo", method: "PATCH", path: `/api/api-keys/${w.key.id}`, times: 0, fault: { kind: "commit-then-reset" } });
          }
          const watched = moment === "before the PATCH" ? "GET" : "PATCH";
          const started = Date.now();
          const watch = setInterval(() => {
            const arrived = h.emu.requests({ service: "klaviyo" }).some((r) => r.method === watched && r.path.startsWith(`/api/api-keys/${w.key.id}`));
            if (arrived || Date.now() - started > 20_000) {
              clearInterval(watch);
              ctx.killHost("SIGKILL");
              h.emu.faults.clear();
            }
          }, 2);
        },
      };
      const crashed = await engine(dir, config(w, next.key), hooks).up();
      expect(crashed.ok).toBe(false);
      expect((await h.emu.admin.getDestination(w.pixelId))!.keyFingerprint).toBe(keyFingerprint(next.key));
      expect(await keyState(w.key.id)).toMatchObject({ disabled: moment !== "before the PATCH" });
      expect(stateDest(engine(dir, config(w, next.key)))!.outputs["keyFingerprint"]).toBe(keyFingerprint(w.key.key));

      const again = expectOk(await engine(dir, config(w, next.key)).up());
      expect(plain(dest(again).outputs)).toMatchObject({ keyFingerprint: keyFingerprint(next.key), retiredKeyId: w.key.id });
      const all = h.takeRequests();
      expect(patches(all)).toHaveLength(1);
      expect(await keyState(w.key.id)).toMatchObject({ disabled: true });
      expect(await keyState(next.id)).toMatchObject({ disabled: false });
      expect(expectOk(await engine(dir, config(w, next.key)).up()).changeSummary.same).toBe(1);
      expect(patches(h.takeRequests())).toEqual([]);
    });
  },
);

describe("refresh asks Klaviyo for the status of the key Upstack holds", () => {
  test("one GET per distinct key; a key disabled in Klaviyo shows unhealthy with Klaviyo's reason before Upstack notices; the next preview fails validation", async () => {
    const w = await h.world();
    const dir = h.tempDir();
    expectOk(await engine(dir, config(w, w.key.key)).up());
    h.takeRequests();

    const healthy = expectOk(await engine(dir, config(w, w.key.key)).refresh());
    expect(plain(dest(healthy).outputs)).toMatchObject({ status: "healthy", klaviyoKeyName: "UpstackData" });
    expect(h.takeRequests().map((r) => `${r.service} ${r.method} ${r.path} ${r.status}`)).toEqual([
      "upstack GET /destinations/api/klaviyo 200",
      `klaviyo GET /api/api-keys/${w.key.id}/ 200`,
    ]);

    // Upstack has not noticed yet: its GET still answers what it answered while the key worked.
    const seenByUpstack = (await h.emu.admin.getDestination(w.pixelId))!;
    await h.emu.admin.setKlaviyoKeyDisabled(w.key.id, true);
    h.emu.faults.add(upstackHasNotNoticed(seenByUpstack));
    const r = expectOk(await engine(dir, config(w, w.key.key)).refresh());
    const outs = plain(dest(r).outputs);
    expect(outs["status"]).toBe("unhealthy");
    expect(String(outs["statusReason"])).toMatch(
      new RegExp(`^Klaviyo rejects the key pk_\\.\\.\\.${w.key.key.slice(-4)} \\(id ${w.key.id}; HTTP 401\\): it was disabled, revoked or deleted in Klaviyo`),
    );
    h.emu.faults.clear();

    const p = await engine(dir, config(w, w.key.key)).preview();
    expect(p.ok).toBe(false);
    expect(p.checkFailures[0]).toMatchObject({ property: "privateApiKey" });
    expect(p.checkFailures[0]!.reason).toMatch(/Klaviyo rejected the key/);
  });

  test("a key deleted in Klaviyo shows unhealthy too", async () => {
    const w = await h.world();
    const dir = h.tempDir();
    expectOk(await engine(dir, config(w, w.key.key)).up());
    const seenByUpstack = (await h.emu.admin.getDestination(w.pixelId))!;
    await h.emu.admin.revokeKlaviyoKey(w.key.id);
    h.emu.faults.add(upstackHasNotNoticed(seenByUpstack));
    const r = expectOk(await engine(dir, config(w, w.key.key)).refresh());
    expect(plain(dest(r).outputs)).toMatchObject({ status: "unhealthy" });
    expect(String(plain(dest(r).outputs)["statusReason"])).toContain("disabled, revoked or deleted in Klaviyo");
  });

  test("a key Klaviyo cannot be asked about changes nothing and says so", async () => {
    const w = await h.world();
    const dir = h.tempDir();
    expectOk(await engine(dir, config(w, w.key.key)).up());
    h.emu.faults.add({ service: "klaviyo", method: "GET", path: `/api/api-keys/${w.key.id}`, times: 0, fault: { kind: "html403" } });
    const r = expectOk(await engine(dir, config(w, w.key.key)).refresh());
    expect(plain(dest(r).outputs)).toMatchObject({ status: "healthy" });
    expect(r.hostOutput).toContain("refresh could not ask Klaviyo for the status of the key");
  });
});

test("a key not named UpstackData passes with a warning naming the convention", async () => {
  const w = await h.world();
  const odd = await h.emu.admin.createKlaviyoKey({ accountId: w.account.id, label: "Shopify sync" });
  h.secrets.add(odd.key);
  const dir = h.tempDir();
  const p = expectOk(await engine(dir, config(w, odd.key)).preview());
  expect(p.hostOutput).toContain(
    `privateApiKey: the Klaviyo key pk_...${odd.key.slice(-4)} is named "Shopify sync" in Klaviyo; Upstack's guide names it UpstackData`,
  );
  const up = expectOk(await engine(dir, config(w, odd.key)).up());
  expect(plain(dest(up).outputs)).toMatchObject({ status: "healthy", klaviyoKeyName: "Shopify sync" });
  expect(up.hostOutput.match(/is named "Shopify sync"/g)).toHaveLength(1);
});

test("retirement refused while another destination of the stack still uses the replaced key (two stores sharing one key)", async () => {
  const w = await h.world("Shared Key Co");
  const second = await h.upstackKey(randomUUID());
  const next = await h.klaviyoKey(w.account.id);
  const dir = h.tempDir();
  const stores = (keyA: string) => ({
    stores: JSON.stringify({
      "Store A": { pixelId: w.pixelId, retireReplacedKey: true },
      "Store B": { pixelId: second.pixelId },
    }),
    klaviyoKeys: { secret: JSON.stringify({ "Store A": keyA, "Store B": w.key.key }) },
    "upstack:apiKeys": { secret: JSON.stringify({ [w.pixelId]: w.upstack.apiKey, [second.pixelId]: second.apiKey }) },
    ...h.providerConfig(),
  });
  const many = (cfg: Record<string, ConfigValue>) =>
    h.engine({ programDir: path.join(REPO_ROOT, "examples", "many-stores"), stateFile: path.join(dir, "state.json"), stack: "shops", config: cfg });
  expect(expectOk(await many(stores(w.key.key)).up()).changeSummary.create).toBe(2);
  h.takeRequests();

  const up = expectOk(await many(stores(next.key)).up());
  expect(up.changeSummary).toMatchObject({ update: 1, same: 1 });
  expect(up.hostOutput).toContain(
    "was not disabled: Upstack still holds it for another destination of this run (pulumi:upstack-klaviyo-many-stores/shops/klaviyo-store-b)",
  );
  expect(patches(h.takeRequests())).toEqual([]);
  expect(await keyState(w.key.id)).toMatchObject({ disabled: false });
  expect((await h.emu.admin.getDestination(second.pixelId))!).toMatchObject({ keyFingerprint: keyFingerprint(w.key.key), status: "healthy" });
});
