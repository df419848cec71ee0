/**
 * Shared by the Terraform suites: finds the real `terraform` binary (the suites skip, saying so,
 * when it is absent), bundles the provider once per file, writes a CLI config with dev_overrides
 * pointing at it, and runs terraform in temporary working directories against the file's one
 * emulator. Every command's output is kept for the leak scans.
 */
import { execFile, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { bundleProvider } from "../../scripts/terraform/bundle";
import { EmulatorHarness, type World } from "../support/emulator-harness";

/** The terraform binary's version, or undefined when it is not on PATH. */
export function terraformVersion(): string | undefined {
  const r = spawnSync("terraform", ["version", "-json"], { encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1" } });
  if (r.status !== 0 || r.error !== undefined) return undefined;
  try {
    return (JSON.parse(r.stdout) as { terraform_version: string }).terraform_version;
  } catch {
    return undefined;
  }
}

const VERSION = terraformVersion();

/**
 * `describe` when terraform is on PATH, else `describe.skip` after saying why (the message names
 * the suite so CI logs show which suites did not run).
 */
export function describeWithTerraform(name: string, body: () => void): void {
  if (VERSION === undefined) {
    console.warn(`[terraform] terraform is not on PATH: skipping "${name}" (install Terraform ≥ 1.11 to run it).`);
    describe.skip(name, body);
  } else {
    describe(`${name} (terraform ${VERSION})`, body);
  }
}

/** The result of one terraform command. */
export interface TfRun {
  /** Exit code. */
  code: number;
  stdout: string;
  stderr: string;
}

/** The provider source address used in the test configurations. */
export const SOURCE = "registry.terraform.io/upstack/upstack";

/** One emulator, one provider bundle and dev_overrides for a whole test file. */
export class TerraformHarness extends EmulatorHarness {
  binDir = "";
  cliConfig = "";
  /** The provider processes' TMPDIR (their sockets, code cache and carried validations stay in the file's folder). */
  tmpDir = "";
  /** Every stdout/stderr terraform printed, for leak scans. */
  readonly outputs: string[] = [];

  override async start(): Promise<void> {
    await super.start();
    const root = this.tempDir("upstack-tf-");
    this.binDir = path.join(root, "bin");
    fs.mkdirSync(this.binDir);
    await bundleProvider(path.join(this.binDir, "terraform-provider-upstack"));
    this.tmpDir = path.join(root, "tmp");
    fs.mkdirSync(this.tmpDir);
    this.cliConfig = path.join(root, "cli.tfrc");
    fs.writeFileSync(this.cliConfig, `provider_installation {\n  dev_overrides {\n    "${SOURCE}" = "${this.binDir}"\n  }\n  direct {}\n}\n`);
  }

  /** A working directory holding `main.tf` = {@link header} + `body`. */
  workdir(body: string, ephemeral = true): string {
    const dir = this.tempDir("upstack-tf-work-");
    this.write(dir, body, ephemeral);
    return dir;
  }

  /** Replaces main.tf. */
  write(dir: string, body: string, ephemeral = true): void {
    fs.writeFileSync(path.join(dir, "main.tf"), `${this.header(ephemeral)}\n${body}`);
  }

  /**
   * required_providers, the key variable (sensitive; ephemeral too unless `ephemeral` is false, as a
   * sensitive non-write-only argument needs) and a provider block pointing at the emulator.
   */
  header(ephemeral = true): string {
    return `terraform {
  required_providers {
    upstack = { source = "upstack/upstack" }
  }
}

variable "klaviyo_private_key" {
  type      = string
  sensitive = true${ephemeral ? "\n  ephemeral = true" : ""}
}

provider "upstack" {
  api_url         = "${this.emu.url}"
  klaviyo_api_url = "${this.emu.url}"
}
`;
  }

  /** Runs terraform in `dir` with the world's Upstack key and `key` as TF_VAR_klaviyo_private_key. */
  tf(dir: string, args: string[], env: Record<string, string> = {}): Promise<TfRun> {
    return new Promise((resolve) => {
      execFile(
        "terraform",
        [...args],
        {
          cwd: dir,
          env: {
            PATH: process.env["PATH"] ?? "",
            HOME: process.env["HOME"] ?? "/tmp",
            TF_CLI_CONFIG_FILE: this.cliConfig,
            TMPDIR: this.tmpDir,
            CHECKPOINT_DISABLE: "1",
            TF_IN_AUTOMATION: "1",
            TF_INPUT: "0",
            UPSTACK_KLAVIYO_PACE_MS: "0",
            UPSTACK_KLAVIYO_QUIET: "1",
            ...env,
          },
          maxBuffer: 64 * 1024 * 1024,
        },
        (error, stdout, stderr) => {
          this.outputs.push(stdout, stderr);
          const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  /** The environment that gives terraform a world's keys. */
  envFor(w: World, klaviyoKey: string = w.key.key): Record<string, string> {
    return { UPSTACK_API_KEY: w.upstack.apiKey, TF_VAR_klaviyo_private_key: klaviyoKey };
  }

  /** The state file's text. */
  stateText(dir: string): string {
    const p = path.join(dir, "terraform.tfstate");
    return fs.existsSync(p) ? fs.readFileSync(p, "utf8") : "";
  }

  /** Every file terraform wrote in `dir` (state, its backup, saved plans, the lock file), concatenated. */
  writtenFiles(dir: string): string {
    return fs
      .readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name !== "main.tf")
      .map((e) => fs.readFileSync(path.join(e.parentPath, e.name)).toString("latin1"))
      .join("\n");
  }

  /** The attributes of the one destination in the state. */
  stateAttributes(dir: string, address = "d"): Record<string, unknown> {
    const state = JSON.parse(this.stateText(dir)) as {
      resources: Array<{ type: string; name: string; instances: Array<{ attributes: Record<string, unknown> }> }>;
    };
    const r = state.resources.find((x) => x.type === "upstack_klaviyo_destination" && x.name === address);
    if (r === undefined) throw new Error(`no upstack_klaviyo_destination.${address} in state`);
    return r.instances[0]!.attributes;
  }

  /** Every secret handed out that occurs in `text`, as a hint (never the secret itself). */
  leaksIn(text: string): string[] {
    return [...this.secrets].filter((s) => text.includes(s)).map((s) => `${s.slice(0, 3)}...${s.slice(-4)}`);
  }

  /** Requests the emulator received since the last clear, as `service METHOD path`. */
  requestLines(): string[] {
    return this.emu.requests().map((r) => `${r.service} ${r.method} ${r.path}`);
  }
}

/**
 * The file's harness, started before its tests and closed after them, with the time limits the
 * Terraform suites need (bundling the provider, several terraform runs per test; `testTimeoutMs`
 * per test).
 */
export function useTerraformHarness(testTimeoutMs = 180_000): TerraformHarness {
  jest.setTimeout(testTimeoutMs);
  const h = new TerraformHarness();
  beforeAll(async () => {
    await h.start();
  }, 120_000);
  afterAll(async () => {
    await h.close();
  });
  return h;
}

/** Terraform's text without ANSI colour codes. */
export function plainText(text: string): string {
  // eslint-disable-next-line no-control-regex -- ANSI escapes are what is removed
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}
