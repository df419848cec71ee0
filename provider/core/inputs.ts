/**
 * The resource's inputs: one zod schema per input of the shape, each failure
 * phrased as "property: what is wrong. What to do." in the engine's words and
 * never echoing a secret. Values still unknown during a plan pass through
 * untouched. Scopes are normalised here (trimmed, deduplicated, sorted) and
 * nowhere else.
 */
import * as z from "zod";
import { InputError } from "../errors";
import { describePrivateKeyProblem, PUBLIC_API_KEY } from "../key-format";
import { DESTINATION_INPUTS, type InputName } from "./shape";
import { PULUMI_VOCABULARY, type Vocabulary } from "./vocabulary";

/** The engine's placeholder for a value not known yet (a preview or plan). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Default `label`, the name Upstack's guide gives the key. */
export const DEFAULT_LABEL = "UpstackData";

/** The desired state of a destination: inputs validated, normalised, defaults applied, all known. */
export interface DesiredState {
  /** The Upstack pixel (UUID, lower case). */
  readonly pixelId: string;
  /** The Klaviyo private key, trimmed. */
  readonly privateApiKey: string;
  /** The Site ID the key must belong to. */
  readonly publicApiKey?: string;
  /** Whether events flow. Default true. */
  readonly enabled: boolean;
  /** Display name. Default {@link DEFAULT_LABEL}. */
  readonly label: string;
  /** Scopes declared instead of Full Access: trimmed, deduplicated, sorted. */
  readonly scopes?: readonly string[];
  /** Take over an existing destination. Default false. */
  readonly adopt: boolean;
  /** Per-resource Upstack API key. */
  readonly upstackApiKey?: string;
  /** Who manages the destination (set by the engine binding). */
  readonly owner: string;
  /** After a rotation, disable the replaced key in Klaviyo. Default false (absent). */
  readonly retireReplacedKey?: boolean;
}

/** A validation failure: the canonical input and the reason, in the engine's words. */
export interface InputFailure {
  /** The canonical input name (render it with the vocabulary). */
  readonly property: string;
  /** What is wrong and what to do. */
  readonly reason: string;
}

/** Inputs as the engine passes them. */
export type RawInputs = Readonly<Record<string, unknown>>;

/** What {@link parseDesired} found. */
export interface DesiredParse {
  /** Every failure, in input order. */
  readonly failures: readonly InputFailure[];
  /** The normalised values with defaults applied; unknown placeholders are kept as they are. */
  readonly values: Readonly<Record<string, unknown>>;
  /** The typed desired state when there is no failure and every value is known; else undefined. */
  readonly desired: DesiredState | undefined;
}

const PIXEL_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SCOPE = /^[a-z][a-z-]*:(read|write)$/;

/** Trims, deduplicates and sorts a scope list: the one normalisation every comparison uses. */
export function normalizeScopes(list: readonly string[]): string[] {
  return [...new Set(list.map((s) => s.trim()))].sort();
}

