/**
 * Shared by the engine scenarios and the example suites: one in-process emulator per test file, a
 * fresh Klaviyo account + Full Access key and a fresh pixel + Upstack key per "world", temp dirs
 * and engines that are always cleaned up, and every key handed out remembered for leak scans.
 */
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../emulator";
import type { KlaviyoAccountView, KlaviyoKeyCreated, UpstackKeyCreated } from "../../emulator";
import type { ConfigValue, Engine } from "@upstack-klaviyo/engine-driver";
import { ContractWatch } from "./contract-watch";

/** A Klaviyo account with one Full Access key, a pixel and an Upstack key scoped to that pixel. */
export interface World {
  account: KlaviyoAccountView;
  key: KlaviyoKeyCreated;
  pixelId: string;
  upstack: UpstackKeyCreated;
}

/** The base of the per-file fixtures. */
export class EmulatorHarness<E extends Engine = Engine> {
  emu!: RunningEmulator;
  protected readonly engines: E[] = [];
  private readonly dirs: string[] = [];
  /** Every Klaviyo private key and Upstack API key handed out (plaintext). */
  readonly secrets = new Set<string>();

  /** Validates every Upstack request the provider sends and every answer against the contract. */
  readonly contract = new ContractWatch();

  async start(): Promise<void> {
    this.emu = await startEmulator({ upstack: { observe: this.contract.observe } });
  }

  /**
   * Dispose every engine, close the emulator, remove temp dirs. Safe to call twice. Fails when any
   * Upstack request or answer of the file violated the contract.
   */
  async close(): Promise<void> {
    await Promise.all(this.engines.splice(0).map((e) => e.dispose()));
    await this.emu?.close();
    for (const d of this.dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
    this.contract.assertClean();
  }

  tempDir(prefix = "upstack-klaviyo-test-"): string {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    this.dirs.push(d);
    return d;
  }

  /** A fresh Klaviyo account + Full Access key, a fresh pixel and an Upstack key for it. */
  async world(name = "Test Store"): Promise<World> {
    const { account, key } = await this.emu.admin.createKlaviyoAccountWithKey({ name }, { label: "UpstackData" });
    const pixelId = randomUUID();
    const upstack = await this.upstackKey(pixelId);
    this.secrets.add(key.key);
    return { account, key, pixelId, upstack };
  }

  /** Another Full Access key on the account (for rotation). */
  async klaviyoKey(accountId: string): Promise<KlaviyoKeyCreated> {
    const k = await this.emu.admin.createKlaviyoKey({ accountId, label: "UpstackData (rotated)" });
    this.secrets.add(k.key);
    return k;
  }

  async upstackKey(pixelId: string): Promise<UpstackKeyCreated> {
    const k = await this.emu.admin.createUpstackKey({ pixelId });
    this.secrets.add(k.apiKey);
    return k;
  }

  /** Provider config pointing at the emulator. */
  providerConfig(): Record<string, ConfigValue> {
    return { "upstack:apiUrl": this.emu.url, "upstack:klaviyoApiUrl": this.emu.url };
  }

  protected track(engine: E): E {
    this.engines.push(engine);
    return engine;
  }
}
