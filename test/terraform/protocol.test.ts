// The pieces of the Terraform provider that do not need the terraform binary: the self-signed
// certificate (parsed and verified by Node's own X.509 implementation), the msgpack encoding of
// unknown values, the schema derived from the rules' properties, the handshake's refusals, and
// the rules' messages rendered in Terraform's words.
import { X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { decode } from "@msgpack/msgpack";
import { PROPERTY_SCHEMAS } from "../../provider/schema";
import { DESTINATION_ATTRIBUTES, terraformWords } from "../../provider/terraform/destination-adapter";
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
  for (const property of Object.keys(PROPERTY_SCHEMAS)) expect(names).toContain(property.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
  expect(names).toEqual(expect.arrayContaining(["id", "private_api_key_wo", "private_api_key_wo_version", "key_fingerprint", "key_hint", "destination_id"]));
  expect(names.filter((n) => /[A-Z]/.test(n))).toEqual([]);
  const wo = DESTINATION_SCHEMA_ATTRIBUTES.find((a) => a.name === "private_api_key_wo")!;
  expect(wo).toMatchObject({ writeOnly: true, sensitive: true, optional: true });
  expect(DESTINATION_SCHEMA_ATTRIBUTES.find((a) => a.name === "private_api_key")).toMatchObject({ sensitive: true });
  expect(DESTINATION_ATTRIBUTES.find((a) => a.name === "pixel_id")).toMatchObject({ forcesReplacement: true });
});

test("the rules' messages come out in Terraform's words", () => {
  expect(
    terraformWords("privateApiKey is required: the Klaviyo private API key (Full Access), e.g. `pulumi config set --secret klaviyoPrivateKey pk_...`."),
  ).toBe(
    "private_api_key is required: the Klaviyo private API key (Full Access), e.g. `private_api_key_wo = var.klaviyo_private_key` (a sensitive, ephemeral variable; bump private_api_key_wo_version to rotate).",
  );
  expect(terraformWords("privateApiKey: the key pk_...abcd is bad", { privateApiKey: "private_api_key_wo" })).toBe(
    "private_api_key_wo: the key pk_...abcd is bad",
  );
  expect(
    terraformWords(
      "changed outside Pulumi since it was last read. Run `pulumi refresh` to see the change, then `pulumi up` to apply your configuration over it.",
    ),
  ).toBe(
    "changed outside Terraform since it was last read. Run `terraform plan -refresh-only` to see the change, then `terraform apply` to apply your configuration over it.",
  );
  expect(terraformWords("publicApiKey must be a Klaviyo Site ID; see upstack:pixelId")).toBe(
    "public_api_key must be a Klaviyo Site ID; see the provider's pixel_id",
  );
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
