// Shared set-up for the example and convention suites: one in-process emulator per file, a fresh
// Klaviyo account + Full Access key and a fresh pixel + Upstack key per store, engines and temp
// dirs that are always cleaned up.
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../emulator";
import type { DestinationView, KlaviyoAccountView, KlaviyoKeyCreated, UpstackKeyCreated } from "../../emulator";
import { Engine, unwrapSecrets, type ConfigValue, type Json, type JsonObject, type RunResult, type StateResource } from "../engine/driver";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const EXAMPLES_DIR = path.join(REPO_ROOT, "examples");
export const FIXTURES_DIR = path.join(__dirname, "fixtures");
export const DESTINATION_TYPE = "pulumi-nodejs:dynamic/pulumi-upstack-klaviyo:UpstackKlaviyoDestination";

/** A Klaviyo account with a Full Access key, and a pixel with an Upstack key scoped to it. */
export interface Store {
  account: KlaviyoAccountView;
  key: KlaviyoKeyCreated;
  pixelId: string;
  upstack: UpstackKeyCreated;
}

export class Harness {
  emu!: RunningEmulator;
  private readonly engines: Engine[] = [];
  private readonly dirs: string[] = [];
  /** Every plaintext key handed out. */
  readonly secrets = new Set<string>();

  async start(): Promise<void> {
    this.emu = await startEmulator({});
  }

  /** Dispose every engine, close the emulator, remove temp dirs. Safe to call twice. */
  async close(): Promise<void> {
    await Promise.all(this.engines.splice(0).map((e) => e.dispose()));
    await this.emu?.close();
    for (const d of this.dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  }

  async store(name = "Store"): Promise<Store> {
    const { account, key } = await this.emu.admin.createKlaviyoAccountWithKey({ name }, { label: "UpstackData" });
    const pixelId = randomUUID();
    const upstack = await this.emu.admin.createUpstackKey({ pixelId });
    this.secrets.add(key.key);
    this.secrets.add(upstack.apiKey);
    return { account, key, pixelId, upstack };
  }

  /** A second Full Access key on the same Klaviyo account (for rotation). */
  async newKey(accountId: string): Promise<KlaviyoKeyCreated> {
    const k = await this.emu.admin.createKlaviyoKey({ accountId, label: "UpstackData (rotated)" });
    this.secrets.add(k.key);
    return k;
  }

  /** Destinations Upstack holds on these pixels (the emulator is shared by a file's tests). */
  async destinationsOn(...stores: Store[]): Promise<DestinationView[]> {
    const pixels = new Set(stores.map((s) => s.pixelId));
    return (await this.emu.admin.listDestinations()).filter((d) => pixels.has(d.pixelId));
  }

  tempDir(): string {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), "upstack-klaviyo-examples-"));
    this.dirs.push(d);
    return d;
  }

  /** The provider config pointing at the emulator. */
  providerConfig(): Record<string, ConfigValue> {
    return { "upstack:apiUrl": this.emu.url, "upstack:klaviyoApiUrl": this.emu.url };
  }

  /** `upstack:apiKeys` for these stores (secret). */
  apiKeysConfig(stores: Store[]): Record<string, ConfigValue> {
    return { "upstack:apiKeys": { secret: JSON.stringify(Object.fromEntries(stores.map((s) => [s.pixelId, s.upstack.apiKey]))) } };
  }

  engine(programDir: string, stateFile: string, config: Record<string, ConfigValue>, opts: { stack?: string; env?: Record<string, string> } = {}): Engine {
    const e = new Engine({
      programDir,
      stateFile,
      stack: opts.stack ?? "dev",
      config: { ...this.providerConfig(), ...config },
      env: { UPSTACK_KLAVIYO_QUIET: "1", ...(opts.env ?? {}) },
    });
    this.engines.push(e);
    return e;
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
