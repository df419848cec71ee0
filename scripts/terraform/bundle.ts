/**
 * Bundles the Terraform provider (provider/terraform/main.ts and everything it
 * imports) into one CommonJS file with the protocol definitions inline: the
 * file the tests, the benchmark and the release start. One file loads faster
 * than hundreds of modules, which matters because Terraform starts a fresh
 * provider process several times per command.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { build } from "esbuild";
import { KLAVIYO_SPEC_FILES, klaviyoSpecDir } from "../../spec/klaviyo";

const ROOT = path.resolve(__dirname, "..", "..");
const PROTO_DIR = path.join(ROOT, "provider", "terraform", "proto");

/**
 * The executable `bundleProvider` writes: loads the bundle beside it through
 * V8's code cache, kept in the temporary folder per Node version and bundle
 * (size and time), written when the first process that ran without it exits.
 * Compiling the bundle is a third of the provider's start-up; Terraform starts
 * the provider three to five times per command.
 */
const CACHED_LOADER = `#!/usr/bin/env node
"use strict";
const fs = require("node:fs"), os = require("node:os"), path = require("node:path"), vm = require("node:vm"), Module = require("node:module");
const file = path.join(__dirname, "upstack-provider.bundle.js");
const stat = fs.statSync(file);
const cacheFile = path.join(os.tmpdir(), \`terraform-provider-upstack-\${process.version}-\${stat.size}-\${Math.round(stat.mtimeMs)}.v8cache\`);
let cachedData;
try { cachedData = fs.readFileSync(cacheFile); } catch {}
const script = new vm.Script(Module.wrap(fs.readFileSync(file, "utf8").replace(/^#!/, "//")), { filename: file, cachedData });
if (cachedData === undefined || script.cachedDataRejected) {
  process.once("exit", () => {
    try {
      const tmp = \`\${cacheFile}.\${process.pid}\`;
      fs.writeFileSync(tmp, script.createCachedData());
      fs.renameSync(tmp, cacheFile);
    } catch {}
  });
}
const m = new Module(file, module);
m.filename = file;
m.paths = Module._nodeModulePaths(__dirname);
script.runInThisContext()(m.exports, require, m, file, __dirname);
`;

/**
 * Writes `outFile` (executable) and the bundle beside it
 * (`upstack-provider.bundle.js`, a name Terraform does not mistake for a
 * provider): what dev_overrides and the benchmark start.
 */
export async function bundleProvider(outFile: string): Promise<void> {
  await buildBundle(path.join(path.dirname(outFile), "upstack-provider.bundle.js"));
  fs.writeFileSync(outFile, CACHED_LOADER, { mode: 0o755 });
  fs.chmodSync(outFile, 0o755);
}

/** Writes the bundle itself to `outFile` (executable, with a node shebang). */
export async function buildBundle(outFile: string): Promise<void> {
  const texts = {
    tfplugin6: fs.readFileSync(path.join(PROTO_DIR, "tfplugin6.proto"), "utf8"),
    grpcController: fs.readFileSync(path.join(PROTO_DIR, "grpc_controller.proto"), "utf8"),
  };
  const specDir = klaviyoSpecDir();
  const specTexts = Object.fromEntries(KLAVIYO_SPEC_FILES.map((f) => [f, fs.readFileSync(path.join(specDir, f), "utf8")]));
  await build({
    entryPoints: [path.join(ROOT, "provider", "terraform", "main.ts")],
    outfile: outFile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    minify: false,
    sourcemap: false,
    legalComments: "none",
    logLevel: "error",
    plugins: [
      {
        name: "inline-proto",
        setup(b) {
          b.onLoad({ filter: /provider[\\/]terraform[\\/]proto-files\.ts$/ }, () => ({
            contents: `export function protoTexts() { return ${JSON.stringify(texts)}; }`,
            loader: "ts",
          }));
          // Klaviyo's spec files, which the rules read at run time, travel inside the bundle too.
          b.onLoad({ filter: /spec[\\/]klaviyo-files\.ts$/ }, () => ({
            contents: [
              `const TEXTS: Record<string, string> = ${JSON.stringify(specTexts)};`,
              'export function klaviyoSpecDir(): string { throw new Error("this bundle carries Klaviyo\'s spec files inline"); }',
              "export function readKlaviyoSpecFile(file: string): string {",
              "  const text = TEXTS[file];",
              "  if (text === undefined) throw new Error(`Klaviyo's spec file ${file} is not in this bundle`);",
              "  return text;",
              "}",
            ].join("\n"),
            loader: "ts",
          }));
        },
      },
    ],
  });
  // esbuild keeps the entry's shebang; make sure it is there and the file is executable.
  const text = fs.readFileSync(outFile, "utf8");
  if (!text.startsWith("#!")) fs.writeFileSync(outFile, `#!/usr/bin/env node\n${text}`);
  fs.chmodSync(outFile, 0o755);
}

if (require.main === module) {
  const out = process.argv[2] ?? path.join(ROOT, "dist", "terraform", "terraform-provider-upstack.js");
  fs.mkdirSync(path.dirname(out), { recursive: true });
  bundleProvider(out).then(
    () => console.log(`wrote ${path.relative(process.cwd(), out)}`),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
