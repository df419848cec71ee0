/**
 * Upstack API keys and Klaviyo destinations in the emulator state; status computed at read time.
 * @packageDocumentation
 */
import { randomUUID } from "node:crypto";
import { fakeId, fakeUpstackApiKey, keyFingerprint, keyHint, newEtag, sha256Hex } from "../keys";
import { AdminInputError, findKeyByPlaintext } from "../klaviyo/model";
import type { DestinationRecord, EmulatorState, UpstackKeyRecord } from "../state";
import type { CreateUpstackKeyInput, DestinationView, UpstackKeyCreated, UpstackKeyView } from "../types";

/** Scopes of a new Upstack key unless told otherwise. */
export const DEFAULT_UPSTACK_SCOPES: readonly string[] = ["destinations:read", "destinations:write"];

/** The statusReason of a destination whose Klaviyo key no longer works. */
export const UNHEALTHY_REASON = "Klaviyo rejects the private key: it is invalid, disabled or revoked";

/** Creates an Upstack API key scoped to one pixel. */
export function createUpstackKey(state: EmulatorState, input: CreateUpstackKeyInput, now = new Date()): UpstackKeyCreated {
  const apiKey = fakeUpstackApiKey();
  const record: UpstackKeyRecord = {
    id: fakeId("uk_", 16),
    keyHash: sha256Hex(apiKey),
    pixelId: input.pixelId ?? randomUUID(),
    scopes: [...(input.scopes ?? DEFAULT_UPSTACK_SCOPES)],
    revoked: false,
    createdAt: now.toISOString(),
  };
  state.data.upstack.keys.push(record);
  state.commit();
  return { id: record.id, apiKey, pixelId: record.pixelId, scopes: [...record.scopes] };
}

/** An Upstack key's admin view. */
export function upstackKeyView(k: UpstackKeyRecord): UpstackKeyView {
  return { id: k.id, pixelId: k.pixelId, scopes: [...k.scopes], revoked: k.revoked, createdAt: k.createdAt };
}

/** Revokes an Upstack key. */
export function revokeUpstackKey(state: EmulatorState, id: string): UpstackKeyView {
  const k = state.data.upstack.keys.find((x) => x.id === id);
  if (!k) throw new AdminInputError(404, `No Upstack key ${id}`);
  k.revoked = true;
  state.commit();
  return upstackKeyView(k);
}

/** The live (not revoked) key record for a plaintext Upstack key. */
export function findUpstackKey(state: EmulatorState, apiKey: string): UpstackKeyRecord | undefined {
  const hash = sha256Hex(apiKey);
  return state.data.upstack.keys.find((k) => k.keyHash === hash && !k.revoked);
}

/** The pixel's destination. */
export function findDestination(state: EmulatorState, pixelId: string): DestinationRecord | undefined {
  return state.data.upstack.destinations.find((d) => d.pixelId === pixelId);
}

/** The contract view of a destination, with status computed now from the Klaviyo state. */
export function destinationView(state: EmulatorState, d: DestinationRecord): DestinationView {
  let status: DestinationView["status"] = "healthy";
  let statusReason: string | null = null;
  if (!d.enabled) status = "disabled";
  else {
    const k = findKeyByPlaintext(state, d.privateApiKey);
    const accountExists = k !== undefined && state.data.klaviyo.accounts.some((a) => a.id === k.accountId);
    if (!k || k.disabled || k.revoked || !accountExists) {
      status = "unhealthy";
      statusReason = UNHEALTHY_REASON;
    }
  }
  return {
    id: d.id,
    pixelId: d.pixelId,
    platform: "klaviyo",
    owner: d.owner,
    enabled: d.enabled,
    label: d.label,
    status,
    statusReason,
    klaviyoAccountId: d.klaviyoAccountId,
    publicApiKey: d.publicApiKey,
    scopes: [...d.scopes],
    keyFingerprint: keyFingerprint(d.privateApiKey),
    keyHint: keyHint(d.privateApiKey),
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    keyRotatedAt: d.keyRotatedAt,
    etag: d.etag,
  };
}

/** Fields a write may set. */
export interface DestinationFields {
  privateApiKey: string;
  owner: string | null;
  enabled: boolean;
  label: string;
  klaviyoAccountId: string | null;
  publicApiKey: string | null;
  scopes: string[];
}

/** Creates a destination (not committed: the caller commits). */
export function newDestination(pixelId: string, f: DestinationFields, now: Date): DestinationRecord {
  const at = now.toISOString();
  return { id: fakeId("dst_"), pixelId, ...f, scopes: [...f.scopes], createdAt: at, updatedAt: at, keyRotatedAt: at, etag: newEtag() };
}

/**
 * Applies `f` to `d`; bumps etag and updatedAt only when something changed, keyRotatedAt only when the
 * key's fingerprint changed. Returns whether anything changed (the caller commits).
 */
export function applyDestination(d: DestinationRecord, f: Partial<DestinationFields>, now: Date): boolean {
  let changed = false;
  const at = now.toISOString();
  if (f.privateApiKey !== undefined && keyFingerprint(f.privateApiKey) !== keyFingerprint(d.privateApiKey)) {
    d.privateApiKey = f.privateApiKey;
    d.keyRotatedAt = at;
    changed = true;
  }
  if (f.owner !== undefined && f.owner !== d.owner) {
    d.owner = f.owner;
    changed = true;
  }
  if (f.enabled !== undefined && f.enabled !== d.enabled) {
    d.enabled = f.enabled;
    changed = true;
  }
  if (f.label !== undefined && f.label !== d.label) {
    d.label = f.label;
    changed = true;
  }
  if (f.klaviyoAccountId !== undefined && f.klaviyoAccountId !== d.klaviyoAccountId) {
    d.klaviyoAccountId = f.klaviyoAccountId;
    changed = true;
  }
  if (f.publicApiKey !== undefined && f.publicApiKey !== d.publicApiKey) {
    d.publicApiKey = f.publicApiKey;
    changed = true;
  }
  if (f.scopes !== undefined && JSON.stringify(f.scopes) !== JSON.stringify(d.scopes)) {
    d.scopes = [...f.scopes];
    changed = true;
  }
  if (changed) {
    d.updatedAt = at;
    d.etag = newEtag();
  }
  return changed;
}

/** Deletes the pixel's destination; true when there was one (the caller commits). */
export function removeDestination(state: EmulatorState, pixelId: string): boolean {
  const before = state.data.upstack.destinations.length;
  state.data.upstack.destinations = state.data.upstack.destinations.filter((d) => d.pixelId !== pixelId);
  return state.data.upstack.destinations.length !== before;
}
