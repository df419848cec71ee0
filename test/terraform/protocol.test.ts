// The pieces of the Terraform provider that do not need the terraform binary: the self-signed
// certificate (parsed and verified by Node's own X.509 implementation), the msgpack encoding of
// unknown values, the schema derived from the resource's shape, the handshake's refusals, and
// the core's messages in Terraform's words (its own vocabulary, no translation).
import { X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { decode } from "@msgpack/msgpack";
import { ConfigError } from "../../provider/errors";
import {
  DESTINATION_INPUTS,
  DESTINATION_OUTPUTS,
  INPUT_NAMES,
  parseDesired,
  REPLACING_INPUT_NAMES,
  SECRET_INPUT_NAMES,
  TERRAFORM_VOCABULARY,
  UpstackKlaviyoError,
  createDestination,
  keyFingerprint,
  parsePrior,
  requireDesired,
  updateDestination,
} from "../../provider/core";
import { accountsBody, apiKeysBody, destination, fakeContext, fakeKey, res } from "../support/fake-context";
import { rejectionOf } from "../support/world";
import { DESTINATION_ATTRIBUTES, describeError } from "../../provider/terraform/destination-adapter";
import { checkPluginEnvironment, MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, PluginStartError } from "../../provider/terraform/plugin-server";
import { DESTINATION_SCHEMA_ATTRIBUTES, objectType } from "../../provider/terraform/schemas";
import { createSelfSignedCertificate } from "../../provider/terraform/self-signed-cert";
import { decodeDynamic, encodeDynamic, UNKNOWN } from "../../provider/terraform/values";

test("the certificate is a valid self-signed EC P-256 certificate for localhost with a positive serial", () => {
  for (let i = 0; i < 20; i++) {
    const { certPem, certDer } = createSelfSignedCertificate();
    const cert = new X509Certificate(certPem);
    expect(cert.raw.equals(certDer)).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.publicKey.asymmetricKeyDetails).toMatchObject({ namedCurve: "prime256v1" });
    expect(cert.subjectAltName).toBe("DNS:localhost");
    expect(cert.checkHost("localhost")).toBe("localhost");
    expect(cert.ca).toBe(true);
    expect(Number.parseInt(cert.serialNumber.slice(0, 2), 16) & 0x80).toBe(0);
    expect(Date.parse(cert.validFrom)).toBeLessThan(Date.now());
  }
});

test("unknown values are msgpack extension 0 (d4 00 00) and any extension reads back as unknown", () => {
  const type = objectType([
    { name: "a", type: "string", description: "" },
    { name: "b", type: ["set", "string"], description: "" },
  ]);
  const encoded = encodeDynamic({ a: UNKNOWN, b: ["x"] }, type);
  expect(Buffer.from(encoded.msgpack!).includes(Buffer.from([0xd4, 0x00, 0x00]))).toBe(true);
  expect(decode(encoded.msgpack!)).toMatchObject({ b: ["x"] });
  expect(decodeDynamic(encoded)).toEqual({ a: UNKNOWN, b: ["x"] });
  // Type 12 (unknown with refinements) is unknown too.
  expect(decodeDynamic({ msgpack: Buffer.from([0x81, 0xa1, 0x61, 0xc7, 0x01, 0x0c, 0x00]) })).toEqual({ a: UNKNOWN });
  // Absent attributes are encoded as null.
  expect(decodeDynamic(encodeDynamic({}, type))).toEqual({ a: null, b: null });
});

