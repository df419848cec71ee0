// The install path, as a maintainer publishes and a user installs: `git clone` the repository into
// a temporary directory, `npm ci`, `npm pack` there (the `prepack` script must build dist/ — a clean
// clone has none), install the tarball into a fresh Pulumi project outside the repository next to
// the `@pulumi/pulumi` under test, and run the basic example there through the engine driver:
// create -> rotate -> destroy against the emulator, with the provider host of that project's own
// `@pulumi/pulumi` (as the engine starts it). Proves the published files, the package's exports,
// the peer dependency, and that the ~90-byte `__provider` shim resolves the provider from the
// user's own node_modules in the provider host.
//
// UPSTACK_KLAVIYO_TEST_PULUMI_VERSION picks the `@pulumi/pulumi` version installed next to the
// tarball (default: the one in this repository's lock file); `.ci/run` runs this file a second
// time with the lowest version of the peer range.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { hostScriptFor, type ConfigValue } from "@upstack-klaviyo/engine-driver";
import { BASIC_PROGRAM, REPO_ROOT, Scenario, dest, expectFailed, expectOk, keyFingerprint, keyHint, plain, stateCount, stateDest } from "./support";

const run = promisify(execFile);

jest.setTimeout(420000);

const repoPulumi = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8")) as { version: string })
  .version;
const PULUMI_VERSION = process.env["UPSTACK_KLAVIYO_TEST_PULUMI_VERSION"] || repoPulumi;
const peerRange = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { peerDependencies: Record<string, string> }).peerDependencies[
  "@pulumi/pulumi"
];

const h = new Scenario();
let work: string;

beforeAll(async () => {
  await h.start();
  work = fs.mkdtempSync(path.join(os.tmpdir(), "upstack-klaviyo-install-"));
});

