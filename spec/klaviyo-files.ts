/**
 * Where Klaviyo's spec files are read from: `spec/klaviyo` at the package root, found by walking
 * up from this module. The Terraform provider's bundle replaces this module with one that carries
 * the files' texts inline (scripts/terraform/bundle.ts), since a bundle or a single executable has
 * no package folder around it.
 * @packageDocumentation
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * The directory holding the spec files: `spec/klaviyo` at the package root, found by walking up
 * from this module (it runs from the sources in tests and from `dist/spec` once built).
 */
export function klaviyoSpecDir(): string {
  let dir = __dirname;
  for (;;) {
    const candidate = join(dir, "spec", "klaviyo");
    if (existsSync(join(candidate, "get_accounts.json"))) return candidate;
    if (existsSync(join(dir, "klaviyo", "get_accounts.json"))) return join(dir, "klaviyo");
    const up = dirname(dir);
    if (up === dir) throw new Error(`Klaviyo's spec files (spec/klaviyo/*.json) were not found above ${__dirname}; the package is incomplete.`);
    dir = up;
  }
}

/** The text of the spec file `file`, from `dir` when given, else from {@link klaviyoSpecDir}. */
export function readKlaviyoSpecFile(file: string, dir?: string): string {
  return readFileSync(join(dir ?? klaviyoSpecDir(), file), "utf8");
}