test("the resource schema has every input and output of the rules, snake_case, plus id and the write-only key", () => {
  const names = DESTINATION_SCHEMA_ATTRIBUTES.map((a) => a.name);
  for (const property of INPUT_NAMES) expect(names).toContain(property.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
  expect(names).toEqual(expect.arrayContaining(["id", "private_api_key_wo", "private_api_key_wo_version", "key_fingerprint", "key_hint", "destination_id"]));
  expect(names.filter((n) => /[A-Z]/.test(n))).toEqual([]);
  const wo = DESTINATION_SCHEMA_ATTRIBUTES.find((a) => a.name === "private_api_key_wo")!;
  expect(wo).toMatchObject({ writeOnly: true, sensitive: true, optional: true });
  expect(DESTINATION_SCHEMA_ATTRIBUTES.find((a) => a.name === "private_api_key")).toMatchObject({ sensitive: true });
  expect(DESTINATION_ATTRIBUTES.find((a) => a.name === "pixel_id")).toMatchObject({ forcesReplacement: true });
});

test("the resource's attributes derive from the shape: every input and output once, secrets sensitive, replacing inputs force replacement", () => {
  const properties = DESTINATION_ATTRIBUTES.map((a) => a.property);
  expect(new Set(properties).size).toBe(properties.length);
  expect(new Set(properties)).toEqual(new Set([...Object.keys(DESTINATION_INPUTS), ...Object.keys(DESTINATION_OUTPUTS)]));
  for (const a of DESTINATION_ATTRIBUTES) {
    expect(a.sensitive).toBe((SECRET_INPUT_NAMES as string[]).includes(a.property));
    expect(a.forcesReplacement).toBe((REPLACING_INPUT_NAMES as string[]).includes(a.property));
    expect(a.input).toBe(a.property in DESTINATION_INPUTS);
    // Descriptions name attributes, never the Pulumi properties.
    expect(a.description).not.toMatch(/`[a-z]+[A-Z][A-Za-z]*`/);
  }
  expect(DESTINATION_ATTRIBUTES.find((a) => a.name === "retire_replaced_key")).toMatchObject({ type: "bool", input: true, computed: false });
  expect(DESTINATION_ATTRIBUTES.find((a) => a.name === "scopes")).toMatchObject({ type: ["set", "string"] });
  expect(DESTINATION_ATTRIBUTES.find((a) => a.name === "klaviyo_key_id")).toMatchObject({ input: false, computed: true });
});

test("the core speaks Terraform's words itself; the adapter only renames the key to the write-only attribute that carries it", () => {
  const words = TERRAFORM_VOCABULARY;
  const { failures } = parseDesired({ owner: "terraform:x" }, { words });
  expect(failures.map((f) => f.reason)).toEqual([
    'pixel_id is required: set it in the resource block, or set pixel_id in the provider "upstack" block (or UPSTACK_PIXEL_ID).',
    "private_api_key is required: the Klaviyo private API key (Full Access); set it with `private_api_key_wo = var.klaviyo_private_key` (a sensitive, ephemeral variable; bump private_api_key_wo_version to rotate).",
  ]);
  for (const f of failures) expect(f.reason).not.toMatch(/pulumi|stack config|upstack:|pixelId|privateApiKey/i);
  const problem = describeError(new UpstackKlaviyoError("klaviyo_key_invalid", `${failures[1]!.reason}`, { property: "privateApiKey" }), {
    privateApiKey: "private_api_key_wo",
  });
  expect(problem.attribute).toBe("private_api_key_wo");
  expect(problem.message).toMatch(/^private_api_key_wo is required: .*`private_api_key_wo = var\.klaviyo_private_key`/);
  // A setting's error is reported against the provider block's attribute.
  expect(describeError(new ConfigError("config_invalid", "x", { property: "upstackApiUrl" })).attribute).toBe("api_url");
  expect(describeError(new ConfigError("config_invalid", "x", { property: "klaviyoApiUrl" })).attribute).toBe("klaviyo_api_url");
  expect(words.setting("upstackApiKeys")).toBe('api_keys in the provider "upstack" block (or UPSTACK_API_KEYS)');
});

test("Upstack's refusals reach Terraform in its words (a context built with the Terraform vocabulary)", async () => {
  const key = fakeKey("a1b2");
  const desired = requireDesired(
    { pixelId: "9b2f6c1e-0d4a-4c3e-8f57-2a1b3c4d5e6f", privateApiKey: key, owner: "terraform:x" },
    { words: TERRAFORM_VOCABULARY },
  );
  const klaviyo = (path: string) => (path === "/api/accounts/" ? res(200, accountsBody("AbC123")) : res(200, apiKeysBody([["a1b2", "full"]])));
  const owned = fakeContext((req) => (req.service === "upstack" ? res(409, {}) : klaviyo(req.path)), { words: TERRAFORM_VOCABULARY });
  const refused = await rejectionOf(createDestination(owned.ctx, desired));
  expect(refused).toMatchObject({ code: "upstack_owned_by_other" });
  expect(refused.message).toContain("Set `adopt = true` in the resource block (or `terraform import` it by pixel id) to take it over");
  const changed = fakeContext(
    (req) => (req.service === "upstack" ? (req.method === "PUT" ? res(412) : res(200, destination({ label: "Other" }))) : klaviyo(req.path)),
    {
      words: TERRAFORM_VOCABULARY,
    },
  );
  const prior = parsePrior({ ...destination(), keyFingerprint: keyFingerprint(key), klaviyoAccountId: "AbC123", owner: "terraform:x" });
  const conflict = await rejectionOf(updateDestination(changed.ctx, prior, desired));
  expect(conflict.message).toContain(
    "changed outside Terraform since it was last read, so it was not overwritten. Run `terraform plan -refresh-only` to see the change, then `terraform apply` to apply your configuration over it.",
  );
  for (const e of [refused, conflict]) expect(e.message).not.toMatch(/pulumi|stack config|upstack:/i);
});

test("the plugin refuses to start without Terraform's cookie or protocol 6", () => {
  expect(() => checkPluginEnvironment({})).toThrow(PluginStartError);
  expect(() => checkPluginEnvironment({})).toThrow(/Terraform or OpenTofu starts it/);
  expect(() => checkPluginEnvironment({ [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: "5" })).toThrow(/protocol 6; the client offered 5/);
  expect(() => checkPluginEnvironment({ [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: "5,6" })).not.toThrow();
});

test("only the adapter imports the rules: every other module of provider/terraform imports only its neighbours and packages", () => {
  const dir = path.join(__dirname, "..", "..", "provider", "terraform");
  const outside: string[] = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
    const text = fs.readFileSync(path.join(dir, file), "utf8");
    for (const m of text.matchAll(/(?:from|import\()\s*"(\.\.\/[^"]+)"/g)) outside.push(`${file} → ${m[1]}`);
  }
  expect(outside.length).toBeGreaterThan(0);
  expect(outside.filter((o) => !o.startsWith("destination-adapter.ts"))).toEqual([]);
});
