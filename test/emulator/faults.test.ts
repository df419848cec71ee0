import { request } from "undici";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { DESTINATION_PATH, REVISION, call, expectJsonApiError, idemKey, klaviyoGet, upstackHeaders } from "./helpers";

let emu: RunningEmulator;
let klaviyoKey: string;
let up: { apiKey: string; pixelId: string };
beforeAll(async () => {
  emu = await startEmulator({ port: 0, klaviyo: { rateLimits: false } });
});
beforeEach(async () => {
  await emu.admin.reset();
  klaviyoKey = (await emu.admin.createKlaviyoAccountWithKey()).key.key;
  up = await emu.admin.createUpstackKey();
});
afterAll(async () => {
  await emu.close();
});

const accounts = () => klaviyoGet(emu, "/api/accounts/", klaviyoKey);
const getDest = () => call(`${emu.url}${DESTINATION_PATH}`, { headers: upstackHeaders(up.apiKey, up.pixelId) });
const putDest = (idem = idemKey()) =>
  call(`${emu.url}${DESTINATION_PATH}`, {
    method: "PUT",
    headers: upstackHeaders(up.apiKey, up.pixelId, { "idempotency-key": idem }),
    body: { privateApiKey: klaviyoKey, owner: "pulumi:p/s/r", enabled: true, label: "Klaviyo" },
  });

describe("status faults", () => {
  it("Klaviyo 503 with a JSON:API body and Retry-After 1 by default", async () => {
    emu.faults.add({ service: "klaviyo", fault: { kind: "status", status: 503 } });
    const res = await accounts();
    expectJsonApiError(res, 503, "error");
    expect(res.headers["retry-after"]).toBe("1");
    expect((await accounts()).status).toBe(200);
  });

  it("Klaviyo 429 uses the throttled body; retryAfter null omits the header", async () => {
    emu.faults.add({ path: "/api/accounts", fault: { kind: "status", status: 429, retryAfter: 7 } });
    const res = await accounts();
    expectJsonApiError(res, 429, "throttled", "Request was throttled. Expected available in 7 seconds.");
    expect(res.headers["retry-after"]).toBe("7");
    emu.faults.add({ path: "/api/accounts", fault: { kind: "status", status: 429, retryAfter: null } });
    const bare = await accounts();
    expect(bare.status).toBe(429);
    expect(bare.headers["retry-after"]).toBeUndefined();
  });

  it("Upstack 429 and 500 are {message}; a custom body is sent as is", async () => {
    emu.faults.add({ service: "upstack", times: 2, fault: { kind: "status", status: 429, retryAfter: 3 } });
    const r1 = await getDest();
    expect(r1.status).toBe(429);
    expect(typeof r1.json.message).toBe("string");
    expect(r1.headers["retry-after"]).toBe("3");
    expect((await getDest()).status).toBe(429);
    expect((await getDest()).status).toBe(404);
    emu.faults.add({ service: "upstack", fault: { kind: "status", status: 500 } });
    const r2 = await getDest();
    expect(r2.status).toBe(500);
    expect(typeof r2.json.message).toBe("string");
    emu.faults.add({ service: "upstack", fault: { kind: "status", status: 502, body: { message: "bad gateway", custom: true } } });
    expect((await getDest()).json).toEqual({ message: "bad gateway", custom: true });
  });

  it("nth and times count matching calls; times 0 faults every call from nth", async () => {
    emu.faults.add({ service: "klaviyo", method: "GET", path: "/api/accounts", nth: 2, times: 2, fault: { kind: "status", status: 500 } });
    const s = [];
    for (let i = 0; i < 5; i++) s.push((await accounts()).status);
    expect(s).toEqual([200, 500, 500, 200, 200]);
    // Non-matching calls do not count.
    expect((await klaviyoGet(emu, "/api/metrics/", klaviyoKey)).status).toBe(200);
    emu.faults.clear();
    emu.faults.add({ method: "PUT", nth: 3, times: 0, fault: { kind: "status", status: 503 } });
    const t = [];
    for (let i = 0; i < 5; i++) t.push((await putDest()).status);
    expect(t).toEqual([201, 200, 503, 503, 503]);
    expect((await getDest()).status).toBe(200);
    expect(emu.faults.list()[0]).toMatchObject({ matched: 5, fired: 3 });
  });
});

