/**
 * The one bridge between the Terraform provider and the destination's rules
 * (provider/core). This is the only module under provider/terraform/ that
 * imports them; everything else here speaks Terraform: snake_case attribute
 * names and Terraform values.
 *
 * The rules run with a context built in Terraform's words
 * ({@link TERRAFORM_VOCABULARY}: attribute names, the provider block's
 * settings, `terraform plan -refresh-only`), so their messages need no
 * translation. This module converts values both ways (`pixel_id` ⇄
 * `pixelId`, Terraform's unknown ⇄ the rules' placeholder), derives the
 * resource's attributes from the shape (provider/core/shape.ts), and renames
 * `private_api_key` to `private_api_key_wo` in messages when the write-only
 * attribute carries the key.
 */
import { randomUUID } from "node:crypto";
import {
  buildContext,
  createDestination as coreCreate,
  checkDesired,
  deleteDestination as coreDelete,
  DESTINATION_INPUTS,
  DESTINATION_OUTPUTS,
  INPUT_NAMES,
  OUTPUT_NAMES,
  DEFAULT_LABEL,
  UNKNOWN as RULES_UNKNOWN,
  accessRequirement,
  buildOutputs,
  inputSchemas,
  keyFingerprint as fingerprintOf,
  keyHint as hintOf,
  parseDesired,
  parsePrior,
  planChanges,
  readDestination as coreRead,
  redact,
  registerSecret,
  requireDesired,
  terraformSettingName,
  TERRAFORM_VOCABULARY,
  updateDestination as coreUpdate,
  withLogger,
  upstackCredentials,
  UpstackKlaviyoError,
  type ChangePlan,
  type CoreContext,
  type InputName,
  type OutputName,
  type PropertyType,
  type KeyValidation,
  type SettingName,
  type ValidationCarry,
} from "../core";
import { UNKNOWN, type CtyType, type TfObject, type TfValue } from "./values";

/** How one of the shape's properties appears as a Terraform attribute. */
export interface AttributeSpec {
  /** The attribute name (snake_case of the property). */
  readonly name: string;
  /** The shape's property name. */
  readonly property: string;
  /** The cty type. */
  readonly type: CtyType;
  /** Set in configuration. */
  readonly input: boolean;
  /** May be left out of configuration. */
  readonly optional: boolean;
  /** Known only after apply, or defaulted by the provider. */
  readonly computed: boolean;
  /** Hidden in plans and output. */
  readonly sensitive: boolean;
  /** A change replaces the destination. */
  readonly forcesReplacement: boolean;
  /** What it is. */
  readonly description: string;
}

