/**
 * The emulated beta GET / PATCH /api/api-keys/{id}: every answer validated against Klaviyo's
 * get_api_key_beta.json / update_api_key_beta.json with ajv (the suite-wide validator of
 * test/support/klaviyo-conformance.ts), the provider's PATCH body against the spec's
 * ApiKeyUpdateRequest, and the rate tier and scopes as the spec files give them.
 */
import { startEmulator, type RunningEmulator } from "../../emulator";
import { KLAVIYO_DEFAULT_RATE_LIMITS } from "../../emulator/rate-limit";
import { disableRequestBody } from "../../provider/klaviyo/api-key-client";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { loadKlaviyoSpec } from "../../spec/klaviyo";
import { klaviyoAnswerValidator, withNullable } from "../support/klaviyo-conformance";
import { BETA_REVISION, REVISION, call, klaviyoHeaders, type Res } from "./helpers";

const SPEC = loadKlaviyoSpec();
const validateAnswer = klaviyoAnswerValidator(SPEC);

/** Validates answers of one operation against its spec file. */
class SpecValidator {
  constructor(private readonly operationId: string) {}

  /** The ajv errors of `body` as the answer with `status`; empty when it conforms. */
  responseErrors(status: number, body: unknown): string {
    const v = validateAnswer({
      operationId: this.operationId,
      method: "GET",
      path: "/api/api-keys/X/",
      status,
      contentType: "application/vnd.api+json",
      body: JSON.stringify(body),
      customBody: false,
    });
    return v.kind === "invalid" ? v.errors : v.kind === "skipped" ? `skipped: ${v.why}` : "";
  }

  /** The ajv errors of `body` as the operation's request body (ApiKeyUpdateRequest); empty when it conforms. */
  requestErrors(body: unknown): string {
    const op = SPEC.byId(this.operationId);
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ ...(withNullable(op.document) as object), $id: "klaviyo:request" });
    const validate = ajv.compile({ $ref: "klaviyo:request#/components/schemas/ApiKeyUpdateRequest" });
    return validate(body) ? "" : ajv.errorsText(validate.errors);
  }
}

const GET_SPEC = new SpecValidator("get_api_key_beta");
const PATCH_SPEC = new SpecValidator("update_api_key_beta");

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ klaviyo: { rateLimits: false } });
});
afterAll(async () => {
  await emu.close();
});

function getKey(id: string, key: string, query = "", revision = BETA_REVISION): Promise<Res> {
  return call(`${emu.url}/api/api-keys/${id}/${query}`, { headers: klaviyoHeaders(key, revision) });
}

function patchKey(id: string, key: string, body: unknown, query = ""): Promise<Res> {
  return call(`${emu.url}/api/api-keys/${id}/${query}`, {
    method: "PATCH",
    headers: { ...klaviyoHeaders(key, BETA_REVISION), "content-type": "application/vnd.api+json" },
    body,
  });
}

/** Asserts the answer conforms to the operation's schema for its status. */
function conforms(spec: SpecValidator, res: Res): void {
  expect(spec.responseErrors(res.status, res.json)).toBe("");
}

async function accountWithTwoKeys() {
  const { account, key } = await emu.admin.createKlaviyoAccountWithKey({ name: "Keys Co" }, { label: "UpstackData" });
  const old = await emu.admin.createKlaviyoKey({ accountId: account.id, label: "Old Upstack key" });
  return { account, key, old };
}

describe("the spec validator can fail", () => {
  it("rejects answers and bodies that do not fit", () => {
    expect(GET_SPEC.responseErrors(200, { data: { type: "api-key", id: "X", attributes: { status: "paused" } } })).not.toBe("");
    expect(PATCH_SPEC.responseErrors(400, { errors: [{ id: "1" }] })).not.toBe("");
    expect(PATCH_SPEC.requestErrors({ data: { type: "api-key", attributes: { status: "disabled" } } })).not.toBe("");
    expect(PATCH_SPEC.requestErrors({ data: { type: "api-key", id: "X", attributes: { status: "off" } } })).not.toBe("");
  });
});

