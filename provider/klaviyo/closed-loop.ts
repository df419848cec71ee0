/**
 * Closing the rotation loop on Klaviyo's side, engine-neutral (the context is passed in):
 * after a rotation is written to Upstack, retire the replaced key when asked to
 * (`retireReplacedKey`); at refresh, ask Klaviyo for the status of the key Upstack holds; after
 * validation, advise on the key's name. Handlers call these three functions and nothing else of
 * this feature.
 */
import { refreshKlaviyoKey, type ProviderSettings } from "../config";
import { keyHint } from "../fingerprint";
import type { KlaviyoApiKeys } from "./api-key-client";
import { keyNameWarning, type OnceWarnings } from "./key-conventions";
import { decideRetirement, retire, type ReplacedKey } from "./key-retirement";
import type { KeyStatusChecker } from "./key-status";
import type { KeysInUse } from "./keys-in-use";

/** What these functions need. */
export interface ClosedLoopContext {
  /** The provider settings (refresh keys). */
  readonly settings: ProviderSettings;
  /** The single-key endpoints. */
  readonly apiKeys: KlaviyoApiKeys;
  /** Refresh's per-process key status cache. */
  readonly keyStatus: KeyStatusChecker;
  /** Once-per-process advice. */
  readonly advice: OnceWarnings;
  /** Which destinations of this run want which key. */
  readonly keysInUse: KeysInUse;
  /** Writes a warning the user should act on. */
  readonly warn: (message: string) => void;
}

/** The outputs that record a retirement. */
export interface RetirementRecord {
  /** Klaviyo's id of the key disabled after the last rotation that retired one. */
  readonly retiredKeyId?: string;
  /** When it was disabled (or found disabled), ISO 8601. */
  readonly retiredAt?: string;
}

/** The retirement recorded in earlier outputs (carried forward until the next retirement). */
export function retirementFromOutputs(olds: Readonly<Record<string, unknown>>): RetirementRecord {
  const id = olds["retiredKeyId"];
  const at = olds["retiredAt"];
  return typeof id === "string" && id !== "" && typeof at === "string" ? { retiredKeyId: id, retiredAt: at } : {};
}

/** The replaced key, as the outputs recorded before the write describe it. */
export function replacedKeyFromOutputs(olds: Readonly<Record<string, unknown>>): ReplacedKey {
  const str = (name: string): string | undefined => (typeof olds[name] === "string" && olds[name] !== "" ? (olds[name] as string) : undefined);
  return { fingerprint: str("keyFingerprint"), hint: str("keyHint"), keyId: str("klaviyoKeyId"), accountId: str("klaviyoAccountId") };
}

/**
 * After a write to Upstack: when `enabled` and the write rotated the key, disables the replaced
 * key in Klaviyo (see key-retirement.ts for the rules). Returns the retirement record for the
 * outputs: the new one, or the one recorded before. A refusal or failure is a warning, never an
 * error: the rotation stands.
 */
export async function retireReplacedKeyAfterWrite(
  ctx: ClosedLoopContext,
  args: {
    readonly enabled: boolean;
    readonly olds: Readonly<Record<string, unknown>>;
    readonly privateKey: string;
    /** Who manages this destination (its owner). */
    readonly owner: string;
    readonly validation: { readonly fingerprint: string; readonly keyId: string | undefined; readonly accountId: string };
    readonly upstack: { readonly keyFingerprint: string; readonly status: string };
  },
): Promise<RetirementRecord> {
  const previous = retirementFromOutputs(args.olds);
  const replaced = replacedKeyFromOutputs(args.olds);
  const hint = keyHint(args.privateKey);
  if (replaced.fingerprint !== undefined && replaced.fingerprint !== args.validation.fingerprint) ctx.keysInUse.forget(replaced.fingerprint, args.owner);
  ctx.keysInUse.note(args.validation.fingerprint, args.owner);
  const others = replaced.fingerprint === undefined ? [] : ctx.keysInUse.othersUsing(replaced.fingerprint, args.owner);
  const decision = decideRetirement(
    args.enabled,
    replaced,
    { fingerprint: args.validation.fingerprint, hint, keyId: args.validation.keyId, accountId: args.validation.accountId },
    args.upstack,
    others,
  );
  const result = await retire(decision, replaced, { privateKey: args.privateKey, accountId: args.validation.accountId, hint }, ctx.apiKeys);
  if (result.kind === "retired") return { retiredKeyId: result.keyId, retiredAt: result.at };
  if (result.kind === "failed") ctx.warn(result.warning);
  return previous;
}

/**
 * At refresh: the destination's status with Klaviyo's view of the key added. Asks Klaviyo only when
 * Upstack reports the destination healthy, the key Upstack holds is the one validated (same
 * fingerprint as recorded) with a known Klaviyo id, and the key itself is configured where refresh
 * can find it (see {@link ProviderSettings.klaviyoKeysForRefresh}).
 */
export async function klaviyoStatusAtRefresh(
  ctx: ClosedLoopContext,
  recorded: Readonly<Record<string, unknown>>,
  current: { readonly status: string; readonly statusReason?: string | undefined; readonly keyFingerprint: string; readonly klaviyoAccountId: string },
): Promise<{ status: string; statusReason: string | undefined; keyName: string | undefined }> {
  const unchanged = { status: current.status, statusReason: current.statusReason, keyName: undefined };
  const keyId = recorded["klaviyoKeyId"];
  if (current.status !== "healthy" || typeof keyId !== "string" || keyId === "" || recorded["keyFingerprint"] !== current.keyFingerprint) return unchanged;
  const key = refreshKlaviyoKey(ctx.settings, current.keyFingerprint);
  if (key === undefined) {
    ctx.advice.warn(
      "refresh did not ask Klaviyo for the key's status: the key is not in the stack config as klaviyoPrivateKey or klaviyoKeys, nor in KLAVIYO_PRIVATE_KEY (refresh is given only the stored outputs, never the key). The status shown is Upstack's.",
    );
    return unchanged;
  }
  const verdict = await ctx.keyStatus.check(key, keyId, current.klaviyoAccountId);
  if (verdict.kind === "unhealthy") return { status: "unhealthy", statusReason: verdict.reason, keyName: undefined };
  if (verdict.kind === "active") return { ...unchanged, keyName: verdict.name };
  ctx.advice.warn(`refresh could not ask Klaviyo for the status of the key ${keyHint(key)}: ${verdict.why}. The status shown is Upstack's.`);
  return unchanged;
}

/** Records that the destination managed by `owner` wants the key with `fingerprint` (from check, for every destination of the run). */
export function noteDesiredKey(ctx: Pick<ClosedLoopContext, "keysInUse">, fingerprint: string, owner: unknown): void {
  if (typeof owner === "string" && owner !== "") ctx.keysInUse.note(fingerprint, owner);
}

/** After validation: advice when the key's Klaviyo name is not the conventional one. */
export function adviseOnKeyName(ctx: Pick<ClosedLoopContext, "advice">, validation: { readonly keyName: string | undefined; readonly hint: string }): void {
  ctx.advice.warn(keyNameWarning(validation.keyName, validation.hint));
}