/** A property name in Terraform's words. */
export function attributeName(property: string): string {
  return property.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

const CTY: Readonly<Record<PropertyType, CtyType>> = { string: "string", boolean: "bool", "string[]": ["set", "string"] };

/** Inputs the provider fills in when the configuration leaves them out (so they are also computed). */
const FILLED_BY_PROVIDER: ReadonlySet<InputName> = new Set<InputName>(["pixelId", "enabled", "label", "owner"]);

/** What Terraform adds to the shape's description of an attribute (its defaults and its own ways). */
const TERRAFORM_NOTES: Readonly<Partial<Record<InputName | OutputName, string>>> = {
  pixelId: "Defaults to the provider's pixel_id. Changing it replaces the destination.",
  privateApiKey: "Stored in state (sensitive); prefer private_api_key_wo.",
  enabled: "Default true.",
  label: `Default "${DEFAULT_LABEL}".`,
  adopt: "Default false. `terraform import` by pixel id takes a destination over too.",
  retireReplacedKey: "Default false.",
  owner: "Terraform sets terraform: and a random id at create.",
};

/** The shape's description in Terraform's words: backticked property names become attribute names. */
function describe(name: InputName | OutputName, description: string): string {
  const text = description.replace(/`([a-zA-Z]+)`/g, (whole, word: string) =>
    word in DESTINATION_INPUTS || word in DESTINATION_OUTPUTS ? `\`${attributeName(word)}\`` : whole,
  );
  const note = TERRAFORM_NOTES[name];
  return note === undefined ? text : `${text} ${note}`;
}

/**
 * The destination's attributes, derived from the shape: every input, then
 * every output that is not also an input (the internal `etag` included:
 * Terraform keeps it in state for conditional updates).
 */
export const DESTINATION_ATTRIBUTES: readonly AttributeSpec[] = [
  ...INPUT_NAMES.map((property): AttributeSpec => ({
    name: attributeName(property),
    property,
    type: CTY[DESTINATION_INPUTS[property].type],
    input: true,
    optional: true,
    computed: FILLED_BY_PROVIDER.has(property),
    sensitive: DESTINATION_INPUTS[property].secret,
    forcesReplacement: DESTINATION_INPUTS[property].forcesReplacement,
    description: describe(property, DESTINATION_INPUTS[property].description),
  })),
  ...OUTPUT_NAMES.filter((property) => !(property in DESTINATION_INPUTS)).map((property): AttributeSpec => ({
    name: attributeName(property),
    property,
    type: CTY[DESTINATION_OUTPUTS[property].type],
    input: false,
    optional: false,
    computed: true,
    sensitive: false,
    forcesReplacement: false,
    description: describe(property, DESTINATION_OUTPUTS[property].description),
  })),
];

/** The default label the rules apply. */
export const DEFAULT_DESTINATION_LABEL = DEFAULT_LABEL;

/** A key's validation, and how it is carried between the provider processes of one Terraform run (validation-carry.ts). */
export type { KeyValidation, ValidationCarry };

// ---------------------------------------------------------------- the session

function terraformContext(carry: ValidationCarry | undefined, config?: (key: string) => string | undefined): CoreContext {
  return buildContext({
    words: TERRAFORM_VOCABULARY,
    ...(config === undefined ? {} : { config }),
    ...(carry === undefined ? {} : { validationCarry: carry }),
  });
}

/**
 * One Terraform call's view of the rules: the process's context with its
 * warnings collected for this call's answer (Terraform keeps a plugin's
 * stderr only in its debug log, so a warning is answered as a warning
 * diagnostic), and the attribute renames for them. Several calls run at once
 * in a process; each has its own.
 */
export class RulesCall {
  private view: CoreContext | undefined;
  private readonly messages: string[] = [];
  private renames: Readonly<Record<string, string>> = {};

  /** @param base - the process's context (built on first use: a call that never reaches the rules builds nothing). */
  constructor(private readonly base: () => CoreContext) {}

  /** The context the rules run with during this call. */
  get ctx(): CoreContext {
    if (this.view === undefined) {
      const base = this.base();
      this.view = withLogger(base, {
        info: (message) => base.log.info(message),
        warn: (message) => {
          this.messages.push(message);
          base.log.warn(message);
        },
      });
    }
    return this.view;
  }

  /** This call carries the key in the attribute these renames name (see {@link describeError}); its warnings say so. */
  nameKeyInWarnings(renames: Readonly<Record<string, string>>): void {
    this.renames = renames;
  }

  /** The warnings the rules gave during the call, renamed and redacted, each once. */
  warnings(): string[] {
    return [...new Set(this.messages.map((m) => renamed(m, this.renames)))];
  }
}

/**
 * The provider process's link to the rules: one context, built with no
 * provider block until ConfigureProvider runs and rebuilt from the block by
 * {@link RulesSession.configure}. One per provider service; nothing is kept
 * at module level.
 */
export class RulesSession {
  private current: CoreContext | undefined;

  /** @param carry - key validations carried between the provider processes of one Terraform run (none: each process asks Klaviyo). */
  constructor(private readonly carry?: ValidationCarry) {}

  private context(): CoreContext {
    this.current ??= terraformContext(this.carry);
    return this.current;
  }

  /** Starts one Terraform call. */
  begin(): RulesCall {
    return new RulesCall(() => this.context());
  }

  /**
   * Builds the process's context from the provider block, falling back to
   * the same environment variables as the Pulumi provider; the settings are
   * resolved now, so a malformed value fails ConfigureProvider. Returns the
   * default pixel.
   */
  configure(config: ProviderConfiguration): { defaultPixelId: string | undefined } {
    // The settings reader's keys are the settings' canonical config keys (see provider/config.ts).
    const values: Record<string, string | undefined> = {
      "upstack:apiKey": config.apiKey,
      "upstack:apiKeys": config.apiKeys === undefined ? undefined : JSON.stringify(config.apiKeys),
      "upstack:pixelId": config.pixelId,
      "upstack:apiUrl": config.apiUrl,
      "upstack:klaviyoApiUrl": config.klaviyoApiUrl,
    };
    const next = terraformContext(this.carry, (key) => values[key]);
    const old = this.current;
    this.current = next;
    if (old !== undefined) void old.close();
    return { defaultPixelId: next.settings.pixelId };
  }
}

// ---------------------------------------------------------------- messages

/**
 * Renames attributes in a message of the rules: the rules name the key
 * `private_api_key`; when the write-only attribute carries it, `renames`
 * says `{ privateApiKey: "private_api_key_wo" }`.
 */
function renamed(message: string, renames: Readonly<Record<string, string>>): string {
  let text = message;
  for (const [property, attribute] of Object.entries(renames)) {
    text = text.replace(new RegExp(`\\b${attributeName(property)}\\b`, "g"), attribute);
  }
  return redact(text);
}

/** The attribute a failure of `property` is reported against: a resource attribute, else the provider block's setting. */
function attributeOf(property: string, renames: Readonly<Record<string, string>>): string {
  const own = renames[property];
  if (own !== undefined) return own;
  if (property in DESTINATION_INPUTS || property in DESTINATION_OUTPUTS) return attributeName(property);
  return terraformSettingName(property as SettingName) ?? attributeName(property);
}

/** A failure in Terraform's words. */
export interface AttributeProblem {
  /** The attribute concerned, if any. */
  readonly attribute: string | undefined;
  /** What is wrong and what to do (redacted). */
  readonly message: string;
  /** The stable error code, when the rules gave one. */
  readonly code: string | undefined;
}

/** Any error thrown by the rules, as a problem against its attribute. */
export function describeError(error: unknown, renames: Readonly<Record<string, string>> = {}): AttributeProblem {
  if (UpstackKlaviyoError.isInstance(error)) {
    const attribute = error.property === undefined ? undefined : attributeOf(error.property, renames);
    return { attribute, message: renamed(error.message, renames), code: error.code };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { attribute: undefined, message: renamed(message, renames), code: undefined };
}

/** Redacts text through the provider's one redaction. */
export function redactText(text: string): string {
  return redact(text);
}

/** Registers a credential so no message can carry it. */
export function registerCredential(value: string | undefined): void {
  registerSecret(value);
}

// ---------------------------------------------------------------- values

function toRules(value: TfValue | undefined): unknown {
  if (value === UNKNOWN) return RULES_UNKNOWN;
  if (value === null || value === undefined) return undefined;
  return value;
}

/** Terraform attributes (snake_case) → the rules' raw inputs (camelCase), unknowns as the rules' placeholder, nulls left out. */
function rawInputs(attrs: TfObject, extra: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const spec of DESTINATION_ATTRIBUTES) {
    if (!spec.input) continue;
    const value = toRules(attrs[spec.name]);
    if (value !== undefined) raw[spec.property] = value;
  }
  return { ...raw, ...extra };
}

/** Every attribute of a stored state (inputs and outputs) as the rules' properties. */
function storedProperties(state: TfObject): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  for (const spec of DESTINATION_ATTRIBUTES) {
    const value = toRules(state[spec.name]);
    if (value !== undefined) props[spec.property] = value;
  }
  return props;
}

