// The install path: `npm pack` the built package, install the tarball into a fresh Pulumi project
// outside the repository (as a user would), and run the basic example there through the engine
// driver: create -> rotate -> destroy against the emulator. Proves the published files, the
// package's exports, and that the ~90-byte `__provider` shim resolves the provider from the user's
// own node_modules in the provider host.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import type { ConfigValue } from "@upstack-klaviyo/engine-driver";
import { BASIC_PROGRAM, REPO_ROOT, Scenario, dest, expectFailed, expectOk, keyFingerprint, keyHint, plain, stateCount, stateDest } from "./support";

const run = promisify(execFile);

jest.setTimeout(180000);

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

test("npm pack -> npm install into a fresh project -> create, rotate, destroy through the provider host", async () => {
  const started = Date.now();
  // The package must be built (npm test / the test:engine script build first).
  for (const f of ["dist/sdk/index.js", "dist/provider/index.js", "dist/emulator/index.js"]) {
    expect(fs.existsSync(path.join(REPO_ROOT, f))).toBe(true);
  }

  // 1. Pack.
  const packDir = path.join(work, "pack");
  fs.mkdirSync(packDir);
  const packed = await npm(["pack", "--json", "--pack-destination", packDir], REPO_ROOT, 60000);
  const info = (JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>)[0]!;
  const tarball = path.join(packDir, path.basename(info.filename));
  expect(fs.existsSync(tarball)).toBe(true);
  const files = info.files.map((f) => f.path);
  expect(files).toEqual(
    expect.arrayContaining(["package.json", "README.md", "dist/sdk/index.js", "dist/sdk/index.d.ts", "dist/provider/index.js", "dist/emulator/index.js"]),
  );
  // Only the published folders: no sources, tests, examples or state.
  expect(
    files.filter(
      (f) =>
        !/^(dist\/(sdk|provider|emulator|cli)\/|provider\/terraform\/proto\/[a-z0-9_]+\.proto$|openapi\/|README\.md$|CHANGELOG\.md$|package\.json$|LICENSE)/.test(
          f,
        ),
    ),
  ).toEqual([]);

  // 2. A user's project, outside the repository, depending on the tarball.
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
        dependencies: { "@pulumi/pulumi": "~3.270.0", "pulumi-upstack-klaviyo": `file:${tarball}` },
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

  // 3. The lifecycle.
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
  expect(Date.now() - started).toBeLessThan(180000);
});
