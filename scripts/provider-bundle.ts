/**
 * Bundles the Pulumi provider (provider/index.ts and everything it imports, zod and undici
 * included; `@pulumi/pulumi`, a peer used for types only, excluded) into one CommonJS file,
 * `dist/provider/host-bundle.js`, which `dist/provider/host-entry.js` (the package's `./provider`
 * export) loads in the provider host through V8's code cache. Part of `npm run build`, after tsc.
 *
 *   tsx scripts/provider-bundle.ts [out-file]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { build } from "esbuild";

const ROOT = path.resolve(__dirname, "..");

/** Where the build writes the bundle: beside host-entry.js, which loads it. */
export const PROVIDER_BUNDLE_FILE = path.join(ROOT, "dist", "provider", "host-bundle.js");

/** Writes the bundle of provider/index.ts to `outFile`. */
export async function buildProviderBundle(outFile: string = PROVIDER_BUNDLE_FILE): Promise<void> {
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  await build({
    entryPoints: [path.join(ROOT, "provider", "index.ts")],
    outfile: outFile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    external: ["@pulumi/pulumi"],
    minify: false,
    sourcemap: false,
    legalComments: "none",
    logLevel: "error",
  });
}

if (require.main === module) {
  const out = process.argv[2] === undefined ? PROVIDER_BUNDLE_FILE : path.resolve(process.argv[2]);
  buildProviderBundle(out).then(
    () => console.log(`wrote ${path.relative(process.cwd(), out)}`),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