/** The rules' outputs (camelCase) → Terraform's attributes (snake_case). */
function outputAttributes(outs: Readonly<Record<string, unknown>>): Record<string, TfValue> {
  const attrs: Record<string, TfValue> = {};
  for (const spec of DESTINATION_ATTRIBUTES) {
    const value = outs[spec.property];
    if (value === undefined || value === null) {
      attrs[spec.name] = null;
    } else if (Array.isArray(value)) {
      attrs[spec.name] = value.map(String);
    } else if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
      attrs[spec.name] = value;
    }
  }
  return attrs;
}

function keyInput(key: TfValue): Record<string, unknown> {
  const value = toRules(key);
  return value === undefined ? {} : { privateApiKey: value };
}

// ---------------------------------------------------------------- operations

/** Provider configuration in Terraform's words. */
export interface ProviderConfiguration {
  /** `api_key`. */
  readonly apiKey?: string | undefined;
  /** `api_keys`: pixel id → key. */
  readonly apiKeys?: Readonly<Record<string, string>> | undefined;
  /** `pixel_id`. */
  readonly pixelId?: string | undefined;
  /** `api_url`. */
  readonly apiUrl?: string | undefined;
  /** `klaviyo_api_url`. */
  readonly klaviyoApiUrl?: string | undefined;
}

