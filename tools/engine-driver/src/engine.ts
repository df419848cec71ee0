// A small engine: the Pulumi deployment loop (register -> Check -> Diff -> Create/Update/replace,
// deletes at the end, refresh, destroy) over a checkpoint-shaped state file, driving the real
// Node dynamic-provider host.
import * as fs from "node:fs";
import * as path from "node:path";
import { CheckFailure, ProviderHost, RpcError, RpcMethod } from "./host";
import { RegisterMessage, runProgram } from "./program";
import { Json, JsonObject, SecretsManager, UNKNOWN, containsSecret, secretKeys, unwrapObject, wrapSecret } from "./secrets";

export type ConfigValue = string | { secret: string };

export interface CallContext {
  method: RpcMethod;
  /** URN of the resource the call is for (undefined for Configure). */
  urn: string | undefined;
  /** The request payload as sent (plain JSON, secrets already unwrapped). */
  request: Record<string, Json>;
  /** Kill the provider host process now. */
  killHost(signal?: NodeJS.Signals): void;
  /** The host's pid. */
  hostPid: number | undefined;
}

export interface AfterCallContext extends CallContext {
  response?: unknown;
  error?: RpcError;
}

/**
 * Per-call hooks. A hook that throws aborts the whole run at that point, as if the engine process
 * died: nothing further is recorded (a pending operation stays in the state file), the host and
 * the program are killed, and the run returns `aborted: true`.
 */
export interface EngineHooks {
  beforeCall?(ctx: CallContext): void | Promise<void>;
  afterCall?(ctx: AfterCallContext): void | Promise<void>;
}

export interface EngineOptions {
  /** Directory of the Pulumi program (index.ts, or package.json main). Also the host's cwd. */
  programDir: string;
  /** Checkpoint file; created on first write. */
  stateFile: string;
  /** Stack config. Keys without a namespace get `<project>:`. `{ secret }` marks a secret value. */
  config?: Record<string, ConfigValue>;
  /** Project name; default: `name:` in programDir/Pulumi.yaml, else "project". */
  project?: string;
  /** Stack name; default "dev". */
  stack?: string;
  /** Extra environment for the provider host and the program. */
  env?: Record<string, string>;
  /** Secrets passphrase; default $PULUMI_CONFIG_PASSPHRASE or "engine-driver-passphrase". */
  passphrase?: string;
  /** Bound on host start-up and on every gRPC call (ms); default 20000. */
  hostTimeoutMs?: number;
  /** Bound on a whole program run (ms); default 60000. */
  programTimeoutMs?: number;
  hooks?: EngineHooks;
  /**
   * When the state file is written: after every step (the engine's default, and what crash tests
   * need) or once at the end of each run (like `PULUMI_SKIP_CHECKPOINTS=true`; the benchmark uses
   * it, since rewriting the whole encrypted state after every step is O(N²) in the driver).
   */
  checkpoints?: "every-step" | "end";
}

export type Op = "create" | "update" | "replace" | "delete" | "same";
export type StepOp = Op | "create-replacement" | "delete-replaced";

export type ResourceOptions = RegisterMessage["options"];

export interface StateResource {
  urn: string;
  type: string;
  custom: boolean;
  id?: string;
  /** In memory: secrets wrapped `{sig, value}`; in the file: `{sig, ciphertext}`. */
  inputs: JsonObject;
  outputs: JsonObject;
  parent?: string;
  dependencies: string[];
  propertyDependencies?: Record<string, string[]>;
  protect?: boolean;
  retainOnDelete?: boolean;
  additionalSecretOutputs?: string[];
  ignoreChanges?: string[];
  replaceOnChanges?: string[];
  aliases?: string[];
  /** Replaced (create-before-delete) and still to be deleted. */
  delete?: boolean;
  /** Set after a partial create/update. */
  initErrors?: string[];
  /** Secret markers: top-level input/output keys holding secrets. */
  secretInputs: string[];
  secretOutputs: string[];
  created?: string;
  modified?: string;
}

export interface PendingOperation {
  resource: StateResource;
  type: "creating" | "updating" | "deleting" | "reading";
}

export interface Deployment {
  manifest: { time: string; magic: string; version: string };
  secrets_providers: { type: "passphrase"; state: { salt: string } };
  resources: StateResource[];
  pending_operations: PendingOperation[];
  outputs?: JsonObject;
}

export interface StateFile {
  version: 3;
  checkpoint: { stack: string; latest: Deployment | null };
}

export interface ResourceSummary {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  op: StepOp;
  id?: string;
  /** Top-level input keys that differ between the old and the new (checked) inputs. */
  changes: string[];
  /** Keys forcing replacement (Diff replaces, or replaceOnChanges). */
  replaces: string[];
  /** Diff's verdict, when Diff was called. */
  diff?: "some" | "none" | "unknown";
  deleteBeforeReplace: boolean;
  checkFailures: CheckFailure[];
  error?: string;
  /** Reasons from a partial create/update (ErrorResourceInitFailed). */
  initErrors?: string[];
  /** Delete skipped because of retainOnDelete. */
  retained?: boolean;
  /** Refresh: outputs/inputs differed from the provider's. */
  drift?: boolean;
  options?: ResourceOptions;
  /** Inputs as the program registered them (secrets wrapped, `__provider` included). */
  inputs?: JsonObject;
  /** Outputs after the step (secrets wrapped). */
  outputs?: JsonObject;
}

export interface CallRecord {
  method: RpcMethod;
  urn: string | undefined;
  ok: boolean;
  error?: string;
}

