/**
 * Writes this provider into a Terraform filesystem mirror (the "unpacked"
 * layout, `HOSTNAME/NAMESPACE/TYPE/VERSION/OS_ARCH/terraform-provider-TYPE_vVERSION`)
 * as a small launcher that runs the installed provider with Node. Terraform
 * then installs it with `terraform init` like any other provider: from a
 * `filesystem_mirror` block in the CLI configuration, or without any
 * configuration from the implied mirror `~/.terraform.d/plugins`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The provider's address in configurations: `source = "upstack/upstack"`. */
export const PROVIDER_HOST = "registry.terraform.io";
/** Namespace. */
export const PROVIDER_NAMESPACE = "upstack";
/** Type. */
export const PROVIDER_TYPE = "upstack";

/** Terraform's name for the platform this process runs on (`linux_amd64`, `darwin_arm64`). */
export function terraformPlatform(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  const osName = platform === "win32" ? "windows" : platform;
  const archName = arch === "x64" ? "amd64" : arch === "ia32" ? "386" : arch;
  return `${osName}_${archName}`;
}

/** This package's version (the provider's version). */
export function packageVersion(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "pulumi-upstack-klaviyo" && typeof pkg.version === "string") return pkg.version;
    }
    if (path.dirname(dir) === dir) throw new Error("Could not find pulumi-upstack-klaviyo's package.json to read the provider version from.");
  }
}

/** What {@link writeFilesystemMirror} needs. */
export interface MirrorOptions {
  /** The mirror's root (e.g. `~/.terraform.d/plugins`). */
  readonly dir: string;
  /** The provider's JavaScript entry (main.js or a bundle), absolute. */
  readonly entry: string;
  /** The version to publish as. */
  readonly version: string;
  /** `linux_amd64` etc.; default this machine's. */
  readonly platform?: string;
  /** The Node executable; default `node` from PATH. */
  readonly node?: string;
}

/** Writes the launcher into the mirror; returns its path. */
export function writeFilesystemMirror(options: MirrorOptions): string {
  const platform = options.platform ?? terraformPlatform();
  if (platform.startsWith("windows_")) {
    throw new Error("The Node launcher is a POSIX shell script; on Windows use the release's single executable or WSL.");
  }
  const target = path.join(options.dir, PROVIDER_HOST, PROVIDER_NAMESPACE, PROVIDER_TYPE, options.version, platform);
  fs.mkdirSync(target, { recursive: true });
  const file = path.join(target, `terraform-provider-${PROVIDER_TYPE}_v${options.version}`);
  const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  fs.writeFileSync(
    file,
    `#!/bin/sh\n# terraform-provider-upstack ${options.version}: runs the provider installed with npm (needs Node.js >= 20.18).\nexec ${options.node === undefined ? "node" : quote(options.node)} ${quote(options.entry)} "$@"\n`,
    { mode: 0o755 },
  );
  return file;
}

/** The mirror `terraform-provider-upstack mirror` writes to when no folder is given: Terraform's implied local mirror. */
export function defaultMirrorDir(): string {
  return path.join(os.homedir(), ".terraform.d", "plugins");
}
