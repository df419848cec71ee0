/**
 * The key validator against the emulator (which answers as Klaviyo's spec files describe), and
 * against spec-shaped answers the emulator cannot produce by itself (several keys sharing the
 * last four characters, a listing that shows the key disabled, a withdrawn beta endpoint, a 400
 * naming a parameter, a misfit), injected as fault bodies. The first three tests are the three
 * cases of issue 10 that passed (or failed) wrongly before.
 */
import { startEmulator, type RunningEmulator } from "../../emulator";
import type { KlaviyoKeyCreated } from "../../emulator/types";
import { accessRequirement } from "../../provider/klaviyo/access";
import { KlaviyoClient, MAX_LISTING_PAGES } from "../../provider/klaviyo/client";
import { KeyValidator, type KeyValidation, type ValidationCarry } from "../../provider/klaviyo/key-validator";
import { RequestPacer } from "../../provider/klaviyo/request-pacer";
import { HttpTransport } from "../../provider/transport/http-transport";
import { loadKlaviyoSpec } from "../../spec/klaviyo";

const spec = loadKlaviyoSpec();
const FULL = { requirement: accessRequirement(undefined) };
let emu: RunningEmulator;
let transport: HttpTransport;

beforeAll(async () => {
  emu = await startEmulator({ klaviyo: { rateLimits: false } });
  transport = new HttpTransport({ attemptTimeoutMs: 5000, deadlineMs: 20_000 });
});
afterAll(async () => {
  await transport.close();
  await emu.close();
});
afterEach(() => emu.faults.clear());

function validator(on: RunningEmulator = emu, pacing = false, t: HttpTransport = transport): KeyValidator {
  return new KeyValidator(new KlaviyoClient(t, on.url, spec), spec, new RequestPacer(pacing));
}

async function rejection(p: Promise<unknown>): Promise<{ code: string; message: string; property: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code: string; message: string; property: string };
  }
  throw new Error("expected a rejection");
}

async function account(): Promise<{ id: string; full: KlaviyoKeyCreated }> {
  const { account: a, key } = await emu.admin.createKlaviyoAccountWithKey({ name: "Acme Outdoor" }, { label: "UpstackData" });
  return { id: a.id, full: key };
}

const apiKey = (id: string, last4: string, scopes: readonly string[], status = "active", name = "k") => ({
  type: "api-key",
  id,
  attributes: { name, status, scopes: [...scopes], created: "2026-01-01T00:00:00+00:00", redacted_key: `pk_****${last4}` },
  links: { self: `${emu.url}/api/api-keys/${id}/` },
});
const listingFault = (data: unknown[], links: Record<string, unknown> = { self: `${emu.url}/api/api-keys/` }, times = 1) =>
  emu.faults.add({ service: "klaviyo", path: "/api/api-keys", times, fault: { kind: "status", status: 200, body: { data, links } } });
const readOnly = spec.scopes.filter((s) => s.endsWith(":read"));

describe("the three cases of issue 10", () => {
  test("a Read-Only key (it holds credentials:read) is refused as Full Access, naming its level and the missing scopes", async () => {
    const { id } = await account();
    const ro = await emu.admin.createKlaviyoKey({ accountId: id, accessLevel: "read_only", label: "ro" });
    expect(ro.scopes).toContain("credentials:read");
    const e = await rejection(validator().validate(ro.key, FULL));
    expect(e.code).toBe("klaviyo_key_not_full_access");
    expect(e.property).toBe("privateApiKey");
    expect(e.message).toMatch(/has Read-Only access; Upstack Data requires Full Access\. Missing scopes: accounts:write, .*events:write.*profiles:write/);
    expect(e.message).not.toContain(ro.key);
  });

  test("a Read-Only key does not pass declared scopes [events:write, profiles:write]", async () => {
    const { id } = await account();
    const ro = await emu.admin.createKlaviyoKey({ accountId: id, accessLevel: "read_only" });
    const e = await rejection(validator().validate(ro.key, { requirement: accessRequirement(["events:write", "profiles:write"]) }));
    expect(e.code).toBe("klaviyo_key_missing_scope");
    expect(e.message).toMatch(/has Read-Only access and lacks the declared scope\(s\) events:write, profiles:write/);
  });

  test("a custom key with metrics:read declared passes: the metrics probe sends no page[size]", async () => {
    const { id } = await account();
    const k = await emu.admin.createKlaviyoKey({ accountId: id, accessLevel: "custom", scopes: ["accounts:read", "metrics:read"] });
    emu.clearRequests();
    const v = await validator().validate(k.key, { requirement: accessRequirement(["metrics:read"]) });
    expect(v.accessCheck).toMatch(/metrics:read confirmed by read-only GETs/);
    expect(emu.requests().map((r) => `${r.path} ${r.status}`)).toEqual(["/api/accounts/ 200", "/api/api-keys/ 403", "/api/metrics/ 200"]);
  });
});