export interface RunResult {
  kind: "preview" | "up" | "refresh" | "destroy";
  ok: boolean;
  /** A hook threw: the run stopped as if the engine had crashed. */
  aborted: boolean;
  abortReason?: string;
  /** One entry per URN, its final op for this run (preview: what would happen). */
  resources: ResourceSummary[];
  /** Every step in order, including create-replacement and delete-replaced. */
  steps: ResourceSummary[];
  /** Count per op over `resources`. */
  changeSummary: Record<Op, number>;
  errors: string[];
  checkFailures: Array<CheckFailure & { urn: string }>;
  /** Every gRPC call made to the host, in order. */
  calls: CallRecord[];
  /** Everything the host printed (stdout+stderr). */
  hostOutput: string;
  hostExit?: { code: number | null; signal: NodeJS.Signals | null };
  /** Everything the program process printed. */
  programOutput: string;
  /** Stack outputs (program exports; secrets wrapped). */
  outputs: JsonObject;
  /** Pending operations found in the state at the start (an earlier run was interrupted). */
  pendingOperationsAtStart: PendingOperation[];
}

class EngineAbort extends Error {}

class StepFailed extends Error {}

const DYNAMIC_PREFIX = "pulumi-nodejs:dynamic";

/** A resource of the previous deployment; `consumed` once this run took it over or deleted it. */
interface OldEntry {
  res: StateResource;
  consumed: boolean;
}

/** One preview/up in progress, passed to each of its steps. */
interface DeployRun {
  preview: boolean;
  run: RunResult;
  /** The deployment being built (loaded from the state file, pending operations cleared). */
  d: Deployment;
  sm: SecretsManager;
  olds: OldEntry[];
  /** New state entries, in the order their steps finished. */
  processed: StateResource[];
  /** URNs the program registered this run. */
  registered: Set<string>;
  /** Aborted when a hook throws: stops the program. */
  abort: AbortController;
  /** A step failed: later registrations are refused and no deletes run. */
  failed: boolean;
  /** Set when a hook threw (the "engine" crashed): nothing more is recorded. */
  abortErr: EngineAbort | undefined;
}

/** The answer to a registration: the resource's id and outputs as the program sees them. */
interface Registration {
  id: string;
  outputs: Record<string, unknown>;
}

/** What the diff step decided, with the plain payloads an update sends again. */
interface DiffPlan {
  hasChanges: boolean;
  oldInputsPlain: JsonObject;
  oldOutputsPlain: JsonObject;
  checkedPlain: JsonObject;
}

function now(): string {
  return new Date().toISOString();
}

/** A step's summary for a resource already in the state, before anything happened to it. */
function stateSummary(res: StateResource, op: StepOp): ResourceSummary {
  return {
    urn: res.urn,
    type: res.type,
    name: nameOf(res.urn),
    custom: res.custom,
    op,
    ...(res.id !== undefined ? { id: res.id } : {}),
    changes: [],
    replaces: [],
    deleteBeforeReplace: false,
    checkFailures: [],
  };
}

function nameOf(urn: string): string {
  const i = urn.lastIndexOf("::");
  return i >= 0 ? urn.slice(i + 2) : urn;
}

function canon(v: Json): string {
  const sort = (x: Json): Json => {
    if (Array.isArray(x)) return x.map(sort);
    if (x && typeof x === "object") {
      const o: JsonObject = {};
      for (const k of Object.keys(x).sort()) o[k] = sort(x[k] ?? null);
      return o;
    }
    return x;
  };
  return JSON.stringify(sort(v));
}

function changedKeys(olds: JsonObject, news: JsonObject): string[] {
  const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
  return [...keys].filter((k) => canon(olds[k] ?? null) !== canon(news[k] ?? null) || k in olds !== k in news).sort();
}

function getPath(o: JsonObject, p: string): { found: boolean; value: Json } {
  let cur: Json = o;
  for (const part of p.split(".")) {
    if (cur && typeof cur === "object" && !Array.isArray(cur) && part in cur) cur = cur[part] ?? null;
    else return { found: false, value: null };
  }
  return { found: true, value: cur };
}

function setPath(o: JsonObject, p: string, v: { found: boolean; value: Json }): void {
  const parts = p.split(".");
  let cur: JsonObject = o;
  for (const part of parts.slice(0, -1)) {
    const next = cur[part];
    if (!next || typeof next !== "object" || Array.isArray(next)) {
      if (!v.found) return;
      cur[part] = {};
    }
    cur = cur[part] as JsonObject;
  }
  const last = parts[parts.length - 1]!;
  if (v.found) cur[last] = v.value;
  else delete cur[last];
}

/** Mark outputs secret as the engine does for a provider that does not accept secrets. */
function remarkOutputs(outputs: JsonObject, inputs: JsonObject, additional: string[]): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(outputs)) {
    out[k] = containsSecret(inputs[k] ?? null) || additional.includes(k) ? wrapSecret(v) : v;
  }
  return out;
}

/** Mark checked inputs secret where the program's inputs were. */
function remarkInputs(checked: JsonObject, news: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(checked)) out[k] = containsSecret(news[k] ?? null) && !containsSecret(v) ? wrapSecret(v) : v;
  return out;
}

