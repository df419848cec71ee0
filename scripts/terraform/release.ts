/**
 * Builds the Terraform provider's release in the Terraform Registry's layout:
 *
 *   terraform-provider-upstack_<v>_<os>_<arch>.zip   one per platform
 *   terraform-provider-upstack_<v>_manifest.json     protocol versions
 *   terraform-provider-upstack_<v>_SHA256SUMS        sha256 of every file above
 *   mirror/registry.terraform.io/upstack/upstack/…   the same zips as a packed filesystem mirror
 *
 * For the platform this runs on (linux_amd64 here) the zip holds a single executable: Node's
 * single executable application (the node binary with the bundled provider and its V8 code cache
 * injected by postject), which needs no Node on the user's machine. For the other platforms it
 * cannot be built here (that needs each platform's node binary), so their zips hold a launcher
 * that runs the bundled provider with the user's Node ≥ 20.18.
 *
 *   npm run terraform:release -- [--out DIR] [--platforms linux_amd64,darwin_arm64,...] [--no-sea]
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { ZipFile } from "yazl";
import { packageVersion, PROVIDER_HOST, PROVIDER_NAMESPACE, PROVIDER_TYPE, terraformPlatform } from "../../provider/terraform/mirror";
import { buildBundle, bundleProvider, PROVIDER_EXECUTABLE } from "./bundle";

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, "..", "..");
/** The fuse Node's single-executable support looks for (Node's documentation). */
const SEA_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";
/** The platforms released by default. */
export const DEFAULT_PLATFORMS = ["linux_amd64", "linux_arm64", "darwin_amd64", "darwin_arm64"] as const;

/** What {@link buildRelease} needs. */
export interface ReleaseOptions {
  /** Output folder (emptied first). */
  readonly out: string;
  /** Platforms to build. */
  readonly platforms?: readonly string[];
  /** Build the single executable for this machine's platform (default true). */
  readonly sea?: boolean;
  /** Progress lines. */
  readonly log?: (line: string) => void;
}

/** What was built. */
export interface ReleaseResult {
  /** The version. */
  readonly version: string;
  /** Platform → zip path and kind. */
  readonly zips: ReadonlyArray<{ platform: string; file: string; kind: "single-executable" | "node-launcher" }>;
  /** The SHA256SUMS file. */
  readonly sums: string;
  /** The packed filesystem mirror's root. */
  readonly mirror: string;
}

function zip(entries: ReadonlyArray<{ name: string; data: Buffer; mode: number }>, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const z = new ZipFile();
    for (const e of entries) z.addBuffer(e.data, e.name, { mode: e.mode, mtime: new Date("2026-01-01T00:00:00Z"), compress: true });
    z.end();
    z.outputStream.pipe(fs.createWriteStream(file)).on("close", resolve).on("error", reject);
  });
}

