/** The README cannot drift from the code: its error table and configuration table are checked here. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CLI_ERROR_CATALOGUE } from "../../cli/exit-codes";
import { ERROR_CATALOGUE } from "../../provider/errors";

const readme = readFileSync(join(__dirname, "../../README.md"), "utf8");
const section = (title: string) => readme.split(`\n## ${title}\n`)[1]?.split("\n## ")[0] ?? "";

test("every error code has a row in the README's Errors table, and every row is a real code", () => {
  const rows = [...section("Errors").matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]);
  expect(rows.sort()).toEqual([...Object.keys(ERROR_CATALOGUE), ...Object.keys(CLI_ERROR_CATALOGUE)].sort());
});

test("every setting the provider reads is in the Configuration table", () => {
  const source = readFileSync(join(__dirname, "../../provider/config.ts"), "utf8");
  const keys = new Set([...source.matchAll(/"((?:upstack:[a-zA-Z]+)|(?:[A-Z][A-Z_]+_(?:KEY|KEYS|ID|URL|MS)))"/g)].map((m) => m[1]!));
  const table = section("Configuration");
  expect(keys.size).toBeGreaterThan(8);
  for (const key of keys) expect(table).toContain(`\`${key}\``);
});