/** The state entry under the new goal's options (unset protect/retainOnDelete = false). */
function withGoalOptions(e0: StateResource, m: RegisterMessage): StateResource {
  const e = { ...e0 };
  delete e.protect;
  delete e.retainOnDelete;
  return {
    ...e,
    ...(m.parent ? { parent: m.parent } : {}),
    dependencies: m.options.dependsOn,
    propertyDependencies: m.options.propertyDependencies,
    ...(m.options.protect ? { protect: true } : {}),
    ...(m.options.retainOnDelete ? { retainOnDelete: true } : {}),
    additionalSecretOutputs: m.options.additionalSecretOutputs,
    ignoreChanges: m.options.ignoreChanges,
    replaceOnChanges: m.options.replaceOnChanges,
    aliases: m.options.aliases,
    urn: m.urn,
  };
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

export function readProjectName(programDir: string): string | undefined {
  for (const f of ["Pulumi.yaml", "Pulumi.yml"]) {
    const p = path.join(programDir, f);
    if (fs.existsSync(p)) {
      const m = /^name:\s*["']?([^"'\s#]+)/m.exec(fs.readFileSync(p, "utf8"));
      if (m) return m[1];
    }
  }
  return undefined;
}

export class Engine {
  readonly programDir: string;
  readonly stateFile: string;
  readonly project: string;
  readonly stack: string;
  hooks: EngineHooks;
  private readonly opts: EngineOptions;
  private readonly passphrase: string;
  private host: ProviderHost | undefined;

  constructor(opts: EngineOptions) {
    this.opts = opts;
    this.programDir = path.resolve(opts.programDir);
    this.stateFile = path.resolve(opts.stateFile);
    this.project = opts.project ?? readProjectName(this.programDir) ?? "project";
    this.stack = opts.stack ?? "dev";
    this.hooks = opts.hooks ?? {};
    this.passphrase = opts.passphrase ?? process.env["PULUMI_CONFIG_PASSPHRASE"] ?? "engine-driver-passphrase";
  }

  /** The namespaced config (`project:key` -> plain string) and which keys are secret. */
  configValues(): { values: Record<string, string>; secretKeys: string[] } {
    const values: Record<string, string> = {};
    const secret: string[] = [];
    for (const [k0, v] of Object.entries(this.opts.config ?? {})) {
      const k = k0.includes(":") ? k0 : `${this.project}:${k0}`;
      if (typeof v === "string") values[k] = v;
      else {
        values[k] = v.secret;
        secret.push(k);
      }
    }
    return { values, secretKeys: secret };
  }

  /** The deployment in the state file, secrets decrypted (wrapped in memory form); undefined if none. */
  readState(): Deployment | undefined {
    this.flush();
    if (!fs.existsSync(this.stateFile)) return undefined;
    const file = JSON.parse(fs.readFileSync(this.stateFile, "utf8")) as StateFile;
    const d = file.checkpoint.latest;
    if (!d) return undefined;
    const sm = SecretsManager.fromState(this.passphrase, d.secrets_providers.state.salt);
    return sm.decryptDeep(d as unknown as Json) as unknown as Deployment;
  }

  /** The state file's text as stored (secrets encrypted). */
  rawState(): string {
    this.flush();
    return fs.existsSync(this.stateFile) ? fs.readFileSync(this.stateFile, "utf8") : "";
  }

  /** Kill the current run's provider host, if any. */
  killHost(signal: NodeJS.Signals = "SIGKILL"): void {
    this.host?.kill(signal);
  }

  /** Stop the host if one is still running (for afterEach). */
  async dispose(): Promise<void> {
    const h = this.host;
    this.host = undefined;
    this.hostStarting = undefined;
    await h?.stop();
  }

  preview(): Promise<RunResult> {
    return this.deploy(true);
  }

  up(): Promise<RunResult> {
    return this.deploy(false);
  }

  // -------------------------------------------------------------------------------------------

  private loadOrInit(): { d: Deployment; sm: SecretsManager } {
    const existing = this.readState();
    if (existing) return { d: existing, sm: SecretsManager.fromState(this.passphrase, existing.secrets_providers.state.salt) };
    const sm = SecretsManager.create(this.passphrase);
    return {
      d: {
        manifest: { time: new Date().toISOString(), magic: "engine-driver", version: "3.270.0" },
        secrets_providers: { type: "passphrase", state: { salt: sm.saltState } },
        resources: [],
        pending_operations: [],
      },
      sm,
    };
  }

  /** Records a run's failure: an aborted run (a hook threw, as if the engine crashed) or an error. */
  private recordFailure(run: RunResult, e: unknown): void {
    if (e instanceof EngineAbort) {
      run.aborted = true;
      run.abortReason = e.message;
      run.errors.push(`aborted: ${e.message}`);
    } else run.errors.push(this.describeError(e));
  }

  private unsaved: { d: Deployment; sm: SecretsManager } | undefined;

  private save(d: Deployment, sm: SecretsManager): void {
    if (this.opts.checkpoints === "end") {
      this.unsaved = { d, sm };
      return;
    }
    this.writeState(d, sm);
  }

  /** Writes a deferred checkpoint (checkpoints: "end"). */
  private flush(): void {
    const pending = this.unsaved;
    this.unsaved = undefined;
    if (pending) this.writeState(pending.d, pending.sm);
  }

  private writeState(d: Deployment, sm: SecretsManager): void {
    d.manifest.time = new Date().toISOString();
    const file: StateFile = {
      version: 3,
      checkpoint: { stack: `organization/${this.project}/${this.stack}`, latest: sm.encryptDeep(d as unknown as Json) as unknown as Deployment },
    };
    fs.mkdirSync(path.dirname(this.stateFile), { recursive: true });
    const tmp = `${this.stateFile}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(file, null, 2));
    fs.renameSync(tmp, this.stateFile);
  }

  private newRun(kind: RunResult["kind"], pendingAtStart: PendingOperation[]): RunResult {
    return {
      kind,
      ok: true,
      aborted: false,
      resources: [],
      steps: [],
      changeSummary: { create: 0, update: 0, replace: 0, delete: 0, same: 0 },
      errors: [],
      checkFailures: [],
      calls: [],
      hostOutput: "",
      programOutput: "",
      outputs: {},
      pendingOperationsAtStart: pendingAtStart,
    };
  }

  private hostStarting: Promise<ProviderHost> | undefined;

  /** Start the host (once per run) and Configure it with the stack config. */
  private ensureHost(run: RunResult): Promise<ProviderHost> {
    if (!this.hostStarting) {
      const host = new ProviderHost({
        cwd: this.programDir,
        env: { PULUMI_NODEJS_PROJECT: this.project, PULUMI_NODEJS_STACK: this.stack, ...(this.opts.env ?? {}) },
        timeoutMs: this.opts.hostTimeoutMs ?? 20000,
      });
      this.host = host;
      const { values } = this.configValues();
      this.hostStarting = host.start().then(async () => {
        await this.call(run, "Configure", undefined, { variables: values }, () => host.configure(values));
        return host;
      });
      this.hostStarting.catch(() => undefined);
    }
    return this.hostStarting;
  }

  private async call<T>(run: RunResult, method: RpcMethod, urn: string | undefined, request: Record<string, Json>, fn: () => Promise<T>): Promise<T> {
    const host = this.host;
    const ctx: CallContext = { method, urn, request, killHost: (s) => host?.kill(s ?? "SIGKILL"), hostPid: host?.pid };
    try {
      await this.hooks.beforeCall?.(ctx);
    } catch (e) {
      throw new EngineAbort(`beforeCall(${method}) hook: ${e instanceof Error ? e.message : String(e)}`);
    }
    let res: T;
    try {
      res = await fn();
    } catch (e) {
      run.calls.push({ method, urn, ok: false, error: e instanceof Error ? e.message : String(e) });
      if (e instanceof RpcError) {
        try {
          await this.hooks.afterCall?.({ ...ctx, error: e });
        } catch (h) {
          throw new EngineAbort(`afterCall(${method}) hook: ${h instanceof Error ? h.message : String(h)}`);
        }
      }
      throw e;
    }
    run.calls.push({ method, urn, ok: true });
    try {
      await this.hooks.afterCall?.({ ...ctx, response: res });
    } catch (h) {
      throw new EngineAbort(`afterCall(${method}) hook: ${h instanceof Error ? h.message : String(h)}`);
    }
    return res;
  }

  private async finishRun(run: RunResult): Promise<RunResult> {
    this.flush();
    const host = this.host;
    this.host = undefined;
    this.hostStarting = undefined;
    if (host) {
      await host.stop();
      run.hostOutput = host.output;
      run.hostExit = { code: host.exitCode, signal: host.exitSignal };
    }
    const byUrn = new Map<string, ResourceSummary>();
    for (const s of run.steps) {
      const prev = byUrn.get(s.urn);
      if (s.op === "delete-replaced" && prev) {
        if (s.error) prev.error = s.error;
        continue;
      }
      if (s.op === "create-replacement") {
        byUrn.set(s.urn, { ...s, op: "replace" });
        continue;
      }
      byUrn.set(s.urn, s);
    }
    run.resources = [...byUrn.values()];
    for (const r of run.resources) {
      if (r.op in run.changeSummary) run.changeSummary[r.op as Op]++;
    }
    if (run.errors.length > 0 || run.aborted) run.ok = false;
    return run;
  }

  private failStep(run: RunResult, summary: ResourceSummary, message: string): never {
    summary.error = message;
    run.errors.push(`${summary.urn}: ${message}`);
    throw new StepFailed(message);
  }

  private describeError(e: unknown): string {
    if (e instanceof RpcError) return e.details;
    return e instanceof Error ? e.message : String(e);
  }

  // -------------------------------------------------------------------------------------------
  // preview / up: one method per step. `deploy` runs the program; every resource it registers goes
  // through `register` (check, then create, replace, keep unchanged or update, after a diff for an
  // existing resource); then the resources no longer registered are deleted and the stack outputs
  // recorded.

  private async deploy(preview: boolean): Promise<RunResult> {
    const { d, sm } = this.loadOrInit();
    const run = this.newRun(preview ? "preview" : "up", clone(d.pending_operations));
    // Like the engine, a new update drops pending operations left by an interrupted one (reported).
    d.pending_operations = [];
    const st: DeployRun = {
      preview,
      run,
      d,
      sm,
      olds: d.resources.map((res) => ({ res, consumed: false })),
      processed: [],
      registered: new Set<string>(),
      abort: new AbortController(),
      failed: false,
      abortErr: undefined,
    };
    try {
      // Start the host while the program starts (the engine also loads plugins up front).
      void this.ensureHost(run).catch(() => undefined);
      await this.runProgramStep(st);
      if (!st.failed) await this.deleteRemoved(st);
      if (!preview) this.recordStackOutputs(st);
    } catch (e) {
      this.recordFailure(run, e);
    }
    return this.finishRun(run);
  }

  /** Writes the deployment as it stands: the new entries so far, then the old ones not taken over yet. */
  private snapshot(st: DeployRun): void {
    // After an abort nothing more is recorded (the "engine" is gone).
    if (st.preview || st.abortErr) return;
    st.d.resources = [...st.processed, ...st.olds.filter((o) => !o.consumed).map((o) => o.res)];
    this.save(st.d, st.sm);
  }

  /** Records a pending operation in the state before the call that performs it. */
  private pendingOp(st: DeployRun, resource: StateResource, type: PendingOperation["type"]): PendingOperation {
    const op: PendingOperation = { resource: clone(resource), type };
    st.d.pending_operations.push(op);
    this.snapshot(st);
    return op;
  }

  private clearOp(st: DeployRun, op: PendingOperation): void {
    st.d.pending_operations = st.d.pending_operations.filter((p) => p !== op);
  }

  /** Runs the program; each registration it sends is one `register` step. */
  private async runProgramStep(st: DeployRun): Promise<void> {
    const { values, secretKeys: secretCfg } = this.configValues();
    const prog = await runProgram({
      programDir: this.programDir,
      project: this.project,
      stack: this.stack,
      preview: st.preview,
      config: values,
      secretKeys: secretCfg,
      ...(this.opts.env ? { env: this.opts.env } : {}),
      timeoutMs: this.opts.programTimeoutMs ?? 60000,
      signal: st.abort.signal,
      onRegister: (m) => this.register(st, m),
    });
    st.run.programOutput = prog.output;
    st.run.outputs = prog.exports as JsonObject;
    if (st.abortErr) throw st.abortErr;
    if (!prog.ok && !st.failed) {
      st.failed = true;
      st.run.errors.push(...prog.errors);
    }
  }

  /** One registration from the program: finds the old state entry (by URN, then alias) and performs the step. */
  private async register(st: DeployRun, m: RegisterMessage): Promise<Registration> {
    if (st.abortErr) throw st.abortErr;
    if (st.failed) throw new Error("the deployment was canceled after an earlier failure");
    st.registered.add(m.urn);
    const summary: ResourceSummary = {
      urn: m.urn,
      type: m.type,
      name: m.name,
      custom: m.custom,
      op: "same",
      changes: [],
      replaces: [],
      deleteBeforeReplace: false,
      checkFailures: [],
      options: m.options,
      inputs: m.inputs as JsonObject,
    };
    const oldEntry =
      st.olds.find((o) => !o.consumed && !o.res.delete && o.res.urn === m.urn) ??
      st.olds.find((o) => !o.consumed && !o.res.delete && m.options.aliases.includes(o.res.urn));
    st.run.steps.push(summary);
    try {
      if (!m.custom) return this.registerComponent(st, m, oldEntry, summary);
      return await this.registerCustom(st, m, oldEntry, summary);
    } catch (e) {
      if (e instanceof EngineAbort) {
        st.abortErr ??= e;
        st.abort.abort();
        throw e;
      }
      st.failed = true;
      if (!(e instanceof StepFailed)) {
        summary.error ??= this.describeError(e);
        st.run.errors.push(`${m.urn}: ${this.describeError(e)}`);
      }
      throw e;
    }
  }

  /** Component resource: no provider; the engine just records it. */
  private registerComponent(st: DeployRun, m: RegisterMessage, oldEntry: OldEntry | undefined, summary: ResourceSummary): Registration {
    summary.op = oldEntry ? "same" : "create";
    if (oldEntry) oldEntry.consumed = true;
    st.processed.push({
      urn: m.urn,
      type: m.type,
      custom: false,
      inputs: m.inputs as JsonObject,
      outputs: {},
      ...(m.parent ? { parent: m.parent } : {}),
      dependencies: m.options.dependsOn,
      secretInputs: [],
      secretOutputs: [],
    });
    this.snapshot(st);
    return { id: "", outputs: {} };
  }

  /** Custom (dynamic) resource: Check, then create it, or Diff it against the old entry and replace, keep or update it. */
  private async registerCustom(st: DeployRun, m: RegisterMessage, oldEntry: OldEntry | undefined, summary: ResourceSummary): Promise<Registration> {
    if (!m.type.startsWith(DYNAMIC_PREFIX))
      this.failStep(st.run, summary, `the engine driver only hosts dynamic resources (${DYNAMIC_PREFIX}:*), not ${m.type}`);
    const host = await this.ensureHost(st.run);
    const checked = await this.checkStep(st, host, m, oldEntry?.res, summary);
    if (!oldEntry) return this.createStep(st, m, checked, summary);
    const plan = await this.diffStep(st, host, m, oldEntry, checked, summary);
    if (summary.replaces.length > 0) return this.replaceStep(st, m, oldEntry, checked, summary);
    if (!plan.hasChanges) return this.sameStep(st, m, oldEntry.res, checked, summary);
    return this.updateStep(st, host, m, oldEntry, checked, plan, summary);
  }

  /** Check(old inputs, program inputs), ignoreChanges applied first; returns the checked inputs, secrets re-marked. */
  private async checkStep(
    st: DeployRun,
    host: ProviderHost,
    m: RegisterMessage,
    old: StateResource | undefined,
    summary: ResourceSummary,
  ): Promise<JsonObject> {
    const news = clone(m.inputs) as JsonObject;
    if (old) for (const p of m.options.ignoreChanges) setPath(news, p, getPath(old.inputs, p));
    const oldInputsPlain = old ? unwrapObject(old.inputs) : {};
    const newsPlain = unwrapObject(news);
    let check;
    try {
      check = await this.call(st.run, "Check", m.urn, { olds: oldInputsPlain, news: newsPlain }, () =>
        host.check(m.urn, m.name, m.type, oldInputsPlain, newsPlain),
      );
    } catch (e) {
      if (e instanceof EngineAbort) throw e;
      summary.op = old ? "update" : "create";
      this.failStep(st.run, summary, `checking failed: ${this.describeError(e)}`);
    }
    if (check.failures.length > 0) {
      summary.op = old ? "update" : "create";
      summary.checkFailures = check.failures;
      for (const f of check.failures) st.run.checkFailures.push({ ...f, urn: m.urn });
      this.failStep(st.run, summary, `check failed: ${check.failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`);
    }
    return remarkInputs(check.inputs, news);
  }

  /** A resource not in the state: create it (preview: the checked inputs stand in for its outputs). */
  private async createStep(st: DeployRun, m: RegisterMessage, checked: JsonObject, summary: ResourceSummary): Promise<Registration> {
    summary.op = "create";
    summary.changes = Object.keys(checked).sort();
    if (st.preview) return { id: "", outputs: checked };
    const entry = await this.createResource(st, m, checked, summary);
    return { id: entry.id ?? "", outputs: entry.outputs };
  }

  /**
   * Diff(id, old outputs, checked inputs): fills the summary's changes, replaces (Diff's, plus
   * replaceOnChanges) and deleteBeforeReplace, and marks the old entry taken over unless it is to
   * be replaced create-before-delete. Returns whether anything must change and the plain payloads
   * the update step sends again.
   */
  private async diffStep(
    st: DeployRun,
    host: ProviderHost,
    m: RegisterMessage,
    oldEntry: OldEntry,
    checked: JsonObject,
    summary: ResourceSummary,
  ): Promise<DiffPlan> {
    const old = oldEntry.res;
    const oldInputsPlain = unwrapObject(old.inputs);
    const oldOutputsPlain = unwrapObject(old.outputs);
    const checkedPlain = unwrapObject(checked);
    let diff;
    try {
      diff = await this.call(st.run, "Diff", m.urn, { id: old.id ?? "", olds: oldOutputsPlain, news: checkedPlain, oldInputs: oldInputsPlain }, () =>
        host.diff(m.urn, m.name, m.type, old.id ?? "", oldOutputsPlain, checkedPlain, oldInputsPlain, m.options.ignoreChanges),
      );
    } catch (e) {
      if (e instanceof EngineAbort) throw e;
      summary.op = "update";
      this.failStep(st.run, summary, `diffing failed: ${this.describeError(e)}`);
    }
    summary.diff = diff.changes;
    const changed = changedKeys(oldInputsPlain, checkedPlain);
    summary.changes = diff.diffs.length > 0 ? diff.diffs : changed;
    let hasChanges = diff.changes === "some" || (diff.changes === "unknown" && changed.length > 0);
    const replaces = new Set(diff.replaces);
    if (hasChanges && m.options.replaceOnChanges.length > 0) {
      const roc = m.options.replaceOnChanges;
      for (const k of summary.changes) if (roc.includes("*") || roc.includes(k) || roc.some((r) => r.split(".")[0] === k)) replaces.add(k);
    }
    if (!hasChanges && old.initErrors && old.initErrors.length > 0) hasChanges = true;
    summary.replaces = [...replaces].sort();
    summary.deleteBeforeReplace = diff.deleteBeforeReplace || m.options.deleteBeforeReplace === true;
    summary.id = old.id ?? "";
    oldEntry.consumed = summary.replaces.length === 0 || summary.deleteBeforeReplace ? true : false;
    return { hasChanges, oldInputsPlain, oldOutputsPlain, checkedPlain };
  }

  /** Replace: delete-before-replace (Delete, then Create) or create-before-delete (the old entry is deleted at the end). */
  private async replaceStep(st: DeployRun, m: RegisterMessage, oldEntry: OldEntry, checked: JsonObject, summary: ResourceSummary): Promise<Registration> {
    const old = oldEntry.res;
    summary.op = "replace";
    if (old.protect) {
      oldEntry.consumed = false;
      this.failStep(st.run, summary, "unable to replace resource: it is protected (protect: true)");
    }
    if (st.preview) {
      return { id: "", outputs: checked };
    }
    if (summary.deleteBeforeReplace) {
      await this.deleteResource(st, old, summary);
      this.snapshot(st);
      const entry = await this.createResource(st, m, checked, summary);
      return { id: entry.id ?? "", outputs: entry.outputs };
    }
    summary.op = "create-replacement";
    const entry = await this.createResource(st, m, checked, summary);
    old.delete = true;
    this.snapshot(st);
    return { id: entry.id ?? "", outputs: entry.outputs };
  }

  /** Nothing to change: keep the old outputs; the entry takes the checked inputs and the new options. */
  private sameStep(st: DeployRun, m: RegisterMessage, old: StateResource, checked: JsonObject, summary: ResourceSummary): Registration {
    summary.op = "same";
    const entry = withGoalOptions({ ...old, inputs: checked, secretInputs: secretKeys(checked) }, m);
    summary.outputs = old.outputs;
    if (!st.preview) {
      st.processed.push(entry);
      this.snapshot(st);
    }
    return { id: old.id ?? "", outputs: old.outputs };
  }

  /** Update in place; a partial update (initErrors) is recorded with the outputs the provider returned. */
  private async updateStep(
    st: DeployRun,
    host: ProviderHost,
    m: RegisterMessage,
    oldEntry: OldEntry,
    checked: JsonObject,
    plan: DiffPlan,
    summary: ResourceSummary,
  ): Promise<Registration> {
    const old = oldEntry.res;
    const { oldInputsPlain, oldOutputsPlain, checkedPlain } = plan;
    summary.op = "update";
    if (st.preview) return { id: old.id ?? "", outputs: checked };
    const op = this.pendingOp(st, old, "updating");
    try {
      const res = await this.call(st.run, "Update", m.urn, { id: old.id ?? "", olds: oldOutputsPlain, news: checkedPlain, oldInputs: oldInputsPlain }, () =>
        host.update(m.urn, m.name, m.type, old.id ?? "", oldOutputsPlain, checkedPlain, oldInputsPlain, m.options.ignoreChanges),
      );
      this.clearOp(st, op);
      const outputs = remarkOutputs(res.properties, checked, m.options.additionalSecretOutputs);
      const entry = withGoalOptions(
        {
          ...old,
          inputs: checked,
          outputs,
          secretInputs: secretKeys(checked),
          secretOutputs: secretKeys(outputs),
          modified: now(),
        },
        m,
      );
      delete entry.initErrors;
      st.processed.push(entry);
      this.snapshot(st);
      summary.outputs = outputs;
      return { id: old.id ?? "", outputs };
    } catch (e) {
      if (e instanceof EngineAbort) throw e;
      this.clearOp(st, op);
      if (e instanceof RpcError && e.initFailed) {
        const outputs = remarkOutputs(e.initFailed.properties, checked, m.options.additionalSecretOutputs);
        st.processed.push(
          withGoalOptions(
            {
              ...old,
              inputs: checked,
              outputs,
              initErrors: e.initFailed.reasons,
              secretInputs: secretKeys(checked),
              secretOutputs: secretKeys(outputs),
              modified: now(),
            },
            m,
          ),
        );
        summary.initErrors = e.initFailed.reasons;
      } else {
        oldEntry.consumed = false;
      }
      this.snapshot(st);
      this.failStep(st.run, summary, `updating failed: ${this.describeError(e)}`);
    }
  }

  /** The Create call for a new or replacing resource; a partial create (initErrors) is recorded before the step fails. */
  private async createResource(st: DeployRun, m: RegisterMessage, checked: JsonObject, summary: ResourceSummary): Promise<StateResource> {
    const host = await this.ensureHost(st.run);
    const aso = m.options.additionalSecretOutputs;
    const entry: StateResource = {
      urn: m.urn,
      type: m.type,
      custom: true,
      inputs: checked,
      outputs: {},
      ...(m.parent ? { parent: m.parent } : {}),
      dependencies: m.options.dependsOn,
      propertyDependencies: m.options.propertyDependencies,
      ...(m.options.protect ? { protect: true } : {}),
      ...(m.options.retainOnDelete ? { retainOnDelete: true } : {}),
      additionalSecretOutputs: aso,
      ignoreChanges: m.options.ignoreChanges,
      replaceOnChanges: m.options.replaceOnChanges,
      aliases: m.options.aliases,
      secretInputs: secretKeys(checked),
      secretOutputs: [],
      created: now(),
      modified: now(),
    };
    const op = this.pendingOp(st, entry, "creating");
    const props = unwrapObject(checked);
    try {
      const res = await this.call(st.run, "Create", m.urn, { properties: props }, () => host.create(m.urn, m.name, m.type, props));
      entry.id = res.id;
      entry.outputs = remarkOutputs(res.properties, checked, aso);
    } catch (e) {
      if (e instanceof EngineAbort) throw e;
      this.clearOp(st, op);
      if (e instanceof RpcError && e.initFailed) {
        entry.id = e.initFailed.id;
        entry.outputs = remarkOutputs(e.initFailed.properties, checked, aso);
        entry.initErrors = e.initFailed.reasons;
        entry.secretOutputs = secretKeys(entry.outputs);
        st.processed.push(entry);
        summary.id = entry.id;
        summary.initErrors = e.initFailed.reasons;
        summary.outputs = entry.outputs;
      }
      this.snapshot(st);
      this.failStep(
        st.run,
        summary,
        `creating failed: ${this.describeError(e)}${e instanceof RpcError && e.initFailed ? ` (reasons: ${e.initFailed.reasons.join("; ")})` : ""}`,
      );
    }
    this.clearOp(st, op);
    entry.secretOutputs = secretKeys(entry.outputs);
    st.processed.push(entry);
    this.snapshot(st);
    summary.id = entry.id;
    summary.outputs = entry.outputs;
    return entry;
  }

  /** The Delete call for a removed or replaced resource, behind a pending operation. */
  private async deleteResource(st: DeployRun, res: StateResource, summary: ResourceSummary): Promise<void> {
    const host = await this.ensureHost(st.run);
    const op = this.pendingOp(st, res, "deleting");
    const outs = unwrapObject(res.outputs);
    const ins = unwrapObject(res.inputs);
    try {
      await this.call(st.run, "Delete", res.urn, { id: res.id ?? "", properties: outs, oldInputs: ins }, () =>
        host.delete(res.urn, nameOf(res.urn), res.type, res.id ?? "", outs, ins),
      );
    } catch (e) {
      if (e instanceof EngineAbort) throw e;
      this.clearOp(st, op);
      this.snapshot(st);
      this.failStep(st.run, summary, `deleting failed: ${this.describeError(e)}`);
    }
    this.clearOp(st, op);
  }

  /** After the program: delete the resources not registered this time and the replaced ones, in reverse state order. */
  private async deleteRemoved(st: DeployRun): Promise<void> {
    const toDelete = st.olds.filter((o) => !o.consumed && (o.res.delete || !st.registered.has(o.res.urn))).reverse();
    for (const o of toDelete) {
      const res = o.res;
      const summary = stateSummary(res, res.delete ? "delete-replaced" : "delete");
      st.run.steps.push(summary);
      try {
        if (res.protect && !res.delete) this.failStep(st.run, summary, "unable to delete resource: it is protected (protect: true)");
        if (st.preview) continue;
        if (res.retainOnDelete) summary.retained = true;
        else if (res.custom) await this.deleteResource(st, res, summary);
        o.consumed = true;
        this.snapshot(st);
      } catch (e) {
        if (e instanceof EngineAbort) throw e;
        st.failed = true;
        if (!(e instanceof StepFailed)) st.run.errors.push(`${res.urn}: ${this.describeError(e)}`);
        break;
      }
    }
  }

  /** The checkpoint's stack outputs: the program's exports. */
  private recordStackOutputs(st: DeployRun): void {
    st.d.outputs = st.run.outputs;
    this.snapshot(st);
  }

  // -------------------------------------------------------------------------------------------

  /** Read every resource from the provider and update the state (no program run). */
  async refresh(): Promise<RunResult> {
    const { d, sm } = this.loadOrInit();
    const run = this.newRun("refresh", clone(d.pending_operations));
    try {
      const orig = [...d.resources];
      const summaries = orig.map((res): ResourceSummary => {
        const summary = stateSummary(res, "same");
        run.steps.push(summary);
        return summary;
      });
      // Like the engine, every resource is read at once.
      const refreshed = await Promise.all(
        orig.map(async (res, i): Promise<StateResource | undefined> => {
          const summary = summaries[i]!;
          if (!res.custom || !res.type.startsWith(DYNAMIC_PREFIX)) return res;
          const host = await this.ensureHost(run);
          const outs = unwrapObject(res.outputs);
          const ins = unwrapObject(res.inputs);
          let r;
          try {
            r = await this.call(run, "Read", res.urn, { id: res.id ?? "", properties: outs, inputs: ins }, () =>
              host.read(res.urn, nameOf(res.urn), res.type, res.id ?? "", outs, ins),
            );
          } catch (e) {
            if (e instanceof EngineAbort) throw e;
            summary.error = `refreshing failed: ${this.describeError(e)}`;
            run.errors.push(`${res.urn}: ${summary.error}`);
            return res;
          }
          if (r.id === "") {
            summary.op = "delete";
            summary.drift = true;
            return undefined;
          }
          const inputs = r.inputs ? remarkInputs(r.inputs, res.inputs) : res.inputs;
          const outputs = remarkOutputs(r.properties, inputs, res.additionalSecretOutputs ?? []);
          summary.changes = [...new Set([...changedKeys(outs, r.properties), ...(r.inputs ? changedKeys(ins, r.inputs) : [])])].sort();
          summary.drift = summary.changes.length > 0 || r.id !== res.id;
          summary.op = summary.drift ? "update" : "same";
          summary.id = r.id;
          summary.outputs = outputs;
          return { ...res, id: r.id, inputs, outputs, secretInputs: secretKeys(inputs), secretOutputs: secretKeys(outputs) };
        }),
      );
      d.resources = refreshed.filter((r): r is StateResource => r !== undefined);
      this.save(d, sm);
    } catch (e) {
      this.recordFailure(run, e);
    }
    return this.finishRun(run);
  }

  /**
   * Delete every resource in the state, dependents first (no program run). Like the engine, resources
   * nothing remaining depends on are deleted at once, wave after wave.
   */
  async destroy(): Promise<RunResult> {
    const { d, sm } = this.loadOrInit();
    const run = this.newRun("destroy", clone(d.pending_operations));
    d.pending_operations = [];
    const deleteOne = async (res: StateResource): Promise<boolean> => {
      const summary = stateSummary(res, res.delete ? "delete-replaced" : "delete");
      run.steps.push(summary);
      if (res.protect && !res.delete) {
        summary.error = "unable to delete resource: it is protected (protect: true)";
        run.errors.push(`${res.urn}: ${summary.error}`);
        return false;
      }
      if (res.retainOnDelete) summary.retained = true;
      else if (res.custom && res.type.startsWith(DYNAMIC_PREFIX)) {
        const host = await this.ensureHost(run);
        const outs = unwrapObject(res.outputs);
        const ins = unwrapObject(res.inputs);
        const op: PendingOperation = { resource: clone(res), type: "deleting" };
        d.pending_operations.push(op);
        this.save(d, sm);
        try {
          await this.call(run, "Delete", res.urn, { id: res.id ?? "", properties: outs, oldInputs: ins }, () =>
            host.delete(res.urn, nameOf(res.urn), res.type, res.id ?? "", outs, ins),
          );
        } catch (e) {
          if (e instanceof EngineAbort) throw e;
          d.pending_operations = d.pending_operations.filter((p) => p !== op);
          this.save(d, sm);
          summary.error = `deleting failed: ${this.describeError(e)}`;
          run.errors.push(`${res.urn}: ${summary.error}`);
          return false;
        }
        d.pending_operations = d.pending_operations.filter((p) => p !== op);
      }
      d.resources = d.resources.filter((r) => r !== res);
      this.save(d, sm);
      return true;
    };
    try {
      // As the engine does when it plans the deletes: a protected resource fails the destroy before anything is deleted.
      const protectedOnes = d.resources.filter((r) => r.protect && !r.delete);
      for (const res of protectedOnes) await deleteOne(res);
      let remaining = protectedOnes.length > 0 ? [] : [...d.resources];
      while (remaining.length > 0) {
        const needed = new Set<string>();
        for (const r of remaining) {
          for (const dep of r.dependencies) needed.add(dep);
          if (r.parent !== undefined) needed.add(r.parent);
        }
        let wave = remaining.filter((r) => !needed.has(r.urn));
        if (wave.length === 0) wave = [remaining[remaining.length - 1]!]; // a dependency cycle: last registered first
        const done = await Promise.all(wave.map(deleteOne));
        if (done.includes(false)) break;
        remaining = remaining.filter((r) => !wave.includes(r));
      }
      if (run.errors.length === 0) {
        delete d.outputs;
        this.save(d, sm);
      }
    } catch (e) {
      this.recordFailure(run, e);
    }
    return this.finishRun(run);
  }
}

export { UNKNOWN };