afterAll(async () => {
  await h.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

async function npm(args: string[], cwd: string, timeoutMs: number): Promise<{ stdout: string; stderr: string }> {
  const env = { ...process.env, npm_config_update_notifier: "false", npm_config_loglevel: "error" };
  return run("npm", args, { cwd, env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
}

test(`clean clone -> npm ci -> npm pack -> install next to @pulumi/pulumi@${PULUMI_VERSION} -> create, rotate, destroy through that version's provider host`, async () => {
  // 1. A clean clone of the committed HEAD: no dist/, no node_modules. (Uncommitted changes are
  // not in it; commit before trusting this test.)
  const clone = path.join(work, "clone");
  await run("git", ["clone", "--quiet", REPO_ROOT, clone], { timeout: 60000 });
  expect(fs.existsSync(path.join(clone, "dist"))).toBe(false);
  try {
    await npm(["ci", "--no-audit", "--no-fund", "--offline"], clone, 240000);
  } catch {
    await npm(["ci", "--no-audit", "--no-fund"], clone, 240000);
  }
  expect(fs.existsSync(path.join(clone, "dist"))).toBe(false);

  // 2. Pack: `prepack` builds dist/ first.
  const packDir = path.join(work, "pack");
  fs.mkdirSync(packDir);
  const packed = await npm(["pack", "--json", "--pack-destination", packDir], clone, 180000);
  const info = (JSON.parse(packed.stdout.slice(packed.stdout.indexOf("["))) as Array<{ filename: string; files: Array<{ path: string }> }>)[0]!;
  const tarball = path.join(packDir, path.basename(info.filename));
  expect(fs.existsSync(tarball)).toBe(true);
  const files = info.files.map((f) => f.path);
  expect(files).toEqual(
    expect.arrayContaining([
      "package.json",
      "README.md",
      "dist/sdk/index.js",
      "dist/sdk/index.d.ts",
      "dist/provider/index.js",
      "dist/emulator/index.js",
      "dist/emulator/cli.js",
      "dist/cli/index.js",
    ]),
  );
  // Only the published folders: no sources, tests, examples or state. spec/klaviyo holds Klaviyo's
  // OpenAPI files, read at run time by the provider and the emulator; dist/terraform the bundled
  // Terraform provider, the package's terraform-provider-upstack bin.
  expect(
    files.filter(
      (f) =>
        !/^(dist\/(sdk|provider|emulator|cli|spec|terraform)\/|spec\/klaviyo\/|provider\/terraform\/proto\/[a-z0-9_]+\.proto$|openapi\/|README\.md$|CHANGELOG\.md$|package\.json$|LICENSE)/.test(
          f,
        ),
    ),
  ).toEqual([]);
  expect(files).toEqual(
    expect.arrayContaining([
      "spec/klaviyo/get_accounts.json",
      "spec/klaviyo/get_api_keys_beta.json",
      "dist/spec/klaviyo.js",
      "dist/terraform/terraform-provider-upstack",
      "dist/terraform/upstack-provider.bundle.js",
      "dist/terraform/upstack-provider-runtime.bundle.js",
    ]),
  );
  // @pulumi/pulumi is a peer: the user's program and the provider share one runtime.
  const manifest = JSON.parse(fs.readFileSync(path.join(clone, "package.json"), "utf8")) as {
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
  };
  expect(manifest.dependencies?.["@pulumi/pulumi"]).toBeUndefined();
  expect(manifest.peerDependencies?.["@pulumi/pulumi"]).toBe(peerRange);

  // 3. A user's project, outside the repository, depending on the tarball.
  const app = path.join(work, "app");
  fs.mkdirSync(app);
  fs.writeFileSync(
    path.join(app, "package.json"),
    JSON.stringify(
      {
        name: "upstack-klaviyo-install-check",
        version: "0.0.0",
        private: true,
        main: "index.ts",
        dependencies: { "@pulumi/pulumi": PULUMI_VERSION, "pulumi-upstack-klaviyo": `file:${tarball}` },
      },
      null,
      2,
    ),
  );
  fs.copyFileSync(path.join(BASIC_PROGRAM, "index.ts"), path.join(app, "index.ts"));
  fs.copyFileSync(path.join(BASIC_PROGRAM, "Pulumi.yaml"), path.join(app, "Pulumi.yaml"));
  const installArgs = ["install", "--no-audit", "--no-fund", "--no-package-lock"];
  try {
    await npm([...installArgs, "--offline"], app, 120000);
  } catch (offlineError) {
    // Cache not warm enough: a normal install (may reach a registry mirror).
    try {
      await npm(installArgs, app, 120000);
    } catch (e) {
      throw new Error(
        `npm install failed offline (${String((offlineError as Error).message).slice(0, 400)}) and online (${String((e as Error).message).slice(0, 400)})`,
        { cause: e },
      );
    }
  }
  const installed = path.join(app, "node_modules", "pulumi-upstack-klaviyo");
  // A real copy from the tarball, not a link back into the repository.
  expect(fs.lstatSync(installed).isSymbolicLink()).toBe(false);
  expect(fs.realpathSync(installed).startsWith(fs.realpathSync(work))).toBe(true);
  expect(fs.existsSync(path.join(installed, "test"))).toBe(false);
  // The package's exports resolve from the user's project, into the user's node_modules.
  for (const spec of ["pulumi-upstack-klaviyo", "pulumi-upstack-klaviyo/provider", "pulumi-upstack-klaviyo/emulator", "pulumi-upstack-klaviyo/package.json"]) {
    expect(fs.realpathSync(require.resolve(spec, { paths: [app] })).startsWith(fs.realpathSync(installed))).toBe(true);
  }
  // Nothing above the temp dir could supply the package instead.
  for (let d = path.dirname(work); ; d = path.dirname(d)) {
    expect(fs.existsSync(path.join(d, "node_modules", "pulumi-upstack-klaviyo"))).toBe(false);
    if (d === path.dirname(d)) break;
  }

  // The @pulumi/pulumi under test is the one the program and the provider host use, and the only one.
  const appPulumi = path.join(app, "node_modules", "@pulumi", "pulumi");
  expect((JSON.parse(fs.readFileSync(path.join(appPulumi, "package.json"), "utf8")) as { version: string }).version).toBe(PULUMI_VERSION);
  expect(fs.existsSync(path.join(installed, "node_modules", "@pulumi", "pulumi"))).toBe(false);
  expect(fs.realpathSync(hostScriptFor(app))).toBe(fs.realpathSync(path.join(appPulumi, "cmd", "dynamic-provider", "index.js")));

  // 4. The lifecycle.
  const { account, key, pixelId, upstack } = await h.world("Installed Store");
  const rotated = await h.klaviyoKey(account.id);
  const config = (k: string): Record<string, ConfigValue> => ({
    upstackPixelId: pixelId,
    klaviyoPublicApiKey: account.id,
    klaviyoPrivateKey: { secret: k },
    "upstack:apiKey": { secret: upstack.apiKey },
    ...h.providerConfig(),
  });
  const stateFile = path.join(work, "state.json");
  const e1 = h.engine({ programDir: app, stateFile, config: config(key.key) });
  const r1 = expectOk(await e1.up());
  const d1 = dest(r1);
  expect(d1.op).toBe("create");
  // The resource carries the shim, not a serialized closure with paths.
  expect(d1.inputs?.["__provider"]).toBe('exports.handler = function () { return require("pulumi-upstack-klaviyo/provider"); };\n');
  expect(plain(d1.outputs)).toMatchObject({
    keyFingerprint: keyFingerprint(key.key),
    keyHint: keyHint(key.key),
    status: "healthy",
    owner: "pulumi:upstack-klaviyo-basic/dev/klaviyo",
  });
  expect(await h.emu.admin.getDestination(pixelId)).toMatchObject({ id: d1.id, keyFingerprint: keyFingerprint(key.key), status: "healthy" });

  const e2 = h.engine({ programDir: app, stateFile, config: config(rotated.key) });
  const r2 = expectOk(await e2.up());
  const d2 = dest(r2);
  expect(d2.op).toBe("update");
  expect(d2.id).toBe(d1.id);
  expect(plain(d2.outputs)["keyFingerprint"]).toBe(keyFingerprint(rotated.key));
  expect(await h.emu.admin.getDestination(pixelId)).toMatchObject({ id: d1.id, keyFingerprint: keyFingerprint(rotated.key) });

  // The host really loads the provider from the user's node_modules: without it, even a refresh
  // (which runs the shim stored in the state) cannot find the provider.
  const aside = `${installed}.aside`;
  fs.renameSync(installed, aside);
  try {
    const rr = expectFailed(await e2.refresh());
    expect(rr.errors.join("\n")).toContain("pulumi-upstack-klaviyo/provider");
  } finally {
    fs.renameSync(aside, installed);
  }
  expect(stateDest(e2)!.id).toBe(d1.id);

  const r3 = expectOk(await e2.destroy());
  expect(r3.resources.map((r) => r.op)).toEqual(["delete"]);
  expect(stateCount(e2)).toBe(0);
  expect(await h.emu.admin.getDestination(pixelId)).toBeNull();

  expect(h.leaks()).toEqual([]);
});
