import { createHash, randomUUID } from "node:crypto";
import { startEmulator, UNHEALTHY_REASON, type RunningEmulator } from "../../emulator";
import { ContractWatch } from "../support/contract-watch";
import { DESTINATION_PATH, call, idemKey, upstackHeaders, type Res } from "./helpers";

// Every answer the emulator gives here (to good and deliberately bad requests) must match the contract.
const contract = new ContractWatch(false);
let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, klaviyo: { rateLimits: false }, upstack: { observe: contract.observe } });
});
afterAll(async () => {
  await emu.close();
  expect(contract.exchanges).toBeGreaterThan(30);
  contract.assertClean();
});

interface Fixture {
  apiKey: string;
  pixelId: string;
  klaviyoKey: string;
  klaviyoKeyId: string;
  accountId: string;
}

async function fixture(): Promise<Fixture> {
  const up = await emu.admin.createUpstackKey();
  const { account, key } = await emu.admin.createKlaviyoAccountWithKey();
  return { apiKey: up.apiKey, pixelId: up.pixelId, klaviyoKey: key.key, klaviyoKeyId: key.id, accountId: account.id };
}

function body(f: Fixture, extra: Record<string, unknown> = {}) {
  return {
    privateApiKey: f.klaviyoKey,
    owner: "pulumi:proj/dev/dest",
    enabled: true,
    label: "Klaviyo",
    klaviyoAccountId: f.accountId,
    publicApiKey: f.accountId,
    ...extra,
  };
}

function put(f: Fixture, b: unknown, headers: Record<string, string> = {}): Promise<Res> {
  return call(`${emu.url}${DESTINATION_PATH}`, {
    method: "PUT",
    headers: upstackHeaders(f.apiKey, f.pixelId, { "idempotency-key": idemKey(), ...headers }),
    body: b,
  });
}
function get(f: Fixture): Promise<Res> {
  return call(`${emu.url}${DESTINATION_PATH}`, { headers: upstackHeaders(f.apiKey, f.pixelId) });
}
function del(f: Fixture, query = "", headers: Record<string, string> = {}): Promise<Res> {
  return call(`${emu.url}${DESTINATION_PATH}${query}`, { method: "DELETE", headers: upstackHeaders(f.apiKey, f.pixelId, headers) });
}

describe("auth", () => {
  it("401 {message} for missing, unknown, revoked keys and another pixel", async () => {
    const f = await fixture();
    const other = await emu.admin.createUpstackKey();
    const cases: Array<Record<string, string>> = [
      {},
      { "x-api-key": f.apiKey },
      { "x-pixel-id": f.pixelId },
      upstackHeaders(`upstack_${"0".repeat(40)}`, f.pixelId),
      upstackHeaders(f.apiKey, other.pixelId),
      upstackHeaders(f.apiKey, randomUUID()),
    ];
    for (const headers of cases) {
      const res = await call(`${emu.url}${DESTINATION_PATH}`, { headers });
      expect(res.status).toBe(401);
      expect(res.headers["content-type"]).toContain("application/json");
      expect(typeof res.json.message).toBe("string");
    }
    const list = await emu.admin.listUpstackKeys();
    const id = list.find((k) => k.pixelId === f.pixelId)!.id;
    expect((await get(f)).status).toBe(404);
    await emu.admin.revokeUpstackKey(id);
    expect((await get(f)).status).toBe(401);
  });

  it("403 missing_scope", async () => {
    const ro = await emu.admin.createUpstackKey({ scopes: ["destinations:read"] });
    const wo = await emu.admin.createUpstackKey({ scopes: ["destinations:write"] });
    const { key } = await emu.admin.createKlaviyoAccountWithKey();
    const roF = { apiKey: ro.apiKey, pixelId: ro.pixelId, klaviyoKey: key.key, klaviyoKeyId: key.id, accountId: key.accountId };
    const woF = { ...roF, apiKey: wo.apiKey, pixelId: wo.pixelId };
    expect((await get(roF)).status).toBe(404);
    const r1 = await put(roF, body(roF));
    expect(r1.status).toBe(403);
    expect(r1.json.code).toBe("missing_scope");
    expect((await del(roF)).json.code).toBe("missing_scope");
    const r2 = await get(woF);
    expect(r2.status).toBe(403);
    expect(r2.json.code).toBe("missing_scope");
    expect((await put(woF, body(woF))).status).toBe(201);
  });
});