/** The builders of the input schemas in `w`'s words, one per input. */
function schemaBuilders(w: Vocabulary) {
  const n = (name: InputName): string => w.property(name);
  const trimmedString = (name: InputName) =>
    z.string({ error: (iss) => `${n(name)} must be a string, not ${iss.input === null ? "null" : typeof iss.input}.` }).transform((s) => s.trim());
  const builders = {
    pixelId: () =>
      trimmedString("pixelId")
        .transform((s) => s.toLowerCase())
        .refine((s) => PIXEL_ID.test(s), {
          error: `${n("pixelId")} must be the Upstack pixel's UUID (like 9b2f6c1e-0d4a-4c3e-8f57-2a1b3c4d5e6f). Copy it from the Upstack dashboard.`,
        }),
    privateApiKey: () =>
      z
        .string({ error: `${n("privateApiKey")} must be a string: the Klaviyo private API key (pk_...); ${w.setKey}.` })
        .transform((s) => s.trim())
        .superRefine((s, ctx) => {
          const problem = describePrivateKeyProblem(s, n("publicApiKey"));
          if (problem !== undefined) ctx.addIssue({ code: "custom", message: `${n("privateApiKey")} ${problem}` });
        }),
    publicApiKey: () =>
      trimmedString("publicApiKey").refine((s) => PUBLIC_API_KEY.test(s), {
        error: `${n("publicApiKey")} must be a Klaviyo Site ID: 6 letters and digits (Settings → Account → API Keys → Public API Key). Remove it to accept the key's own account.`,
      }),
    enabled: () => z.boolean({ error: `${n("enabled")} must be true or false.` }),
    label: () =>
      // eslint-disable-next-line no-control-regex -- control characters are exactly what a label must not hold
      trimmedString("label").refine((s) => s.length >= 1 && s.length <= 100 && !/[\u0000-\u001f\u007f]/.test(s), {
        error: `${n("label")} must be 1 to 100 characters without control characters.`,
      }),
    scopes: () =>
      z
        .array(
          z.string({ error: `${n("scopes")} must list strings like "events:write".` }).transform((s) => s.trim()),
          { error: `${n("scopes")} must be a list of Klaviyo scopes like ["events:write", "profiles:write"].` },
        )
        .superRefine((list, ctx) => {
          if (list.length === 0)
            ctx.addIssue({
              code: "custom",
              message: `${n("scopes")} is empty. Remove it to require Full Access, or list the Klaviyo scopes you rely on, like "events:write".`,
            });
          if (list.length > 64) ctx.addIssue({ code: "custom", message: `${n("scopes")} lists more than 64 entries; Klaviyo has fewer scopes than that.` });
          const bad = list.filter((s) => !SCOPE.test(s));
          if (bad.length > 0)
            ctx.addIssue({
              code: "custom",
              message: `${n("scopes")} has ${bad.length === 1 ? "1 entry that is not a Klaviyo scope" : `${bad.length} entries that are not Klaviyo scopes`} (scopes look like "events:write" or "profiles:read"): ${bad
                .slice(0, 3)
                .map((s) => JSON.stringify(s.slice(0, 40)))
                .join(", ")}.`,
            });
        })
        .transform(normalizeScopes),
    adopt: () => z.boolean({ error: `${n("adopt")} must be true or false.` }),
    upstackApiKey: () =>
      z
        .string({ error: `${n("upstackApiKey")} must be a string: an Upstack API key (upstack_...).` })
        .transform((s) => s.trim())
        .refine((s) => /^upstack_[A-Za-z0-9_]{8,}$/.test(s), {
          error: `${n("upstackApiKey")} must be an Upstack API key: it starts with upstack_ followed by letters and digits, without spaces. Paste it again.`,
        }),
    retireReplacedKey: () => z.boolean({ error: `${n("retireReplacedKey")} must be true or false.` }),
    owner: () =>
      trimmedString("owner").refine((s) => s.length >= 1 && s.length <= 300, {
        error: `${n("owner")} must be 1 to 300 characters (the engine binding sets it; do not pass it yourself).`,
      }),
  } satisfies Record<InputName, () => z.ZodType>;
  return builders;
}

type SchemaBuilders = ReturnType<typeof schemaBuilders>;

/** One schema per input of the shape (a missing or extra one does not compile). */
export type InputSchemas = { readonly [K in keyof SchemaBuilders]: ReturnType<SchemaBuilders[K]> };

/**
 * The input schemas in `w`'s words, each built the first time it is read: a Check builds only
 * those of the inputs it is given (issue 11, loading cost).
 */
function buildSchemas(w: Vocabulary): InputSchemas {
  const builders = schemaBuilders(w);
  const schemas = {};
  for (const name of Object.keys(builders) as InputName[]) {
    Object.defineProperty(schemas, name, {
      enumerable: true,
      configurable: true,
      get() {
        const schema = builders[name]();
        Object.defineProperty(schemas, name, { enumerable: true, value: schema });
        return schema;
      },
    });
  }
  return schemas as InputSchemas;
}

const schemaCache = new WeakMap<Vocabulary, InputSchemas>();

