/**
 * The destination's lifecycle, engine-neutral: check (validate inputs, and
 * the key when the plan says so), create, update, read and delete. Each
 * function takes the {@link CoreContext} explicitly. Nothing is written to
 * Upstack unless the key passed validation.
 */
import { randomUUID } from "node:crypto";
import { upstackCredentials } from "../config";
import { PartialCreateError, UpstackApiError, UpstackKlaviyoError } from "../errors";
import { keyFingerprint } from "../fingerprint";
import { accessRequirement } from "../klaviyo/access";
import { adviseOnKeyName, klaviyoStatusAtRefresh, noteDesiredKey, retireReplacedKeyAfterWrite, retirementFromPrior } from "../klaviyo/closed-loop";
import type { KeyValidation } from "../klaviyo/key-validator";
import { redact, registerSecret } from "../redact";
import type { DestinationWrite, UpstackDestination } from "../upstack/client";
import { updateConditions } from "../upstack/write-policy";
import type { CoreContext } from "./context";
import { isUnknown, normalizeScopes, parseDesired, type DesiredState, type InputFailure, type RawInputs } from "./inputs";
import { buildOutputs } from "./outputs";
import { planChanges } from "./plan";
import type { KnownValidation, PriorState } from "./prior";
import { SECRET_INPUT_NAMES, type DestinationOutputs } from "./shape";

/** What {@link checkDesired} found. */
export interface CheckOutcome {
  /** The normalised inputs (plus the managed `keyFingerprint` when the key is known); on failure, the raw inputs minus managed ones. */
  readonly values: Readonly<Record<string, unknown>>;
  /** Failures by canonical input; empty when the inputs are valid. */
  readonly failures: readonly InputFailure[];
}

/** Inputs the provider manages itself: the fingerprint of the key last validated or read, and the status last read. */
export const MANAGED_INPUTS = ["keyFingerprint", "status"] as const;

/** Registers every credential among raw inputs with the redactor, before anything can echo one. */
export function registerInputSecrets(raw: RawInputs): void {
  for (const name of SECRET_INPUT_NAMES) {
    const value = raw[name];
    if (typeof value === "string") registerSecret(value);
  }
}

/**
 * Validates `raw` inputs and — when the key is new or changed, what it is
 * checked against changed, or the destination was last seen unhealthy —
 * validates the key live against Klaviyo, so a plan already fails on a
 * revoked or wrong key. Unknown values pass through unvalidated.
 */
export async function checkDesired(ctx: CoreContext, prior: PriorState, raw: RawInputs): Promise<CheckOutcome> {
  registerInputSecrets(raw);
  const parsed = parseDesired(raw, { defaultPixelId: ctx.settings.pixelId, words: ctx.words });
  if (parsed.failures.length > 0) return { values: withoutManaged(raw), failures: parsed.failures };
  const values: Record<string, unknown> = { ...parsed.values };
  const key = values["privateApiKey"];
  if (typeof key !== "string" || isUnknown(key)) return { values, failures: [] };
  const fingerprint = keyFingerprint(key);
  values["keyFingerprint"] = fingerprint;
  // Every destination of the run records the key it wants, so a retirement never disables a key another one still uses.
  noteDesiredKey(ctx, fingerprint, values["owner"]);
  if (!planChanges(prior, values).revalidateKey) return { values, failures: [] };
  if (isUnknown(values["publicApiKey"]) || isUnknown(values["scopes"])) return { values, failures: [] };
  try {
    const validation = await ctx.validator.validate(key, {
      publicApiKey: typeof values["publicApiKey"] === "string" ? values["publicApiKey"] : undefined,
      requirement: accessRequirement(Array.isArray(values["scopes"]) ? (values["scopes"] as string[]) : undefined),
    });
    adviseOnKeyName(ctx, validation);
  } catch (error) {
    return { values: withoutManaged(raw), failures: [toFailure(error, ctx)] };
  }
  return { values, failures: [] };
}

/** Validates the desired key against Klaviyo (cached per context by fingerprint and target). */
export function validateDesired(ctx: CoreContext, desired: DesiredState): Promise<KeyValidation> {
  return ctx.validator.validate(desired.privateApiKey, { publicApiKey: desired.publicApiKey, requirement: accessRequirement(desired.scopes) });
}

/** A created destination: its id and outputs. */
export interface CreatedDestination {
  /** Upstack's id (`dst_…`). */
  readonly id: string;
  /** The outputs. */
  readonly outputs: DestinationOutputs;
}

