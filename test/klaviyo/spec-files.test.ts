/**
 * The copies of Klaviyo's OpenAPI files in spec/klaviyo are byte-identical to the blobs their
 * README lists (git's blob id: SHA-1 of "blob <size>\0" + bytes, what `git hash-object` prints),
 * and the README is the one in ../shared/klaviyo-openapi when that reference copy is present.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { KLAVIYO_SPEC_FILES, klaviyoSpecDir, loadKlaviyoSpec, parseRate } from "../../spec/klaviyo";

const dir = klaviyoSpecDir();
const readme = readFileSync(join(dir, "README.md"), "utf8");

/** `git hash-object` of a file's bytes. */
function blobId(bytes: Buffer): string {
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

/** The README's table: file → blob id. */
function listedBlobs(): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of readme.matchAll(/^\| ([a-z_]+\.json) \| [^|]+ \| ([0-9a-f]{40}) \|/gm)) out.set(m[1]!, m[2]!);
  return out;
}

test("the README lists a blob id for every spec file the project reads, and for nothing else there", () => {
  const listed = listedBlobs();
  expect([...listed.keys()].sort()).toEqual([...KLAVIYO_SPEC_FILES].sort());
  expect(
    readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .sort(),
  ).toEqual([...KLAVIYO_SPEC_FILES].sort());
});

test.each([...KLAVIYO_SPEC_FILES])("%s is byte-identical to the blob the README lists", (file) => {
  expect(blobId(readFileSync(join(dir, file)))).toBe(listedBlobs().get(file));
});

test("a changed byte changes the blob id (the check can fail)", () => {
  const bytes = readFileSync(join(dir, "get_accounts.json"));
  const changed = Buffer.from(bytes);
  changed[changed.length - 2] = changed[changed.length - 2] === 0x7d ? 0x20 : 0x7d;
  expect(blobId(changed)).not.toBe(listedBlobs().get("get_accounts.json"));
});

// CI keeps the reference copy at ../shared beside the clone; a worktree under wt/ has it one level higher.
const root = join(__dirname, "..", "..");
const shared =
  [join(root, "..", "shared", "klaviyo-openapi"), join(root, "..", "..", "shared", "klaviyo-openapi")].find((d) => existsSync(join(d, "README.md"))) ?? "";
const sharedHere = shared !== "";
(sharedHere ? test : test.skip)("the README is the reference copy's (../shared/klaviyo-openapi), so the blob ids are the reference's", () => {
  expect(readme).toBe(readFileSync(join(shared, "README.md"), "utf8"));
});
if (!sharedHere) test("../shared/klaviyo-openapi is absent here: the README comparison above was skipped", () => expect(sharedHere).toBe(false));

test("the facts read from the files: revisions, beta flags, scopes, tiers", () => {
  const spec = loadKlaviyoSpec();
  const accounts = spec.byId("get_accounts");
  expect(accounts).toMatchObject({ path: "/api/accounts", method: "get", revision: "2026-07-15", beta: false, scopes: ["accounts:read"] });
  expect(spec.byId("get_api_keys_beta")).toMatchObject({ path: "/api/api-keys", revision: "2026-07-15.pre", beta: true, scopes: ["credentials:read"] });
  expect([...spec.byId("get_metrics").queryParameters.keys()]).not.toContain("page[size]");
  expect(spec.byId("get_lists").queryParameters.get("page[size]")?.schema).toMatchObject({ minimum: 1, maximum: 10 });
  expect(spec.byId("get_profiles").queryParameters.get("page[size]")?.schema).toMatchObject({ minimum: 1, maximum: 100 });
  expect(spec.byId("get_events").queryParameters.get("page[size]")?.schema).toMatchObject({ minimum: 1, maximum: 1000 });
  expect(spec.scopes).toContain("credentials:read");
  expect(spec.operation("GET", "/api/api-keys/01HQXYZ/")?.operationId).toBe("get_api_key_beta");
  expect(spec.operation("GET", "/api/accounts/")?.operationId).toBe("get_accounts");
  expect(() => parseRate("1/h", "s", "x")).toThrow(/not of the form N\/s/);
});