/** The input schemas in `w`'s words (built once per vocabulary). */
export function inputSchemas(w: Vocabulary = PULUMI_VOCABULARY): InputSchemas {
  let schemas = schemaCache.get(w);
  if (schemas === undefined) {
    schemas = buildSchemas(w);
    schemaCache.set(w, schemas);
  }
  return schemas;
}

/** True when a value is the engine's unknown placeholder. */
export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN;
}

/** Defaults of optional inputs that have a fixed one. */
const DEFAULTS = { enabled: true, label: DEFAULT_LABEL, adopt: false } as const;

/**
 * Validates raw inputs into the desired state. Unknown values are kept as
 * they are; absent optional values are left out; defaults are applied.
 * @param raw - the inputs as the engine passes them.
 * @param ctx - the default pixel id (from the provider settings) and the words to speak.
 */
export function parseDesired(raw: RawInputs, ctx: { readonly defaultPixelId?: string | undefined; readonly words?: Vocabulary } = {}): DesiredParse {
  const w = ctx.words ?? PULUMI_VOCABULARY;
  const schemas = inputSchemas(w);
  const values: Record<string, unknown> = {};
  const failures: InputFailure[] = [];
  for (const name of Object.keys(DESTINATION_INPUTS) as InputName[]) {
    const value = raw[name];
    if (value === undefined || value === null) continue;
    if (isUnknown(value)) {
      values[name] = value;
      continue;
    }
    const result = (schemas[name] as z.ZodType).safeParse(value);
    if (result.success) values[name] = result.data;
    else for (const issue of result.error.issues) failures.push({ property: name, reason: issue.message });
  }
  const failed = (name: InputName): boolean => failures.some((f) => f.property === name);
  if (values["pixelId"] === undefined && !failed("pixelId")) {
    if (ctx.defaultPixelId !== undefined) {
      const fromConfig = schemas.pixelId.safeParse(ctx.defaultPixelId);
      if (fromConfig.success) values["pixelId"] = fromConfig.data;
      else
        failures.push({
          property: "pixelId",
          reason: `the default pixel id (${w.setting("pixelId")}) is not a UUID. Correct it, or set ${w.property("pixelId")} ${w.onResource}.`,
        });
    } else {
      failures.push({
        property: "pixelId",
        reason: `${w.property("pixelId")} is required: set it ${w.onResource}, or set ${w.setting("pixelId")}.`,
      });
    }
  }
  if (values["privateApiKey"] === undefined && !failed("privateApiKey")) {
    failures.push({
      property: "privateApiKey",
      reason: `${w.property("privateApiKey")} is required: the Klaviyo private API key (Full Access); ${w.setKey}.`,
    });
  }
  if (values["owner"] === undefined && !failed("owner")) {
    failures.push({
      property: "owner",
      reason: `${w.property("owner")} is missing: create the resource with this package's resource (UpstackKlaviyoDestination for Pulumi), which sets it.`,
    });
  }
  for (const [name, value] of Object.entries(DEFAULTS)) values[name] ??= value;
  const complete = failures.length === 0 && !Object.values(values).some(isUnknown);
  return { failures, values, desired: complete ? (values as unknown as DesiredState) : undefined };
}

/** Parses inputs a plan already accepted (create, update); throws an `input_invalid` error on anything invalid or unknown. */
export function requireDesired(raw: RawInputs, ctx: { readonly defaultPixelId?: string | undefined; readonly words?: Vocabulary } = {}): DesiredState {
  const w = ctx.words ?? PULUMI_VOCABULARY;
  const { values, failures, desired } = parseDesired(raw, ctx);
  const first = failures[0];
  if (first !== undefined) throw new InputError(first.property, failures.map((f) => f.reason).join(" "));
  if (desired !== undefined) return desired;
  const unknown = Object.keys(values).find((k) => isUnknown(values[k])) ?? "inputs";
  throw new InputError(unknown, `${w.property(unknown as InputName)} is still unknown; it must be known before the destination can be written.`);
}
