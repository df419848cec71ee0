// The bundled provider's code cache: named by the bundles' content (so every test suite, which
// bundles the provider into a folder of its own, and every rebuild of the same code share one
// file), written by the first process that ran without it, which also removes this provider's
// cache files nobody wrote for a week. The real executable is started the way Terraform starts
// it and shut down through go-plugin's controller.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pluginClient, startPlugin } from "./plugin-client";
import { bundleDigest, bundleProvider, CACHE_PREFIX, RUNTIME_BUNDLE, START_BUNDLE, writePackageProvider } from "../../scripts/terraform/bundle";
import { klaviyoSpecDir } from "../../spec/klaviyo";

jest.setTimeout(120_000);

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
function tempDir(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
}

/** Starts the executable with `tmp` as its temporary folder, calls GetProviderSchema and Shutdown, and waits for it to exit. */
async function runOnce(executable: string, tmp: string): Promise<number | null> {
  const plugin = startPlugin(executable, tmp);
  try {
    const line = await plugin.handshake;
    for (const [service, method] of [
      ["provider", "GetProviderSchema"],
      ["controller", "Shutdown"],
    ] as const) {
      const client = pluginClient(line, plugin.terraform, { service });
      try {
        await client.call(method);
      } finally {
        client.close();
      }
    }
    return (await plugin.exited).code;
  } finally {
    plugin.child.kill();
  }
}

test("two builds of the same code in two folders share one cache file per bundle; the first run writes them and removes week-old ones", async () => {
  const a = path.join(tempDir("upstack-cc-a-"), "terraform-provider-upstack");
  const b = path.join(tempDir("upstack-cc-b-"), "terraform-provider-upstack");
  await bundleProvider(a);
  await bundleProvider(b);
  const digest = (exe: string, name: string): string => bundleDigest(fs.readFileSync(path.join(path.dirname(exe), name), "utf8"));
  expect(digest(a, RUNTIME_BUNDLE)).toBe(digest(b, RUNTIME_BUNDLE));
  const cacheName = (name: string): string => `${CACHE_PREFIX}${process.version}-${process.arch}-${name}-${digest(a, name)}.v8cache`;

  const tmp = tempDir("upstack-cc-tmp-");
  const stale = path.join(tmp, `${CACHE_PREFIX}v0.0.0-x64-${RUNTIME_BUNDLE}-0000000000000000.v8cache`);
  const recent = path.join(tmp, `${CACHE_PREFIX}v0.0.0-x64-${START_BUNDLE}-1111111111111111.v8cache`);
  const unrelated = path.join(tmp, "someone-else.v8cache");
  for (const f of [stale, recent, unrelated]) fs.writeFileSync(f, "x");
  const eightDaysAgo = new Date(Date.now() - 8 * 24 * 3600 * 1000);
  fs.utimesSync(stale, eightDaysAgo, eightDaysAgo);
  fs.utimesSync(unrelated, eightDaysAgo, eightDaysAgo);

  expect(await runOnce(a, tmp)).toBe(0);
  expect(fs.existsSync(path.join(tmp, cacheName(START_BUNDLE)))).toBe(true);
  expect(fs.existsSync(path.join(tmp, cacheName(RUNTIME_BUNDLE)))).toBe(true);
  expect(fs.existsSync(stale)).toBe(false);
  expect(fs.existsSync(recent)).toBe(true);
  expect(fs.existsSync(unrelated)).toBe(true);

  // The other folder's build uses the same files: nothing new is written.
  const before = fs.readdirSync(tmp).sort();
  const written = fs.statSync(path.join(tmp, cacheName(RUNTIME_BUNDLE))).mtimeMs;
  expect(await runOnce(b, tmp)).toBe(0);
  expect(fs.readdirSync(tmp).sort()).toEqual(before);
  expect(fs.statSync(path.join(tmp, cacheName(RUNTIME_BUNDLE))).mtimeMs).toBe(written);
});

test("the bundles carry only the extract of Klaviyo's spec: no spec file's text, inside them or beside them", async () => {
  const exe = path.join(tempDir("upstack-cc-spec-"), "terraform-provider-upstack");
  await bundleProvider(exe);
  const dir = path.dirname(exe);
  expect(fs.readdirSync(dir).sort()).toEqual(["terraform-provider-upstack", RUNTIME_BUNDLE, START_BUNDLE].sort());
  const runtime = fs.readFileSync(path.join(dir, RUNTIME_BUNDLE), "utf8");
  // A phrase of the spec's prose that no code carries, and a fact the extract does carry.
  const spec = fs.readFileSync(path.join(klaviyoSpecDir(), "get_accounts.json"), "utf8");
  const phrase = /"description":\s*"([^"]{40,80})/.exec(spec)?.[1];
  expect(phrase).toBeDefined();
  expect(runtime).not.toContain(phrase!);
  expect(runtime).toContain("/api/accounts");
  expect(fs.statSync(path.join(dir, RUNTIME_BUNDLE)).size).toBeLessThan(520_000);
});

test("the package's provider folder is rebuilt from empty: a file an earlier build left there does not survive", async () => {
  const dir = path.join(tempDir("upstack-cc-package-"), "terraform");
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, "upstack-provider-old.bundle.js"), "// written by an earlier build\n");
  const exe = await writePackageProvider(dir);
  expect(exe).toBe(path.join(dir, "terraform-provider-upstack"));
  expect(fs.readdirSync(dir).sort()).toEqual(["terraform-provider-upstack", RUNTIME_BUNDLE, START_BUNDLE].sort());
});
