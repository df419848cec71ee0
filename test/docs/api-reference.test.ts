// The API reference documents what the package exports and nothing else, and opens on a page that
// says what each import is for (typedoc's `readme`), not on an empty one.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");
const typedoc = JSON.parse(readFileSync(join(ROOT, "typedoc.json"), "utf8")) as { entryPoints: string[]; readme: string };
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  exports: Record<string, string | { types?: string; default: string }>;
};

/**
 * The source file of each exported subpath that is code, by the typings it declares (what the
 * reference documents): ./dist/sdk/index.d.ts -> sdk/index.ts. (`./provider` runs a bundled copy of
 * provider/index.ts, dist/provider/host-entry.js, whose typings are provider/index's.)
 */
const exportedSources = Object.values(pkg.exports)
  .map((e) => (typeof e === "string" ? e : (e.types ?? e.default)))
  .filter((f) => f.endsWith(".js") || f.endsWith(".d.ts"))
  .map((f) => f.replace(/^\.\/dist\//, "").replace(/(\.d)?\.ts$|\.js$/, ".ts"))
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
