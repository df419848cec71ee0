/**
 * Benchmark of the UpstackKlaviyoDestination provider: the real Pulumi Node dynamic-provider host,
 * driven through the engine test driver (tools/engine-driver) against the local emulator with
 * injected latency, for N destinations, through create, no-op up, preview, rotate, refresh and
 * destroy — next to a floor measured in the same run (bench/fixtures/null: a null dynamic provider
 * making only the minimum HTTP round trips) and a naive docs-style provider (bench/fixtures/naive).
 *
 *   tsx bench/bench.ts [--n 1,10,100,500] [--latency-ms 20] [--json] [--out .bench/results]
 *                      [--rate-check-n 100] [--rate-check-keys 5] [--cold-start-runs 3]
 *                      [--checkpoints end|every-step]
 *   tsx bench/bench.ts --lanes [--lanes-accounts 100] [--lanes-one-account 20] [--repeat 3] [--latency-ms 20] [--json]
 *
 * --lanes runs only the Klaviyo pacing section (issue 10): undeclared keys (no publicApiKey) with the
 * emulator enforcing every endpoint's tier from Klaviyo's spec files — one key (the yardstick), N keys
 * on N accounts, and K keys on one account — reporting wall time and 429 answers.
 *
 * Progress goes to stderr; the table (or with --json one JSON object) to stdout. See BENCHMARKS.md.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { setMaxListeners } from "node:events";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs as parseCliArgs } from "node:util";
import { startEmulator, type RunningEmulator } from "../emulator";
import { Engine, ProviderHost, type ConfigValue, type RunResult, type StateFile } from "@upstack-klaviyo/engine-driver";
import { PROVIDER_TEXT } from "../sdk/provider-shim";
import { hostProbe } from "./lib/proc";
import { machineInfo, type MachineInfo } from "./lib/machine";
import { plotSvg, type Series } from "./lib/plot";

const FIXTURES = join(__dirname, "fixtures");
const OPS = ["create", "noop-up", "preview", "rotate", "refresh", "destroy"] as const;
type OpName = (typeof OPS)[number];
type Which = "ours" | "floor";

export interface Args {
  ns: number[];
  latencyMs: number;
  json: boolean;
  out: string;
  rateCheckN: number;
  rateCheckKeys: number;
  coldStartRuns: number;
  /** Lifecycles per N (fresh stacks each time); figures are medians. */
  repeat: number;
  /** "end": state written once per run (like PULUMI_SKIP_CHECKPOINTS); "every-step": the driver as is. */
  checkpoints: "end" | "every-step";
  /** Run only the pacing section. */
  lanes: boolean;
  /** Keys on as many accounts, none declared. */
  lanesAccounts: number;
  /** Undeclared keys on one account. */
  lanesOneAccount: number;
}

const USAGE =
  "tsx bench/bench.ts [--n 1,10,100,500] [--latency-ms 20] [--repeat 3] [--json] [--out dir (default .bench/results)] [--rate-check-n 100 (0 = skip)] [--rate-check-keys 5] [--cold-start-runs 3] [--checkpoints end|every-step]\n" +
  "tsx bench/bench.ts --lanes [--lanes-accounts 100] [--lanes-one-account 20] [--repeat 3] [--latency-ms 20] [--json] [--out dir]\n";

