/**
 * `upstack_klaviyo_destination` in Terraform's lifecycle: plan (defaults,
 * unknown computed attributes, replacement on pixel_id, the key validated
 * against Klaviyo when it is new or changed), apply, read, import. The rules
 * themselves are reached through the adapter only.
 */
import * as adapter from "./destination-adapter";
import type { RulesCall } from "./destination-adapter";
import { DESTINATION_SCHEMA_ATTRIBUTES, WRITE_ONLY_KEY, WRITE_ONLY_KEY_VERSION } from "./schemas";
import { hasUnknown, UNKNOWN, type TfObject, type TfValue } from "./values";

/** A problem found while planning or applying, against an attribute when there is one. */
export interface Problem {
  /** The attribute concerned. */
  readonly attribute: string | undefined;
  /** What is wrong and what to do. */
  readonly message: string;
  /** A warning instead of an error. */
  readonly warning?: boolean;
}

/** What the provider block resolved to that the resource needs. */
export interface ProviderDefaults {
  /** The provider's pixel_id (or UPSTACK_PIXEL_ID). */
  readonly pixelId: string | undefined;
}

/** Raised with the problems that fail an operation; `state` is what exists remotely despite the failure. */
export class ResourceError extends Error {
  /** The problems. */
  readonly problems: readonly Problem[];
  /** State to record although the operation failed (a partial create). */
  readonly state: TfObject | undefined;
  /** @param problems - what failed; @param state - what exists anyway. */
  constructor(problems: readonly Problem[], state?: TfObject) {
    super(problems.map((p) => p.message).join("\n"));
    this.problems = problems;
    this.state = state;
  }
}

const COMPUTED_ONLY = DESTINATION_SCHEMA_ATTRIBUTES.filter((a) => a.computed === true && a.optional !== true).map((a) => a.name);
/** Computed attributes that an in-place update leaves as they are. */
const STABLE_ON_UPDATE = new Set(["id", "destination_id", "created_at"]);

/** Where the key is configured: the sensitive attribute or the write-only one. */
function keyOf(config: TfObject): { value: TfValue; attribute: string } {
  const sensitive = config["private_api_key"] ?? null;
  if (sensitive !== null) return { value: sensitive, attribute: "private_api_key" };
  return { value: config[WRITE_ONLY_KEY] ?? null, attribute: WRITE_ONLY_KEY };
}

function renamesFor(keyAttribute: string): Record<string, string> {
  return keyAttribute === WRITE_ONLY_KEY ? { privateApiKey: WRITE_ONLY_KEY } : {};
}

/** Static checks of the configuration (no provider configuration, no network). */
export function validateConfig(config: TfObject): Problem[] {
  const sensitive = config["private_api_key"] ?? null;
  const writeOnly = config[WRITE_ONLY_KEY] ?? null;
  const problems: Problem[] = [];
  if (sensitive !== null && writeOnly !== null) {
    problems.push({
      attribute: WRITE_ONLY_KEY,
      message: `Set either private_api_key or ${WRITE_ONLY_KEY}, not both. ${WRITE_ONLY_KEY} (write-only, Terraform ≥ 1.11) keeps the key out of plan and state.`,
    });
  }
  if (sensitive === null && writeOnly === null) {
    problems.push({
      attribute: "private_api_key",
      message: `private_api_key or ${WRITE_ONLY_KEY} is required: the Klaviyo private API key (Full Access, pk_...). Pass it from a sensitive, ephemeral variable: ${WRITE_ONLY_KEY} = var.klaviyo_private_key.`,
    });
  }
  if (writeOnly === null && (config[WRITE_ONLY_KEY_VERSION] ?? null) !== null) {
    problems.push({
      attribute: WRITE_ONLY_KEY_VERSION,
      message: `${WRITE_ONLY_KEY_VERSION} has no effect without ${WRITE_ONLY_KEY}. Remove it, or set ${WRITE_ONLY_KEY}.`,
      warning: true,
    });
  }
  return problems;
}