/**
 * Validates the key, then registers it with Upstack as an idempotent upsert
 * owned by this resource; re-running after a crash updates the same
 * destination. When Upstack registers it but reports it unhealthy, throws a
 * {@link PartialCreateError} (`upstack_destination_unhealthy`) carrying the
 * id and outputs, so the engine keeps track of it.
 */
export async function createDestination(ctx: CoreContext, desired: DesiredState): Promise<CreatedDestination> {
  const validation = await validateDesired(ctx, desired);
  adviseOnKeyName(ctx, validation);
  const dest = await writeDestination(ctx, desired, validation, { adopt: desired.adopt });
  const outputs = buildOutputs(dest, validation, desired);
  if (dest.status === "unhealthy") {
    throw new PartialCreateError(
      "upstack_destination_unhealthy",
      dest.id,
      { ...outputs },
      `Upstack registered the Klaviyo destination ${dest.id} but reports it unhealthy: ${dest.statusReason ?? "no reason given"}. Check the key in Klaviyo and run ${ctx.words.applyAgain} again.`,
    );
  }
  return { id: dest.id, outputs };
}

/**
 * Rotates the key or changes settings in place. The key is validated again
 * when {@link planChanges} says so; the write is conditional on the ETag last
 * seen, so a change made in the dashboard meanwhile is never overwritten
 * silently. After the write, with `retireReplacedKey`, the replaced key is
 * disabled in Klaviyo (see closed-loop.ts); the outputs carry the retirement
 * made now or the one recorded before.
 */
export async function updateDestination(ctx: CoreContext, prior: PriorState, desired: DesiredState): Promise<DestinationOutputs> {
  const plan = planChanges(prior, desired as unknown as Readonly<Record<string, unknown>>);
  const fresh = plan.revalidateKey ? await validateDesired(ctx, desired) : undefined;
  const validation: KnownValidation & { fingerprint: string } = fresh ?? { ...prior.validation, fingerprint: keyFingerprint(desired.privateApiKey) };
  // Adopts only when asked (or on the resource's own rename, at the recorded ETag): see write-policy.ts.
  const conditions = updateConditions(
    { ...(prior.etag === undefined ? {} : { etag: prior.etag }), ...(prior.owner === undefined ? {} : { owner: prior.owner }) },
    desired,
  );
  const dest = await writeDestination(ctx, desired, validation, conditions);
  if (fresh !== undefined) adviseOnKeyName(ctx, fresh);
  const retirement = await retireReplacedKeyAfterWrite(ctx, {
    enabled: desired.retireReplacedKey === true,
    prior,
    privateKey: desired.privateApiKey,
    owner: desired.owner,
    validation,
    upstack: dest,
  });
  return { ...buildOutputs(dest, validation, desired), ...retirement };
}

/** What {@link readDestination} found. */
export interface ReadDestination {
  /** The outputs as Upstack holds the destination now. */
  readonly outputs: DestinationOutputs;
  /** The inputs that reproduce it (the managed `keyFingerprint` and `status` included; never a key). */
  readonly inputs: Readonly<Record<string, unknown>>;
}

/**
 * Reads the destination back. Gone, or managed by someone else now →
 * undefined (the engine drops it). A key changed outside shows as a different
 * fingerprint; a key Klaviyo now rejects shows as status `unhealthy`, which
 * makes the next check validate the key again. When Upstack reports it
 * healthy and the key can be found (`heldKey`, the key the engine's state
 * holds for the resource, if any; else the configured keys, see
 * closed-loop.ts), Klaviyo is asked for the key's own status, so a key
 * disabled there shows as unhealthy before Upstack notices.
 */
