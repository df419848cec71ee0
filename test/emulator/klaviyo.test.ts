import { startEmulator, KLAVIYO_SCOPES, KLAVIYO_READ_SCOPES, type RunningEmulator } from "../../emulator";
import { loadKlaviyoSpec } from "../../spec/klaviyo";
import { BETA_REVISION, REVISION, call, expectJsonApiError, klaviyoGet, klaviyoHeaders } from "./helpers";

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, klaviyo: { rateLimits: false } });
});
afterAll(async () => {
  await emu.close();
});

async function fullKey(format: "classic" | "v2" = "classic") {
  return emu.admin.createKlaviyoAccountWithKey({ name: "Acme Store" }, { format });
}

describe("fake keys", () => {
  it("makes classic and v2 private keys and 6-character account ids", async () => {
    const classic = await fullKey("classic");
    const v2 = await fullKey("v2");
    expect(classic.key.key).toMatch(/^pk_[0-9a-f]{34}$/);
    expect(v2.key.key).toMatch(/^pk_[A-Za-z0-9]{6}_[0-9a-f]{34}$/);
    expect(classic.account.id).toMatch(/^[A-Za-z0-9]{6}$/);
    for (const k of [classic.key.key, v2.key.key]) expect((await klaviyoGet(emu, "/api/accounts/", k)).status).toBe(200);
  });
});

describe("GET /api/accounts/", () => {
  it("returns the account in Klaviyo's shape", async () => {
    const { account, key } = await fullKey();
    const res = await klaviyoGet(emu, "/api/accounts/", key.key);
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toContain("application/vnd.api+json");
    // The spec types links.next/prev as strings: the emulator leaves them out when there is no such page.
    expect(res.json.links).toEqual({ self: `${emu.url}/api/accounts/` });
    const [a] = res.json.data;
    expect(a.type).toBe("account");
    expect(a.id).toBe(account.id);
    expect(a.attributes.public_api_key).toBe(account.id);
    expect(a.attributes.test_account).toBe(false);
    expect(a.attributes.contact_information.organization_name).toBe("Acme Store");
    expect(Object.keys(a.attributes.contact_information.street_address).sort()).toEqual(["address1", "address2", "city", "country", "region", "zip"]);
    expect(a.attributes).toMatchObject({ timezone: "America/New_York", preferred_currency: "USD", locale: "en-US" });
    expect(typeof a.attributes.industry).toBe("string");
    expect(a.links.self).toContain(account.id);
  });

  it("reports a test account", async () => {
    const { key } = await emu.admin.createKlaviyoAccountWithKey({ testAccount: true });
    const res = await klaviyoGet(emu, "/api/accounts", key.key);
    expect(res.json.data[0].attributes.test_account).toBe(true);
  });

  it("answers unknown endpoints with a JSON:API 404", async () => {
    const { key } = await fullKey();
    expectJsonApiError(await klaviyoGet(emu, "/api/nope/", key.key), 404, "not_found");
  });
});

describe("revision header", () => {
  it("400 invalid when missing", async () => {
    const { key } = await fullKey();
    const res = await call(`${emu.url}/api/accounts/`, { headers: { authorization: `Klaviyo-API-Key ${key.key}` } });
    expectJsonApiError(res, 400, "invalid");
  });

  it.each(["2023-01-14", "2026-07-16", "2024-02-30", "15-01-2024", "latest", "2024-10-15.beta"])("404 for revision %s", async (rev) => {
    const { key } = await fullKey();
    expectJsonApiError(await klaviyoGet(emu, "/api/accounts/", key.key, rev), 404, "not_found", "No valid revisions found");
  });

  it.each(["2023-01-15", "2026-07-15", "2024-10-15", "2025-04-15.pre"])("accepts %s on a stable endpoint", async (rev) => {
    const { key } = await fullKey();
    expect((await klaviyoGet(emu, "/api/accounts/", key.key, rev)).status).toBe(200);
  });

  it("beta endpoints need the .pre suffix", async () => {
    const { key } = await fullKey();
    expectJsonApiError(await klaviyoGet(emu, "/api/api-keys/", key.key, REVISION), 404, "not_found", "No valid revisions found");
    expect((await klaviyoGet(emu, "/api/api-keys/", key.key, "2024-05-15.pre")).status).toBe(200);
    expectJsonApiError(await klaviyoGet(emu, "/api/api-keys/", key.key, "2027-01-15.pre"), 404, "not_found");
  });
});

