/**
 * spec/klaviyo-extract.ts (the facts the provider reads at run time) is what
 * `npm run gen:klaviyo-extract` derives from Klaviyo's spec files: the test fails when the module
 * and the files drift. And the spec the provider loads reads no spec file until a document is asked
 * for.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { extractKlaviyoSpec, klaviyoSpecDir, klaviyoSpecFromExtract, loadKlaviyoSpec } from "../../spec/klaviyo";
import { KLAVIYO_SPEC_EXTRACT } from "../../spec/klaviyo-extract";
import { KLAVIYO_EXTRACT_FILE, klaviyoExtractModule } from "../../scripts/gen-klaviyo-extract";

test("spec/klaviyo-extract.ts holds exactly the facts of the spec files (else: npm run gen:klaviyo-extract)", () => {
  expect(KLAVIYO_SPEC_EXTRACT).toEqual(extractKlaviyoSpec());
  expect(readFileSync(KLAVIYO_EXTRACT_FILE, "utf8")).toBe(klaviyoExtractModule());
});

test("a changed spec file changes the extract (the drift check can fail)", () => {
  const dir = mkdtempSync(join(tmpdir(), "klaviyo-spec-"));
  try {
    cpSync(klaviyoSpecDir(), dir, { recursive: true });
    const file = join(dir, "get_accounts.json");
    writeFileSync(file, readFileSync(file, "utf8").replace('"burst": "1/s"', '"burst": "3/s"'));
    expect(extractKlaviyoSpec(dir)).not.toEqual(KLAVIYO_SPEC_EXTRACT);
    expect(extractKlaviyoSpec(dir).operations.find((o) => o.operationId === "get_accounts")?.rateLimit.burstPerSecond).toBe(3);
    expect(klaviyoExtractModule(dir)).not.toBe(readFileSync(KLAVIYO_EXTRACT_FILE, "utf8"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the spec the provider loads equals the files parsed whole, documents included", () => {
  const fromExtract = loadKlaviyoSpec();
  const parsed = loadKlaviyoSpec(klaviyoSpecDir());
  expect(fromExtract.scopes).toEqual(parsed.scopes);
  expect(fromExtract.operations.map((o) => o.operationId)).toEqual(parsed.operations.map((o) => o.operationId));
  for (const op of parsed.operations) {
    const mine = fromExtract.byId(op.operationId);
    const { document, queryParameters, ...facts } = op;
    expect({ ...mine, document: undefined, queryParameters: undefined }).toEqual({ ...facts, document: undefined, queryParameters: undefined });
    expect([...mine.queryParameters.entries()]).toEqual([...queryParameters.entries()]);
    expect(mine.document).toEqual(document);
  }
});

test("loading the spec reads no spec file; a document is read when first asked for", () => {
  const dir = mkdtempSync(join(tmpdir(), "klaviyo-spec-"));
  try {
    // No spec file in dir: the facts load all the same.
    const spec = klaviyoSpecFromExtract(KLAVIYO_SPEC_EXTRACT, dir);
    expect(spec.byId("get_accounts").rateLimit).toEqual({ burstPerSecond: 1, perMinute: 15 });
    expect(spec.scopes).toContain("credentials:read");
    expect(() => spec.byId("get_accounts").document).toThrow(/ENOENT.*get_accounts\.json/);
    cpSync(klaviyoSpecDir(), dir, { recursive: true });
    expect(spec.byId("get_accounts").document).toHaveProperty("components");
    // Read once: removing the file afterwards changes nothing.
    rmSync(join(dir, "get_accounts.json"));
    expect(spec.byId("get_accounts").document).toHaveProperty("paths");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