export async function readDestination(ctx: CoreContext, id: string, prior: PriorState, heldKey?: string): Promise<ReadDestination | undefined> {
  const pixelId = prior.pixelId ?? "";
  const owner = prior.owner ?? "";
  const dest = await ctx.upstack.get(upstackCredentials(ctx.settings, pixelId, undefined, ctx.words));
  if (dest === undefined || dest.id !== id || (dest.owner !== null && owner !== "" && dest.owner !== owner)) return undefined;
  const outputs = buildOutputs(dest, prior.validation, {
    pixelId,
    owner,
    ...(prior.publicApiKey === undefined ? {} : { publicApiKey: prior.publicApiKey }),
    ...(prior.scopes === undefined ? {} : { scopes: prior.scopes }),
  });
  // Klaviyo's side: a key disabled or deleted there is unhealthy even before Upstack notices.
  const klaviyo = await klaviyoStatusAtRefresh(ctx, prior, outputs, heldKey);
  outputs.status = klaviyo.status;
  if (klaviyo.statusReason === undefined) delete outputs.statusReason;
  else outputs.statusReason = klaviyo.statusReason;
  if (klaviyo.keyName !== undefined) outputs.klaviyoKeyName = klaviyo.keyName;
  Object.assign(outputs, retirementFromPrior(prior));
  const inputs: Record<string, unknown> = {
    pixelId,
    owner: outputs.owner,
    enabled: outputs.enabled,
    label: outputs.label,
    adopt: false,
    keyFingerprint: outputs.keyFingerprint,
    status: outputs.status,
  };
  if (outputs.publicApiKey !== undefined) inputs["publicApiKey"] = outputs.publicApiKey;
  if (outputs.scopes !== undefined) inputs["scopes"] = outputs.scopes;
  return { outputs, inputs };
}

/**
 * Removes the destination if this resource still manages it and it is still
 * at the ETag last recorded. Already gone is success; managed by someone else
 * now is left in place, with a warning; changed outside since the last read
 * fails with `upstack_changed_outside_pulumi` (refresh, then destroy again).
 */
export async function deleteDestination(ctx: CoreContext, id: string, prior: PriorState): Promise<"deleted" | "absent" | "not-owned"> {
  const pixelId = prior.pixelId ?? "";
  const result = await ctx.upstack.delete(upstackCredentials(ctx.settings, pixelId, undefined, ctx.words), prior.owner ?? "", prior.etag);
  if (result === "not-owned") {
    ctx.log.warn(`Klaviyo destination ${id} on pixel ${pixelId} is now managed by someone else; it was left in place and removed from this stack only.`);
  }
  return result;
}

/**
 * Upserts the destination. With `ifMatch`, a 412 is followed by one read: if
 * what Upstack holds is already what this write wanted (an earlier attempt
 * of ours committed but its answer was lost), that is success; otherwise the
 * destination was changed outside and the error says what to do.
 */
async function writeDestination(
  ctx: CoreContext,
  desired: DesiredState,
  validation: Pick<KeyValidation, "accountId" | "fingerprint">,
  options: { readonly adopt: boolean; readonly ifMatch?: string },
): Promise<UpstackDestination> {
  const creds = upstackCredentials(ctx.settings, desired.pixelId, desired.upstackApiKey, ctx.words);
  const write: DestinationWrite = {
    privateApiKey: desired.privateApiKey,
    publicApiKey: desired.publicApiKey ?? null,
    klaviyoAccountId: validation.accountId,
    enabled: desired.enabled,
    label: desired.label,
    owner: desired.owner,
    adopt: options.adopt,
    scopes: desired.scopes ?? [],
  };
  try {
    return await ctx.upstack.upsert(creds, write, { idempotencyKey: randomUUID(), ...(options.ifMatch ? { ifMatch: options.ifMatch } : {}) });
  } catch (error) {
    if (!(error instanceof UpstackApiError && error.code === "upstack_changed_outside_pulumi")) throw error;
    const current = await ctx.upstack.get(creds);
    if (current !== undefined && matches(current, write, validation.fingerprint)) return current;
    throw error;
  }
}

function matches(dest: UpstackDestination, write: DestinationWrite, fingerprint: string): boolean {
  return (
    dest.owner === write.owner &&
    dest.keyFingerprint === fingerprint &&
    dest.enabled === write.enabled &&
    dest.label === write.label &&
    (dest.publicApiKey ?? null) === write.publicApiKey &&
    normalizeScopes(dest.scopes).join(",") === normalizeScopes(write.scopes).join(",")
  );
}

function toFailure(error: unknown, ctx: CoreContext): InputFailure {
  if (UpstackKlaviyoError.isInstance(error)) return { property: error.property ?? "privateApiKey", reason: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { property: "privateApiKey", reason: redact(`${ctx.words.property("privateApiKey")}: could not validate the key: ${message}`) };
}

/** The inputs as given, minus managed ones: what goes back alongside failures. */
function withoutManaged(raw: RawInputs): Record<string, unknown> {
  const out: Record<string, unknown> = { ...raw };
  for (const k of MANAGED_INPUTS) delete out[k];
  delete out["destinationStatus"];
  return out;
}
