/**
 * Benchmark of the Terraform provider with the real terraform binary (a separate mode: the default
 * `npm run bench` is unchanged). Measures, in one run, next to floors measured in the same run:
 *
 * - handshake: provider process start to the go-plugin handshake line on stdout (median, measured
 *   after the plans, so with the code cache the first run wrote), with a
 *   real client certificate in PLUGIN_CLIENT_CERT (so mutual TLS is set up), against the floor of
 *   a `node` process that prints one line; with `--sea`, also the single executable the release builds.
 * - first answer: provider process start to the answer of its first call (GetProviderSchema, over
 *   mutual TLS as Terraform makes it), against the same floor: the provider prints the handshake
 *   line before it loads gRPC, so this is what a Terraform command waits for per process.
 * - no-op plan at each N: `terraform plan -refresh=false` and `terraform plan` (with refresh) of N
 *   applied destinations, against the same plans of N built-in `terraform_data` resources. Each
 *   repetition runs the two side by side, in alternating order; besides the ratio of the medians,
 *   the median of the per-repetition ratios is reported, which cancels the machine's load drifting
 *   between repetitions (this shared machine's floor moves by ±15% from minute to minute).
 *   Each repetition also times the same plan of the same workspace and state with the *echo
 *   provider* (bench/terraform-echo-runtime.ts: this provider with the per-instance calls answered
 *   by echoing Terraform's values, no rules and no HTTP), run between the two: the echo's time over
 *   `terraform_data`'s is what any provider with this schema costs on Node, and ours over the
 *   echo's (per repetition, median and range) is what the rules and their Upstack GETs add.
 *
 *   tsx bench/terraform.ts [--n 1,100] [--repeat 3] [--handshake-runs 9] [--sea] [--json]
 *
 * Progress goes to stderr; the table (or with --json one JSON object) to stdout. Needs terraform on
 * PATH; the emulator runs in this process on loopback with no injected latency.
 */
import { execFile, spawn } from "node:child_process";
import * as grpc from "@grpc/grpc-js";
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { startEmulator, type RunningEmulator } from "../emulator";
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE } from "../provider/terraform/plugin-server";
import { loadProtocol } from "../provider/terraform/protocol";
import { createSelfSignedCertificate, type SelfSignedCertificate } from "../provider/terraform/self-signed-cert";
import { bundleProvider, PROVIDER_EXECUTABLE } from "../scripts/terraform/bundle";
import { buildRelease } from "../scripts/terraform/release";

/** One row of the bench's output (`--json` prints `{ rows }`). */
export interface TerraformBenchRow {
  /** What was timed. */
  what: string;
  /** Resources in the workspace (1 for the handshake rows). */
  n: number;
  /** Median of ours, ms. */
  oursMs: number;
  /** Median of the floor (terraform_data, or a bare node for the handshake rows), ms. */
  floorMs: number;
  /** Median of ours over median of the floor. */
  ratio: number;
  /** Plans only: the median, lowest and highest of the per-repetition ratios (each ours over the floor run beside it). */
  paired?: { median: number; min: number; max: number };
  /** Plans only: the echo provider's median, and the per-repetition ratios of ours over it. */
  echo?: { ms: number; paired: { median: number; min: number; max: number } };
  /** The target for this measure. */
  target: string;
}

const log = (line: string): void => void process.stderr.write(`[bench:terraform] ${line}\n`);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

function timeToFirstLine(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "ignore"] });
    child.once("error", reject);
    child.stdout.once("data", () => {
      resolve(Number(process.hrtime.bigint() - start) / 1e6);
      child.kill();
    });
  });
}