/** Parses the command line with node:util's parseArgs. */
export function parseArgs(argv: string[]): Args {
  const { values } = parseCliArgs({
    args: argv,
    strict: true,
    options: {
      n: { type: "string", default: "1,10,100,500" },
      "latency-ms": { type: "string", default: "20" },
      repeat: { type: "string", default: "3" },
      json: { type: "boolean", default: false },
      // Ignored by git: a quick run never overwrites the tracked figures in bench/results, which only
      // `npm run bench:record` (--out bench/results, the full run BENCHMARKS.md quotes) rewrites.
      out: { type: "string", default: join(__dirname, "..", ".bench", "results") },
      "rate-check-n": { type: "string", default: "100" },
      "rate-check-keys": { type: "string", default: "5" },
      "cold-start-runs": { type: "string", default: "3" },
      checkpoints: { type: "string", default: "end" },
      lanes: { type: "boolean", default: false },
      "lanes-accounts": { type: "string", default: "100" },
      "lanes-one-account": { type: "string", default: "20" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const int = (name: string, raw: string, min: number): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: expected a whole number >= ${min}, got "${raw}"`);
    return n;
  };
  const checkpoints = values.checkpoints;
  if (checkpoints !== "end" && checkpoints !== "every-step") throw new Error(`--checkpoints: expected end or every-step, got "${checkpoints}"`);
  return {
    ns: values.n.split(",").map((s) => int("n", s.trim(), 1)),
    latencyMs: int("latency-ms", values["latency-ms"], 0),
    repeat: int("repeat", values.repeat, 1),
    json: values.json,
    out: resolve(values.out),
    rateCheckN: int("rate-check-n", values["rate-check-n"], 0),
    rateCheckKeys: int("rate-check-keys", values["rate-check-keys"], 1),
    coldStartRuns: int("cold-start-runs", values["cold-start-runs"], 1),
    checkpoints,
    lanes: values.lanes,
    lanesAccounts: int("lanes-accounts", values["lanes-accounts"], 1),
    lanesOneAccount: int("lanes-one-account", values["lanes-one-account"], 1),
  };
}

const progress = (s: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}\n`);
};

interface OpMeasure {
  ok: boolean;
  errors: string[];
  wallMs: number;
  requests: number;
  /** `service METHOD path` -> requests / N. */
  requestsPerResource: Record<string, number>;
  /** HTTP 429 answers seen. */
  throttled: number;
  /** Klaviyo GET /api/accounts/ requests (all, and answered 2xx). */
  accountsRequests: number;
  accountsRequests2xx: number;
  distinctKeys: number;
  peakRssMb: number;
  /** CPU time the provider host used during the run (user + system), ms. */
  hostCpuMs: number;
  maxInFlight: Record<string, number>;
  /** Run start to the first completed gRPC call (Configure) — includes the program's start. */
  firstCallMs: number | undefined;
  changeSummary: RunResult["changeSummary"];
  calls: number;
}

export interface RunRow {
  op: OpName;
  n: number;
  /** Median over the repetitions. */
  wallMs: number;
  /** Median over the repetitions. */
  floorMs: number;
  /** wallMs / floorMs. */
  ratio: number;
  /** Every repetition's wall time, ours and the floor's. */
  wallMsRuns: number[];
  floorMsRuns: number[];
  /** Every repetition's host peak RSS (MB), ours and the floor's; peakRssMb / floorPeakRssMb are their medians. */
  peakRssMbRuns: number[];
  floorPeakRssMbRuns: number[];
  /** Median CPU time of the provider host, ours and the floor's (user + system, ms). */
  hostCpuMs: number;
  floorHostCpuMs: number;
  requestsPerResource: Record<string, number>;
  ok: boolean;
  floorOk: boolean;
  requests: number;
  accountsRequests: number;
  distinctKeys: number;
  throttled: number;
  peakRssMb: number;
  floorPeakRssMb: number;
  maxInFlight: Record<string, number>;
  floorRequestsPerResource: Record<string, number>;
  changeSummary: RunResult["changeSummary"];
  errors: string[];
}

function countRequests(
  emu: RunningEmulator,
  n: number,
): Pick<OpMeasure, "requests" | "requestsPerResource" | "throttled" | "accountsRequests" | "accountsRequests2xx"> {
  const log = emu.requests();
  const by = new Map<string, number>();
  for (const r of log) {
    // One key's path per id: counted under the operation's path template.
    const k = `${r.service} ${r.method} ${r.path.replace(/^\/api\/api-keys\/[^/]+\/$/, "/api/api-keys/{id}/")}`;
    by.set(k, (by.get(k) ?? 0) + 1);
  }
  const accounts = log.filter((r) => r.service === "klaviyo" && r.path === "/api/accounts/");
  return {
    requests: log.length,
    requestsPerResource: Object.fromEntries([...by].sort().map(([k, c]) => [k, Math.round((c / n) * 1000) / 1000])),
    throttled: log.filter((r) => r.status === 429).length,
    accountsRequests: accounts.length,
    accountsRequests2xx: accounts.filter((r) => r.status !== null && r.status >= 200 && r.status < 300).length,
  };
}

interface Stack {
  which: Which;
  n: number;
  pixels: string[];
  apiKeys: Record<string, string>;
  accountId: string;
  stateFile: string;
}

/** When the driver writes the state file (see EngineOptions.checkpoints); set from --checkpoints. */
let checkpointMode: "end" | "every-step" = "end";

function makeEngine(emu: RunningEmulator, st: Stack, keys: string[], probe: ReturnType<typeof hostProbe>, declareAccount = true): Engine {
  const config: Record<string, ConfigValue> = {
    pixels: JSON.stringify(st.pixels),
    klaviyoKeys: { secret: JSON.stringify(keys) },
    "upstack:apiKeys": { secret: JSON.stringify(st.apiKeys) },
    "upstack:apiUrl": emu.url,
    "upstack:klaviyoApiUrl": emu.url,
  };
  if (declareAccount) config["klaviyoPublicApiKey"] = st.accountId; // both sides: the same inputs
  return new Engine({
    programDir: join(FIXTURES, st.which === "ours" ? "many" : "null"),
    stateFile: st.stateFile,
    stack: `bench-${st.which}-${st.n}`,
    config,
    env: { UPSTACK_KLAVIYO_QUIET: "1", BENCH_EMULATOR_URL: emu.url },
    hostTimeoutMs: 300_000,
    programTimeoutMs: 900_000,
    hooks: probe.hooks,
    checkpoints: checkpointMode,
  });
}

async function measure(
  emu: RunningEmulator,
  n: number,
  distinctKeys: number,
  probe: ReturnType<typeof hostProbe>,
  fn: () => Promise<RunResult>,
): Promise<OpMeasure> {
  emu.clearRequests();
  probe.reset();
  const t0 = performance.now();
  const run = await fn();
  const wallMs = Math.round(performance.now() - t0);
  return {
    ok: run.ok,
    errors: run.errors.slice(0, 3).map((e) => e.slice(0, 400)),
    wallMs,
    ...countRequests(emu, n),
    distinctKeys,
    peakRssMb: probe.peakRssMb(),
    hostCpuMs: probe.hostCpuMs(),
    maxInFlight: probe.maxInFlightByMethod(),
    firstCallMs: probe.firstCallMs() === undefined ? undefined : Math.round(probe.firstCallMs() ?? 0),
    changeSummary: run.changeSummary,
    calls: run.calls.length,
  };
}

interface Lifecycle {
  ops: Record<OpName, OpMeasure>;
  /** Raw state text after create (secrets encrypted, as stored). */
  stateAfterCreate: string;
}

/**
 * Runs ours and the floor through the same ops, interleaved (ours op, then the floor's same op), so
 * that drift in machine load hits both alike.
 */
async function lifecycles(emu: RunningEmulator, stacks: Stack[], keyA: string, keyB: string): Promise<Lifecycle[]> {
  const probes = stacks.map(() => hostProbe());
  const out: Lifecycle[] = stacks.map(() => ({ ops: {} as Record<OpName, OpMeasure>, stateAfterCreate: "" }));
  let engines = stacks.map((st, i) => makeEngine(emu, st, [keyA], probes[i]!));
  const step = async (op: OpName, fn: (e: Engine) => Promise<RunResult>): Promise<void> => {
    for (let i = 0; i < stacks.length; i++) {
      const st = stacks[i]!;
      const engine = engines[i]!;
      progress(`  ${st.which} N=${st.n} ${op} …`);
      const m = await measure(emu, st.n, 1, probes[i]!, () => fn(engine));
      out[i]!.ops[op] = m;
      progress(
        `  ${st.which} N=${st.n} ${op}: ${m.ok ? "ok" : "FAILED"} ${m.wallMs} ms, ${m.requests} requests, host peak RSS ${m.peakRssMb} MB${m.ok ? "" : ` — ${m.errors.join(" | ")}`}`,
      );
    }
  };
  try {
    await step("create", (e) => e.up());
    engines.forEach((e, i) => (out[i]!.stateAfterCreate = e.rawState()));
    await step("noop-up", (e) => e.up());
    await step("preview", (e) => e.preview());
    await Promise.all(engines.map((e) => e.dispose()));
    // Rotation: `pulumi config set --secret` of one new key for all destinations.
    engines = stacks.map((st, i) => makeEngine(emu, st, [keyB], probes[i]!));
    await step("rotate", (e) => e.up());
    await step("refresh", (e) => e.refresh());
    await step("destroy", (e) => e.destroy());
  } finally {
    await Promise.all(engines.map((e) => e.dispose()));
  }
  return out;
}

let stackSerial = 0;

async function setupStack(emu: RunningEmulator, which: Which, n: number, accountId: string, work: string): Promise<Stack> {
  const pixels: string[] = [];
  const apiKeys: Record<string, string> = {};
  for (let i = 0; i < n; i += 50) {
    const batch = await Promise.all(Array.from({ length: Math.min(50, n - i) }, () => emu.admin.createUpstackKey({})));
    for (const k of batch) {
      pixels.push(k.pixelId);
      apiKeys[k.pixelId] = k.apiKey;
    }
  }
  return { which, n, pixels, apiKeys, accountId, stateFile: join(work, `${which}-${n}-${++stackSerial}.json`) };
}

interface StateStats {
  providerText: string;
  stateBytesPerResource: number;
  stateFileBytesPerResource: number;
}

function stateStats(raw: string, n: number): StateStats {
  const file = JSON.parse(raw) as StateFile;
  const res = (file.checkpoint.latest?.resources ?? []).filter((r) => r.custom);
  let bytes = 0;
  for (const r of res) bytes += Buffer.byteLength(JSON.stringify(r.inputs)) + Buffer.byteLength(JSON.stringify(r.outputs));
  const p = res[0]?.inputs["__provider"];
  return {
    providerText: typeof p === "string" ? p : "",
    stateBytesPerResource: Math.round(bytes / Math.max(1, n)),
    stateFileBytesPerResource: Math.round(Buffer.byteLength(raw) / Math.max(1, n)),
  };
}

// ---------------------------------------------------------------------------------------------
// Cold start: spawn the real host directly, time spawn -> port printed -> Configure -> first
// Check answered (the first call that loads the provider; olds = news, so no HTTP request).

interface ColdStart {
  hostReadyMs: number;
  configureMs: number;
  firstCheckMs: number;
  /** The provider's own share: first Check answered minus Configure answered (loading the provider and its first Check). */
  ownShareMs: number;
  requests: number;
}

async function coldStartOnce(
  emu: RunningEmulator,
  programDir: string,
  config: Record<string, string>,
  inputs: Record<string, string>,
  type: string,
): Promise<ColdStart> {
  emu.clearRequests();
  const host = new ProviderHost({
    cwd: programDir,
    env: { PULUMI_NODEJS_PROJECT: "bench", PULUMI_NODEJS_STACK: "cold", UPSTACK_KLAVIYO_QUIET: "1", BENCH_EMULATOR_URL: emu.url },
    timeoutMs: 30_000,
  });
  const t0 = performance.now();
  try {
    await host.start();
    const t1 = performance.now();
    await host.configure(config);
    const t2 = performance.now();
    const r = await host.check(`urn:pulumi:cold::bench::${type}::cold`, "cold", type, inputs, inputs);
    const t3 = performance.now();
    if (r.failures.length > 0) throw new Error(`cold-start Check failed: ${JSON.stringify(r.failures)}`);
    return {
      hostReadyMs: Math.round(t1 - t0),
      configureMs: Math.round(t2 - t0),
      firstCheckMs: Math.round(t3 - t0),
      ownShareMs: Math.round(t3 - t2),
      requests: emu.requests().length,
    };
  } finally {
    await host.stop();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? 0;
}

async function coldStart(
  emu: RunningEmulator,
  runs: number,
  programDir: string,
  config: Record<string, string>,
  inputs: Record<string, string>,
  type: string,
): Promise<ColdStart & { runs: ColdStart[] }> {
  const all: ColdStart[] = [];
  for (let i = 0; i < runs; i++) all.push(await coldStartOnce(emu, programDir, config, inputs, type));
  return {
    hostReadyMs: median(all.map((c) => c.hostReadyMs)),
    configureMs: median(all.map((c) => c.configureMs)),
    firstCheckMs: median(all.map((c) => c.firstCheckMs)),
    // The median of each run's own share, not a difference of medians.
    ownShareMs: median(all.map((c) => c.ownShareMs)),
    requests: Math.max(...all.map((c) => c.requests)),
    runs: all,
  };
}

// ---------------------------------------------------------------------------------------------
// Naive docs-style provider: serialize it (preview of one resource) and report size or error.

interface NaiveResult {
  serialized: boolean;
  providerBytes?: number;
  /** The serialization error (Pulumi's closure serializer), without the function code dump. */
  error?: string;
  /** The line of the error that says why. */
  reason?: string;
  previewMs: number;
  /** What the engine driver reported for the program run. */
  driverNote?: string;
}

async function naive(emu: RunningEmulator, work: string): Promise<NaiveResult> {
  const engine = new Engine({
    programDir: join(FIXTURES, "naive"),
    stateFile: join(work, "naive.json"),
    stack: "bench-naive",
    config: { pixelId: "p", klaviyoPrivateKey: { secret: "pk_x" }, upstackApiKey: { secret: "u" } },
    env: { KLAVIYO_API_URL: emu.url, UPSTACK_API_URL: emu.url },
    programTimeoutMs: 120_000,
  });
  const t0 = performance.now();
  try {
    const run = await engine.preview();
    const previewMs = Math.round(performance.now() - t0);
    const p = run.resources[0]?.inputs?.["__provider"];
    if (run.ok && typeof p === "string") return { serialized: true, providerBytes: Buffer.byteLength(p), previewMs };
    // Nothing registered: under mocks a failed provider serialization is only a logged error (the
    // driver fails the run on it, as the language host would). Serialize it here exactly as
    // pulumi.dynamic.Resource does — serializeFunction(() => provider, { allowSecrets: true }) — to
    // get the size or the error itself.
    const driverNote = `driver: preview ${run.ok ? "ok" : "failed"}, ${run.resources.length} resource(s) registered${run.errors[0] ? `, error: ${run.errors[0].slice(0, 300)}` : ""}`;
    const pulumi = await import("@pulumi/pulumi");
    const mod = (await import("./fixtures/naive/provider")) as { provider: unknown };
    try {
      const sf = await pulumi.runtime.serializeFunction(() => mod.provider, { allowSecrets: true });
      return { serialized: true, providerBytes: Buffer.byteLength(sf.text), previewMs, driverNote };
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      const lines = msg.split("\n");
      const at = lines.findIndex((l) => /could not be serialized/.test(l));
      const reason = at >= 0 ? `${lines[at]?.trim() ?? ""} ${lines[at + 1]?.trim() ?? ""}`.trim() : undefined;
      return { serialized: false, error: msg.split("\nFunction code:")[0]!.trim().slice(0, 900), ...(reason ? { reason } : {}), previewMs, driverNote };
    }
  } finally {
    await engine.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// Pacing (--lanes): undeclared keys, every endpoint's spec tier enforced by the emulator.

interface LaneRun {
  name: string;
  destinations: number;
  keys: number;
  accounts: number;
  ok: boolean;
  /** Median over the repetitions. */
  wallMs: number;
  wallMsRuns: number[];
  /** Most 429 answers in any repetition. */
  throttled: number;
  requestsPerResource: Record<string, number>;
  errors: string[];
}

export interface LanesResult {
  oneKey: LaneRun;
  manyAccounts: LaneRun;
  oneAccount: LaneRun;
  /** manyAccounts.wallMs / oneKey.wallMs. */
  ratio: number;
  targets: Target[];
  latencyMs: number;
  machine: MachineInfo;
  at: string;
}

/** `up` of a fresh stack: `accounts` accounts with `perAccount` keys each, one destination per key, no publicApiKey. */
async function laneUp(emu: RunningEmulator, name: string, accounts: number, perAccount: number, repeat: number, work: string): Promise<LaneRun> {
  const runs: OpMeasure[] = [];
  for (let rep = 1; rep <= repeat; rep++) {
    const keys: string[] = [];
    for (let a = 0; a < accounts; a += 25) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(25, accounts - a) }, async () => {
          const { account, key } = await emu.admin.createKlaviyoAccountWithKey({ name: `${name} #${rep}` });
          const more = await Promise.all(Array.from({ length: perAccount - 1 }, () => emu.admin.createKlaviyoKey({ accountId: account.id })));
          return [key.key, ...more.map((k) => k.key)];
        }),
      );
      keys.push(...batch.flat());
    }
    const st = await setupStack(emu, "ours", keys.length, "", work);
    const probe = hostProbe();
    const engine = makeEngine(emu, st, keys, probe, false);
    try {
      progress(`lanes: ${name} (${keys.length} destinations, ${keys.length} undeclared keys on ${accounts} account(s)), repetition ${rep} of ${repeat} …`);
      const m = await measure(emu, keys.length, keys.length, probe, () => engine.up());
      progress(`lanes: ${name}: ${m.ok ? "ok" : "FAILED"} in ${m.wallMs} ms, ${m.throttled} × 429${m.ok ? "" : ` — ${m.errors.join(" | ")}`}`);
      runs.push(m);
    } finally {
      await engine.dispose();
    }
  }
  const first = runs[0]!;
  return {
    name,
    destinations: accounts * perAccount,
    keys: accounts * perAccount,
    accounts,
    ok: runs.every((m) => m.ok),
    wallMs: median(runs.map((m) => m.wallMs)),
    wallMsRuns: runs.map((m) => m.wallMs),
    throttled: Math.max(...runs.map((m) => m.throttled)),
    requestsPerResource: first.requestsPerResource,
    errors: runs.flatMap((m) => m.errors),
  };
}

async function lanesSection(args: Args): Promise<LanesResult> {
  // The emulator enforces every endpoint's tier as Klaviyo's spec files give it (its defaults).
  const emu = await startEmulator({ latencyMs: args.latencyMs });
  const work = mkdtempSync(join(tmpdir(), "upstack-klaviyo-bench-lanes-"));
  try {
    progress(`lanes: emulator on ${emu.url}, latency ${args.latencyMs} ms/request, spec tiers enforced`);
    const oneKey = await laneUp(emu, "one key", 1, 1, args.repeat, work);
    const manyAccounts = await laneUp(emu, `${args.lanesAccounts} keys on ${args.lanesAccounts} accounts`, args.lanesAccounts, 1, args.repeat, work);
    const oneAccount = await laneUp(emu, `${args.lanesOneAccount} keys on one account`, 1, args.lanesOneAccount, 1, work);
    const ratio = Math.round((manyAccounts.wallMs / Math.max(1, oneKey.wallMs)) * 100) / 100;
    const targets: Target[] = [
      {
        name: `${manyAccounts.name}, none declared: wall ≤ 5 × one key`,
        target: "ratio ≤ 5",
        value: `${manyAccounts.wallMs} ms / ${oneKey.wallMs} ms = ${ratio.toFixed(2)}`,
        met: manyAccounts.ok && oneKey.ok && ratio <= 5,
      },
      { name: `${manyAccounts.name}: 429 answers`, target: "0", value: String(manyAccounts.throttled), met: manyAccounts.throttled === 0 },
      {
        name: `${oneAccount.name}, none declared: every key validated, 429 answers`,
        target: "all ok, 0 × 429",
        value: `${oneAccount.ok ? "all ok" : "FAILED"}, ${oneAccount.throttled} × 429, ${oneAccount.wallMs} ms`,
        met: oneAccount.ok && oneAccount.throttled === 0,
      },
    ];
    return { oneKey, manyAccounts, oneAccount, ratio, targets, latencyMs: args.latencyMs, machine: machineInfo(), at: new Date().toISOString() };
  } finally {
    await emu.close();
    rmSync(work, { recursive: true, force: true });
  }
}

function lanesTable(r: LanesResult): string {
  const lines = [`Klaviyo pacing, undeclared keys, spec tiers enforced, ${r.latencyMs} ms/request:`];
  for (const x of [r.oneKey, r.manyAccounts, r.oneAccount]) {
    lines.push(
      `  ${x.name.padEnd(28)} ${x.ok ? "ok    " : "FAILED"} wall ${String(x.wallMs).padStart(7)} ms (runs ${x.wallMsRuns.join(", ")})  ${x.throttled} × 429  req/resource ${Object.entries(
        x.requestsPerResource,
      )
        .filter(([k]) => k.startsWith("klaviyo"))
        .map(([k, v]) => `${v} ${k.replace(/^klaviyo GET /, "")}`)
        .join(", ")}`,
    );
  }
  lines.push("");
  for (const t of r.targets) lines.push(`${t.met ? "MET   " : "MISSED"} ${t.name}: ${t.value} (target ${t.target})`);
  lines.push(`machine: ${r.machine.cpuModel}, ${r.machine.cores} cores, node ${r.machine.node}`);
  return lines.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------
// Rate-limit check: N destinations on one Klaviyo account, K distinct keys, documented limits ON.

interface RateCheck {
  n: number;
  keys: number;
  ok: boolean;
  wallMs: number;
  throttled: number;
  accountsRequests: number;
  accountsRequests2xx: number;
  requestsPerResource: Record<string, number>;
  errors: string[];
}

async function rateCheck(emu: RunningEmulator, n: number, k: number, work: string): Promise<RateCheck> {
  const { account, key } = await emu.admin.createKlaviyoAccountWithKey({ name: "Rate check" });
  const keys = [key.key];
  for (let i = 1; i < k; i++) keys.push((await emu.admin.createKlaviyoKey({ accountId: account.id })).key);
  const st = await setupStack(emu, "ours", n, account.id, work);
  st.stateFile = join(work, "rate-check.json");
  const probe = hostProbe();
  const engine = makeEngine(emu, st, keys, probe);
  try {
    progress(`rate-limit check: ${n} destinations, ${k} keys on one Klaviyo account, documented limits on …`);
    const m = await measure(emu, n, k, probe, () => engine.up());
    progress(`rate-limit check: ${m.ok ? "ok" : "FAILED"} in ${m.wallMs} ms, ${m.throttled} × 429, ${m.accountsRequests} accounts requests`);
    const d = await engine.destroy();
    if (!d.ok) progress(`rate-limit check: destroy failed: ${d.errors.join(" | ")}`);
    return {
      n,
      keys: k,
      ok: m.ok,
      wallMs: m.wallMs,
      throttled: m.throttled,
      accountsRequests: m.accountsRequests,
      accountsRequests2xx: m.accountsRequests2xx,
      requestsPerResource: m.requestsPerResource,
      errors: m.errors,
    };
  } finally {
    await engine.dispose();
  }
}

// ---------------------------------------------------------------------------------------------

export interface Target {
  name: string;
  target: string;
  value: string;
  met: boolean;
  /** When missed: why, in this run's own figures (BENCHMARKS.md discusses each target). */
  why?: string;
}

/** Host peak RSS at one N: the highest of the steps' medians, ours and the floor's. */
export interface RssAtN {
  n: number;
  /** MB. */
  ours: number;
  /** MB. */
  floor: number;
  /** ours − floor, MB. */
  overFloor: number;
}

/** Issue 11's loading-cost targets: the provider's own share of a cold start, and its memory over the floor at every N. */
export const OWN_SHARE_TARGET_MS = 30;
/** See {@link OWN_SHARE_TARGET_MS}. */
export const RSS_OVER_FLOOR_TARGET_MB = 25;

/** Per N, the highest step median of host peak RSS, ours and the floor's. */
export function peakRssByN(runs: readonly RunRow[]): RssAtN[] {
  const ns = [...new Set(runs.map((x) => x.n))].sort((a, b) => a - b);
  return ns.map((n) => {
    const rows = runs.filter((x) => x.n === n);
    const ours = Math.max(...rows.map((x) => x.peakRssMb));
    const floor = Math.max(...rows.map((x) => x.floorPeakRssMb));
    return { n, ours, floor, overFloor: Math.round((ours - floor) * 10) / 10 };
  });
}

export interface BenchResult {
  runs: RunRow[];
  providerBytes: number;
  providerTextMatches: boolean;
  floorProviderBytes: number;
  stateBytesPerResource: number;
  stateBytesPerResourceByN: Record<string, number>;
  stateFileBytesPerResourceByN: Record<string, number>;
  peakRssMb: number;
  peakRssN: number;
  floorPeakRssMb: number;
  /** Per N: the highest per-step median host peak RSS over the steps, ours and the floor's (MB). */
  peakRssByN: RssAtN[];
  coldStartMs: number;
  coldStart: { ours: ColdStart & { runs: ColdStart[] }; floor: (ColdStart & { runs: ColdStart[] }) | undefined } | undefined;
  naive: NaiveResult;
  rateLimitCheck: RateCheck | undefined;
  targets: Target[];
  latencyMs: number;
  checkpoints: Args["checkpoints"];
  machine: MachineInfo;
  totalMs: number;
  at: string;
}

export function table(r: BenchResult): string {
  const rows = [["op", "N", "wall ms", "floor ms", "ratio", "host CPU ms (floor)", "req/resource", "peak RSS MB", "max in flight", "ok"]];
  for (const x of r.runs) {
    const req =
      Object.entries(x.requestsPerResource)
        .map(([k, v]) => `${v} ${k.replace(/^(klaviyo|upstack) /, "")}`)
        .join(", ") || "0";
    const inflight = Object.entries(x.maxInFlight)
      .filter(([k]) => k !== "Configure")
      .map(([k, v]) => `${k} ${v}`)
      .join(" ");
    rows.push([
      x.op,
      String(x.n),
      String(x.wallMs),
      String(x.floorMs),
      x.ratio.toFixed(2),
      `${x.hostCpuMs} (${x.floorHostCpuMs})`,
      req,
      String(x.peakRssMb),
      inflight,
      x.ok && x.floorOk ? "ok" : "FAIL",
    ]);
  }
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r0) => (r0[i] ?? "").length)));
  const fmt = (r0: string[]): string =>
    r0
      .map((c, i) => c.padEnd(w[i] ?? 0))
      .join("  ")
      .trimEnd();
  const lines = [fmt(rows[0]!), w.map((n) => "-".repeat(n)).join("  "), ...rows.slice(1).map(fmt)];
  lines.push("");
  lines.push(`providerBytes ${r.providerBytes} (PROVIDER_TEXT ${r.providerTextMatches ? "matches" : "DIFFERS"}; null floor provider ${r.floorProviderBytes})`);
  lines.push(`state bytes/resource (inputs+outputs as stored) ${r.stateBytesPerResource}; by N ${JSON.stringify(r.stateBytesPerResourceByN)}`);
  lines.push(`host peak RSS ${r.peakRssMb} MB at N=${r.peakRssN} (floor ${r.floorPeakRssMb} MB)`);
  lines.push(
    `host peak RSS by N (highest step median; floor; over the floor): ${r.peakRssByN.map((x) => `N=${x.n} ${x.ours} MB (${x.floor}; +${x.overFloor})`).join(", ")}`,
  );
  if (r.coldStart)
    lines.push(
      `cold start ${r.coldStartMs} ms (spawn→port ${r.coldStart.ours.hostReadyMs}, →Configure ${r.coldStart.ours.configureMs}, →first Check ${r.coldStart.ours.firstCheckMs}; floor first Check ${r.coldStart.floor?.firstCheckMs ?? "-"}); own share (Configure → first Check) ${r.coldStart.ours.ownShareMs} ms, runs ${r.coldStart.ours.runs.map((c) => c.ownShareMs).join(" / ")} (floor ${r.coldStart.floor?.ownShareMs ?? "-"} ms)`,
    );
  lines.push(
    `naive docs-style provider (a comparison, not ours): ${r.naive.serialized ? `serialized, ${r.naive.providerBytes ?? 0} bytes` : `cannot be serialized, as expected — ${naiveReason(r.naive)}; ours is a ${r.providerBytes}-byte shim`}`,
  );
  if (r.rateLimitCheck)
    lines.push(
      `rate-limit check: ${r.rateLimitCheck.n} destinations/${r.rateLimitCheck.keys} keys on one account: ${r.rateLimitCheck.ok ? "ok" : "FAILED"}, ${r.rateLimitCheck.throttled} × 429, ${r.rateLimitCheck.accountsRequests} accounts requests, ${r.rateLimitCheck.wallMs} ms`,
    );
  lines.push("");
  lines.push("Targets (BENCHMARKS.md, section Targets). MISSED means this run did not reach the target; it is not an error:");
  for (const t of r.targets) {
    lines.push(`${t.met ? "MET   " : "MISSED"} ${t.name}: ${t.value} (target ${t.target})`);
    if (!t.met && t.why !== undefined) lines.push(`       why: ${t.why}`);
  }
  lines.push(
    `machine: ${r.machine.cpuModel}, ${r.machine.cores} cores, ${r.machine.memGb} GB, node ${r.machine.node}; latency ${r.latencyMs} ms/request; checkpoints ${r.checkpoints}; total ${(r.totalMs / 1000).toFixed(1)} s`,
  );
  const missed = r.targets.filter((t) => !t.met).length;
  lines.push(
    `${r.targets.length - missed} of ${r.targets.length} targets met${missed > 0 ? `; the ${missed} missed are explained above (why:) and in BENCHMARKS.md` : ""}; every step ${r.runs.every((x) => x.ok && x.floorOk) ? "succeeded" : "did NOT succeed (see FAIL rows)"}.`,
  );
  return lines.join("\n") + "\n";
}

