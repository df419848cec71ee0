/**
 * The one bridge between the Terraform provider and the provider's rules.
 * This is the only module under provider/terraform/ that imports them
 * (provider/handlers, context, schema, config, errors, redact); everything
 * else here speaks Terraform: snake_case attribute names and Terraform values.
 *
 * It translates names both ways (`pixel_id` ⇄ `pixelId`), Terraform's unknown
 * values to the rules' unknown placeholder, and the rules' messages into
 * Terraform's words (attribute names, the provider block, `terraform plan`),
 * so both engines run the same checks, requests and messages.
 *
 * When the engine-neutral core (provider/core) lands, this module rebinds to
 * it and the attribute table below derives from its shape declaration.
 */
import { randomUUID } from "node:crypto";
import { upstackCredentials } from "../config";
import { context, setConfigReader } from "../context";
import { UpstackKlaviyoError } from "../errors";
import { keyFingerprint as fingerprintOf, keyHint as hintOf } from "../fingerprint";
import { check } from "../handlers/check";
import { create } from "../handlers/create";
import { deleteDestination as deleteHandler } from "../handlers/delete";
import { diff } from "../handlers/diff";
import { buildOutputs, validationFromOutputs, type DestinationOutputs } from "../handlers/outputs";
import { read } from "../handlers/read";
import { update } from "../handlers/update";
import { accessRequirement } from "../klaviyo/access";
import { redact, registerSecret } from "../redact";
import { DEFAULT_LABEL, PROPERTY_SCHEMAS, UNKNOWN as RULES_UNKNOWN, type PropertyName } from "../schema";
import { UNKNOWN, type CtyType, type TfObject, type TfValue } from "./values";

