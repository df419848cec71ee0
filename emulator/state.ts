/**
 * The emulator's in-memory model and its JSON persistence (atomic: temp file + rename).
 * @packageDocumentation
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from "node:fs";
import { dirname } from "node:path";
import type { KlaviyoKeyCreated } from "./types";

/** A stored Klaviyo account. */
export interface KlaviyoAccountRecord {
  id: string;
  name: string;
  testAccount: boolean;
  createdAt: string;
}

/** A stored Klaviyo private key (the plaintext is kept: this is an emulator, and it authenticates with it). */
export interface KlaviyoKeyRecord extends KlaviyoKeyCreated {
  revoked: boolean;
  createdAt: string;
}

/** A stored Upstack API key (only its SHA-256 is kept, as Upstack documents). */
export interface UpstackKeyRecord {
  id: string;
  keyHash: string;
  pixelId: string;
  scopes: string[];
  revoked: boolean;
  createdAt: string;
}

/** A stored Klaviyo destination, including the plaintext key it forwards with. */
export interface DestinationRecord {
  id: string;
  pixelId: string;
  owner: string | null;
  enabled: boolean;
  label: string;
  privateApiKey: string;
  klaviyoAccountId: string | null;
  publicApiKey: string | null;
  scopes: string[];
  createdAt: string;
  updatedAt: string;
  keyRotatedAt: string;
  etag: string;
}

/** A stored idempotent PUT outcome (its body never holds the plaintext key). */
export interface IdempotencyRecord {
  pixelId: string;
  key: string;
  bodyHash: string;
  status: number;
  headers: Record<string, string>;
  body: string;
  at: number;
}

/** Everything the emulator persists. */
export interface StateData {
  version: 1;
  klaviyo: { accounts: KlaviyoAccountRecord[]; keys: KlaviyoKeyRecord[] };
  upstack: { keys: UpstackKeyRecord[]; destinations: DestinationRecord[]; idempotency: IdempotencyRecord[] };
}

/** An empty state. */
export function emptyState(): StateData {
  return { version: 1, klaviyo: { accounts: [], keys: [] }, upstack: { keys: [], destinations: [], idempotency: [] } };
}

/** Holds the model; call {@link EmulatorState.commit} after every change to persist it. */
export class EmulatorState {
  /** The current data (mutate, then commit). */
  data: StateData;
  private readonly file: string | undefined;

  /** Loads `file` when given and it exists; otherwise starts empty. */
  constructor(file?: string) {
    this.file = file;
    this.data = emptyState();
    if (file !== undefined && existsSync(file)) {
      const parsed = JSON.parse(readFileSync(file, "utf8")) as Partial<StateData>;
      if (parsed.version !== 1 || !parsed.klaviyo || !parsed.upstack) {
        throw new Error(`Emulator state file ${file} is not a version 1 state`);
      }
      this.data = { ...emptyState(), ...parsed } as StateData;
    }
  }

  /** Persists the state when a state file is configured (temp file + rename, mode 0600). */
  commit(): void {
    if (this.file === undefined) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.data, null, 2), { mode: 0o600 });
    renameSync(tmp, this.file);
  }

  /** Clears everything and persists. */
  reset(): void {
    this.data = emptyState();
    this.commit();
  }
}