describe("connection faults", () => {
  it("latency delays then answers normally", async () => {
    emu.faults.add({ service: "klaviyo", fault: { kind: "latency", ms: 250 } });
    const t0 = Date.now();
    expect((await accounts()).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(240);
  });

  it("reset destroys the socket without a response", async () => {
    emu.faults.add({ service: "klaviyo", fault: { kind: "reset" } });
    await expect(accounts()).rejects.toThrow();
    expect((await accounts()).status).toBe(200);
    expect(emu.requests({ service: "klaviyo" })[0]).toMatchObject({ status: null, faulted: true, fault: "reset" });
  });

  it("hang never answers (client timeout fires)", async () => {
    emu.faults.add({ service: "upstack", fault: { kind: "hang" } });
    const t0 = Date.now();
    await expect(request(`${emu.url}${DESTINATION_PATH}`, { headers: upstackHeaders(up.apiKey, up.pixelId), headersTimeout: 300 })).rejects.toThrow();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect((await getDest()).status).toBe(404);
  });

  it("html403 answers the CDN challenge", async () => {
    emu.faults.add({ fault: { kind: "html403" } });
    const res = await accounts();
    expect(res.status).toBe(403);
    expect(res.headers["content-type"]).toContain("text/html");
    expect(res.headers["cf-mitigated"]).toBe("challenge");
    expect(res.json).toBeUndefined();
  });

  it("commit-then-reset applies the write and loses the response", async () => {
    emu.faults.add({ method: "PUT", fault: { kind: "commit-then-reset" } });
    const idem = idemKey();
    await expect(putDest(idem)).rejects.toThrow();
    const after = await getDest();
    expect(after.status).toBe(200);
    // The retry with the same key replays the committed response.
    const retry = await putDest(idem);
    expect(retry.status).toBe(201);
    expect(retry.headers["idempotent-replayed"]).toBe("true");
    expect(retry.json.etag).toBe(after.json.etag);
  });
});

describe("admin faults over HTTP", () => {
  it("POST/GET/DELETE /_admin/faults and 400 for an invalid rule", async () => {
    const { id } = await emu.admin.addFault({ service: "klaviyo", fault: { kind: "status", status: 500 } });
    expect(id).toEqual(expect.any(String));
    expect((await emu.admin.listFaults()).map((f) => f.id)).toEqual([id]);
    await emu.admin.removeFault(id);
    expect(await emu.admin.listFaults()).toEqual([]);
    await emu.admin.addFault({ fault: { kind: "reset" } });
    await emu.admin.clearFaults();
    expect(await emu.admin.listFaults()).toEqual([]);
    const bad = await call(`${emu.adminUrl}/faults`, { method: "POST", body: { fault: { kind: "explode" } } });
    expect(bad.status).toBe(400);
    expect(() => emu.faults.add({ nth: 0, fault: { kind: "reset" } })).toThrow(/Invalid fault rule/);
  });
});

describe("request log", () => {
  it("records Klaviyo and Upstack calls (not admin), filters, clears, holds no secrets", async () => {
    await emu.admin.clearRequests();
    emu.faults.add({ path: "/api/metrics", fault: { kind: "status", status: 500 } });
    await accounts();
    await klaviyoGet(emu, "/api/metrics/", klaviyoKey);
    await putDest();
    await call(`${emu.url}${DESTINATION_PATH}?owner=pulumi%3Ap%2Fs%2Fr`, { method: "DELETE", headers: upstackHeaders(up.apiKey, up.pixelId) });
    await emu.admin.listDestinations();
    const all = await emu.admin.listRequests();
    expect(all.map((e) => [e.service, e.method, e.path, e.status])).toEqual([
      ["klaviyo", "GET", "/api/accounts/", 200],
      ["klaviyo", "GET", "/api/metrics/", 500],
      ["upstack", "PUT", DESTINATION_PATH, 201],
      ["upstack", "DELETE", DESTINATION_PATH, 204],
    ]);
    expect(all[1]).toMatchObject({ faulted: true, fault: "status" });
    expect(all[0]!.faulted).toBeUndefined();
    expect(all[1]!.seq).toBeGreaterThan(all[0]!.seq);
    expect(new Date(all[0]!.at).toISOString()).toBe(all[0]!.at);
    expect(JSON.stringify(all)).not.toContain(klaviyoKey);
    expect(JSON.stringify(all)).not.toContain(up.apiKey);
    expect((await emu.admin.listRequests({ service: "upstack" })).length).toBe(2);
    expect(emu.requests({ service: "klaviyo" }).length).toBe(2);
    emu.clearRequests();
    expect(await emu.admin.listRequests()).toEqual([]);
  });

  it("POST /_admin/reset clears state, faults and log", async () => {
    await putDest();
    emu.faults.add({ fault: { kind: "reset" } });
    await emu.admin.reset();
    expect(emu.faults.list()).toEqual([]);
    expect(emu.requests()).toEqual([]);
    expect(await emu.admin.listDestinations()).toEqual([]);
    expect(await emu.admin.listKlaviyoAccounts()).toEqual([]);
    expect((await accounts()).status).toBe(401);
  });
});

describe("lifecycle", () => {
  it("close() ends hanging requests and keep-alive sockets", async () => {
    const other = await startEmulator();
    const { key } = await other.admin.createKlaviyoAccountWithKey();
    await klaviyoGet(other, "/api/accounts/", key.key); // leaves a keep-alive socket
    other.faults.add({ fault: { kind: "hang" } });
    const pending = call(`${other.url}/api/metrics/`, { headers: { authorization: `Klaviyo-API-Key ${key.key}`, revision: REVISION } });
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    await other.close();
    expect(Date.now() - t0).toBeLessThan(1000);
    await expect(pending).rejects.toThrow();
    await other.close(); // idempotent
  });

  it("latencyMs delays every non-admin request", async () => {
    const slow = await startEmulator({ latencyMs: 150 });
    try {
      const t0 = Date.now();
      await slow.admin.createKlaviyoAccount();
      expect(Date.now() - t0).toBeLessThan(140);
      const t1 = Date.now();
      expect((await call(`${slow.url}/api/accounts/`)).status).toBe(400);
      expect(Date.now() - t1).toBeGreaterThanOrEqual(140);
    } finally {
      await slow.close();
    }
  });
});