describe("authentication", () => {
  it("401 not_authenticated without Authorization", async () => {
    const res = await call(`${emu.url}/api/accounts/`, { headers: { revision: REVISION } });
    expectJsonApiError(res, 401, "not_authenticated", "Authentication credentials were not provided.");
  });

  it("401 for another scheme", async () => {
    const { key } = await fullKey();
    const res = await call(`${emu.url}/api/accounts/`, { headers: { revision: REVISION, authorization: `Token ${key.key}` } });
    expectJsonApiError(res, 401, "not_authenticated", "Authentication credentials were not provided.");
  });

  it("a Bearer scheme gets the CDN's HTML 400", async () => {
    const { key } = await fullKey();
    const res = await call(`${emu.url}/api/accounts/`, { headers: { revision: REVISION, authorization: `Bearer ${key.key}` } });
    expect(res.status).toBe(400);
    expect(res.headers["content-type"]).toContain("text/html");
    expect(res.text).toContain("<html>");
  });

  it("401 Incorrect authentication credentials for unknown, disabled and revoked keys", async () => {
    const detail = "Incorrect authentication credentials.";
    expectJsonApiError(await klaviyoGet(emu, "/api/accounts/", "pk_0123456789abcdef0123456789abcdef01"), 401, "not_authenticated", detail);

    const { key } = await fullKey();
    await emu.admin.setKlaviyoKeyDisabled(key.id, true);
    expectJsonApiError(await klaviyoGet(emu, "/api/accounts/", key.key), 401, "not_authenticated", detail);
    await emu.admin.setKlaviyoKeyDisabled(key.id, false);
    expect((await klaviyoGet(emu, "/api/accounts/", key.key)).status).toBe(200);
    await emu.admin.revokeKlaviyoKey(key.id);
    expectJsonApiError(await klaviyoGet(emu, "/api/accounts/", key.key), 401, "not_authenticated", detail);
  });

  it("a key created disabled does not authenticate", async () => {
    const { key } = await emu.admin.createKlaviyoAccountWithKey({}, { disabled: true });
    expect(key.disabled).toBe(true);
    expect((await klaviyoGet(emu, "/api/accounts/", key.key)).status).toBe(401);
  });
});