describe("PUT validation", () => {
  it("400 without Idempotency-Key", async () => {
    const f = await fixture();
    const res = await call(`${emu.url}${DESTINATION_PATH}`, { method: "PUT", headers: upstackHeaders(f.apiKey, f.pixelId), body: body(f) });
    expect(res.status).toBe(400);
    expect(typeof res.json.message).toBe("string");
    const short = await put(f, body(f), { "idempotency-key": "short" });
    expect(short.status).toBe(400);
  });

  it("400 with errors[{path,message}] for an invalid body, never echoing the key", async () => {
    const f = await fixture();
    const bad = { privateApiKey: ` ${f.klaviyoKey}`, owner: "", enabled: "yes", label: "x".repeat(101), extra: 1 };
    const res = await put(f, bad);
    expect(res.status).toBe(400);
    const paths = res.json.errors.map((e: { path: string }) => e.path).sort();
    expect(paths).toEqual(["enabled", "extra", "label", "owner", "privateApiKey"]);
    for (const e of res.json.errors) expect(typeof e.message).toBe("string");
    expect(res.text).not.toContain(f.klaviyoKey);
    expect((await put(f, "not json")).status).toBe(400);
    expect((await put(f, { ...body(f), publicApiKey: "toolong1" })).status).toBe(400);
    expect((await get(f)).status).toBe(404);
  });
});

