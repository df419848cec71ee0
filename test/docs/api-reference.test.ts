// The API reference documents what the package exports and nothing else, and opens on a page that
// says what each import is for (typedoc's `readme`), not on an empty one.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");
const typedoc = JSON.parse(readFileSync(join(ROOT, "typedoc.json"), "utf8")) as { entryPoints: string[]; readme: string };
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { exports: Record<string, string | { default: string }> };

/** The source file of each exported subpath that is code: ./dist/sdk/index.js -> sdk/index.ts. */
const exportedSources = Object.values(pkg.exports)
  .map((e) => (typeof e === "string" ? e : e.default))
  .filter((f) => f.endsWith(".js"))
  .map((f) => f.replace(/^\.\/dist\//, "").replace(/\.js$/, ".ts"))
  .sort();

test("the entry points are exactly the package's exports (no cli module)", () => {
  expect([...typedoc.entryPoints].sort()).toEqual(exportedSources);
  expect(typedoc.entryPoints.some((e) => e.startsWith("cli/"))).toBe(false);
});

test("the landing page is a real page naming every import", () => {
  expect(typedoc.readme).not.toBe("none");
  const page = join(ROOT, typedoc.readme);
  expect(existsSync(page)).toBe(true);
  const text = readFileSync(page, "utf8");
  for (const sub of Object.keys(pkg.exports).filter((k) => k !== "./package.json")) {
    expect(text).toContain(`\`pulumi-upstack-klaviyo${sub === "." ? "" : sub.slice(1)}\``);
  }
});