/** The desired inputs: configuration with the provider's defaults applied. */
function desiredFrom(proposed: TfObject, config: TfObject, prior: TfObject | null, defaults: ProviderDefaults): Record<string, TfValue> {
  const planned: Record<string, TfValue> = { ...proposed };
  planned[WRITE_ONLY_KEY] = null;
  planned["pixel_id"] = config["pixel_id"] ?? defaults.pixelId ?? prior?.["pixel_id"] ?? null;
  planned["enabled"] = config["enabled"] ?? true;
  planned["label"] = config["label"] ?? adapter.DEFAULT_DESTINATION_LABEL;
  const priorOwner = prior?.["owner"] ?? null;
  // A destination Terraform did not make (imported) is taken over: it gets a Terraform owner on the next apply.
  planned["owner"] = config["owner"] ?? (typeof priorOwner === "string" && priorOwner.startsWith("terraform:") ? priorOwner : UNKNOWN);
  return planned;
}

/** The plan's answer. */
export interface PlanResult {
  /** The planned state (null: destroy). */
  readonly planned: TfObject | null;
  /** Attributes whose change replaces the destination. */
  readonly requiresReplace: readonly string[];
  /** Warnings (errors are thrown as {@link ResourceError}). */
  readonly warnings: readonly Problem[];
}

/** Whether the write-only key's version moved (a rotation request). */
function versionChanged(prior: TfObject, config: TfObject): boolean {
  if ((config[WRITE_ONLY_KEY] ?? null) === null) return false;
  return (config[WRITE_ONLY_KEY_VERSION] ?? null) !== (prior[WRITE_ONLY_KEY_VERSION] ?? null);
}

/** A change of the rules' attributes, or of the write-only key's version alone, is an update. */
function withVersion(diff: adapter.DestinationChange, prior: TfObject, config: TfObject): adapter.DestinationChange {
  return { update: diff.update || (diff.replace.length === 0 && versionChanged(prior, config)), replace: diff.replace };
}

/**
 * PlanResourceChange. Validates like `pulumi preview`: inputs always; the key
 * against Klaviyo only when it is known and new or changed (no request
 * otherwise). Throws {@link ResourceError} naming the attribute.
 */
export async function plan(
  call: RulesCall,
  prior: TfObject | null,
  proposed: TfObject | null,
  config: TfObject | null,
  defaults: ProviderDefaults,
): Promise<PlanResult> {
  if (proposed === null || config === null) return { planned: null, requiresReplace: [], warnings: [] };
  const key = keyOf(config);
  call.nameKeyInWarnings(renamesFor(key.attribute));
  const warnings = validateConfig(config).filter((p) => p.warning === true);
  const planned = desiredFrom(proposed, config, prior, defaults);

  const checked = await adapter.checkDestination(call, prior, planned, key.value, renamesFor(key.attribute));
  if (checked.failures.length > 0) throw new ResourceError(checked.failures);

  const fillKeyFacts = (): void => {
    const known = typeof key.value === "string";
    planned["key_fingerprint"] = known ? adapter.keyFingerprint(key.value as string) : UNKNOWN;
    planned["key_hint"] = known ? adapter.keyHint(key.value as string) : UNKNOWN;
  };

  if (prior === null || checked.change === undefined) {
    for (const name of COMPUTED_ONLY) planned[name] = UNKNOWN;
    fillKeyFacts();
    return { planned, requiresReplace: [], warnings };
  }
  const { update, replace } = withVersion(checked.change, prior, config);
  if (replace.length > 0) {
    for (const name of COMPUTED_ONLY) planned[name] = UNKNOWN;
    fillKeyFacts();
    return { planned, requiresReplace: replace, warnings };
  }
  if (update) {
    for (const name of COMPUTED_ONLY) planned[name] = STABLE_ON_UPDATE.has(name) ? (prior[name] ?? null) : UNKNOWN;
    fillKeyFacts();
    return { planned, requiresReplace: [], warnings };
  }
  // Nothing to do remotely: computed attributes stay as they are.
  for (const name of COMPUTED_ONLY) planned[name] = prior[name] ?? null;
  if (planned["owner"] === UNKNOWN) planned["owner"] = prior["owner"] ?? null;
  return { planned, requiresReplace: [], warnings };
}

function requireKnownKey(config: TfObject): { key: string; attribute: string } {
  const key = keyOf(config);
  if (typeof key.value !== "string") {
    throw new ResourceError([{ attribute: key.attribute, message: `${key.attribute} must be known when the destination is written.` }]);
  }
  return { key: key.value, attribute: key.attribute };
}

