// Shared set-up for the end-to-end scenario suites (scenarios, install, cli): one emulator per
// file, a fresh Klaviyo account / pixel / Upstack key per test, engines that record every run so
// that each scenario can be scanned for leaked keys at its end, and cleanup of hosts and temp dirs.
import * as path from "node:path";
import type { RequestLogEntry } from "../../emulator";
import { EmulatorHarness, type World } from "../support/emulator-harness";
import {
  Engine,
  findSecrets,
  unwrapSecrets,
  type EngineOptions,
  type Json,
  type JsonObject,
  type ResourceSummary,
  type RunResult,
  type SecretOccurrence,
} from "@upstack-klaviyo/engine-driver";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const BASIC_PROGRAM = path.join(REPO_ROOT, "examples", "basic");
export const SCENARIO_PROGRAM = path.join(__dirname, "fixtures", "scenario");
export const RESOURCE_TYPE = "pulumi-nodejs:dynamic/pulumi-upstack-klaviyo:UpstackKlaviyoDestination";

/** An Engine that keeps every RunResult it produced (for the leak scan). */
export class TrackedEngine extends Engine {
  readonly runs: RunResult[] = [];

  override async preview(): Promise<RunResult> {
    return this.keep(await super.preview());
  }
  override async up(): Promise<RunResult> {
    return this.keep(await super.up());
  }
  override async refresh(): Promise<RunResult> {
    return this.keep(await super.refresh());
  }
  override async destroy(): Promise<RunResult> {
    return this.keep(await super.destroy());
  }
  private keep(r: RunResult): RunResult {
    this.runs.push(r);
    return r;
  }
}

export type { World } from "../support/emulator-harness";

/**
 * Per-file fixture: starts one emulator, hands out fresh worlds, engines and temp dirs, and
 * remembers every secret it created so `leaks()` can scan everything the engines produced.
 */
export class Scenario extends EmulatorHarness<TrackedEngine> {
  /** Extra haystacks (e.g. error messages caught outside a RunResult). */
  readonly extraText: string[] = [];

  /** Forget the engines of the finished test (after their leak scan). */
  async endTest(): Promise<void> {
    await Promise.all(this.engines.splice(0).map((e) => e.dispose()));
    this.extraText.splice(0);
  }

  override tempDir(prefix = "upstack-klaviyo-scenario-"): string {
    return super.tempDir(prefix);
  }

  override world(name = "Scenario Store"): Promise<World> {
    return super.world(name);
  }

  engine(opts: Omit<EngineOptions, "env"> & { env?: Record<string, string> }): TrackedEngine {
    return this.track(
      new TrackedEngine({
        hostTimeoutMs: 20000,
        programTimeoutMs: 45000,
        ...opts,
        env: { UPSTACK_KLAVIYO_QUIET: "1", UPSTACK_KLAVIYO_DEADLINE_MS: "20000", ...(opts.env ?? {}) },
      }),
    );
  }

  /** Requests logged since the last call, then clears the log. */
  takeRequests(): RequestLogEntry[] {
    const r = this.emu.requests();
    this.emu.clearRequests();
    return r;
  }

  /** Every occurrence of any secret handed out, in every state file, host/program output and error. */
  leaks(): SecretOccurrence[] {
    const hay: Record<string, string> = {};
    this.engines.forEach((e, i) => {
      hay[`engine${i}:state(${e.stateFile})`] = e.rawState();
      e.runs.forEach((r, j) => {
        const at = `engine${i}:run${j}(${r.kind})`;
        hay[`${at}:hostOutput`] = r.hostOutput;
        hay[`${at}:programOutput`] = r.programOutput;
        hay[`${at}:errors`] = r.errors.join("\n");
        hay[`${at}:abortReason`] = r.abortReason ?? "";
        hay[`${at}:checkFailures`] = r.checkFailures.map((f) => `${f.property}: ${f.reason}`).join("\n");
        hay[`${at}:steps`] = r.steps.map((s) => [s.error ?? "", ...(s.initErrors ?? []), ...s.checkFailures.map((f) => f.reason)].join("\n")).join("\n");
        hay[`${at}:calls`] = r.calls.map((c) => c.error ?? "").join("\n");
        // Outputs (not inputs: those hold the key as a secret input, as Pulumi's do).
        hay[`${at}:resourceOutputs`] = JSON.stringify(r.resources.map((s) => s.outputs ?? {}));
        hay[`${at}:stackOutputs`] = JSON.stringify(r.outputs);
      });
    });
    this.extraText.forEach((t, i) => (hay[`extra${i}`] = t));
    return findSecrets(hay, [...this.secrets]);
  }
}

/** The destination resource of a run. */
export function dest(run: RunResult): ResourceSummary {
  const d = run.resources.find((r) => r.type === RESOURCE_TYPE);
  if (!d) throw new Error(`no UpstackKlaviyoDestination in the ${run.kind} run: ${explain(run)}`);
  return d;
}

/** Outputs (or any JSON object) with every secret wrapper removed. */
export function plain(v: JsonObject | undefined): Record<string, Json> {
  return unwrapSecrets(v ?? {}) as Record<string, Json>;
}

export function explain(run: RunResult): string {
  return [
    `${run.kind} ok=${run.ok} aborted=${run.aborted}`,
    `errors: ${run.errors.join("\n  ")}`,
    `steps: ${JSON.stringify(run.steps.map((s) => [s.name, s.op, s.changes, s.replaces, s.error]))}`,
    `host:\n${run.hostOutput}`,
    `program:\n${run.programOutput}`,
  ].join("\n");
}

export function expectOk(run: RunResult): RunResult {
  if (!run.ok) throw new Error(`run failed:\n${explain(run)}`);
  return run;
}

export function expectFailed(run: RunResult): RunResult {
  if (run.ok) throw new Error(`run succeeded but should have failed:\n${explain(run)}`);
  return run;
}

/** The destination entry of the state file (decrypted), or undefined. */
export function stateDest(engine: Engine): { id?: string; outputs: Record<string, Json>; inputs: JsonObject } | undefined {
  const d = engine.readState();
  const r = d?.resources.find((x) => x.type === RESOURCE_TYPE && !x.delete);
  return r ? { ...(r.id !== undefined ? { id: r.id } : {}), outputs: plain(r.outputs), inputs: r.inputs } : undefined;
}

/** Number of resources in the state file (0 when there is none). */
export function stateCount(engine: Engine): number {
  return engine.readState()?.resources.length ?? 0;
}

/** `sha256:` + hex, as the provider and the emulator compute a key's fingerprint. */
export { keyFingerprint, keyHint } from "../../emulator";