describe("GET /api/api-keys/{id}", () => {
  it("answers a key of the caller's account in get_api_key_beta's shape, redacted_key only when asked", async () => {
    const { key, old } = await accountWithTwoKeys();
    const plain = await getKey(old.id, key.key);
    expect(plain.status).toBe(200);
    expect(plain.headers["content-type"]).toContain("application/vnd.api+json");
    conforms(GET_SPEC, plain);
    expect(plain.json.data).toMatchObject({ type: "api-key", id: old.id, attributes: { name: "Old Upstack key", status: "active" } });
    expect(plain.json.data.attributes).not.toHaveProperty("redacted_key");
    expect(JSON.stringify(plain.json)).not.toContain(old.key);

    const redacted = await getKey(old.id, key.key, "?additional-fields[api-key]=redacted_key");
    conforms(GET_SPEC, redacted);
    expect(redacted.json.data.attributes.redacted_key).toBe(`pk_****${old.key.slice(-4)}`);

    // fields[api-key] is a defined parameter; the answer keeps every attribute the schema requires.
    const sparse = await getKey(old.id, key.key, "?fields[api-key]=status");
    conforms(GET_SPEC, sparse);
  });

  it("404 for a key of another account, an unknown id and a revoked key; answers conform to ClientError", async () => {
    const { key, old } = await accountWithTwoKeys();
    const other = await emu.admin.createKlaviyoAccountWithKey({ name: "Other Co" });
    const foreign = await getKey(other.key.id, key.key);
    expect(foreign.status).toBe(404);
    conforms(GET_SPEC, foreign);
    expect((await getKey("01NOSUCHKEY0000000000000000", key.key)).status).toBe(404);
    await emu.admin.revokeKlaviyoKey(old.id);
    const revoked = await getKey(old.id, key.key);
    expect(revoked.status).toBe(404);
    conforms(GET_SPEC, revoked);
  });

  it("needs the beta revision, credentials:read and a working key; unknown query parameters are a 400 naming them", async () => {
    const { account, key, old } = await accountWithTwoKeys();
    const stable = await getKey(old.id, key.key, "", REVISION);
    expect(stable.status).toBe(404);
    conforms(GET_SPEC, stable);
    const custom = await emu.admin.createKlaviyoKey({ accountId: account.id, accessLevel: "custom", scopes: ["accounts:read"] });
    const denied = await getKey(old.id, custom.key);
    expect(denied.status).toBe(403);
    conforms(GET_SPEC, denied);
    await emu.admin.setKlaviyoKeyDisabled(key.id, true);
    const rejected = await getKey(old.id, key.key);
    expect(rejected.status).toBe(401);
    conforms(GET_SPEC, rejected);
    await emu.admin.setKlaviyoKeyDisabled(key.id, false);
    const unknown = await getKey(old.id, key.key, "?page[size]=1");
    expect(unknown.status).toBe(400);
    conforms(GET_SPEC, unknown);
    expect(unknown.json.errors[0].source).toEqual({ parameter: "page[size]" });
    const badValue = await getKey(old.id, key.key, "?additional-fields[api-key]=key");
    expect(badValue.status).toBe(400);
    expect(badValue.json.errors[0].source).toEqual({ parameter: "additional-fields[api-key]" });
  });
});