describe("access from the listing", () => {
  test("a Full Access key passes; Klaviyo's key id and name are recorded, never the key", async () => {
    const { full } = await account();
    const v = await validator().validate(full.key, FULL);
    expect(v).toMatchObject({ keyId: full.id, keyName: "UpstackData", unverifiedScopes: [] });
    expect(v.accessCheck).toBe(`Klaviyo's key listing (GET /api/api-keys) shows the key "UpstackData" (${full.id}) with Full Access (every scope)`);
    expect(JSON.stringify(v)).not.toContain(full.key);
  });

  test("a custom key missing a declared scope is refused naming it; one holding them all passes with its id", async () => {
    const { id } = await account();
    const k = await emu.admin.createKlaviyoKey({
      accountId: id,
      accessLevel: "custom",
      scopes: ["accounts:read", "credentials:read", "events:write"],
      label: "custom",
    });
    const e = await rejection(validator().validate(k.key, { requirement: accessRequirement(["events:write", "profiles:write"]) }));
    expect(e).toMatchObject({
      code: "klaviyo_key_missing_scope",
      message: expect.stringMatching(/has Custom access and lacks the declared scope\(s\) profiles:write\./),
    });
    await expect(validator().validate(k.key, { requirement: accessRequirement(["events:write"]) })).resolves.toMatchObject({ keyId: k.id, keyName: "custom" });
    const notFull = await rejection(validator().validate(k.key, FULL));
    expect(notFull).toMatchObject({ code: "klaviyo_key_not_full_access", message: expect.stringMatching(/has Custom access/) });
  });

  test("the listing asks for redacted_key and follows links.next across pages", async () => {
    const e = await startEmulator({ klaviyo: { rateLimits: false, apiKeysPageSize: 2 } });
    try {
      const { account: a } = await e.admin.createKlaviyoAccountWithKey();
      for (let i = 0; i < 3; i++) await e.admin.createKlaviyoKey({ accountId: a.id });
      const last = await e.admin.createKlaviyoKey({ accountId: a.id, label: "on page three" });
      e.clearRequests();
      await expect(validator(e).validate(last.key, FULL)).resolves.toMatchObject({ keyId: last.id, keyName: "on page three" });
      expect(e.requests().filter((r) => r.path === "/api/api-keys/")).toHaveLength(3);
    } finally {
      await e.close();
    }
  });

  test("the key shown disabled in the listing is refused", async () => {
    const { full } = await account();
    listingFault([apiKey("K1", full.key.slice(-4), spec.scopes, "disabled", "UpstackData")]);
    const e = await rejection(validator().validate(full.key, FULL));
    expect(e.code).toBe("klaviyo_key_invalid");
    expect(e.message).toMatch(/shows the key pk_\.\.\.[0-9a-f]{4} \("UpstackData"\) as disabled/);
  });

  test("several keys share the last four characters: a disabled twin is ignored; twins with different access are inconclusive; twins alike decide", async () => {
    const { full } = await account();
    const last4 = full.key.slice(-4);
    listingFault([apiKey("TWIN", last4, readOnly, "disabled"), apiKey("MINE", last4, spec.scopes, "active", "UpstackData")]);
    await expect(validator().validate(full.key, FULL)).resolves.toMatchObject({ keyId: "MINE", keyName: "UpstackData" });

    listingFault([apiKey("A", last4, readOnly), apiKey("B", last4, spec.scopes)]);
    const e = await rejection(validator().validate(full.key, FULL));
    expect(e.code).toBe("klaviyo_inconclusive");
    expect(e.message).toMatch(new RegExp(`several active keys in this Klaviyo account end in ${last4} and they have different access`));

    listingFault([apiKey("A", last4, spec.scopes), apiKey("B", last4, spec.scopes)]);
    const both = await validator().validate(full.key, FULL);
    expect(both).toMatchObject({ keyId: undefined, keyName: undefined });
    expect(both.accessCheck).toMatch(/2 active keys ending in .{4}, each with Full Access/);

    listingFault([apiKey("A", last4, readOnly), apiKey("B", last4, readOnly)]);
    expect(await rejection(validator().validate(full.key, FULL))).toMatchObject({
      code: "klaviyo_key_not_full_access",
      message: expect.stringMatching(/every active key ending in/),
    });
  });

  test("links.next: null (as live Klaviyo sends it) ends the listing", async () => {
    const { full } = await account();
    listingFault([apiKey("MINE", full.key.slice(-4), spec.scopes)], { self: `${emu.url}/api/api-keys/`, next: null, prev: null });
    await expect(validator().validate(full.key, FULL)).resolves.toMatchObject({ keyId: "MINE" });
  });

  test("a links.next to another origin is not followed; a listing longer than the bound is refused", async () => {
    const { full } = await account();
    listingFault([apiKey("X", "zzzz", spec.scopes)], { self: `${emu.url}/api/api-keys/`, next: "https://elsewhere.example.com/api/api-keys/?page[cursor]=a" });
    const e = await rejection(validator().validate(full.key, FULL));
    expect(e.code).toBe("klaviyo_unexpected_response");
    expect(e.message).toMatch(/GET \/api\/api-keys .*links\.next points outside/);

    emu.clearRequests();
    listingFault([apiKey("X", "zzzz", spec.scopes)], { self: `${emu.url}/api/api-keys/`, next: `${emu.url}/api/api-keys/?page[cursor]=again` }, 0);
    const long = await rejection(validator().validate(full.key, FULL));
    expect(long.code).toBe("klaviyo_unexpected_response");
    expect(long.message).toMatch(new RegExp(`past ${MAX_LISTING_PAGES} pages`));
    expect(emu.requests().filter((r) => r.path === "/api/api-keys/")).toHaveLength(MAX_LISTING_PAGES);
  });
});