describe("upsert", () => {
  it("creates (201), reads, updates (200) with ETag, fingerprint, hint and rotation time", async () => {
    const f = await fixture();
    const created = await put(f, body(f, { scopes: ["events:write"] }));
    expect(created.status).toBe(201);
    const d = created.json;
    expect(d).toMatchObject({
      pixelId: f.pixelId,
      platform: "klaviyo",
      owner: "pulumi:proj/dev/dest",
      enabled: true,
      label: "Klaviyo",
      status: "healthy",
      statusReason: null,
      klaviyoAccountId: f.accountId,
      publicApiKey: f.accountId,
      scopes: ["events:write"],
    });
    expect(d.id).toMatch(/^dst_[a-z0-9]+$/);
    expect(d.keyFingerprint).toBe(`sha256:${createHash("sha256").update(f.klaviyoKey).digest("hex")}`);
    expect(d.keyHint).toBe(`pk_...${f.klaviyoKey.slice(-4)}`);
    expect(created.headers.etag).toBe(d.etag);
    expect(d.etag).toMatch(/^"[0-9a-f]+"$/);
    expect(d.createdAt).toBe(d.keyRotatedAt);
    expect(created.text).not.toContain(f.klaviyoKey);
    expect(d).not.toHaveProperty("privateApiKey");

    const read = await get(f);
    expect(read.status).toBe(200);
    expect(read.json).toEqual(d);
    expect(read.headers.etag).toBe(d.etag);

    await new Promise((r) => setTimeout(r, 5));
    const relabeled = await put(f, body(f, { label: "Renamed" }));
    expect(relabeled.status).toBe(200);
    expect(relabeled.json.id).toBe(d.id);
    expect(relabeled.json.etag).not.toBe(d.etag);
    expect(relabeled.json.keyRotatedAt).toBe(d.keyRotatedAt);
    expect(relabeled.json.updatedAt > d.updatedAt).toBe(true);
    expect(relabeled.json.scopes).toEqual([]);

    const same = await put(f, body(f, { label: "Renamed" }));
    expect(same.status).toBe(200);
    expect(same.json.etag).toBe(relabeled.json.etag);

    const newKey = await emu.admin.createKlaviyoKey({ accountId: f.accountId, format: "v2" });
    await new Promise((r) => setTimeout(r, 5));
    const rotated = await put(f, body(f, { label: "Renamed", privateApiKey: newKey.key }));
    expect(rotated.status).toBe(200);
    expect(rotated.json.keyRotatedAt > d.keyRotatedAt).toBe(true);
    expect(rotated.json.keyHint).toBe(`pk_...${newKey.key.slice(-4)}`);
    expect(rotated.json.createdAt).toBe(d.createdAt);
  });

  it("409 owned_by_other for another owner or a dashboard-made one, unless adopt", async () => {
    const f = await fixture();
    expect((await put(f, body(f))).status).toBe(201);
    const other = await put(f, body(f, { owner: "pulumi:other/prod/x" }));
    expect(other.status).toBe(409);
    expect(other.json).toMatchObject({ code: "owned_by_other", owner: "pulumi:proj/dev/dest" });
    expect(typeof other.json.message).toBe("string");
    const adopted = await put(f, body(f, { owner: "pulumi:other/prod/x", adopt: true }));
    expect(adopted.status).toBe(200);
    expect(adopted.json.owner).toBe("pulumi:other/prod/x");

    const g = await fixture();
    const dash = await emu.admin.putDestination(g.pixelId, { privateApiKey: g.klaviyoKey, label: "Made in dashboard" });
    expect(dash.owner).toBeNull();
    expect(dash.klaviyoAccountId).toBe(g.accountId);
    const refused = await put(g, body(g));
    expect(refused.status).toBe(409);
    expect(refused.json.owner).toBeNull();
    expect((await put(g, body(g, { adopt: true }))).json.owner).toBe("pulumi:proj/dev/dest");
  });

  it("412 precondition_failed on If-Match mismatch and If-None-Match: * when it exists", async () => {
    const f = await fixture();
    const missing = await put(f, body(f), { "if-match": '"nope"' });
    expect(missing.status).toBe(412);
    expect(missing.json.code).toBe("precondition_failed");
    const created = await put(f, body(f), { "if-none-match": "*" });
    expect(created.status).toBe(201);
    const again = await put(f, body(f), { "if-none-match": "*" });
    expect(again.status).toBe(412);
    expect(again.json).toMatchObject({ code: "precondition_failed", etag: created.json.etag });
    const stale = await put(f, body(f, { label: "B" }), { "if-match": '"0000"' });
    expect(stale.status).toBe(412);
    expect(stale.json.etag).toBe(created.json.etag);
    const ok = await put(f, body(f, { label: "B" }), { "if-match": created.json.etag });
    expect(ok.status).toBe(200);
    // A dashboard edit changes the etag: the old one no longer matches.
    const edited = await emu.admin.patchDestination(f.pixelId, { label: "Dashboard label" });
    expect(edited.etag).not.toBe(ok.json.etag);
    const lost = await put(f, body(f, { label: "C" }), { "if-match": ok.json.etag });
    expect(lost.status).toBe(412);
    expect(lost.json.etag).toBe(edited.etag);
  });

  it("Idempotency-Key: replays the first response, 422 for another body", async () => {
    const f = await fixture();
    const key = idemKey();
    const first = await put(f, body(f), { "idempotency-key": key });
    expect(first.status).toBe(201);
    expect(first.headers["idempotent-replayed"]).toBeUndefined();
    await emu.admin.patchDestination(f.pixelId, { label: "changed meanwhile" });
    const replay = await put(f, body(f), { "idempotency-key": key });
    expect(replay.status).toBe(201);
    expect(replay.headers["idempotent-replayed"]).toBe("true");
    expect(replay.json).toEqual(first.json);
    expect(replay.headers.etag).toBe(first.headers.etag);
    expect((await get(f)).json.label).toBe("changed meanwhile");
    // Same body with keys in another order is the same body.
    const reordered = Object.fromEntries(Object.entries(body(f)).reverse());
    expect((await put(f, reordered, { "idempotency-key": key })).headers["idempotent-replayed"]).toBe("true");
    const reused = await put(f, body(f, { label: "other" }), { "idempotency-key": key });
    expect(reused.status).toBe(422);
    expect(reused.json.code).toBe("idempotency_key_reused");
  });
});