/** A new owner for a destination Terraform creates or takes over. */
export function newOwner(): string {
  return `terraform:${randomUUID()}`;
}

/** `sha256:` fingerprint of a key, as the rules compute it. */
export function keyFingerprint(key: string): string {
  return fingerprintOf(key.trim());
}

/** `pk_...abcd` hint of a key. */
export function keyHint(key: string): string {
  return hintOf(key.trim());
}

/** What a plan must do to an existing destination: nothing, update in place, or replace (the attributes that force it). */
export interface DestinationChange {
  /** An update in place. */
  readonly update: boolean;
  /** The attributes whose change replaces the destination (none: no replacement). */
  readonly replace: readonly string[];
}

/** What {@link checkDestination} found. */
export interface DestinationCheck {
  /** What fails the plan, against its attribute (none: the desired attributes are valid). */
  readonly failures: readonly AttributeProblem[];
  /** With a prior state and no failures: what the plan must do (the core's planChanges of the same parse). */
  readonly change: DestinationChange | undefined;
}

/**
 * Validates the desired attributes as `pulumi preview`'s check does (the
 * core's checkDesired): every input, and the key live against Klaviyo when it
 * is new or changed (or the destination was last read unhealthy). `key` is
 * the key from whichever attribute holds it. No request when nothing needs
 * validating. With a prior state, also says what the plan must do, from the
 * same parse of the inputs.
 */
export async function checkDestination(
  call: RulesCall,
  prior: TfObject | null,
  desired: TfObject,
  key: TfValue,
  renames: Readonly<Record<string, string>>,
): Promise<DestinationCheck> {
  const priorState = parsePrior(prior === null ? {} : storedProperties(prior));
  const { failures, values } = await checkDesired(call.ctx, priorState, rawInputs(desired, keyInput(key)));
  if (failures.length > 0) {
    return {
      failures: failures.map((f) => ({ attribute: attributeOf(f.property, renames), message: renamed(f.reason, renames), code: "input_invalid" })),
      change: undefined,
    };
  }
  return { failures: [], change: prior === null ? undefined : changeOf(planChanges(priorState, values)) };
}

function changeOf(plan: ChangePlan): DestinationChange {
  const replace = plan.replaces.map(attributeName);
  return { update: plan.hasChanges && replace.length === 0, replace };
}

/** What applying must do to the destination (the core's planChanges), without validating anything. */
export function diffDestination(call: RulesCall, prior: TfObject, desired: TfObject, key: TfValue): DestinationChange {
  const ctx = call.ctx;
  const { values } = parseDesired(rawInputs(desired, keyInput(key)), { defaultPixelId: ctx.settings.pixelId, words: ctx.words });
  return changeOf(planChanges(parsePrior(storedProperties(prior)), values));
}

/** Creates the destination; returns the computed attributes. A partial create returns them with the error. */
export async function createDestination(call: RulesCall, desired: TfObject, key: string): Promise<{ attributes: Record<string, TfValue>; id: string }> {
  const ctx = call.ctx;
  const created = await coreCreate(ctx, requireDesired(rawInputs(desired, { privateApiKey: key }), { defaultPixelId: ctx.settings.pixelId, words: ctx.words }));
  return { id: created.id, attributes: outputAttributes(created.outputs) };
}

/** The outputs a partial create carried, when `error` is one. */
export function partialCreate(error: unknown): { id: string; attributes: Record<string, TfValue> } | undefined {
  const e = error as { id?: unknown; properties?: unknown };
  if (!UpstackKlaviyoError.isInstance(error) || typeof e.id !== "string" || typeof e.properties !== "object" || e.properties === null) return undefined;
  return { id: e.id, attributes: outputAttributes(e.properties as Record<string, unknown>) };
}

/** Updates the destination in place (rotation included); returns the computed attributes. */
export async function updateDestination(call: RulesCall, prior: TfObject, desired: TfObject, key: string): Promise<Record<string, TfValue>> {
  const ctx = call.ctx;
  const wanted = requireDesired(rawInputs(desired, { privateApiKey: key }), { defaultPixelId: ctx.settings.pixelId, words: ctx.words });
  return outputAttributes(await coreUpdate(ctx, parsePrior(storedProperties(prior)), wanted));
}

/**
 * Reads the destination back; undefined when it is gone or managed by someone else now. A
 * sensitive `private_api_key` is in the stored state, so refresh can ask Klaviyo about it; a
 * write-only key is not (refresh then looks for it in KLAVIYO_PRIVATE_KEY).
 */
