/**
 * Closing the rotation loop on Klaviyo's side, engine-neutral (the context is passed in):
 * after a rotation is written to Upstack, retire the replaced key when asked to
 * (`retireReplacedKey`); at refresh, ask Klaviyo for the status of the key Upstack holds; after
 * validation, advise on the key's name. The core lifecycle (provider/core/lifecycle.ts) calls
 * these functions and nothing else of this feature.
 */
import { refreshKlaviyoKey, type ProviderSettings } from "../config";
import type { PriorState } from "../core/prior";
import type { Vocabulary } from "../core/vocabulary";
import { keyFingerprint, keyHint } from "../fingerprint";
import { registerSecret } from "../redact";
import type { Logger } from "../log";
import type { KlaviyoApiKeys } from "./api-key-client";
import { keyNameWarning, type OnceWarnings } from "./key-conventions";
import { decideRetirement, retire, type ReplacedKey } from "./key-retirement";
import type { KeyStatusChecker } from "./key-status";
import type { KeysInUse } from "./keys-in-use";

/** What these functions need (a core context has all of it). */
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
  /** Where warnings the user should act on go. */
  readonly log: Pick<Logger, "warn">;
  /** The words of the engine the warnings appear in. */
  readonly words: Vocabulary;
  /** The time a retirement is recorded at. */
  readonly clock: { now(): number };
}

/** The outputs that record a retirement. */
export interface RetirementRecord {
  /** Klaviyo's id of the key disabled after the last rotation that retired one. */
  readonly retiredKeyId?: string;
  /** When it was disabled (or found disabled), ISO 8601. */
  readonly retiredAt?: string;
}

/** The retirement recorded in the prior state (carried forward until the next retirement). */
export function retirementFromPrior(prior: Pick<PriorState, "retiredKeyId" | "retiredAt">): RetirementRecord {
  return prior.retiredKeyId !== undefined && prior.retiredAt !== undefined ? { retiredKeyId: prior.retiredKeyId, retiredAt: prior.retiredAt } : {};
}

/** The replaced key, as the prior state (the outputs recorded before the write) describes it. */
export function replacedKeyFromPrior(prior: Pick<PriorState, "keyFingerprint" | "keyHint" | "validation">): ReplacedKey {
  return {
    fingerprint: prior.keyFingerprint,
    hint: prior.keyHint,
    keyId: prior.validation.keyId,
    accountId: prior.validation.accountId === "" ? undefined : prior.validation.accountId,
  };
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
    readonly prior: PriorState;
    readonly privateKey: string;
    /** Who manages this destination (its owner). */
    readonly owner: string;
    readonly validation: { readonly fingerprint: string; readonly keyId: string | undefined; readonly accountId: string };
    readonly upstack: { readonly keyFingerprint: string; readonly status: string };
  },
): Promise<RetirementRecord> {
  const previous = retirementFromPrior(args.prior);
  const replaced = replacedKeyFromPrior(args.prior);
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
  const result = await retire(
    decision,
    replaced,
    { privateKey: args.privateKey, accountId: args.validation.accountId, hint },
    ctx.apiKeys,
    () => new Date(ctx.clock.now()),
    ctx.words,
  );
  if (result.kind === "retired") return { retiredKeyId: result.keyId, retiredAt: result.at };
  if (result.kind === "failed") ctx.log.warn(result.warning);
  return previous;
}

/**
 * At refresh: the destination's status with Klaviyo's view of the key added. Asks Klaviyo only when
 * Upstack reports the destination healthy, the key Upstack holds is the one validated (same
 * fingerprint as recorded) with a known Klaviyo id, and the key itself is at hand: `heldKey`, the key
 * the engine's own state holds for the resource (Terraform's sensitive `private_api_key`), or one
 * configured where refresh can find it (see {@link ProviderSettings.klaviyoKeysForRefresh}); either
 * only when its fingerprint is the one Upstack holds.
 */
export async function klaviyoStatusAtRefresh(
  ctx: ClosedLoopContext,
  recorded: Pick<PriorState, "keyFingerprint" | "validation">,
  current: { readonly status: string; readonly statusReason?: string | undefined; readonly keyFingerprint: string; readonly klaviyoAccountId: string },
  heldKey?: string,
): Promise<{ status: string; statusReason: string | undefined; keyName: string | undefined }> {
  const unchanged = { status: current.status, statusReason: current.statusReason, keyName: undefined };
  const keyId = recorded.validation.keyId;
  if (current.status !== "healthy" || keyId === undefined || recorded.keyFingerprint !== current.keyFingerprint) return unchanged;
  const held = heldKey?.trim();
  if (held !== undefined && held !== "") registerSecret(held);
  const key = held !== undefined && keyFingerprint(held) === current.keyFingerprint ? held : refreshKlaviyoKey(ctx.settings, current.keyFingerprint);
  if (key === undefined) {
    ctx.advice.warn(`refresh did not ask Klaviyo for the key's status: ${ctx.words.refreshKeySources}. The status shown is Upstack's.`);
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
export function adviseOnKeyName(
  ctx: Pick<ClosedLoopContext, "advice" | "words">,
  validation: { readonly keyName: string | undefined; readonly hint: string },
): void {
  ctx.advice.warn(keyNameWarning(validation.keyName, validation.hint, ctx.words));
}