describe("PATCH /api/api-keys/{id}", () => {
  it("the provider's body conforms to ApiKeyUpdateRequest", () => {
    expect(PATCH_SPEC.requestErrors(disableRequestBody("01HQXYZ"))).toBe("");
  });

  it("disables a key of the caller's account; the answer conforms to PatchApiKeyResponse; the key stops authenticating", async () => {
    const { key, old } = await accountWithTwoKeys();
    const res = await patchKey(old.id, key.key, disableRequestBody(old.id), "?additional-fields[api-key]=redacted_key");
    expect(res.status).toBe(200);
    conforms(PATCH_SPEC, res);
    expect(res.json.data).toMatchObject({ id: old.id, attributes: { status: "disabled", redacted_key: `pk_****${old.key.slice(-4)}` } });
    expect((await emu.admin.listKlaviyoKeys()).find((k) => k.id === old.id)?.disabled).toBe(true);
    expect((await getKey(key.id, old.key)).status).toBe(401);
    // The caller's own key is untouched.
    expect((await getKey(key.id, key.key)).json.data.attributes.status).toBe("active");
  });

  it("refuses a body the spec does not allow, a mismatched id, another account's key, and a key without credentials:write", async () => {
    const { account, key, old } = await accountWithTwoKeys();
    for (const body of [
      { data: { type: "api-key", id: old.id, attributes: { status: null } } },
      { data: { type: "api-key", id: old.id, attributes: { status: "off" } } },
      { data: { type: "api-key", id: old.id } },
      { data: { type: "key", id: old.id, attributes: { status: "disabled" } } },
      { data: { type: "api-key", id: key.id, attributes: { status: "disabled" } } },
    ]) {
      const res = await patchKey(old.id, key.key, body);
      expect(res.status).toBe(400);
      conforms(PATCH_SPEC, res);
    }
    const other = await emu.admin.createKlaviyoAccountWithKey({ name: "Other Co" });
    const foreign = await patchKey(other.key.id, key.key, disableRequestBody(other.key.id));
    expect(foreign.status).toBe(404);
    conforms(PATCH_SPEC, foreign);
    const readOnly = await emu.admin.createKlaviyoKey({ accountId: account.id, accessLevel: "read_only" });
    const denied = await patchKey(old.id, readOnly.key, disableRequestBody(old.id));
    expect(denied.status).toBe(403);
    conforms(PATCH_SPEC, denied);
    expect(denied.json.errors[0].detail).toContain("credentials:write");
    const keys = await emu.admin.listKlaviyoKeys();
    expect(keys.find((k) => k.id === old.id)?.disabled).toBe(false);
    expect(keys.find((k) => k.id === other.key.id)?.disabled).toBe(false);
  });
});

describe("rate tier and scopes come from the spec files", () => {
  it("GET and PATCH are 1/s and 15/min, with the spec's scopes", () => {
    for (const [operationId, scope, method] of [
      ["get_api_key_beta", "credentials:read", "get"],
      ["update_api_key_beta", "credentials:write", "patch"],
    ] as const) {
      const op = SPEC.byId(operationId);
      expect(op).toMatchObject({ path: "/api/api-keys/{id}", method, beta: true, revision: "2026-07-15.pre", scopes: [scope] });
      expect(op.rateLimit).toEqual({ burstPerSecond: 1, perMinute: 15 });
      expect(KLAVIYO_DEFAULT_RATE_LIMITS[operationId]).toEqual(op.rateLimit);
    }
  });

  it("throttles the second GET within a second, per account and operation, with a conforming 429", async () => {
    const limited = await startEmulator({});
    try {
      const { account, key } = await limited.admin.createKlaviyoAccountWithKey({});
      const old = await limited.admin.createKlaviyoKey({ accountId: account.id });
      const get = () => call(`${limited.url}/api/api-keys/${old.id}/`, { headers: klaviyoHeaders(key.key, BETA_REVISION) });
      expect((await get()).status).toBe(200);
      const second = await get();
      expect(second.status).toBe(429);
      expect(GET_SPEC.responseErrors(429, second.json)).toBe("");
      // PATCH has its own budget.
      const patch = await call(`${limited.url}/api/api-keys/${old.id}/`, {
        method: "PATCH",
        headers: klaviyoHeaders(key.key, BETA_REVISION),
        body: disableRequestBody(old.id),
      });
      expect(patch.status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
