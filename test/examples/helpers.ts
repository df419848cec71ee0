// Shared set-up for the example and convention suites: one in-process emulator per file, a fresh
// Klaviyo account + Full Access key and a fresh pixel + Upstack key per store, engines and temp
// dirs that are always cleaned up.
import * as path from "node:path";
import type { DestinationView } from "../../emulator";
import { EmulatorHarness, type World } from "../support/emulator-harness";
import { Engine, unwrapSecrets, type ConfigValue, type Json, type JsonObject, type RunResult, type StateResource } from "@upstack-klaviyo/engine-driver";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const EXAMPLES_DIR = path.join(REPO_ROOT, "examples");
export const FIXTURES_DIR = path.join(__dirname, "fixtures");
export const DESTINATION_TYPE = "pulumi-nodejs:dynamic/pulumi-upstack-klaviyo:UpstackKlaviyoDestination";

/** A Klaviyo account with a Full Access key, and a pixel with an Upstack key scoped to it. */
export type Store = World;

export class Harness extends EmulatorHarness {
  override tempDir(prefix = "upstack-klaviyo-examples-"): string {
    return super.tempDir(prefix);
  }

  override world(name = "Store"): Promise<Store> {
    return super.world(name);
  }

  /** Destinations Upstack holds on these pixels (the emulator is shared by a file's tests). */
  async destinationsOn(...stores: Store[]): Promise<DestinationView[]> {
    const pixels = new Set(stores.map((s) => s.pixelId));
    return (await this.emu.admin.listDestinations()).filter((d) => pixels.has(d.pixelId));
  }

  /** `upstack:apiKeys` for these stores (secret). */
  apiKeysConfig(stores: Store[]): Record<string, ConfigValue> {
    return { "upstack:apiKeys": { secret: JSON.stringify(Object.fromEntries(stores.map((s) => [s.pixelId, s.upstack.apiKey]))) } };
  }

  engine(programDir: string, stateFile: string, config: Record<string, ConfigValue>, opts: { stack?: string; env?: Record<string, string> } = {}): Engine {
    return this.track(
      new Engine({
        programDir,
        stateFile,
        stack: opts.stack ?? "dev",
        config: { ...this.providerConfig(), ...config },
        env: { UPSTACK_KLAVIYO_QUIET: "1", ...(opts.env ?? {}) },
      }),
    );
  }

  /** Runs an engine operation, disposes the engine, and fails with the run's errors if asked to succeed. */
  async run(engine: Engine, op: "preview" | "up" | "refresh" | "destroy", expectOk = true): Promise<RunResult> {
    try {
      const r = await engine[op]();
      if (expectOk && !r.ok) throw new Error(`${op} failed:\n${r.errors.join("\n")}\n--- program ---\n${r.programOutput}\n--- host ---\n${r.hostOutput}`);
      return r;
    } finally {
      await engine.dispose();
    }
  }
}

/** Destination resources in the engine's state (secrets unwrapped). */
export function stateDestinations(engine: Engine): StateResource[] {
  return (engine.readState()?.resources ?? []).filter((r) => r.type === DESTINATION_TYPE);
}

/** A plain (secrets unwrapped) copy of a JSON object. */
export function plain(o: JsonObject | undefined): Record<string, Json> {
  return (unwrapSecrets(o ?? {}) as Record<string, Json>) ?? {};
}

/** Names (from URNs) of the Create calls of a run, in order. */
export function createOrder(run: RunResult): string[] {
  return run.calls.filter((c) => c.method === "Create").map((c) => (c.urn ?? "").split("::").pop() ?? "");
}