/** Start to the answer of GetProviderSchema, called the way Terraform calls it (mutual TLS, the handshake's certificate as root). */
function timeToFirstAnswer(command: string, env: NodeJS.ProcessEnv, client: SelfSignedCertificate): Promise<number> {
  const Provider = grpc.makeGenericClientConstructor(loadProtocol().provider, "Provider");
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(command, [], { env, stdio: ["ignore", "pipe", "ignore"] });
    child.once("error", reject);
    child.stdout.once("data", (chunk: Buffer) => {
      const [, , network, address, , certField] = chunk.toString("utf8").trim().split("|");
      const serverCert = `-----BEGIN CERTIFICATE-----\n${Buffer.from(certField ?? "", "base64").toString("base64")}\n-----END CERTIFICATE-----\n`;
      const credentials = grpc.credentials.createSsl(Buffer.from(serverCert), Buffer.from(client.keyPem), Buffer.from(client.certPem));
      const stub = new Provider(network === "unix" ? `unix://${address ?? ""}` : (address ?? ""), credentials, {
        "grpc.ssl_target_name_override": "localhost",
        "grpc.default_authority": "localhost",
      });
      const method = (stub as unknown as Record<string, (req: object, cb: (e: Error | null) => void) => void>)["GetProviderSchema"]!;
      method.call(stub, {}, (error) => {
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        stub.close();
        child.kill();
        if (error === null) resolve(ms);
        else reject(error);
      });
    });
  });
}

