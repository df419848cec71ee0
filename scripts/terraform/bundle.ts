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

const ROOT = path.resolve(__dirname, "..", "..");
const PROTO_DIR = path.join(ROOT, "provider", "terraform", "proto");

/** Writes the bundle to `outFile` (executable, with a node shebang). */
export async function bundleProvider(outFile: string): Promise<void> {
  const texts = {
    tfplugin6: fs.readFileSync(path.join(PROTO_DIR, "tfplugin6.proto"), "utf8"),
    grpcController: fs.readFileSync(path.join(PROTO_DIR, "grpc_controller.proto"), "utf8"),
  };
  await build({
    entryPoints: [path.join(ROOT, "provider", "terraform", "main.ts")],
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
        name: "inline-proto",
        setup(b) {
          b.onLoad({ filter: /provider[\\/]terraform[\\/]proto-files\.ts$/ }, () => ({
            contents: `export function protoTexts() { return ${JSON.stringify(texts)}; }`,
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
