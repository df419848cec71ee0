/**
 * The resource's inputs: zod schemas, one per property, each failure phrased
 * as "property: what is wrong. What to do." and never echoing a secret.
 * Values still unknown during preview pass through untouched.
 */
import { z } from "zod";
import { InputError } from "./errors";
import { describePrivateKeyProblem, PUBLIC_API_KEY } from "./key-format";

/** The engine's placeholder for a value not known yet (preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Default `label`, the name Upstack's guide gives the key. */
export const DEFAULT_LABEL = "UpstackData";

/** The resource's inputs after check: normalised, defaults applied. */
export interface DestinationInputs {
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
  /** Scopes declared instead of Full Access. */
  readonly scopes?: readonly string[];
  /** Take over an existing destination. Default false. */
  readonly adopt: boolean;
  /** Per-resource Upstack API key. */
  readonly upstackApiKey?: string;
  /** Who manages the destination (set by the SDK: `pulumi:<project>/<stack>/<name>`). */
  readonly owner: string;
  /** After a rotation, disable the replaced key in Klaviyo. Default false (absent). */
  readonly retireReplacedKey?: boolean;
}

/** A check failure: the property and the reason. */
export interface InputFailure {
  /** The input property. */
  readonly property: string;
  /** What is wrong and what to do. */
  readonly reason: string;
}

const PIXEL_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SCOPE = /^[a-z][a-z-]*:(read|write)$/;

const trimmedString = (property: string) =>
  z.string({ error: (iss) => `${property} must be a string, not ${iss.input === null ? "null" : typeof iss.input}.` }).transform((s) => s.trim());

/** One schema per property; each message names the property and the fix. */
export const PROPERTY_SCHEMAS = {
  pixelId: trimmedString("pixelId")
    .transform((s) => s.toLowerCase())
    .refine((s) => PIXEL_ID.test(s), {
      error: "pixelId must be the Upstack pixel's UUID (like 9b2f6c1e-0d4a-4c3e-8f57-2a1b3c4d5e6f). Copy it from the Upstack dashboard.",
    }),
  privateApiKey: z
    .string({
      error: "privateApiKey must be a string: the Klaviyo private API key (pk_...). Set it with `pulumi config set --secret klaviyoPrivateKey pk_...`.",
    })
    .transform((s) => s.trim())
    .superRefine((s, ctx) => {
      const problem = describePrivateKeyProblem(s);
      if (problem !== undefined) ctx.addIssue({ code: "custom", message: `privateApiKey ${problem}` });
    }),
  publicApiKey: trimmedString("publicApiKey").refine((s) => PUBLIC_API_KEY.test(s), {
    error:
      "publicApiKey must be a Klaviyo Site ID: 6 letters and digits (Settings → Account → API Keys → Public API Key). Remove it to accept the key's own account.",
  }),
  enabled: z.boolean({ error: "enabled must be true or false." }),
  // eslint-disable-next-line no-control-regex -- control characters are exactly what a label must not hold
  label: trimmedString("label").refine((s) => s.length >= 1 && s.length <= 100 && !/[\u0000-\u001f\u007f]/.test(s), {
    error: "label must be 1 to 100 characters without control characters.",
  }),
  scopes: z
    .array(
      z.string({ error: 'scopes must list strings like "events:write".' }).transform((s) => s.trim()),
      { error: 'scopes must be a list of Klaviyo scopes like ["events:write", "profiles:write"].' },
    )
    .superRefine((list, ctx) => {
      if (list.length === 0)
        ctx.addIssue({
          code: "custom",
          message: 'scopes is empty. Remove it to require Full Access, or list the Klaviyo scopes you rely on, like "events:write".',
        });
      if (list.length > 64) ctx.addIssue({ code: "custom", message: "scopes lists more than 64 entries; Klaviyo has fewer scopes than that." });
      const bad = list.filter((s) => !SCOPE.test(s));
      if (bad.length > 0)
        ctx.addIssue({
          code: "custom",
          message: `scopes has ${bad.length} entr${bad.length === 1 ? "y" : "ies"} that are not Klaviyo scopes (like "events:write" or "profiles:read"): ${bad
            .slice(0, 3)
            .map((s) => JSON.stringify(s.slice(0, 40)))
            .join(", ")}.`,
        });
    })
    .transform((list) => [...new Set(list)].sort()),
  adopt: z.boolean({ error: "adopt must be true or false." }),
  upstackApiKey: z
    .string({ error: "upstackApiKey must be a string: an Upstack API key (upstack_...)." })
    .transform((s) => s.trim())
    .refine((s) => /^upstack_[A-Za-z0-9_]{8,}$/.test(s), {
      error: "upstackApiKey must be an Upstack API key: it starts with upstack_ followed by letters and digits, without spaces. Paste it again.",
    }),
  retireReplacedKey: z.boolean({ error: "retireReplacedKey must be true or false." }),
  owner: trimmedString("owner").refine((s) => s.length >= 1 && s.length <= 300, {
    error: "owner must be 1 to 300 characters (the SDK sets it; do not pass it yourself).",
  }),
} as const;