/** One line on why the naive provider cannot be serialized: the serializer's reason, never its stack. */
function naiveReason(nv: NaiveResult): string {
  const text = nv.reason ?? nv.error ?? "no reason given";
  const first = text.split("\n").find((l) => l.trim() !== "" && !/^\s+at /.test(l)) ?? text;
  return first.trim().slice(0, 200);
}

/** Why a missed ratio target may be noise: few repetitions or small N. */
function ratioWhy(r: Omit<BenchResult, "targets">, op: "create" | "rotate"): string {
  const rows = r.runs.filter((x) => x.op === op);
  const reps = Math.max(0, ...rows.map((x) => x.wallMsRuns.length));
  const spread = rows
    .map(
      (x) =>
        `N=${x.n}: ours ${Math.min(...x.wallMsRuns)}–${Math.max(...x.wallMsRuns)} ms, floor ${Math.min(...x.floorMsRuns)}–${Math.max(...x.floorMsRuns)} ms`,
    )
    .join("; ");
  return `${reps} repetition(s) (${spread}); one step varies ±10–25 % run to run on a shared machine, so a median over ≥ 3 repetitions (the default) is what BENCHMARKS.md compares`;
}

export function targets(r: Omit<BenchResult, "targets">): Target[] {
  const t: Target[] = [];
  for (const op of ["create", "rotate"] as const) {
    const rows = r.runs.filter((x) => x.op === op);
    t.push({
      name: `${op} ≤ 1.2 × floor at every N`,
      target: "ratio ≤ 1.2",
      value: rows.map((x) => `N=${x.n}: ${x.ratio.toFixed(2)}`).join(", "),
      met: rows.length > 0 && rows.every((x) => x.ok && x.ratio <= 1.2),
      why: rows.some((x) => !x.ok || !x.floorOk) ? "a step failed (see the FAIL rows)" : ratioWhy(r, op),
    });
  }
  for (const op of ["noop-up", "preview"] as const) {
    const rows = r.runs.filter((x) => x.op === op);
    t.push({
      name: `${op}: zero requests`,
      target: "0",
      value: rows.map((x) => `N=${x.n}: ${x.requests}`).join(", "),
      met: rows.length > 0 && rows.every((x) => x.ok && x.requests === 0),
    });
  }
  const acc = r.runs.filter((x) => x.accountsRequests > 0 || x.op === "create" || x.op === "rotate");
  t.push({
    name: "Klaviyo ≤ 1 accounts request per distinct key per run (lifecycle runs)",
    target: "≤ 1",
    value: acc.map((x) => `${x.op} N=${x.n}: ${x.accountsRequests}/${x.distinctKeys}`).join(", "),
    met: acc.every((x) => x.accountsRequests <= x.distinctKeys),
  });
  if (r.rateLimitCheck) {
    const rc = r.rateLimitCheck;
    t.push({
      name: `Klaviyo ≤ 1 accounts request per distinct key (rate-check run: ${rc.keys} keys at once on one account)`,
      target: "≤ 1",
      value: `${rc.accountsRequests} requests for ${rc.keys} keys = ${(rc.accountsRequests / rc.keys).toFixed(1)} per key (${rc.accountsRequests2xx} answered 2xx, ${rc.throttled} × 429 retried)`,
      met: rc.accountsRequests <= rc.keys,
    });
  }
  if (r.rateLimitCheck)
    t.push({
      name: `${r.rateLimitCheck.n} destinations on one Klaviyo account (${r.rateLimitCheck.keys} keys, documented rate limits on) without a 429 failure`,
      target: "run ok",
      value: `${r.rateLimitCheck.ok ? "ok" : "failed"}, ${r.rateLimitCheck.throttled} × 429 retried, ${r.rateLimitCheck.wallMs} ms`,
      met: r.rateLimitCheck.ok,
    });
  t.push({
    name: "serialized provider ≤ 1 KB",
    target: "≤ 1024 bytes",
    value: `${r.providerBytes} bytes`,
    met: r.providerBytes > 0 && r.providerBytes <= 1024,
  });
  t.push({
    name: `host peak RSS at N=${r.peakRssN} ≤ 200 MB`,
    target: "≤ 200 MB (at N=500)",
    value: `${r.peakRssMb} MB`,
    met: r.peakRssMb > 0 && r.peakRssMb <= 200,
    why: `the same Pulumi host with a null provider peaked at ${r.floorPeakRssMb} MB in this run, leaving ${Math.max(0, Math.round((200 - r.floorPeakRssMb) * 10) / 10)} MB for undici, zod and the provider`,
  });
  const over = r.peakRssByN;
  t.push({
    name: `host peak RSS ≤ floor + ${RSS_OVER_FLOOR_TARGET_MB} MB at every N`,
    target: `≤ floor + ${RSS_OVER_FLOOR_TARGET_MB} MB`,
    value: over.map((x) => `N=${x.n}: +${x.overFloor} MB (${x.ours} against ${x.floor})`).join(", "),
    met: over.length > 0 && over.every((x) => x.ours > 0 && x.overFloor <= RSS_OVER_FLOOR_TARGET_MB),
    why: "the host's peak is set when the steps that make requests (create, rotate) load the HTTP client and run their checks; see BENCHMARKS.md, Loading cost",
  });
  const own = r.coldStart?.ours;
  t.push({
    name: `provider's own share of a cold start ≤ ${OWN_SHARE_TARGET_MS} ms`,
    target: `≤ ${OWN_SHARE_TARGET_MS} ms (Configure → first Check answered)`,
    value:
      own === undefined
        ? "not measured"
        : `${own.ownShareMs} ms (runs ${own.runs.map((c) => c.ownShareMs).join(" / ")}; floor ${r.coldStart?.floor?.ownShareMs ?? "-"} ms)`,
    met: own !== undefined && own.ownShareMs <= OWN_SHARE_TARGET_MS,
    why:
      own === undefined
        ? "not measured in this run (--cold-start-runs)"
        : `the floor's own share, which any dynamic provider pays (the host deserializing __provider, the gRPC round trip), was ${r.coldStart?.floor?.ownShareMs ?? "-"} ms in this run; on a loaded machine both grow with the load`,
  });
  const hostReady = r.coldStart?.ours.hostReadyMs;
  t.push({
    name: "cold start ≤ 300 ms",
    target: "≤ 300 ms",
    value: `${r.coldStartMs} ms`,
    met: r.coldStartMs > 0 && r.coldStartMs <= 300,
    why:
      r.coldStartMs === 0
        ? "not measured in this run (--cold-start-runs)"
        : `the Pulumi provider host alone took ${hostReady ?? "?"} ms to print its port before any provider code ran (the null floor's first Check: ${r.coldStart?.floor?.firstCheckMs ?? "-"} ms); our own share, Configure → first Check, was ${r.coldStart ? r.coldStart.ours.ownShareMs : "?"} ms`,
  });
  return t.map((x) => (x.met ? (({ why: _why, ...rest }) => rest)(x) : x));
}

