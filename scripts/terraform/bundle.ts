/**
 * Bundles the Terraform provider (provider/terraform/main.ts and everything it
 * imports, the generated protocol codecs included) into one CommonJS file: the
 * file the tests, the benchmark and the release start. One file loads faster
 * than hundreds of modules, which matters because Terraform starts a fresh
 * provider process several times per command.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { build } from "esbuild";
import { PROVIDER_TYPE } from "../../provider/terraform/mirror";

const ROOT = path.resolve(__dirname, "..", "..");

/** The two files {@link bundleProvider} writes beside the executable: what runs before the handshake line, and the rest. */
export const START_BUNDLE = "upstack-provider.bundle.js";
/** The part loaded after the handshake line (the gRPC server, the protocol codecs, the rules). */
export const RUNTIME_BUNDLE = "upstack-provider-runtime.bundle.js";

/** What names a bundle's code-cache file: the first 16 hex digits of the SHA-256 of its text. */
export function bundleDigest(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

/** Code-cache files in the temporary folder start with this; the loader's clean-up looks for it. */
export const CACHE_PREFIX = "terraform-provider-upstack-";

/**
 * The executable `bundleProvider` writes: loads the start bundle beside it
 * through V8's code cache, and gives it a `require` that loads the runtime
 * bundle the same way when the start bundle asks for it (after the handshake
 * line). Each bundle's cache is kept in the temporary folder per Node
 * version, architecture and bundle content (the digests, computed here at
 * build time), so rebuilding the same bundle elsewhere (every test suite
 * bundles the provider into a folder of its own) reuses one file. It is
 * written when the first process that ran without it exits, and that
 * process also removes this provider's cache files that nobody wrote for a
 * week (other builds' and older Node versions'). Reading and compiling the
 * bundle was most of the provider's start-up; Terraform starts the provider
 * three to five times per command.
 */
function cachedLoader(digests: { readonly start: string; readonly runtime: string }): string {
  return `#!/usr/bin/env node
"use strict";
const fs = require("node:fs"), os = require("node:os"), path = require("node:path"), vm = require("node:vm"), Module = require("node:module");
const PREFIX = ${JSON.stringify(CACHE_PREFIX)}, WEEK_MS = 7 * 24 * 3600 * 1000;
function prune(dir, keep) {
  for (const f of fs.readdirSync(dir)) {
    if (!f.startsWith(PREFIX) || !f.endsWith(".v8cache") || f === keep) continue;
    try {
      const p = path.join(dir, f);
      if (Date.now() - fs.statSync(p).mtimeMs > WEEK_MS) fs.unlinkSync(p);
    } catch {}
  }
}
function load(name, digest, req) {
  const file = path.join(__dirname, name);
  const dir = os.tmpdir();
  const base = \`\${PREFIX}\${process.version}-\${process.arch}-\${name}-\${digest}.v8cache\`;
  const cacheFile = path.join(dir, base);
  let cachedData;
  try { cachedData = fs.readFileSync(cacheFile); } catch {}
  const script = new vm.Script(Module.wrap(fs.readFileSync(file, "utf8").replace(/^#!/, "//")), { filename: file, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    process.once("exit", () => {
      try {
        const tmp = \`\${cacheFile}.\${process.pid}\`;
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, cacheFile);
        prune(dir, base);
      } catch {}
    });
  }
  const m = new Module(file, module);
  m.filename = file;
  m.paths = Module._nodeModulePaths(__dirname);
  script.runInThisContext()(m.exports, req, m, file, __dirname);
  return m.exports;
}
let runtime;
const startRequire = (id) => (id === "./${RUNTIME_BUNDLE}" ? (runtime ??= load("${RUNTIME_BUNDLE}", "${digests.runtime}", require)) : require(id));
load("${START_BUNDLE}", "${digests.start}", startRequire);
`;
}

/**
 * Writes `outFile` (executable) and two bundles beside it
 * ({@link START_BUNDLE} and {@link RUNTIME_BUNDLE}, names Terraform does not
 * mistake for a provider): what dev_overrides, the tests and the benchmark
 * start. The start bundle holds only what runs before the handshake line
 * (the listener, the certificate), a few kilobytes; the runtime bundle
 * (the gRPC server, the protocol codecs, the rules) is read and compiled after it.
 * `options.runtimeEntry` builds the runtime bundle from another module exporting `loadPlugin`
 * (the benchmark's echo provider, bench/terraform-echo-runtime.ts); the default is the provider's.
 */
export async function bundleProvider(outFile: string, options: { readonly runtimeEntry?: string } = {}): Promise<void> {
  const dir = path.dirname(outFile);
  await buildBundle(path.join(dir, RUNTIME_BUNDLE), { entry: options.runtimeEntry ?? path.join(ROOT, "provider", "terraform", "plugin-runtime.ts") });
  await buildBundle(path.join(dir, START_BUNDLE), { runtimeExternal: `./${RUNTIME_BUNDLE}` });
  const digest = (name: string): string => bundleDigest(fs.readFileSync(path.join(dir, name), "utf8"));
  fs.writeFileSync(outFile, cachedLoader({ start: digest(START_BUNDLE), runtime: digest(RUNTIME_BUNDLE) }), { mode: 0o755 });
  fs.chmodSync(outFile, 0o755);
}

/** Options of {@link buildBundle}. */
export interface BundleOptions {
  /** The entry point (default provider/terraform/main.ts). */
  readonly entry?: string;
  /** Leave provider/terraform/plugin-runtime out and require this path for it instead (the split bundle). */
  readonly runtimeExternal?: string;
}

/**
 * What replaces spec/klaviyo-files.ts in a bundle. The provider reads only the generated extract of
 * Klaviyo's spec (spec/klaviyo-extract.ts: paths, scopes, rate tiers); no call reads a spec file's
 * document, so the bundles carry none of the ~230 kB of texts every process would otherwise read.
 * Should a future call ask for one, it fails here, by name, in every Terraform test that reaches it.
 */
const NO_SPEC_FILES = [
  'const WHY = "the provider bundle carries only the extract of Klaviyo\'s spec (spec/klaviyo-extract.ts), not its files";',
  "export function klaviyoSpecDir(): string { throw new Error(WHY); }",
  "export function readKlaviyoSpecFile(file: string): string { throw new Error(`${file}: ${WHY}`); }",
].join("\n");

/** Writes the bundle itself to `outFile` (executable, with a node shebang): by default the whole provider in one file (the release's). */
export async function buildBundle(outFile: string, options: BundleOptions = {}): Promise<void> {
  await build({
    entryPoints: [options.entry ?? path.join(ROOT, "provider", "terraform", "main.ts")],
    outfile: outFile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    minify: true,
    keepNames: true,
    sourcemap: false,
    legalComments: "none",
    logLevel: "error",
    plugins: [
      {
        name: "split-and-spec-extract-only",
        setup(b) {
          const external = options.runtimeExternal;
          if (external !== undefined) {
            // A stub that requires the other file (a dynamic import() would bypass the loader's require).
            b.onResolve({ filter: /^\.\/plugin-runtime$/ }, () => ({ path: "plugin-runtime", namespace: "split" }));
            b.onLoad({ filter: /.*/, namespace: "split" }, () => ({ contents: `module.exports = require(${JSON.stringify(external)});`, loader: "js" }));
            b.onResolve({ filter: /^\.\/upstack-provider-runtime/ }, (args) => ({ path: args.path, external: true }));
          }
          b.onLoad({ filter: /spec[\\/]klaviyo-files\.ts$/ }, () => ({ contents: NO_SPEC_FILES, loader: "ts" }));
        },
      },
    ],
  });
  // esbuild keeps the entry's shebang; make sure it is there and the file is executable.
  const text = fs.readFileSync(outFile, "utf8");
  if (!text.startsWith("#!")) fs.writeFileSync(outFile, `#!/usr/bin/env node\n${text}`);
  fs.chmodSync(outFile, 0o755);
}

/** The provider executable's name, as Terraform looks for it (`terraform-provider-TYPE`). */
export const PROVIDER_EXECUTABLE = `terraform-provider-${PROVIDER_TYPE}`;

/** Where `npm run build` puts the package's `terraform-provider-upstack` bin and its bundles. */
export const PACKAGE_PROVIDER_DIR = path.join(ROOT, "dist", "terraform");

/**
 * Rebuilds `dir` from empty with the provider executable and its two bundles: a file an earlier
 * build wrote and this one no longer does cannot stay behind and ship in the package.
 */
export async function writePackageProvider(dir: string): Promise<string> {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const out = path.join(dir, PROVIDER_EXECUTABLE);
  await bundleProvider(out);
  return out;
}

if (require.main === module) {
  // The package's `terraform-provider-upstack` bin (npm run build): what `mirror` points Terraform at.
  // A path on the command line is the caller's own folder, written into as it is.
  const given = process.argv[2];
  const write = async (): Promise<string> => {
    if (given === undefined) return writePackageProvider(PACKAGE_PROVIDER_DIR);
    fs.mkdirSync(path.dirname(given), { recursive: true });
    await bundleProvider(given);
    return given;
  };
  write().then(
    (out) => console.log(`wrote ${path.relative(process.cwd(), out)}`),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