/** Inputs that are checked; anything else in the raw inputs is ignored. */
export type PropertyName = keyof typeof PROPERTY_SCHEMAS;

/** Raw inputs as the engine passes them. */
export type RawInputs = Readonly<Record<string, unknown>>;

/** True when a value is the engine's unknown placeholder. */
export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN;
}

/**
 * Validates raw inputs. Unknown values are kept as they are; absent optional
 * values are left out; defaults are applied to known values.
 * @param raw - the inputs.
 * @param defaults - the default pixel id from configuration.
 */
export function parseInputs(raw: RawInputs, defaults: { pixelId?: string | undefined } = {}): { inputs: Record<string, unknown>; failures: InputFailure[] } {
  const inputs: Record<string, unknown> = {};
  const failures: InputFailure[] = [];
  for (const [name, schema] of Object.entries(PROPERTY_SCHEMAS) as [PropertyName, z.ZodType][]) {
    const value = raw[name];
    if (value === undefined || value === null) continue;
    if (isUnknown(value)) {
      inputs[name] = value;
      continue;
    }
    const result = schema.safeParse(value);
    if (result.success) inputs[name] = result.data;
    else for (const issue of result.error.issues) failures.push({ property: name, reason: issue.message });
  }
  if (inputs["pixelId"] === undefined && !failures.some((f) => f.property === "pixelId")) {
    if (defaults.pixelId !== undefined) {
      const fromConfig = PROPERTY_SCHEMAS.pixelId.safeParse(defaults.pixelId);
      if (fromConfig.success) inputs["pixelId"] = fromConfig.data;
      else
        failures.push({
          property: "pixelId",
          reason: "the default pixel id (upstack:pixelId or UPSTACK_PIXEL_ID) is not a UUID. Correct it, or set pixelId on the resource.",
        });
    } else {
      failures.push({
        property: "pixelId",
        reason: "pixelId is required: set it on the resource, or set the stack config upstack:pixelId (or the environment variable UPSTACK_PIXEL_ID).",
      });
    }
  }
  if (inputs["privateApiKey"] === undefined && !failures.some((f) => f.property === "privateApiKey")) {
    failures.push({
      property: "privateApiKey",
      reason:
        'privateApiKey is required: the Klaviyo private API key (Full Access), e.g. `pulumi config set --secret klaviyoPrivateKey pk_...` and cfg.requireSecret("klaviyoPrivateKey").',
    });
  }
  if (inputs["owner"] === undefined && !failures.some((f) => f.property === "owner")) {
    failures.push({
      property: "owner",
      reason: "owner is missing: create the resource with the UpstackKlaviyoDestination class from pulumi-upstack-klaviyo, which sets it.",
    });
  }
  inputs["enabled"] ??= true;
  inputs["label"] ??= DEFAULT_LABEL;
  inputs["adopt"] ??= false;
  return { inputs, failures };
}

/** Parses inputs that check accepted (create/update); throws on anything invalid. */
export function checkedInputs(raw: RawInputs): DestinationInputs {
  const { inputs, failures } = parseInputs(raw);
  const first = failures[0];
  if (first !== undefined) throw new InputError(first.property, failures.map((f) => f.reason).join(" "));
  const unknown = Object.entries(inputs).find(([, v]) => isUnknown(v));
  if (unknown !== undefined) throw new InputError(unknown[0], `${unknown[0]} is still unknown; it must be known before the destination can be written.`);
  return inputs as unknown as DestinationInputs;
}