describe("errors say what happened", () => {
  const notFound = (status: number) => ({
    errors: [{ id: "00000000-0000-4000-8000-000000000000", status, code: "not_found", title: "Not found.", detail: "Not found." }],
  });

  test.each([404, 410])(
    "the beta listing answering %i: Klaviyo changed or withdrew it; Full Access cannot be read; declare scopes (never 'run again')",
    async (status) => {
      const { full } = await account();
      emu.faults.add({ service: "klaviyo", path: "/api/api-keys", fault: { kind: "status", status, body: notFound(status) } });
      const e = await rejection(validator().validate(full.key, FULL));
      expect(e.code).toBe("klaviyo_endpoint_gone");
      expect(e.message).toMatch(/changed or withdrew this beta endpoint/);
      expect(e.message).toMatch(/Declare the scopes you rely on with the scopes input/);
      expect(e.message).not.toMatch(/Run again/i);

      emu.faults.add({ service: "klaviyo", path: "/api/api-keys", fault: { kind: "status", status, body: notFound(status) } });
      const v = await validator().validate(full.key, { requirement: accessRequirement(["metrics:read", "events:write"]) });
      expect(v.accessCheck).toMatch(/changed or withdrawn.*metrics:read confirmed by read-only GETs; events:write declared but not verifiable/);
      expect(v.unverifiedScopes).toEqual(["events:write"]);
    },
  );

  test("a 400 naming a query parameter is a request problem with its own code, not 'the key is invalid'", async () => {
    const { id } = await account();
    const k = await emu.admin.createKlaviyoKey({ accountId: id, accessLevel: "custom", scopes: ["accounts:read", "metrics:read"] });
    const body = {
      errors: [
        {
          id: "00000000-0000-4000-8000-000000000000",
          status: 400,
          code: "invalid",
          title: "Invalid input.",
          detail: "'page[size]' is not a valid parameter.",
          source: { parameter: "page[size]" },
        },
      ],
    };
    emu.faults.add({ service: "klaviyo", path: "/api/metrics", fault: { kind: "status", status: 400, body } });
    const e = await rejection(validator().validate(k.key, { requirement: accessRequirement(["metrics:read"]) }));
    expect(e.code).toBe("klaviyo_request_rejected");
    expect(e.message).toMatch(/about the query parameter page\[size\]/);
    expect(e.message).not.toMatch(/rejected the key|mistyped/);
  });

  test("401 is a rejected key", async () => {
    const e = await rejection(validator().validate("pk_0123456789abcdef0123456789abcdef01", FULL));
    expect(e.code).toBe("klaviyo_key_invalid");
  });

  test("an answer that does not fit Klaviyo's spec names the endpoint and what did not fit, never 'the key is invalid'", async () => {
    const { full } = await account();
    // The listing as this project used to assume it.
    listingFault([
      {
        type: "api-key",
        id: "X",
        attributes: { label: "UpstackData", key: `pk_****${full.key.slice(-4)}`, access_level: "full", scopes: [], disabled: false, created: "x" },
      },
    ]);
    const e = await rejection(validator().validate(full.key, FULL));
    expect(e.code).toBe("klaviyo_unexpected_response");
    expect(e.message).toMatch(/answer to GET \/api\/api-keys \(HTTP 200\) is not what its published API describes.*data\.0\.attributes\.name/);
    expect(e.message).not.toMatch(/rejected the key/);
  });
});

