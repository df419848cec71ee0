/** The one rule of what changed, what replaces and when the key is validated again (planChanges), and parsePrior. */
import { keyFingerprint, parseDesired, parsePrior, planChanges, UNKNOWN } from "../../provider/core";
import { fakeKey } from "../support/fake-context";

const key = fakeKey("a1b2");
const pixelId = "9b2f6c1e-0d4a-4c3e-8f57-2a1b3c4d5e6f";
const owner = "pulumi:proj/dev/klaviyo";

/** Outputs as an earlier create left them. */
const outputs = (overrides: Record<string, unknown> = {}) => ({
  destinationId: "dst_1",
  pixelId,
  owner,
  keyFingerprint: keyFingerprint(key),
  enabled: true,
  label: "UpstackData",
  status: "healthy",
  klaviyoAccountId: "AbC123",
  accessCheck: "listing",
  validatedAt: "2026-12-01T00:00:00.000Z",
  etag: '"v1"',
  ...overrides,
});

const desired = (overrides: Record<string, unknown> = {}) => parseDesired({ pixelId, privateApiKey: key, owner, ...overrides }).values;

describe("planChanges", () => {
  test.each<[string, Record<string, unknown>, Record<string, unknown>, { changes: string[]; replaces: string[]; revalidateKey: boolean }]>([
    ["nothing changed", {}, {}, { changes: [], replaces: [], revalidateKey: false }],
    ["the key rotated", {}, { privateApiKey: fakeKey("c3d4") }, { changes: ["privateApiKey"], replaces: [], revalidateKey: true }],
    ["the same key with whitespace around it", {}, { privateApiKey: `  ${key}\n` }, { changes: [], replaces: [], revalidateKey: false }],
    ["the label changed", {}, { label: "EU" }, { changes: ["label"], replaces: [], revalidateKey: false }],
    ["enabled turned off", {}, { enabled: false }, { changes: ["enabled"], replaces: [], revalidateKey: false }],
    ["publicApiKey declared", {}, { publicApiKey: "AbC123" }, { changes: ["publicApiKey"], replaces: [], revalidateKey: true }],
    ["publicApiKey removed", { publicApiKey: "AbC123" }, {}, { changes: ["publicApiKey"], replaces: [], revalidateKey: true }],
    ["scopes declared", {}, { scopes: ["events:write"] }, { changes: ["scopes"], replaces: [], revalidateKey: true }],
    [
      "scopes reordered and repeated: no change",
      { scopes: ["metrics:read", "events:write"] },
      { scopes: ["events:write", " metrics:read", "events:write"] },
      { changes: [], replaces: [], revalidateKey: false },
    ],
    ["the pixel changed", {}, { pixelId: "00000000-0000-4000-8000-000000000000" }, { changes: [], replaces: ["pixelId"], revalidateKey: false }],
    ["last read unhealthy", { status: "unhealthy" }, {}, { changes: ["status"], replaces: [], revalidateKey: true }],
    ["the key is not known yet", {}, { privateApiKey: UNKNOWN }, { changes: ["privateApiKey"], replaces: [], revalidateKey: true }],
    ["the pixel is not known yet", {}, { pixelId: UNKNOWN }, { changes: [], replaces: ["pixelId"], revalidateKey: false }],
  ])("%s", (_name, prior, news, expected) => {
    const plan = planChanges(parsePrior(outputs(prior)), desired(news));
    expect({ changes: [...plan.changes], replaces: [...plan.replaces], revalidateKey: plan.revalidateKey }).toEqual(expected);
    expect(plan.hasChanges).toBe(expected.changes.length + expected.replaces.length > 0);
  });

  test("a new resource (no prior state) validates the key", () => {
    expect(planChanges(parsePrior({}), desired()).revalidateKey).toBe(true);
    expect(planChanges(parsePrior(undefined), desired()).revalidateKey).toBe(true);
  });
});

describe("parsePrior", () => {
  test("reads old outputs", () => {
    const prior = parsePrior(outputs({ scopes: ["metrics:read", "events:write"], klaviyoAccountName: "Acme" }));
    expect(prior).toMatchObject({
      destinationId: "dst_1",
      keyFingerprint: keyFingerprint(key),
      scopes: ["events:write", "metrics:read"],
      status: "healthy",
      etag: '"v1"',
      validation: { accountId: "AbC123", accountName: "Acme", accessCheck: "listing", validatedAt: "2026-12-01T00:00:00.000Z" },
    });
  });

  test("reads old inputs: the fingerprint of the old key, trimmed, when no managed fingerprint is there", () => {
    expect(parsePrior({ privateApiKey: ` ${key} ` }).keyFingerprint).toBe(keyFingerprint(key));
    expect(parsePrior({ privateApiKey: key, keyFingerprint: "sha256:managed" }).keyFingerprint).toBe("sha256:managed");
  });

  test("one name for the status: `status`; a state written by an older version (`destinationStatus`) still reads", () => {
    expect(parsePrior({ status: "unhealthy" }).status).toBe("unhealthy");
    expect(parsePrior({ destinationStatus: "unhealthy" }).status).toBe("unhealthy");
  });

  test("junk is ignored, never thrown", () => {
    expect(parsePrior({ scopes: "x", enabled: "yes", etag: "", keyFingerprint: 3 })).toMatchObject({
      scopes: undefined,
      enabled: undefined,
      etag: undefined,
      keyFingerprint: undefined,
    });
  });
});
