/**
 * The provider as the host loads it: the bundle `npm run build` writes (scripts/provider-bundle.ts),
 * run through V8's code cache (provider/bundle-loader.ts). The bundle is the provider (same exports,
 * same answers); the first load writes the cache, the next one uses it, a damaged one is refused
 * and rewritten.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleCacheFile, loadBundle } from "../../provider/bundle-loader";
import * as provider from "../../provider/index";
import { buildProviderBundle } from "../../scripts/provider-bundle";

jest.setTimeout(60_000);

let dir: string;
let bundle: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "provider-bundle-"));
  bundle = join(dir, "host-bundle.js");
  await buildProviderBundle(bundle);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Loads the bundle in a fresh Node process (V8 keeps compiled scripts per process), runs a Check there. */
function loadInChild(): { cache: string; failures: unknown } {
  const code = `
    const { loadBundle } = require(${JSON.stringify(join(__dirname, "..", "..", "provider", "bundle-loader.ts"))});
    const r = loadBundle(${JSON.stringify(bundle)}, { cacheDir: ${JSON.stringify(dir)}, writeDelayMs: 60000 });
    r.exports.check({}, ${JSON.stringify(NEWS)}).then((x) => process.stdout.write(JSON.stringify({ cache: r.cache, failures: x.failures })));`;
  return JSON.parse(execFileSync(process.execPath, ["--require", "tsx/cjs", "-e", code], { cwd: join(__dirname, "..", ".."), encoding: "utf8" })) as {
    cache: string;
    failures: unknown;
  };
}

const NEWS = { pixelId: "not-a-uuid", privateApiKey: `pk_${"a".repeat(34)}`, owner: "pulumi:p/s/n" };

test("the package's ./provider entry names every export of provider/index, so ES modules can import them by name", () => {
  // From the sources there is no bundle beside host-entry: it falls back to ./index.
  const entry = require("../../provider/host-entry") as Record<string, unknown>;
  expect(Object.keys(entry).sort()).toEqual(Object.keys(provider).sort());
  for (const [name, value] of Object.entries(provider)) expect(entry[name]).toBe(value);
});

test("the bundle is the provider: same exports, same answers", async () => {
  const p = loadBundle(bundle, { cacheDir: dir, writeDelayMs: 60_000 }).exports as typeof provider;
  expect(Object.keys(p).sort()).toEqual(Object.keys(provider).sort());
  const r = await p.check({}, NEWS);
  expect(r.failures?.[0]?.property).toBe("pixelId");
  expect(r.failures).toEqual((await provider.check({}, NEWS)).failures);
});

test("the first process writes the code cache (at exit at the latest), the next uses it, a damaged one is refused and rewritten", async () => {
  const cacheFile = bundleCacheFile(bundle, dir);
  rmSync(cacheFile, { force: true });
  const expected = (await provider.check({}, NEWS)).failures;
  expect(loadInChild()).toEqual({ cache: "none", failures: expected });
  expect(existsSync(cacheFile)).toBe(true);
  expect(loadInChild()).toEqual({ cache: "used", failures: expected });
  writeFileSync(cacheFile, Buffer.from("not a V8 code cache"));
  expect(loadInChild()).toEqual({ cache: "rejected", failures: expected });
  expect(readFileSync(cacheFile).length).toBeGreaterThan(1000);
  expect(loadInChild()).toEqual({ cache: "used", failures: expected });
});