async function main(): Promise<void> {
  // The emulator's latency sleeps each add an abort listener to one signal: not a leak.
  setMaxListeners(0);
  const args = parseArgs(process.argv.slice(2));
  if (args.lanes) {
    const r = await lanesSection(args);
    mkdirSync(args.out, { recursive: true });
    writeFileSync(join(args.out, "lanes.json"), JSON.stringify(r, null, 2) + "\n");
    process.stdout.write(args.json ? JSON.stringify(r) + "\n" : lanesTable(r));
    return;
  }
  const started = performance.now();
  checkpointMode = args.checkpoints;
  const emu = await startEmulator({ latencyMs: args.latencyMs });
  const work = mkdtempSync(join(tmpdir(), "upstack-klaviyo-bench-"));
  progress(`emulator on ${emu.url}, latency ${args.latencyMs} ms/request, N = ${args.ns.join(",")}, work dir ${work}`);
  const runs: RunRow[] = [];
  const stateByN: Record<string, number> = {};
  const stateFileByN: Record<string, number> = {};
  let providerText = "";
  let floorProviderText = "";
  let cold: BenchResult["coldStart"];
  let peak = { mb: 0, n: 0, floor: 0 };
  try {
    for (const n of args.ns) {
      progress(`N=${n}: setting up ${n} pixels (Upstack keys) × 2 stacks and a Klaviyo account with two keys`);
      const reps: Lifecycle[][] = [];
      let coldStack: Stack | undefined;
      let coldKey = "";
      for (let rep = 1; rep <= args.repeat; rep++) {
        if (args.repeat > 1) progress(`N=${n}: repetition ${rep} of ${args.repeat}`);
        // A fresh Klaviyo account each time, so the accounts endpoint's 15/min never carries over.
        const { account, key } = await emu.admin.createKlaviyoAccountWithKey({ name: `Bench N=${n} #${rep}` });
        const rotated = await emu.admin.createKlaviyoKey({ accountId: account.id, label: "UpstackData (rotated)" });
        const ours = await setupStack(emu, "ours", n, account.id, work);
        const floorSt = await setupStack(emu, "floor", n, account.id, work);
        coldStack ??= ours;
        coldKey ||= key.key;
        reps.push(await lifecycles(emu, [ours, floorSt], key.key, rotated.key));
      }
      const [o, f] = reps[0] as [Lifecycle, Lifecycle];
      const s = stateStats(o.stateAfterCreate, n);
      stateByN[String(n)] = s.stateBytesPerResource;
      stateFileByN[String(n)] = s.stateFileBytesPerResource;
      providerText ||= s.providerText;
      floorProviderText ||= stateStats(f.stateAfterCreate, n).providerText;
      for (const op of OPS) {
        const a = o.ops[op];
        const b = f.ops[op];
        const oursRuns = reps.map((r) => r[0]!.ops[op]);
        const floorRuns = reps.map((r) => r[1]!.ops[op]);
        const wallMs = median(oursRuns.map((m) => m.wallMs));
        const floorMs = median(floorRuns.map((m) => m.wallMs));
        runs.push({
          op,
          n,
          wallMs,
          floorMs,
          ratio: Math.round((wallMs / Math.max(1, floorMs)) * 100) / 100,
          wallMsRuns: oursRuns.map((m) => m.wallMs),
          floorMsRuns: floorRuns.map((m) => m.wallMs),
          hostCpuMs: median(oursRuns.map((m) => m.hostCpuMs)),
          floorHostCpuMs: median(floorRuns.map((m) => m.hostCpuMs)),
          requestsPerResource: a.requestsPerResource,
          ok: oursRuns.every((m) => m.ok),
          floorOk: floorRuns.every((m) => m.ok),
          requests: a.requests,
          accountsRequests: a.accountsRequests,
          distinctKeys: a.distinctKeys,
          throttled: Math.max(...oursRuns.map((m) => m.throttled)),
          // Peak RSS depends on when the garbage collector ran: the median over the repetitions, and every run's.
          peakRssMb: median(oursRuns.map((m) => m.peakRssMb)),
          floorPeakRssMb: median(floorRuns.map((m) => m.peakRssMb)),
          peakRssMbRuns: oursRuns.map((m) => m.peakRssMb),
          floorPeakRssMbRuns: floorRuns.map((m) => m.peakRssMb),
          maxInFlight: a.maxInFlight,
          floorRequestsPerResource: b.requestsPerResource,
          changeSummary: a.changeSummary,
          errors: [...oursRuns.flatMap((m) => m.errors), ...floorRuns.flatMap((m) => m.errors.map((e) => `floor: ${e}`))],
        });
        const row = runs[runs.length - 1]!;
        if (n >= peak.n) peak = { mb: Math.max(n > peak.n ? 0 : peak.mb, row.peakRssMb), n, floor: Math.max(n > peak.n ? 0 : peak.floor, row.floorPeakRssMb) };
      }
      if (!cold && coldStack !== undefined) {
        const ours = coldStack;
        const key = { key: coldKey };
        progress(`cold start: ${args.coldStartRuns} × (spawn host, Configure, first Check) for ours and the floor`);
        const engine = makeEngine(emu, ours, [key.key], hostProbe());
        const { values } = engine.configValues();
        const oursInputs = {
          pixelId: ours.pixels[0] ?? "",
          privateApiKey: key.key,
          publicApiKey: ours.accountId,
          owner: "pulumi:bench/cold/cold",
          __provider: providerText || PROVIDER_TEXT,
        };
        const oursCold = await coldStart(
          emu,
          args.coldStartRuns,
          join(FIXTURES, "many"),
          values,
          oursInputs,
          "pulumi-nodejs:dynamic/pulumi-upstack-klaviyo:UpstackKlaviyoDestination",
        );
        const floorCold = floorProviderText
          ? await coldStart(
              emu,
              args.coldStartRuns,
              join(FIXTURES, "null"),
              values,
              { pixelId: "p", privateApiKey: key.key, label: "UpstackData", __provider: floorProviderText },
              "pulumi-nodejs:dynamic:Resource",
            )
          : undefined;
        cold = { ours: oursCold, floor: floorCold };
        progress(`cold start: first Check answered ${oursCold.firstCheckMs} ms after spawn (floor ${floorCold?.firstCheckMs ?? "-"} ms)`);
      }
    }
    progress("naive docs-style provider: serializing (preview of one resource) …");
    const nv = await naive(emu, work);
    progress(`naive: ${nv.serialized ? `${nv.providerBytes ?? 0} bytes` : `cannot be serialized, as expected (a comparison, not ours): ${naiveReason(nv)}`}`);
    const rc = args.rateCheckN > 0 ? await rateCheck(emu, args.rateCheckN, args.rateCheckKeys, work) : undefined;

    const partial: Omit<BenchResult, "targets"> = {
      runs,
      providerBytes: Buffer.byteLength(providerText),
      providerTextMatches: providerText === PROVIDER_TEXT,
      floorProviderBytes: Buffer.byteLength(floorProviderText),
      stateBytesPerResource: stateByN[String(Math.max(...args.ns))] ?? 0,
      stateBytesPerResourceByN: stateByN,
      stateFileBytesPerResourceByN: stateFileByN,
      peakRssMb: peak.mb,
      peakRssN: peak.n,
      floorPeakRssMb: peak.floor,
      peakRssByN: peakRssByN(runs),
      coldStartMs: cold?.ours.firstCheckMs ?? 0,
      coldStart: cold,
      naive: nv,
      rateLimitCheck: rc,
      latencyMs: args.latencyMs,
      checkpoints: args.checkpoints,
      machine: machineInfo(),
      totalMs: Math.round(performance.now() - started),
      at: new Date().toISOString(),
    };
    const result: BenchResult = { ...partial, targets: targets(partial) };

    mkdirSync(args.out, { recursive: true });
    const colors: Record<OpName, string> = {
      create: "#1f77b4",
      "noop-up": "#2ca02c",
      preview: "#9467bd",
      rotate: "#d62728",
      refresh: "#ff7f0e",
      destroy: "#8c564b",
    };
    const series: Series[] = [];
    for (const op of OPS) {
      const rows = runs.filter((x) => x.op === op);
      series.push({ label: `${op} (ours)`, color: colors[op], dashed: false, points: rows.map((x) => ({ n: x.n, ms: x.wallMs })) });
      series.push({ label: `${op} (floor)`, color: colors[op], dashed: true, points: rows.map((x) => ({ n: x.n, ms: x.floorMs })) });
    }
    writeFileSync(join(args.out, "plot.svg"), plotSvg(`Wall time vs N — ours (solid) vs null-provider floor (dashed), ${args.latencyMs} ms/request`, series));
    writeFileSync(join(args.out, "results.json"), JSON.stringify(result, null, 2) + "\n");
    progress(`wrote ${join(args.out, "plot.svg")} and results.json; total ${((performance.now() - started) / 1000).toFixed(1)} s`);
    process.stdout.write(args.json ? JSON.stringify(result) + "\n" : table(result));
  } finally {
    await emu.close();
    rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}
