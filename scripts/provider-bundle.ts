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
    plugins: [
      {
        // zod re-exports its ~60 translations as `z.locales`; the provider speaks English only (the
        // default zod registers itself, from ./en.js) and never reads `z.locales`. Keeping only `en`
        // there takes 40 % of the bundle's code out of every provider start.
        name: "zod-english-only",
        setup(b) {
          b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
            /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer)
              ? { path: path.join(path.dirname(args.importer), "..", "locales", "en.js"), namespace: "zod-english-only" }
              : undefined,
          );
          b.onLoad({ filter: /.*/, namespace: "zod-english-only" }, (args) => ({
            contents: `export { default as en } from ${JSON.stringify(args.path)};`,
            resolveDir: path.dirname(args.path),
            loader: "js",
          }));
        },
      },
    ],
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