export async function readDestination(call: RulesCall, prior: TfObject): Promise<Record<string, TfValue> | undefined> {
  const stored = prior["private_api_key"];
  const found = await coreRead(call.ctx, String(prior["id"] ?? ""), parsePrior(storedProperties(prior)), typeof stored === "string" ? stored : undefined);
  if (found === undefined) return undefined;
  const attrs = outputAttributes(found.outputs);
  if (attrs["owner"] === "") attrs["owner"] = null; // made in the dashboard: no owner yet
  return attrs;
}

/** Deletes the destination (already gone is success; another owner's is left alone with a warning). */
export async function deleteDestination(call: RulesCall, prior: TfObject): Promise<void> {
  // As before the core: the delete is conditional on the owner, not on the ETag in state.
  await coreDelete(call.ctx, String(prior["id"] ?? ""), parsePrior({ pixelId: prior["pixel_id"] ?? "", owner: prior["owner"] ?? "" }));
}

/**
 * Finds the destination on a pixel for import: checks the pixel id with the
 * rules' pixel schema, then one Upstack read. Undefined when there is none.
 */
export async function findDestination(call: RulesCall, pixelIdText: string): Promise<Record<string, TfValue> | undefined> {
  const ctx = call.ctx;
  const parsed = inputSchemas(ctx.words).pixelId.safeParse(pixelIdText);
  if (!parsed.success) {
    throw new UpstackKlaviyoError("input_invalid", parsed.error.issues.map((i) => i.message).join(" "), { property: "pixelId" });
  }
  const pixelId = parsed.data;
  const dest = await ctx.upstack.get(upstackCredentials(ctx.settings, pixelId, undefined, ctx.words));
  if (dest === undefined) return undefined;
  const outs = buildOutputs(dest, { ...parsePrior({}).validation, accountId: dest.klaviyoAccountId ?? "" }, { pixelId, owner: dest.owner ?? "" });
  const attrs = outputAttributes(outs);
  if (dest.owner === null) attrs["owner"] = null;
  if (outs.accessCheck === "") attrs["access_check"] = null;
  if (outs.validatedAt === "") attrs["validated_at"] = null;
  return attrs;
}

/** What validating a key established (the ephemeral resource's result). */
export interface KeyCheck {
  /** `pk_...abcd`. */
  readonly keyHint: string;
  /** `sha256:...`. */
  readonly keyFingerprint: string;
  /** The Klaviyo account (Site ID). */
  readonly accountId: string;
  /** Its organization name. */
  readonly accountName: string | undefined;
  /** How access was established. */
  readonly accessCheck: string;
  /** Declared scopes not verifiable without side effects. */
  readonly unverifiedScopes: readonly string[];
  /** When (ISO 8601). */
  readonly validatedAt: string;
}

/** Validates a key exactly as the resource (and `upstack-klaviyo check-key`) does. */
export async function validateKey(
  call: RulesCall,
  key: string,
  options: { publicApiKey?: string | undefined; scopes?: readonly string[] | undefined },
): Promise<KeyCheck> {
  const ctx = call.ctx;
  const schemas = inputSchemas(ctx.words);
  const trimmed = key.trim();
  registerSecret(trimmed);
  let publicApiKey: string | undefined;
  if (options.publicApiKey !== undefined) {
    const parsed = schemas.publicApiKey.safeParse(options.publicApiKey);
    if (!parsed.success) throw new UpstackKlaviyoError("input_invalid", parsed.error.issues.map((i) => i.message).join(" "), { property: "publicApiKey" });
    publicApiKey = parsed.data;
  }
  let scopes: string[] | undefined;
  if (options.scopes !== undefined) {
    const parsed = schemas.scopes.safeParse([...options.scopes]);
    if (!parsed.success) throw new UpstackKlaviyoError("input_invalid", parsed.error.issues.map((i) => i.message).join(" "), { property: "scopes" });
    scopes = parsed.data;
  }
  const v = await ctx.validator.validate(trimmed, { publicApiKey, requirement: accessRequirement(scopes) });
  return {
    keyHint: v.hint,
    keyFingerprint: v.fingerprint,
    accountId: v.accountId,
    accountName: v.accountName,
    accessCheck: v.accessCheck,
    unverifiedScopes: v.unverifiedScopes,
    validatedAt: v.validatedAt,
  };
}