/** Builds Node's single executable application from the bundle: node binary + blob (with code cache). */
async function singleExecutable(bundle: string, work: string, log: (line: string) => void): Promise<Buffer> {
  const main = path.join(work, "sea-main.js");
  fs.writeFileSync(main, fs.readFileSync(bundle, "utf8").replace(/^#!.*\n/, ""));
  const config = path.join(work, "sea-config.json");
  const blob = path.join(work, "sea.blob");
  fs.writeFileSync(config, JSON.stringify({ main, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true }));
  await run(process.execPath, ["--experimental-sea-config", config]);
  const exe = path.join(work, PROVIDER_EXECUTABLE);
  fs.copyFileSync(process.execPath, exe);
  fs.chmodSync(exe, 0o755);
  log(`injecting the provider into a copy of ${process.execPath} (Node ${process.version})`);
  // postject's command line, in a child process: its ELF library writes warnings to the console.
  await run(process.execPath, [require.resolve("postject/dist/cli.js"), exe, "NODE_SEA_BLOB", blob, "--sentinel-fuse", SEA_FUSE], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return fs.readFileSync(exe);
}

/** Builds the release. */
export async function buildRelease(options: ReleaseOptions): Promise<ReleaseResult> {
  const log = options.log ?? ((): void => undefined);
  const version = packageVersion(ROOT);
  const platforms = options.platforms ?? DEFAULT_PLATFORMS;
  const here = terraformPlatform();
  fs.rmSync(options.out, { recursive: true, force: true });
  fs.mkdirSync(options.out, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "upstack-tf-release-"));
  try {
    const bundle = path.join(work, "provider.js");
    await buildBundle(bundle);
    // The launcher zips carry what the npm package's bin is: the code-cache loader and both bundles
    // (each process starts about twice as fast as from one plain bundle).
    const split = path.join(work, "split");
    fs.mkdirSync(split);
    await bundleProvider(path.join(split, PROVIDER_EXECUTABLE));
    const exeName = `${PROVIDER_EXECUTABLE}_v${version}`;
    const zips: Array<{ platform: string; file: string; kind: "single-executable" | "node-launcher" }> = [];
    for (const platform of platforms) {
      const file = path.join(options.out, `terraform-provider-${PROVIDER_TYPE}_${version}_${platform}.zip`);
      if (platform === here && options.sea !== false) {
        log(`${platform}: single executable`);
        await zip([{ name: exeName, data: await singleExecutable(bundle, work, log), mode: 0o100755 }], file);
        zips.push({ platform, file, kind: "single-executable" });
      } else {
        log(`${platform}: launcher + bundle (needs Node ≥ 20.18 on PATH)`);
        const launcher = `#!/bin/sh\n# terraform-provider-upstack ${version}: needs Node.js >= 20.18 on PATH.\nexec node "$(dirname "$0")/lib/terraform-provider-upstack" "$@"\n`;
        await zip(
          [
            { name: exeName, data: Buffer.from(launcher), mode: 0o100755 },
            ...fs.readdirSync(split).map((name) => ({ name: `lib/${name}`, data: fs.readFileSync(path.join(split, name)), mode: 0o100644 })),
          ],
          file,
        );
        zips.push({ platform, file, kind: "node-launcher" });
      }
    }
    const manifest = path.join(options.out, `terraform-provider-${PROVIDER_TYPE}_${version}_manifest.json`);
    fs.writeFileSync(manifest, `${JSON.stringify({ version: 1, metadata: { protocol_versions: ["6.0"] } }, null, 2)}\n`);
    const sums = path.join(options.out, `terraform-provider-${PROVIDER_TYPE}_${version}_SHA256SUMS`);
    const lines = [...zips.map((z) => z.file), manifest].map((f) => `${createHash("sha256").update(fs.readFileSync(f)).digest("hex")}  ${path.basename(f)}`);
    fs.writeFileSync(sums, `${lines.join("\n")}\n`);
    const mirror = path.join(options.out, "mirror");
    const packed = path.join(mirror, PROVIDER_HOST, PROVIDER_NAMESPACE, PROVIDER_TYPE);
    fs.mkdirSync(packed, { recursive: true });
    for (const z of zips) fs.copyFileSync(z.file, path.join(packed, path.basename(z.file)));
    return { version, zips, sums, mirror };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const value = (flag: string): string | undefined => {
    const i = args.indexOf(flag);
    return i === -1 ? undefined : args[i + 1];
  };
  const out = path.resolve(value("--out") ?? path.join(ROOT, "dist", "terraform-release"));
  const platforms = value("--platforms")?.split(",");
  buildRelease({ out, ...(platforms === undefined ? {} : { platforms }), sea: !args.includes("--no-sea"), log: (l) => console.log(l) }).then(
    (r) => {
      for (const z of r.zips) console.log(`${path.relative(process.cwd(), z.file)} (${z.kind}, ${(fs.statSync(z.file).size / 1e6).toFixed(1)} MB)`);
      console.log(`${path.relative(process.cwd(), r.sums)}\nfilesystem mirror (packed layout): ${path.relative(process.cwd(), r.mirror)}`);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