/** How one of the rules' properties appears as a Terraform attribute. */
export interface AttributeSpec {
  /** The attribute name (snake_case of the property). */
  readonly name: string;
  /** The rules' property name. */
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

type SpecFields = Omit<AttributeSpec, "name" | "property">;
const input = (type: CtyType, description: string, more: Partial<SpecFields> = {}): SpecFields => ({
  type,
  description,
  input: true,
  optional: true,
  computed: false,
  sensitive: false,
  forcesReplacement: false,
  ...more,
});
const output = (type: CtyType, description: string): SpecFields => ({
  type,
  description,
  input: false,
  optional: false,
  computed: true,
  sensitive: false,
  forcesReplacement: false,
});

/**
 * Every input property (the rules' PROPERTY_SCHEMAS) and every output
 * (DestinationOutputs), with its Terraform type and flags. The compiler
 * checks that none is missing; names are derived.
 */
const SPECS: Readonly<Record<PropertyName | keyof DestinationOutputs, SpecFields>> = {
  pixelId: input("string", "The Upstack pixel (UUID). Defaults to the provider's pixel_id. Changing it replaces the destination.", {
    computed: true,
    forcesReplacement: true,
  }),
  privateApiKey: input(
    "string",
    "The Klaviyo private API key (pk_...), Full Access unless scopes is set. Stored in state (sensitive); prefer private_api_key_wo.",
    {
      sensitive: true,
    },
  ),
  publicApiKey: input("string", "The Klaviyo Site ID (6 characters) the key must belong to."),
  enabled: input("bool", "Whether events flow to Klaviyo. Default true.", { computed: true }),
  label: input("string", 'Display name, 1 to 100 characters. Default "UpstackData".', { computed: true }),
  scopes: input(["set", "string"], "Klaviyo scopes you rely on, required instead of Full Access (e.g. events:write)."),
  adopt: input("bool", "Take over a destination that already exists on the pixel (made in the dashboard or elsewhere). Default false."),
  upstackApiKey: input("string", "The Upstack API key for this pixel, when not set on the provider.", { sensitive: true }),
  owner: input("string", "Who manages the destination. Default: terraform: and a random id, chosen at create.", { computed: true }),
  retireReplacedKey: input("bool", "After a rotation, disable the replaced key in Klaviyo (beta API) once Upstack reports the new one healthy. Default false."),
  destinationId: output("string", "The destination's id (dst_...)."),
  keyFingerprint: output("string", "sha256: and the hex SHA-256 of the key Upstack holds."),
  keyHint: output("string", "pk_... and the key's last four characters."),
  klaviyoAccountId: output("string", "The Klaviyo account (Site ID) the key belongs to."),
  klaviyoAccountName: output("string", "The Klaviyo account's organization name."),
  klaviyoKeyId: output("string", "Klaviyo's id of the validated key (from its api-keys listing), never the key."),
  klaviyoKeyName: output("string", "The validated key's name in Klaviyo."),
  status: output("string", "healthy, unhealthy (Klaviyo rejects the key) or disabled."),
  statusReason: output("string", "Why the destination is not healthy."),
  etag: output("string", "The version of the destination last read or written."),
  accessCheck: output("string", "How the key's access was established."),
  validatedAt: output("string", "When the key was last validated against Klaviyo."),
  rotatedAt: output("string", "When the key was last changed."),
  createdAt: output("string", "When the destination was created."),
  updatedAt: output("string", "When the destination was last changed."),
  retiredKeyId: output("string", "Klaviyo's id of the key disabled after the last rotation (retire_replaced_key)."),
  retiredAt: output("string", "When that key was disabled."),
};

/** A property name in Terraform's words. */
export function attributeName(property: string): string {
  return property.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** The destination's attributes derived from the rules' properties and outputs. */
export const DESTINATION_ATTRIBUTES: readonly AttributeSpec[] = Object.entries(SPECS).map(([property, spec]) => ({
  name: attributeName(property),
  property,
  ...spec,
}));

/** The default label the rules apply. */
export const DEFAULT_DESTINATION_LABEL = DEFAULT_LABEL;

const INPUT_PROPERTIES = Object.keys(PROPERTY_SCHEMAS) as PropertyName[];
const OUTPUT_SPECS = DESTINATION_ATTRIBUTES.filter((a) => !a.input);

// ---------------------------------------------------------------- messages

/** The rules' Pulumi words and their Terraform equivalents (applied before property names are renamed). */
const PHRASES: ReadonlyArray<readonly [RegExp, string]> = [
  [
    /`pulumi config set --secret klaviyoPrivateKey pk_\.\.\.`( and cfg\.requireSecret\("klaviyoPrivateKey"\))?/g,
    "`private_api_key_wo = var.klaviyo_private_key` (a sensitive, ephemeral variable; bump private_api_key_wo_version to rotate)",
  ],
  [
    /Set it in the stack config \(pulumi config set --secret upstack:apiKey upstack_\.\.\., or upstack:apiKeys for many pixels\) or in the environment/g,
    'Set api_key (or api_keys for many pixels) in the provider "upstack" block, or in the environment',
  ],
  [/`pulumi config set --secret upstack:apiKey upstack_\.\.\.`/g, 'api_key in the provider "upstack" block'],
  [/the stack config upstack:pixelId/g, 'pixel_id in the provider "upstack" block'],
  [/\bupstack:apiKeys\b/g, "the provider's api_keys"],
  [/\bupstack:apiKey\b/g, "the provider's api_key"],
  [/\bupstack:pixelId\b/g, "the provider's pixel_id"],
  [/\bupstack:apiUrl\b/g, "the provider's api_url"],
  [/\bupstack:klaviyoApiUrl\b/g, "the provider's klaviyo_api_url"],
  [
    /Run `pulumi refresh` to see the change, then `pulumi up` to apply/g,
    "Run `terraform plan -refresh-only` to see the change, then `terraform apply` to apply",
  ],
  [/`pulumi up`/g, "`terraform apply`"],
  [/`pulumi preview`/g, "`terraform plan`"],
  [/outside Pulumi/g, "outside Terraform"],
  [/`adopt: true` on this resource/g, "`adopt = true` in the resource block (or `terraform import` it by pixel id)"],
  [/from the stack that manages it/g, "from the configuration or stack that manages it"],
  [/\bon the resource\b/g, "in the resource block"],
  [/\bthe scopes input\b/g, "the scopes attribute"],
];

const PROPERTY_WORDS = [...INPUT_PROPERTIES, ...OUTPUT_SPECS.map((a) => a.property)].sort((a, b) => b.length - a.length);

/** Renders a message of the rules in Terraform's words; `renames` overrides attribute names (e.g. the write-only key). */
export function terraformWords(message: string, renames: Readonly<Record<string, string>> = {}): string {
  let text = message;
  for (const [pattern, replacement] of PHRASES) text = text.replace(pattern, replacement);
  for (const property of PROPERTY_WORDS) {
    text = text.replace(new RegExp(`\\b${property}\\b`, "g"), renames[property] ?? attributeName(property));
  }
  return redact(text);
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

/** Any error thrown by the rules, in Terraform's words. */
export function describeError(error: unknown, renames: Readonly<Record<string, string>> = {}): AttributeProblem {
  if (UpstackKlaviyoError.isInstance(error)) {
    const attribute = error.property === undefined ? undefined : (renames[error.property] ?? attributeName(error.property));
    return { attribute, message: terraformWords(error.message, renames), code: error.code };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { attribute: undefined, message: terraformWords(message, renames), code: undefined };
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

/** Every attribute of a stored state (inputs and outputs) as the rules' properties: what Pulumi keeps as outputs. */
function storedProperties(state: TfObject): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  for (const spec of DESTINATION_ATTRIBUTES) {
    const value = toRules(state[spec.name]);
    if (value !== undefined) props[spec.property] = value;
  }
  return props;
}

/** The rules' outputs (camelCase) → Terraform's computed attributes (snake_case). */
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

/**
 * Applies the provider block, falling back to the same environment variables
 * as the Pulumi provider, and resolves the settings now so that a malformed
 * value fails ConfigureProvider. Returns the default pixel.
 */
export function configure(config: ProviderConfiguration): { defaultPixelId: string | undefined } {
  const values: Record<string, string | undefined> = {
    "upstack:apiKey": config.apiKey,
    "upstack:apiKeys": config.apiKeys === undefined ? undefined : JSON.stringify(config.apiKeys),
    "upstack:pixelId": config.pixelId,
    "upstack:apiUrl": config.apiUrl,
    "upstack:klaviyoApiUrl": config.klaviyoApiUrl,
  };
  setConfigReader((key) => values[key]);
  return { defaultPixelId: context().settings.pixelId };
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

/** What a destination looked like before (prior state), for checks and diffs. */
function priorInputs(prior: TfObject): Record<string, unknown> {
  return rawInputs(prior, {
    keyFingerprint: toRules(prior["key_fingerprint"]),
    destinationStatus: toRules(prior["status"]),
  });
}

/**
 * Validates the desired attributes as `pulumi preview`'s check does: every
 * input, and the key live against Klaviyo when it is new or changed (or the
 * destination was last read unhealthy). `key` is the key from whichever
 * attribute holds it. No request when nothing needs validating.
 */
export async function checkDestination(
  prior: TfObject | null,
  desired: TfObject,
  key: TfValue,
  renames: Readonly<Record<string, string>>,
): Promise<AttributeProblem[]> {
  const olds = prior === null ? {} : priorInputs(prior);
  const result = await check(olds, rawInputs(desired, keyInput(key)));
  return (result.failures ?? []).map((f) => ({
    attribute: renames[f.property] ?? attributeName(f.property),
    message: terraformWords(f.reason, renames),
    code: "input_invalid",
  }));
}

function keyInput(key: TfValue): Record<string, unknown> {
  const value = toRules(key);
  return value === undefined ? {} : { privateApiKey: value };
}

/** What a plan must do to the destination: nothing, update in place, or replace (the attributes that force it). */
export async function diffDestination(prior: TfObject, desired: TfObject, key: TfValue): Promise<{ update: boolean; replace: string[] }> {
  const olds = storedProperties(prior);
  const result = await diff(String(prior["id"] ?? ""), olds, rawInputs(desired, keyInput(key)));
  const replace = (result.replaces ?? []).map(attributeName);
  return { update: result.changes === true && replace.length === 0, replace };
}

/** Creates the destination; returns the computed attributes. A partial create returns them with the error. */
export async function createDestination(desired: TfObject, key: string): Promise<{ attributes: Record<string, TfValue>; id: string }> {
  const result = await create(rawInputs(desired, { privateApiKey: key }));
  return { id: result.id, attributes: outputAttributes(result.outs as Record<string, unknown>) };
}

/** The outputs a partial create carried, when `error` is one. */
export function partialCreate(error: unknown): { id: string; attributes: Record<string, TfValue> } | undefined {
  const e = error as { id?: unknown; properties?: unknown };
  if (!UpstackKlaviyoError.isInstance(error) || typeof e.id !== "string" || typeof e.properties !== "object" || e.properties === null) return undefined;
  return { id: e.id, attributes: outputAttributes(e.properties as Record<string, unknown>) };
}

/** Updates the destination in place (rotation included); returns the computed attributes. */
export async function updateDestination(prior: TfObject, desired: TfObject, key: string): Promise<Record<string, TfValue>> {
  const olds = storedProperties(prior);
  const result = await update(String(prior["id"] ?? ""), olds, rawInputs(desired, { privateApiKey: key }));
  return outputAttributes((result.outs ?? {}) as Record<string, unknown>);
}

/** Reads the destination back; undefined when it is gone or managed by someone else now. */
export async function readDestination(prior: TfObject): Promise<Record<string, TfValue> | undefined> {
  const props = storedProperties(prior);
  const result = await read(String(prior["id"] ?? ""), props);
  if (result.id === "") return undefined;
  const attrs = outputAttributes(result.props ?? {});
  if (attrs["owner"] === "") attrs["owner"] = null; // made in the dashboard: no owner yet
  return attrs;
}

/** Deletes the destination (already gone is success; another owner's is left alone with a warning). */
export async function deleteDestination(prior: TfObject): Promise<void> {
  await deleteHandler(String(prior["id"] ?? ""), { pixelId: prior["pixel_id"] ?? "", owner: prior["owner"] ?? "" });
}

/**
 * Finds the destination on a pixel for import: checks the pixel id with the
 * rules' pixel schema, then one Upstack read. Undefined when there is none.
 */
export async function findDestination(pixelIdText: string): Promise<Record<string, TfValue> | undefined> {
  const parsed = PROPERTY_SCHEMAS.pixelId.safeParse(pixelIdText);
  if (!parsed.success) {
    throw new UpstackKlaviyoError("input_invalid", parsed.error.issues.map((i) => i.message).join(" "), { property: "pixelId" });
  }
  const pixelId = parsed.data;
  const { settings, upstack } = context();
  const dest = await upstack.get(upstackCredentials(settings, pixelId));
  if (dest === undefined) return undefined;
  const outs = buildOutputs(dest, { ...validationFromOutputs({}), accountId: dest.klaviyoAccountId ?? "" }, { pixelId, owner: dest.owner ?? "" });
  const attrs = outputAttributes(outs as unknown as Record<string, unknown>);
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
export async function validateKey(key: string, options: { publicApiKey?: string | undefined; scopes?: readonly string[] | undefined }): Promise<KeyCheck> {
  const trimmed = key.trim();
  registerSecret(trimmed);
  let publicApiKey: string | undefined;
  if (options.publicApiKey !== undefined) {
    const parsed = PROPERTY_SCHEMAS.publicApiKey.safeParse(options.publicApiKey);
    if (!parsed.success) throw new UpstackKlaviyoError("input_invalid", parsed.error.issues.map((i) => i.message).join(" "), { property: "publicApiKey" });
    publicApiKey = parsed.data;
  }
  let scopes: string[] | undefined;
  if (options.scopes !== undefined) {
    const parsed = PROPERTY_SCHEMAS.scopes.safeParse([...options.scopes]);
    if (!parsed.success) throw new UpstackKlaviyoError("input_invalid", parsed.error.issues.map((i) => i.message).join(" "), { property: "scopes" });
    scopes = parsed.data;
  }
  const v = await context().validator.validate(trimmed, { publicApiKey, requirement: accessRequirement(scopes) });
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
