// The documentation shows placeholders, never key-shaped values: a Klaviyo private key (`pk_` + 34
// hex, or v2 `pk_` + 6 + `_` + 34 hex), an Upstack API key (`upstack_` + 40 hex) or a key
// fingerprint (`sha256:` + 64 hex) copied from a real or emulated session looks like a live secret.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");
const KEY_SHAPED = /pk_(?:[A-Za-z0-9]{6}_)?[0-9a-f]{34}|upstack_[0-9a-f]{40}|sha256:[0-9a-f]{64}/g;

const markdown = execFileSync("git", ["ls-files", "*.md"], { cwd: ROOT, encoding: "utf8" })
  .split("\n")
  .filter((f) => f !== "" && !f.startsWith("node_modules/"));

test("the repository has Markdown files to scan", () => {
  expect(markdown).toEqual(expect.arrayContaining(["README.md", "docs/emulator.md"]));
});

test.each(markdown)("%s holds no key-shaped value", (file) => {
  const found = readFileSync(join(ROOT, file), "utf8").match(KEY_SHAPED) ?? [];
  expect(found.map((v) => `${v.slice(0, 10)}…`)).toEqual([]);
});