describe("DELETE", () => {
  it("404 when none, 409 for another owner (a dashboard one has owner null), 412 If-Match, 204", async () => {
    const f = await fixture();
    expect((await del(f)).status).toBe(404);
    const created = await put(f, body(f));
    const wrong = await del(f, "?owner=" + encodeURIComponent("pulumi:someone/else/x"));
    expect(wrong.status).toBe(409);
    expect(wrong.json).toMatchObject({ code: "owned_by_other", owner: "pulumi:proj/dev/dest" });
    const stale = await del(f, "", { "if-match": '"stale"' });
    expect(stale.status).toBe(412);
    expect(stale.json.etag).toBe(created.json.etag);
    const ok = await del(f, "?owner=" + encodeURIComponent("pulumi:proj/dev/dest"), { "if-match": created.json.etag });
    expect(ok.status).toBe(204);
    expect(ok.text).toBe("");
    expect((await get(f)).status).toBe(404);
    expect((await del(f)).status).toBe(404);

    const g = await fixture();
    await emu.admin.putDestination(g.pixelId, { privateApiKey: g.klaviyoKey });
    const refused = await del(g, "?owner=pulumi:proj/dev/dest");
    expect(refused.status).toBe(409);
    expect(refused.json.owner).toBeNull();
    expect((await del(g)).status).toBe(204);
  });
});

describe("status", () => {
  it("healthy → unhealthy when the Klaviyo key is disabled, revoked or unknown; disabled when !enabled", async () => {
    const f = await fixture();
    await put(f, body(f));
    expect((await get(f)).json).toMatchObject({ status: "healthy", statusReason: null });
    await emu.admin.setKlaviyoKeyDisabled(f.klaviyoKeyId, true);
    expect((await get(f)).json).toMatchObject({ status: "unhealthy", statusReason: UNHEALTHY_REASON });
    await emu.admin.setKlaviyoKeyDisabled(f.klaviyoKeyId, false);
    expect((await get(f)).json.status).toBe("healthy");
    await emu.admin.revokeKlaviyoKey(f.klaviyoKeyId);
    expect((await get(f)).json.status).toBe("unhealthy");
    expect((await put(f, body(f, { enabled: false }))).json).toMatchObject({ status: "disabled", enabled: false });

    const g = await fixture();
    const unknown = await put(g, body(g, { privateApiKey: "pk_ffffffffffffffffffffffffffffffffff" }));
    expect(unknown.json.status).toBe("unhealthy");
    expect(unknown.json.statusReason).toBe("Klaviyo rejects the private key: it is invalid, disabled or revoked");
  });
});

describe("admin destinations", () => {
  it("lists without plaintext keys; PATCH is a dashboard edit; DELETE removes", async () => {
    const f = await fixture();
    await put(f, body(f));
    const list = await emu.admin.listDestinations();
    const mine = list.find((d) => d.pixelId === f.pixelId)!;
    expect(mine.keyFingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(JSON.stringify(list)).not.toContain(f.klaviyoKey);
    const before = (await get(f)).json;
    await new Promise((r) => setTimeout(r, 5));
    const patched = await emu.admin.patchDestination(f.pixelId, { enabled: false, owner: null });
    expect(patched).toMatchObject({ enabled: false, owner: null, status: "disabled" });
    expect(patched.etag).not.toBe(before.etag);
    expect(patched.updatedAt > before.updatedAt).toBe(true);
    expect(patched.keyRotatedAt).toBe(before.keyRotatedAt);
    expect(await emu.admin.getDestination(f.pixelId)).toEqual(patched);
    expect(await emu.admin.deleteDestination(f.pixelId)).toBe(true);
    expect(await emu.admin.deleteDestination(f.pixelId)).toBe(false);
    expect(await emu.admin.getDestination(f.pixelId)).toBeNull();
  });

  it("unknown Upstack paths are 404 {message}, other methods 405", async () => {
    const f = await fixture();
    const res = await call(`${emu.url}/destinations/api/meta`, { headers: upstackHeaders(f.apiKey, f.pixelId) });
    expect(res.status).toBe(404);
    expect(typeof res.json.message).toBe("string");
    const post = await call(`${emu.url}${DESTINATION_PATH}`, { method: "POST", headers: upstackHeaders(f.apiKey, f.pixelId), body: {} });
    expect(post.status).toBe(405);
  });
});