/** The new state: the planned inputs, the computed attributes from the rules. */
function stateFrom(planned: TfObject, computed: Readonly<Record<string, TfValue>>, id: string): TfObject {
  const state: Record<string, TfValue> = { ...planned };
  for (const name of COMPUTED_ONLY) state[name] = computed[name] ?? null;
  state["id"] = id;
  state[WRITE_ONLY_KEY] = null;
  for (const name of ["pixel_id", "enabled", "label", "owner"]) if (state[name] === UNKNOWN || state[name] === null) state[name] = computed[name] ?? null;
  return state;
}

/** ApplyResourceChange: create, update in place, or delete. */
export async function apply(call: RulesCall, prior: TfObject | null, planned: TfObject | null, config: TfObject | null): Promise<TfObject | null> {
  if (planned === null) {
    if (prior !== null) await guard(() => adapter.deleteDestination(call, prior), "private_api_key");
    return null;
  }
  if (config === null) throw new ResourceError([{ attribute: undefined, message: "No configuration was given for the destination." }]);
  const { key, attribute } = requireKnownKey(config);
  call.nameKeyInWarnings(renamesFor(attribute));
  const desired: Record<string, TfValue> = { ...planned };
  if (desired["owner"] === UNKNOWN) desired["owner"] = adapter.newOwner();
  if (prior === null) {
    try {
      const created = await adapter.createDestination(call, desired, key);
      return stateFrom(desired, created.attributes, created.id);
    } catch (error) {
      const partial = adapter.partialCreate(error);
      const problem = adapter.describeError(error, renamesFor(attribute));
      throw new ResourceError([problem], partial === undefined ? undefined : stateFrom(desired, partial.attributes, partial.id));
    }
  }
  if (!hasUnknown(planned)) {
    const { update } = withVersion(adapter.diffDestination(call, prior, planned, keyOf(config).value), prior, config);
    if (!update) return planned; // only Terraform-side attributes changed (adopt, a version without a new key)
  }
  // A destination Terraform did not make (imported, or made by someone else and then imported) is
  // taken over by this update, as `adopt = true` does on create: that is what importing it means.
  const priorOwner = prior["owner"] ?? null;
  const takeover = !(typeof priorOwner === "string" && priorOwner.startsWith("terraform:"));
  const write = takeover ? { ...desired, adopt: true } : desired;
  const computed = await guard(() => adapter.updateDestination(call, prior, write, key), attribute);
  return stateFrom(desired, computed, String(prior["id"]));
}

async function guard<T>(run: () => Promise<T>, keyAttribute: string): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new ResourceError([adapter.describeError(error, renamesFor(keyAttribute))]);
  }
}

/** ReadResource (refresh): what Upstack holds now; null when the destination is gone or another's. */
export async function read(call: RulesCall, prior: TfObject): Promise<TfObject | null> {
  const current = await guard(() => adapter.readDestination(call, prior), "private_api_key");
  if (current === undefined) return null;
  const state: Record<string, TfValue> = { ...prior };
  for (const name of COMPUTED_ONLY) state[name] = current[name] ?? null;
  for (const name of ["pixel_id", "enabled", "label", "owner", "public_api_key", "scopes"]) state[name] = current[name] ?? null;
  state["id"] = current["destination_id"] ?? prior["id"] ?? null;
  state[WRITE_ONLY_KEY] = null;
  return state;
}

/** ImportResourceState: the pixel id names the destination; Terraform takes it over on the next apply. */
export async function importByPixelId(call: RulesCall, pixelId: string): Promise<TfObject> {
  const found = await guard(() => adapter.findDestination(call, pixelId.trim()), "private_api_key");
  if (found === undefined) {
    throw new ResourceError([
      {
        attribute: undefined,
        message: `Pixel ${pixelId.trim()} has no Klaviyo destination to import. Check the pixel id (the import id is the Upstack pixel's UUID), or let Terraform create the destination.`,
      },
    ]);
  }
  const state: Record<string, TfValue> = {};
  for (const a of DESTINATION_SCHEMA_ATTRIBUTES) state[a.name] = found[a.name] ?? null;
  state["id"] = found["destination_id"] ?? null;
  return state;
}