function tf(dir: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; code: number; out: string }> {
  return new Promise((resolve) => {
    const start = process.hrtime.bigint();
    execFile("terraform", args, { cwd: dir, env, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
      resolve({ ms: Number(process.hrtime.bigint() - start) / 1e6, code, out: `${stdout}${stderr}` });
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      n: { type: "string", default: "1,100" },
      repeat: { type: "string", default: "3" },
      "handshake-runs": { type: "string", default: "9" },
      sea: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
  });
  const ns = values.n.split(",").map(Number);
  const repeat = Number(values.repeat);
  const handshakeRuns = Number(values["handshake-runs"]);
  const root = mkdtempSync(join(tmpdir(), "bench-terraform-"));
  let emu: RunningEmulator | undefined;
  const rows: TerraformBenchRow[] = [];
  try {
    const bin = join(root, "bin");
    mkdirSync(bin);
    const provider = join(bin, PROVIDER_EXECUTABLE);
    await bundleProvider(provider);
    // The echo provider: the same executable with the per-instance calls echoed (the floor of a provider with this schema).
    const echoBin = join(root, "echo-bin");
    mkdirSync(echoBin);
    await bundleProvider(join(echoBin, PROVIDER_EXECUTABLE), { runtimeEntry: resolve(__dirname, "terraform-echo-runtime.ts") });

    // No-op plans.
    emu = await startEmulator({});
    const { key } = await emu.admin.createKlaviyoAccountWithKey({ name: "Bench" }, { label: "UpstackData" });
    const cli = join(root, "cli.tfrc");
    const cliFor = (dir: string): string =>
      `provider_installation {\n  dev_overrides {\n    "registry.terraform.io/upstack/upstack" = "${dir}"\n  }\n  direct {}\n}\n`;
    writeFileSync(cli, cliFor(bin));
    const echoCli = join(root, "cli-echo.tfrc");
    writeFileSync(echoCli, cliFor(echoBin));
    for (const n of ns) {
      const pixels: string[] = [];
      const keys: Record<string, string> = {};
      for (let i = 0; i < n; i++) {
        const pixel = randomUUID();
        pixels.push(pixel);
        keys[pixel] = (await emu.admin.createUpstackKey({ pixelId: pixel })).apiKey;
      }
      const env: NodeJS.ProcessEnv = {
        PATH: process.env["PATH"],
        HOME: process.env["HOME"],
        TF_CLI_CONFIG_FILE: cli,
        CHECKPOINT_DISABLE: "1",
        TF_IN_AUTOMATION: "1",
        UPSTACK_KLAVIYO_QUIET: "1",
        UPSTACK_API_KEYS: JSON.stringify(keys),
        TF_VAR_klaviyo_private_key: key.key,
      };
      const stores = `locals {\n  stores = toset(${JSON.stringify(pixels)})\n}\n`;
      const ourDir = join(root, `ours-${n}`);
      const floorDir = join(root, `floor-${n}`);
      mkdirSync(ourDir);
      mkdirSync(floorDir);
      writeFileSync(
        join(ourDir, "main.tf"),
        `terraform {\n  required_providers {\n    upstack = { source = "upstack/upstack" }\n  }\n}\nvariable "klaviyo_private_key" {\n  type      = string\n  sensitive = true\n  ephemeral = true\n}\nprovider "upstack" {\n  api_url         = "${emu.url}"\n  klaviyo_api_url = "${emu.url}"\n}\n${stores}resource "upstack_klaviyo_destination" "store" {\n  for_each                   = local.stores\n  pixel_id                   = each.value\n  private_api_key_wo         = var.klaviyo_private_key\n  private_api_key_wo_version = 1\n}\n`,
      );
      writeFileSync(join(floorDir, "main.tf"), `${stores}resource "terraform_data" "store" {\n  for_each = local.stores\n  input    = each.value\n}\n`);
      log(`N=${n}: applying ${n} destinations and ${n} terraform_data`);
      const applied = await tf(ourDir, ["apply", "-auto-approve", "-no-color", "-parallelism=10"], env);
      if (applied.code !== 0) throw new Error(`apply failed:\n${applied.out}`);
      const floorApplied = await tf(floorDir, ["apply", "-auto-approve", "-no-color"], env);
      if (floorApplied.code !== 0) throw new Error(`terraform_data apply failed:\n${floorApplied.out}`);
      const running = emu;
      // One untimed plan with the echo provider, so its code cache is written (ours wrote its own during the apply).
      const echoWarm = await tf(ourDir, ["plan", "-refresh=false", "-detailed-exitcode", "-no-color"], { ...env, TF_CLI_CONFIG_FILE: echoCli });
      if (echoWarm.code !== 0) throw new Error(`echo provider plan was not a no-op (exit ${echoWarm.code}):\n${echoWarm.out}`);
      for (const [label, args] of [
        ["no-op plan -refresh=false", ["plan", "-refresh=false", "-detailed-exitcode", "-no-color"]],
        ["no-op plan (refresh)", ["plan", "-detailed-exitcode", "-no-color"]],
      ] as const) {
        const oursTimes: number[] = [];
        const floorTimes: number[] = [];
        const echoTimes: number[] = [];
        /** Times one plan in `dir`; a no-op is required, and zero requests to the emulator when `quiet`. */
        const timed = async (who: string, dir: string, runEnv: NodeJS.ProcessEnv, times: number[], quiet: boolean): Promise<void> => {
          running.clearRequests();
          const run = await tf(dir, [...args], runEnv);
          if (run.code !== 0) throw new Error(`${who} ${label} was not a no-op (exit ${run.code}):\n${run.out}`);
          if (quiet && running.requests().length !== 0) throw new Error(`${who} ${label} made ${running.requests().length} requests`);
          times.push(run.ms);
        };
        const noRefresh = (args as readonly string[]).includes("-refresh=false");
        const ours = (): Promise<void> => timed("the provider's", ourDir, env, oursTimes, noRefresh);
        const echo = (): Promise<void> => timed("the echo provider's", ourDir, { ...env, TF_CLI_CONFIG_FILE: echoCli }, echoTimes, true);
        const floor = (): Promise<void> => timed("terraform_data's", floorDir, env, floorTimes, false);
        for (let r = 0; r < repeat; r++) {
          // Alternate which of ours and terraform_data goes first, so neither always runs on a machine the other
          // just warmed; the echo provider runs between them.
          if (r % 2 === 0) {
            await ours();
            await echo();
            await floor();
          } else {
            await floor();
            await echo();
            await ours();
          }
        }
        const pairs = oursTimes.map((ms, i) => ms / floorTimes[i]!);
        const overEcho = oursTimes.map((ms, i) => ms / echoTimes[i]!);
        rows.push({
          what: label,
          n,
          oursMs: median(oursTimes),
          floorMs: median(floorTimes),
          ratio: median(oursTimes) / median(floorTimes),
          paired: { median: median(pairs), min: Math.min(...pairs), max: Math.max(...pairs) },
          echo: { ms: median(echoTimes), paired: { median: median(overEcho), min: Math.min(...overEcho), max: Math.max(...overEcho) } },
          target: "≤ 4× terraform_data",
        });
        log(
          `N=${n} ${label}: ${median(oursTimes).toFixed(0)} ms vs ${median(floorTimes).toFixed(0)} ms (echo provider ${median(echoTimes).toFixed(0)} ms); paired ratios ${pairs.map((x) => x.toFixed(2)).join(" ")}; over the echo ${overEcho.map((x) => x.toFixed(2)).join(" ")}`,
        );
      }
      await tf(ourDir, ["destroy", "-auto-approve", "-no-color", "-parallelism=10"], env);
    }
    // Handshake, after the plans: the executable's code cache has been written by then, as after a user's first command.
    const client = createSelfSignedCertificate();
    const pluginEnv = { ...process.env, [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: "6", PLUGIN_CLIENT_CERT: client.certPem };
    const floor: number[] = [];
    const ours: number[] = [];
    const answers: number[] = [];
    for (let i = 0; i < handshakeRuns; i++) {
      floor.push(await timeToFirstLine(process.execPath, ["-e", "process.stdout.write('1\\n'); setTimeout(() => {}, 5000)"], pluginEnv));
      ours.push(await timeToFirstLine(provider, [], pluginEnv));
      answers.push(await timeToFirstAnswer(provider, pluginEnv, client));
    }
    rows.push({
      what: "handshake (node + bundle)",
      n: 1,
      oursMs: median(ours),
      floorMs: median(floor),
      ratio: median(ours) / median(floor),
      target: "≤ 150 ms",
    });
    rows.push({
      what: "first answer (node + bundle)",
      n: 1,
      oursMs: median(answers),
      floorMs: median(floor),
      ratio: median(answers) / median(floor),
      target: "(what each process costs before Terraform can use it)",
    });
    if (values.sea) {
      log("building the single executable");
      const release = await buildRelease({ out: join(root, "release"), platforms: ["linux_amd64"] });
      const unzip = join(root, "sea");
      mkdirSync(unzip);
      await new Promise<void>((resolve, reject) => execFile("unzip", ["-q", release.zips[0]!.file, "-d", unzip], (e) => (e ? reject(e) : resolve())));
      const sea = join(unzip, `terraform-provider-upstack_v${release.version}`);
      const seaTimes: number[] = [];
      const seaAnswers: number[] = [];
      for (let i = 0; i < handshakeRuns; i++) {
        seaTimes.push(await timeToFirstLine(sea, [], pluginEnv));
        seaAnswers.push(await timeToFirstAnswer(sea, pluginEnv, client));
      }
      rows.push({
        what: "handshake (single executable)",
        n: 1,
        oursMs: median(seaTimes),
        floorMs: median(floor),
        ratio: median(seaTimes) / median(floor),
        target: "≤ 150 ms",
      });
      rows.push({
        what: "first answer (single executable)",
        n: 1,
        oursMs: median(seaAnswers),
        floorMs: median(floor),
        ratio: median(seaAnswers) / median(floor),
        target: "(what each process costs before Terraform can use it)",
      });
    }
    log(`handshake: ${median(ours).toFixed(0)} ms, first answer ${median(answers).toFixed(0)} ms (node floor ${median(floor).toFixed(0)} ms)`);
  } finally {
    await emu?.close();
    rmSync(root, { recursive: true, force: true });
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ rows }, null, 2)}\n`);
  } else {
    process.stdout.write(
      "| measure | N | ours (ms) | floor (ms) | ratio of medians | paired ratio: median (range) | echo provider (ms) | echo / floor | ours / echo, paired: median (range) | target |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    const range = (p: { median: number; min: number; max: number }): string => `${p.median.toFixed(2)} (${p.min.toFixed(2)}–${p.max.toFixed(2)})`;
    for (const r of rows) {
      const paired = r.paired === undefined ? "" : range(r.paired);
      const echo = r.echo === undefined ? "| | |" : `| ${r.echo.ms.toFixed(0)} | ${(r.echo.ms / r.floorMs).toFixed(2)} | ${range(r.echo.paired)} |`;
      process.stdout.write(
        `| ${r.what} | ${r.n} | ${r.oursMs.toFixed(0)} | ${r.floorMs.toFixed(0)} | ${r.ratio.toFixed(2)} | ${paired} ${echo} ${r.target} |\n`,
      );
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
