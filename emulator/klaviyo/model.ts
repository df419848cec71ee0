/**
 * Klaviyo accounts and private keys in the emulator state.
 * @packageDocumentation
 */
import { fakeKlaviyoAccountId, fakeKlaviyoPrivateKey, fakeId, klaviyoRedacted } from "../keys";
import type { EmulatorState, KlaviyoAccountRecord, KlaviyoKeyRecord } from "../state";
import type { CreateKlaviyoAccountInput, CreateKlaviyoKeyInput, KlaviyoAccountView, KlaviyoKeyCreated, KlaviyoKeyView } from "../types";
import { isKlaviyoScope, scopesFor } from "./scopes";

/** A domain error the admin API turns into a 4xx. */
export class AdminInputError extends Error {
  /** HTTP status to answer with. */
  readonly status: number;
  /** Creates the error. */
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** Creates an account. */
export function createAccount(state: EmulatorState, input: CreateKlaviyoAccountInput, now = new Date()): KlaviyoAccountView {
  const accounts = state.data.klaviyo.accounts;
  let id = input.id;
  if (id === undefined) {
    do id = fakeKlaviyoAccountId();
    while (accounts.some((a) => a.id === id));
  } else if (accounts.some((a) => a.id === id)) {
    throw new AdminInputError(409, `Klaviyo account ${id} already exists`);
  }
  const record: KlaviyoAccountRecord = {
    id,
    name: input.name ?? `Emulated Store ${id}`,
    testAccount: input.testAccount ?? false,
    createdAt: now.toISOString(),
  };
  accounts.push(record);
  state.commit();
  return accountView(record);
}

/** An account's admin view. */
export function accountView(a: KlaviyoAccountRecord): KlaviyoAccountView {
  return { id: a.id, name: a.name, testAccount: a.testAccount, createdAt: a.createdAt };
}

/** Creates a fake private key on an existing account. */
export function createKey(state: EmulatorState, input: CreateKlaviyoKeyInput, now = new Date()): KlaviyoKeyCreated {
  if (!state.data.klaviyo.accounts.some((a) => a.id === input.accountId)) {
    throw new AdminInputError(404, `No Klaviyo account ${input.accountId}`);
  }
  const accessLevel = input.accessLevel ?? "full";
  const unknown = (input.scopes ?? []).filter((s) => !isKlaviyoScope(s));
  if (unknown.length > 0) throw new AdminInputError(400, `Unknown Klaviyo scopes: ${unknown.join(", ")}`);
  if (accessLevel !== "custom" && input.scopes !== undefined) {
    // Never drop them silently: a Full Access key holds every scope, a Read-Only key every :read scope.
    throw new AdminInputError(
      400,
      `scopes are only for a custom key: a ${accessLevel === "full" ? "Full Access key holds every scope" : "Read-Only key holds every :read scope"} of Klaviyo's list. Use accessLevel "custom" to choose scopes.`,
    );
  }
  if (accessLevel === "custom" && (input.scopes ?? []).length === 0) {
    throw new AdminInputError(400, "a custom key needs at least one scope (scopes)");
  }
  const record: KlaviyoKeyRecord = {
    id: fakeId("", 26).toUpperCase(),
    key: fakeKlaviyoPrivateKey(input.format ?? "classic"),
    accountId: input.accountId,
    accessLevel,
    scopes: scopesFor(accessLevel, input.scopes ?? []),
    label: input.label ?? "UpstackData",
    disabled: input.disabled ?? false,
    revoked: false,
    createdAt: now.toISOString(),
  };
  state.data.klaviyo.keys.push(record);
  state.commit();
  return {
    id: record.id,
    key: record.key,
    accountId: record.accountId,
    accessLevel: record.accessLevel,
    scopes: [...record.scopes],
    label: record.label,
    disabled: record.disabled,
  };
}

/** A key's admin view (no plaintext). */
export function keyView(k: KlaviyoKeyRecord): KlaviyoKeyView {
  return {
    id: k.id,
    redacted: klaviyoRedacted(k.key),
    accountId: k.accountId,
    accessLevel: k.accessLevel,
    scopes: [...k.scopes],
    label: k.label,
    disabled: k.disabled,
    revoked: k.revoked,
    createdAt: k.createdAt,
  };
}

function findKeyById(state: EmulatorState, id: string): KlaviyoKeyRecord {
  const k = state.data.klaviyo.keys.find((x) => x.id === id);
  if (!k) throw new AdminInputError(404, `No Klaviyo key ${id}`);
  return k;
}

/** Disables or re-enables a key. */
export function setKeyDisabled(state: EmulatorState, id: string, disabled: boolean): KlaviyoKeyView {
  const k = findKeyById(state, id);
  k.disabled = disabled;
  state.commit();
  return keyView(k);
}

/** Revokes (deletes) a key: it stops authenticating and leaves the api-keys listing. */
export function revokeKey(state: EmulatorState, id: string): KlaviyoKeyView {
  const k = findKeyById(state, id);
  k.revoked = true;
  state.commit();
  return keyView(k);
}

/** The key record for a plaintext key, whatever its condition. */
export function findKeyByPlaintext(state: EmulatorState, key: string): KlaviyoKeyRecord | undefined {
  return state.data.klaviyo.keys.find((k) => k.key === key);
}

/** The key record for a plaintext key that authenticates (known, not disabled, not revoked, account exists). */
export function usableKey(state: EmulatorState, key: string): KlaviyoKeyRecord | undefined {
  const k = findKeyByPlaintext(state, key);
  if (!k || k.disabled || k.revoked) return undefined;
  if (!state.data.klaviyo.accounts.some((a) => a.id === k.accountId)) return undefined;
  return k;
}