describe("scopes", () => {
  const probes: Array<[string, string]> = [
    ["/api/accounts/", "accounts:read"],
    ["/api/metrics/", "metrics:read"],
    ["/api/profiles/", "profiles:read"],
    ["/api/events/", "events:read"],
    ["/api/lists/", "lists:read"],
  ];

  it("exports the scope list (the enum of Klaviyo's spec file); full has all, read_only every :read", async () => {
    expect(KLAVIYO_SCOPES).toContain("credentials:read");
    expect(KLAVIYO_SCOPES).toEqual(loadKlaviyoSpec().scopes);
    expect(KLAVIYO_SCOPES).toHaveLength(63);
    const a = await emu.admin.createKlaviyoAccount();
    const full = await emu.admin.createKlaviyoKey({ accountId: a.id });
    const ro = await emu.admin.createKlaviyoKey({ accountId: a.id, accessLevel: "read_only" });
    expect(full.scopes).toEqual([...KLAVIYO_SCOPES]);
    expect(ro.scopes).toEqual([...KLAVIYO_READ_SCOPES]);
    expect(ro.scopes.every((s) => s.endsWith(":read"))).toBe(true);
  });

  it("probes answer an empty list with a full key", async () => {
    const { key } = await fullKey();
    for (const [path] of probes.slice(1)) {
      const res = await klaviyoGet(emu, path, key.key);
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ data: [], links: { self: `${emu.url}${path}` } });
    }
  });

  it.each(probes)("%s needs %s (403 permission_denied otherwise)", async (path, scope) => {
    const a = await emu.admin.createKlaviyoAccount();
    const without = await emu.admin.createKlaviyoKey({ accountId: a.id, accessLevel: "custom", scopes: KLAVIYO_SCOPES.filter((s) => s !== scope) });
    const only = await emu.admin.createKlaviyoKey({ accountId: a.id, accessLevel: "custom", scopes: [scope] });
    const res = await klaviyoGet(emu, path, without.key);
    expectJsonApiError(res, 403, "permission_denied");
    expect(res.json.errors[0].title).toBe("You do not have permission to perform this action.");
    expect(res.text).not.toContain(without.key);
    expect((await klaviyoGet(emu, path, only.key)).status).toBe(200);
  });

  it("a read_only key can read but custom keys keep exactly their scopes", async () => {
    const a = await emu.admin.createKlaviyoAccount();
    const ro = await emu.admin.createKlaviyoKey({ accountId: a.id, accessLevel: "read_only" });
    for (const [path] of probes) expect((await klaviyoGet(emu, path, ro.key)).status).toBe(200);
    const custom = await emu.admin.createKlaviyoKey({ accountId: a.id, accessLevel: "custom", scopes: ["events:write", "profiles:write"] });
    expect(custom.scopes).toEqual(["events:write", "profiles:write"]);
    expect((await klaviyoGet(emu, "/api/events/", custom.key)).status).toBe(403);
  });

  it("rejects unknown scopes at key creation", async () => {
    const a = await emu.admin.createKlaviyoAccount();
    await expect(emu.admin.createKlaviyoKey({ accountId: a.id, accessLevel: "custom", scopes: ["nope:read"] })).rejects.toMatchObject({ status: 400 });
  });

  it("refuses explicit scopes on a read_only or full key instead of dropping them, and a custom key without scopes", async () => {
    const a = await emu.admin.createKlaviyoAccount();
    await expect(emu.admin.createKlaviyoKey({ accountId: a.id, accessLevel: "read_only", scopes: ["events:write"] })).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/only for a custom key/),
    });
    await expect(emu.admin.createKlaviyoKey({ accountId: a.id, scopes: ["events:write"] })).rejects.toMatchObject({ status: 400 });
    await expect(emu.admin.createKlaviyoKey({ accountId: a.id, accessLevel: "custom", scopes: [] })).rejects.toMatchObject({ status: 400 });
  });
});

describe("GET /api/api-keys/ (beta)", () => {
  it("lists the account's non-revoked keys, redacted, and needs credentials:read", async () => {
    const a = await emu.admin.createKlaviyoAccount();
    const full = await emu.admin.createKlaviyoKey({ accountId: a.id, label: "UpstackData" });
    const ro = await emu.admin.createKlaviyoKey({ accountId: a.id, accessLevel: "read_only", label: "ro", format: "v2" });
    const gone = await emu.admin.createKlaviyoKey({ accountId: a.id, label: "gone" });
    const off = await emu.admin.createKlaviyoKey({ accountId: a.id, label: "off", disabled: true });
    await emu.admin.revokeKlaviyoKey(gone.id);
    const other = await emu.admin.createKlaviyoAccountWithKey();

    const res = await klaviyoGet(emu, "/api/api-keys/", full.key, BETA_REVISION);
    expect(res.status).toBe(200);
    const byId = new Map<string, any>(res.json.data.map((d: any) => [d.id, d]));
    expect([...byId.keys()].sort()).toEqual([full.id, ro.id, off.id].sort());
    expect(byId.has(other.key.id)).toBe(false);
    const f = byId.get(full.id);
    expect(f.type).toBe("api-key");
    // The spec's attributes: name, status, scopes, created; redacted_key only when asked for.
    expect(Object.keys(f.attributes).sort()).toEqual(["created", "name", "scopes", "status"]);
    expect(f.attributes).toMatchObject({ name: "UpstackData", status: "active" });
    expect(f.attributes.scopes).toEqual([...KLAVIYO_SCOPES]);
    expect(new Date(f.attributes.created).toISOString()).toBe(f.attributes.created);
    expect(byId.get(ro.id).attributes.scopes).toEqual([...KLAVIYO_READ_SCOPES]);
    expect(byId.get(off.id).attributes.status).toBe("disabled");
    const asked = await call(`${emu.url}/api/api-keys/?additional-fields[api-key]=redacted_key`, { headers: klaviyoHeaders(full.key, BETA_REVISION) });
    expect(asked.status).toBe(200);
    const fa = asked.json.data.find((d: any) => d.id === full.id);
    expect(fa.attributes.redacted_key).toBe(`pk_****${full.key.slice(-4)}`);
    for (const k of [full.key, ro.key, off.key]) expect(asked.text).not.toContain(k);
    for (const k of [full.key, ro.key, off.key]) expect(res.text).not.toContain(k);

    expect((await klaviyoGet(emu, "/api/api-keys/", ro.key, BETA_REVISION)).status).toBe(200);
  });

  it("403 without credentials:read", async () => {
    const a = await emu.admin.createKlaviyoAccount();
    const k = await emu.admin.createKlaviyoKey({ accountId: a.id, accessLevel: "custom", scopes: ["accounts:read"] });
    expectJsonApiError(await klaviyoGet(emu, "/api/api-keys/", k.key, BETA_REVISION), 403, "permission_denied");
  });
});

