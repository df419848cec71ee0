/** parseDesired: one schema per input of the shape, spoken in the words of the engine that shows the message. */
import {
  CLI_VOCABULARY,
  DESTINATION_INPUTS,
  inputSchemas,
  normalizeScopes,
  parseDesired,
  PULUMI_VOCABULARY,
  requireDesired,
  TERRAFORM_VOCABULARY,
  UNKNOWN,
} from "../../provider/core";
import { fakeKey } from "../support/fake-context";

const key = fakeKey();
const base = { pixelId: "9B2F6C1E-0D4A-4C3E-8F57-2A1B3C4D5E6F", privateApiKey: `  ${key}\n`, owner: "pulumi:p/s/n" };

test("every input of the shape has a schema, and nothing else", () => {
  expect(Object.keys(inputSchemas()).sort()).toEqual(Object.keys(DESTINATION_INPUTS).sort());
});

test("normalises and applies defaults into a typed desired state", () => {
  const { desired, failures } = parseDesired({ ...base, scopes: ["metrics:read", " events:write", "metrics:read"] });
  expect(failures).toEqual([]);
  expect(desired).toEqual({
    pixelId: "9b2f6c1e-0d4a-4c3e-8f57-2a1b3c4d5e6f",
    privateApiKey: key,
    owner: "pulumi:p/s/n",
    scopes: ["events:write", "metrics:read"],
    enabled: true,
    label: "UpstackData",
    adopt: false,
  });
});

test("the default pixel comes from the settings; without one the message names the setting in the engine's words", () => {
  const { pixelId: _p, ...noPixel } = base;
  expect(parseDesired(noPixel, { defaultPixelId: "9b2f6c1e-0d4a-4c3e-8f57-2a1b3c4d5e6f" }).desired?.pixelId).toBe("9b2f6c1e-0d4a-4c3e-8f57-2a1b3c4d5e6f");
  expect(parseDesired(noPixel).failures[0]?.reason).toMatch(/pixelId is required.*upstack:pixelId \(or UPSTACK_PIXEL_ID\)/);
  expect(parseDesired(noPixel, { words: TERRAFORM_VOCABULARY }).failures[0]?.reason).toMatch(
    /pixel_id is required: set it in the resource block, or set pixel_id in the provider "upstack" block \(or UPSTACK_PIXEL_ID\)/,
  );
});

test.each([
  [PULUMI_VOCABULARY, "privateApiKey contains whitespace", "publicApiKey must be a Klaviyo Site ID", "pulumi config set --secret klaviyoPrivateKey"],
  [TERRAFORM_VOCABULARY, "private_api_key contains whitespace", "public_api_key must be a Klaviyo Site ID", "`private_api_key_wo = var.klaviyo_private_key`"],
  [CLI_VOCABULARY, "the key contains whitespace", "--public-api-key must be a Klaviyo Site ID", "KLAVIYO_PRIVATE_KEY or on stdin"],
])("messages speak the engine's words (%#)", (words, keyMessage, siteIdMessage, setKey) => {
  const { failures } = parseDesired({ ...base, privateApiKey: "pk_abc def", publicApiKey: "x" }, { words });
  expect(failures.map((f) => f.property)).toEqual(["privateApiKey", "publicApiKey"]);
  expect(failures[0]?.reason).toContain(keyMessage);
  expect(failures[1]?.reason).toContain(siteIdMessage);
  const { privateApiKey: _k, ...noKey } = base;
  expect(parseDesired(noKey, { words }).failures[0]?.reason).toContain(setKey);
  expect(failures[0]?.reason.startsWith(`${words.property("privateApiKey")} `)).toBe(true);
  for (const other of [PULUMI_VOCABULARY, TERRAFORM_VOCABULARY, CLI_VOCABULARY].filter((w) => w !== words)) {
    expect(failures[1]?.reason).not.toContain(other.property("publicApiKey"));
  }
});

test("one bad scope is one entry that is not a scope; several are entries", () => {
  expect(parseDesired({ ...base, scopes: ["events:write", "everything"] }).failures[0]?.reason).toContain("has 1 entry that is not a Klaviyo scope");
  expect(parseDesired({ ...base, scopes: ["a", "b"] }).failures[0]?.reason).toContain("has 2 entries that are not Klaviyo scopes");
});

test("unknown values pass through; there is no typed desired state until everything is known", () => {
  const parsed = parseDesired({ ...base, label: UNKNOWN });
  expect(parsed.failures).toEqual([]);
  expect(parsed.values["label"]).toBe(UNKNOWN);
  expect(parsed.desired).toBeUndefined();
  expect(() => requireDesired({ ...base, label: UNKNOWN })).toThrow(expect.objectContaining({ code: "input_invalid", property: "label" }));
});

test("normalizeScopes trims, deduplicates and sorts", () => {
  expect(normalizeScopes([" b:read", "a:write", "b:read"])).toEqual(["a:write", "b:read"]);
});