describe("pacing per account and endpoint, lanes learned from the key's own answers (spec tiers enforced)", () => {
  let limited: RunningEmulator;
  beforeAll(async () => {
    limited = await startEmulator();
  });
  afterAll(async () => {
    await limited.close();
  });

  test("undeclared keys of different accounts: every key validated, no 429", async () => {
    const keys = await Promise.all(Array.from({ length: 4 }, async () => (await limited.admin.createKlaviyoAccountWithKey()).key.key));
    limited.clearRequests();
    const v = validator(limited, true);
    const results = await Promise.all(keys.map((k) => v.validate(k, FULL)));
    expect(new Set(results.map((r) => r.accountId)).size).toBe(4);
    expect(limited.requests().filter((r) => r.status === 429)).toEqual([]);
  });

  test("undeclared keys of one account: every key validated, no 429, one listing shared", async () => {
    const { account: a, key } = await limited.admin.createKlaviyoAccountWithKey();
    const more = await Promise.all(Array.from({ length: 3 }, () => limited.admin.createKlaviyoKey({ accountId: a.id })));
    limited.clearRequests();
    const v = validator(limited, true);
    const results = await Promise.all([key.key, ...more.map((k) => k.key)].map((k) => v.validate(k, FULL)));
    expect(results.every((r) => r.accountId === a.id)).toBe(true);
    expect(limited.requests().filter((r) => r.status === 429)).toEqual([]);
    expect(limited.requests().filter((r) => r.path === "/api/accounts/")).toHaveLength(4);
    expect(limited.requests().filter((r) => r.path === "/api/api-keys/")).toHaveLength(1);
  });
});

describe("validations carried from an earlier process of the same run (Terraform's plan, then its apply)", () => {
  /** A carry in memory, as the Terraform provider's folder of files would be between two processes. */
  function memoryCarry(): ValidationCarry & { kept: Map<string, KeyValidation> } {
    const kept = new Map<string, KeyValidation>();
    return { kept, take: (k) => kept.get(k), keep: (k, v) => void kept.set(k, v) };
  }
  const carried = (c: ValidationCarry): KeyValidator =>
    new KeyValidator(new KlaviyoClient(transport, emu.url, spec), spec, new RequestPacer(false), { carry: c });

  test("a success is kept; a later process's validator takes it without asking Klaviyo", async () => {
    const { id, full } = await account();
    const carry = memoryCarry();
    emu.clearRequests();
    const first = await carried(carry).validate(full.key, { publicApiKey: id, ...FULL });
    expect(emu.requests().length).toBeGreaterThan(0);
    expect([...carry.kept.values()]).toEqual([first]);
    expect(JSON.stringify([...carry.kept])).not.toContain(full.key);
    emu.clearRequests();
    const second = await carried(carry).validate(full.key, { publicApiKey: id, ...FULL });
    expect(second).toEqual(first);
    expect(emu.requests()).toEqual([]);
  });

  test("what is carried is for that key and target only; a failure is not kept", async () => {
    const { id, full } = await account();
    const carry = memoryCarry();
    await carried(carry).validate(full.key, FULL);
    emu.clearRequests();
    // Another target (a declared account) is validated again.
    await carried(carry).validate(full.key, { publicApiKey: id, ...FULL });
    expect(emu.requests().filter((r) => r.path === "/api/accounts/")).toHaveLength(1);
    // A revoked key fails and leaves nothing behind.
    const revoked = await emu.admin.createKlaviyoKey({ accountId: id });
    await emu.admin.revokeKlaviyoKey(revoked.id);
    const before = carry.kept.size;
    expect((await rejection(carried(carry).validate(revoked.key, FULL))).code).toBe("klaviyo_key_invalid");
    expect(carry.kept.size).toBe(before);
  });
});