describe("GET /api/api-keys/ pagination", () => {
  it("pages the listing through links.next (same origin, page[cursor]); the last page has no next", async () => {
    const e = await startEmulator({ klaviyo: { rateLimits: false, apiKeysPageSize: 2 } });
    try {
      const { account, key } = await e.admin.createKlaviyoAccountWithKey();
      for (let i = 0; i < 4; i++) await e.admin.createKlaviyoKey({ accountId: account.id, label: `k${i}` });
      const ids: string[] = [];
      let url: string | undefined = `${e.url}/api/api-keys/?additional-fields[api-key]=redacted_key`;
      let pages = 0;
      while (url !== undefined) {
        const res = await call(url, { headers: klaviyoHeaders(key.key, BETA_REVISION) });
        expect(res.status).toBe(200);
        pages++;
        ids.push(...res.json.data.map((d: any) => d.id));
        for (const d of res.json.data) expect(d.attributes.redacted_key).toMatch(/^pk_\*{4}.{4}$/);
        url = res.json.links.next;
        if (url !== undefined) expect(new URL(url).origin).toBe(e.url);
      }
      expect(pages).toBe(3);
      expect(new Set(ids).size).toBe(5);
      const bad = await call(`${e.url}/api/api-keys/?page[cursor]=nonsense`, { headers: klaviyoHeaders(key.key, BETA_REVISION) });
      expectJsonApiError(bad, 400, "invalid");
      expect(bad.json.errors[0].source).toEqual({ parameter: "page[cursor]" });
    } finally {
      await e.close();
    }
  });
});

describe("query parameters (only those the spec files define, within range)", () => {
  it.each([
    ["/api/metrics/?page[size]=1", "page[size]"],
    ["/api/lists/?page[size]=100", "page[size]"],
    ["/api/profiles/?page[size]=0", "page[size]"],
    ["/api/events/?page[size]=1001", "page[size]"],
    ["/api/accounts/?page[size]=1", "page[size]"],
    ["/api/accounts/?fields[account]=nope", "fields[account]"],
    ["/api/lists/?sort=colour", "sort"],
  ])("%s → JSON 400 invalid naming %s", async (path, parameter) => {
    const { key } = await fullKey();
    const res = await klaviyoGet(emu, path, key.key);
    expectJsonApiError(res, 400, "invalid");
    expect(res.json.errors[0].source).toEqual({ parameter });
  });

  it.each([
    "/api/lists/?page[size]=10",
    "/api/profiles/?page[size]=100",
    "/api/events/?page[size]=1",
    "/api/metrics/?fields[metric]=name,created",
    "/api/accounts/",
  ])("%s is defined and in range → 200", async (path) => {
    const { key } = await fullKey();
    expect((await klaviyoGet(emu, path, key.key)).status).toBe(200);
  });
});

describe("other methods", () => {
  it("405 on POST to a read endpoint", async () => {
    const { key } = await fullKey();
    const res = await call(`${emu.url}/api/accounts/`, { method: "POST", headers: klaviyoHeaders(key.key), body: {} });
    expectJsonApiError(res, 405, "method_not_allowed");
  });
});
