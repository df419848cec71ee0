// provider/terraform/tfplugin-codecs.ts is what `npm run gen:tfplugin-codecs` (protobufjs-cli's
// pbjs) makes of provider/terraform/proto/*.proto: the test fails when the module and the files
// drift. And the static codecs convert exactly as protobufjs's reflection of the .proto files does
// with the options the provider used through proto-loader (same bytes, same objects).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Root, type IConversionOptions, type Type } from "protobufjs";
import { PROTO_FILES, TFPLUGIN_CODECS_FILE, tfpluginCodecsModule } from "../../scripts/gen-tfplugin-codecs";
import { loadProtocol } from "../../provider/terraform/protocol";

jest.setTimeout(60_000);

const PROTO_DIR = join(__dirname, "..", "..", "provider", "terraform", "proto");

test("provider/terraform/tfplugin-codecs.ts is what pbjs makes of the .proto files (else: npm run gen:tfplugin-codecs)", async () => {
  expect(readFileSync(TFPLUGIN_CODECS_FILE, "utf8")).toBe(await tfpluginCodecsModule());
});

test("a changed .proto file changes the module (the drift check can fail)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tfplugin-proto-"));
  try {
    cpSync(PROTO_DIR, dir, { recursive: true });
    const file = join(dir, "tfplugin6.proto");
    writeFileSync(file, readFileSync(file, "utf8").replace("bool plan_destroy = 1;", "bool plan_destroy = 1;\n  bool extra_capability = 9;"));
    const changed = await tfpluginCodecsModule(dir);
    expect(changed).toContain("extra_capability");
    expect(changed).not.toBe(readFileSync(TFPLUGIN_CODECS_FILE, "utf8"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// The reference: protobufjs's reflection of the same files, converted as proto-loader did.
const reference = new Root().loadSync(
  PROTO_FILES.map((f) => join(PROTO_DIR, f)),
  { keepCase: true },
);
const CONVERSION: IConversionOptions = { longs: Number, enums: Number, defaults: false, oneofs: true };
const refEncode = (type: Type, value: object): Buffer => Buffer.from(type.encode(type.fromObject(value)).finish());
const refDecode = (type: Type, bytes: Buffer): object => type.toObject(type.decode(bytes), CONVERSION);

// Messages that exercise every conversion: snake_case names, nested and repeated messages, maps,
// bytes, int64, enums given as numbers and as names, a oneof, empty strings and absent fields.
const samples: Array<{ method: string; request: object; response: object }> = [
  {
    method: "GetProviderSchema",
    request: {},
    response: {
      provider: {
        version: 3,
        block: { version: 1, attributes: [{ name: "api_key", type: Buffer.from('"string"'), optional: true, sensitive: true, description_kind: "MARKDOWN" }] },
      },
      resource_schemas: {
        upstack_klaviyo_destination: { version: 0, block: { attributes: [{ name: "private_api_key_wo", type: Buffer.from('"string"'), write_only: true }] } },
      },
      server_capabilities: { plan_destroy: false, get_provider_schema_optional: true },
    },
  },
  {
    method: "PlanResourceChange",
    request: {
      type_name: "upstack_klaviyo_destination",
      prior_state: { msgpack: Buffer.from([0x81, 0xa1, 0x61, 0xd4, 0x00, 0x00]) },
      proposed_new_state: { json: Buffer.from("{}") },
      prior_private: Buffer.alloc(0),
      client_capabilities: { deferral_allowed: true, write_only_attributes_allowed: true },
    },
    response: {
      planned_state: { msgpack: Buffer.from([0xc0]) },
      requires_replace: [{ steps: [{ attribute_name: "pixel_id" }, { element_key_int: 2 ** 40 + 7 }, { element_key_string: "" }] }],
      diagnostics: [
        { severity: 2, summary: "warning", detail: "" },
        { severity: "ERROR", summary: "error", attribute: { steps: [{ attribute_name: "private_api_key_wo" }] } },
      ],
    },
  },
  {
    method: "UpgradeResourceState",
    request: { type_name: "t", version: 2, raw_state: { json: Buffer.from('{"id":"x"}'), flatmap: { a: "b" } } },
    response: { upgraded_state: { msgpack: Buffer.from([0x80]) } },
  },
];

test.each(samples)("$method: the static codecs give the reflection's bytes and objects", ({ method, request, response }) => {
  const definition = loadProtocol().provider[method]!;
  const requestType = reference.lookupType(`tfplugin6.${method}.Request`);
  const responseType = reference.lookupType(`tfplugin6.${method}.Response`);
  for (const [type, value, serialize, deserialize] of [
    [requestType, request, definition.requestSerialize, definition.requestDeserialize],
    [responseType, response, definition.responseSerialize, definition.responseDeserialize],
  ] as const) {
    const bytes = serialize(value);
    expect(Buffer.isBuffer(bytes)).toBe(true);
    expect(bytes).toEqual(refEncode(type, value));
    const decoded = deserialize(bytes);
    expect(decoded).toEqual(refDecode(type, bytes));
    // Bytes come back as Buffers, 64-bit integers as numbers.
    expect(
      JSON.stringify(decoded, (_k, v: unknown) => (typeof v === "bigint" || (typeof v === "object" && v !== null && "low" in v) ? "LONG" : v)),
    ).not.toContain("LONG");
  }
  const decoded = definition.responseDeserialize(definition.responseSerialize(response));
  if (method === "PlanResourceChange") {
    expect(decoded).toMatchObject({
      planned_state: { msgpack: Buffer.from([0xc0]) },
      requires_replace: [
        {
          steps: [
            { attribute_name: "pixel_id", selector: "attribute_name" },
            { element_key_int: 2 ** 40 + 7, selector: "element_key_int" },
            { element_key_string: "" },
          ],
        },
      ],
      diagnostics: [
        { severity: 2, summary: "warning", detail: "" },
        { severity: 1, summary: "error" },
      ],
    });
    expect(Buffer.isBuffer((decoded["planned_state"] as { msgpack: unknown }).msgpack)).toBe(true);
    expect((decoded["diagnostics"] as object[])[1]).not.toHaveProperty("detail");
  }
});

test("the provider's runtime carries neither @grpc/grpc-js nor protobufjs's reflection and code generation: protobufjs/minimal only", async () => {
  const { build } = await import("esbuild");
  const result = await build({
    entryPoints: [join(__dirname, "..", "..", "provider", "terraform", "plugin-runtime.ts")],
    bundle: true,
    platform: "node",
    format: "cjs",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const inputs = Object.keys(result.metafile.inputs);
  expect(inputs.filter((f) => f.includes("@grpc/"))).toEqual([]);
  const protobuf = inputs.filter((f) => /node_modules\/protobufjs\//.test(f));
  expect(protobuf).toContain("node_modules/protobufjs/minimal.js");
  expect(protobuf.filter((f) => /src\/(type|root|parse|converter|encoder|decoder)\.js$/.test(f))).toEqual([]);
  expect(inputs.filter((f) => f.includes("@protobufjs/codegen"))).toEqual([]);
});
