/**
 * The shape of the `UpstackKlaviyoDestination` resource, declared once: every
 * input and output with its type, description, whether it is secret, whether
 * a change forces replacement, and whether it is required, optional or
 * computed. The SDK's argument and output types, the handlers' outputs, the
 * benchmark floor's declared outputs and the Terraform schema are derived
 * from this declaration. Plain data with no imports, so the SDK can load it
 * without loading the provider.
 */

/** The value types a property can have. */
export type PropertyType = "string" | "boolean" | "string[]";

/** One resource input. */
export interface InputSpec {
  /** The value type. */
  readonly type: PropertyType;
  /** What it is, for users (TSDoc, Terraform schema, README). */
  readonly description: string;
  /** Whether the value is a credential: made secret, never in outputs or logs. */
  readonly secret: boolean;
  /** Whether a change replaces the destination rather than updating it in place. */
  readonly forcesReplacement: boolean;
  /** `required`: must be given; `optional`: may be left out (a default or setting applies). */
  readonly presence: "required" | "optional";
  /** The default, in words, when the input is left out. */
  readonly default?: string;
  /** True when the engine binding sets it, not the user (the SDK sets `owner`). */
  readonly setByEngine?: boolean;
  /** An example value, as TypeScript source (for the SDK's TSDoc). */
  readonly example?: string;
}

/** One resource output. */
export interface OutputSpec {
  /** The value type. */
  readonly type: PropertyType;
  /** What it is, for users. */
  readonly description: string;
  /** `always`: every output has it; `optional`: present only when known. */
  readonly presence: "always" | "optional";
  /** True for bookkeeping the provider needs but users do not read (not declared on the SDK class). */
  readonly internal?: boolean;
}

/** The resource's inputs. */
export const DESTINATION_INPUTS = {
  pixelId: {
    type: "string",
    description: "The Upstack pixel (a UUID) the destination belongs to. A pixel has at most one Klaviyo destination.",
    secret: false,
    forcesReplacement: true,
    presence: "optional",
    default: "the provider's default pixel setting (`upstack:pixelId`, `UPSTACK_PIXEL_ID`)",
    example: '"9b2f6c1e-0d4a-4c3e-8f57-2a1b3c4d5e6f"',
  },
  privateApiKey: {
    type: "string",
    description:
      "The Klaviyo private API key (`pk_…`, Full Access unless scopes are declared). Whitespace around it is trimmed. Changing it rotates the key in place after validating the new one.",
    secret: true,
    forcesReplacement: false,
    presence: "required",
    example: 'cfg.requireSecret("klaviyoPrivateKey")',
  },
  publicApiKey: {
    type: "string",
    description: "The Klaviyo Site ID (public key, 6 characters) the private key must belong to. When set, a key from another account is refused.",
    secret: false,
    forcesReplacement: false,
    presence: "optional",
    default: "not checked",
    example: '"AbC123"',
  },
  enabled: {
    type: "boolean",
    description: "Whether Upstack forwards events to Klaviyo. Changing it updates the destination in place.",
    secret: false,
    forcesReplacement: false,
    presence: "optional",
    default: "true",
    example: "false // pause forwarding without deleting the destination",
  },
  label: {
    type: "string",
    description: "The destination's display name in Upstack, 1 to 100 characters.",
    secret: false,
    forcesReplacement: false,
    presence: "optional",
    default: '"UpstackData" (the name Upstack\'s guide gives the key)',
    example: '"Klaviyo – EU store"',
  },
  scopes: {
    type: "string[]",
    description:
      "The Klaviyo scopes you rely on, instead of Upstack's default requirement of Full Access. `accounts:read` is always required. Write scopes cannot be verified without side effects unless the key may list API keys.",
    secret: false,
    forcesReplacement: false,
    presence: "optional",
    default: "Full Access required",
    example: '["events:write", "profiles:write", "metrics:read", "profiles:read"]',
  },
  adopt: {
    type: "boolean",
    description:
      "Take over a Klaviyo destination that already exists on the pixel (made in the dashboard or by another stack). Without it such a destination is refused.",
    secret: false,
    forcesReplacement: false,
    presence: "optional",
    default: "false",
    example: "true // take over the destination made by hand in the dashboard",
  },
  upstackApiKey: {
    type: "string",
    description:
      "The Upstack API key for this pixel (`upstack_…`), for stacks spanning many pixels. Refresh and delete read keys from the provider settings only, so set the per-pixel map there too.",
    secret: true,
    forcesReplacement: false,
    presence: "optional",
    default: "the provider's per-pixel key map, then its default key",
    example: 'cfg.requireSecret("upstackApiKeyStoreA")',
  },
  retireReplacedKey: {
    type: "boolean",
    description:
      "After a rotation is written to Upstack and Upstack reports the destination healthy with the new key, disable the key it replaced in Klaviyo (beta `PATCH /api/api-keys/{id}`, with the new key's credentials; the new key needs `credentials:write`, which Full Access has). Only a key identified without doubt, of the same Klaviyo account, never the key Upstack holds; if disabling fails the rotation stands and a warning gives the manual steps. Risk: any other integration still using the old key stops working. Outputs `retiredKeyId` and `retiredAt` record what was disabled.",
    secret: false,
    forcesReplacement: false,
    presence: "optional",
    default: "false",
    example: "true // the old key is disabled once the new one is live",
  },
  owner: {
    type: "string",
    description: "Who manages the destination, set by the engine binding (Pulumi: `pulumi:<project>/<stack>/<name>`).",
    secret: false,
    forcesReplacement: false,
    presence: "required",
    setByEngine: true,
  },
} as const satisfies Record<string, InputSpec>;

/** The resource's outputs. None of them ever holds a key. */
export const DESTINATION_OUTPUTS = {
  destinationId: { type: "string", description: "Upstack's id of the destination (`dst_…`); also the resource id.", presence: "always" },
  pixelId: { type: "string", description: "The pixel it belongs to.", presence: "always" },
  keyFingerprint: { type: "string", description: "`sha256:` + hex SHA-256 of the key Upstack holds.", presence: "always" },
  keyHint: { type: "string", description: "`pk_...` + the key's last four characters.", presence: "always" },
  klaviyoAccountId: { type: "string", description: "The Klaviyo account (public key / Site ID) the key belongs to.", presence: "always" },
  klaviyoAccountName: { type: "string", description: "The Klaviyo account's organization name, when it has one.", presence: "optional" },
  klaviyoKeyId: {
    type: "string",
    description:
      "Klaviyo's id of the private key that was validated (from Klaviyo's api-keys listing; never the key itself), when the listing identified the key.",
    presence: "optional",
  },
  klaviyoKeyName: {
    type: "string",
    description: "The name of that key in Klaviyo (e.g. `UpstackData`), when the listing identified the key.",
    presence: "optional",
  },
  status: { type: "string", description: "`healthy`, `unhealthy` (Klaviyo rejects the key) or `disabled`.", presence: "always" },
  statusReason: { type: "string", description: "Why the destination is not healthy, when it is not.", presence: "optional" },
  enabled: { type: "boolean", description: "Whether events flow.", presence: "always" },
  label: { type: "string", description: "Display name.", presence: "always" },
  publicApiKey: { type: "string", description: "The Site ID the key was checked against, when declared.", presence: "optional", internal: true },
  scopes: { type: "string[]", description: "The declared scopes, when declared.", presence: "optional", internal: true },
  owner: { type: "string", description: "Who manages the destination: `pulumi:<project>/<stack>/<name>`.", presence: "always" },
  etag: { type: "string", description: "The destination version's ETag, for conditional updates.", presence: "always", internal: true },
  accessCheck: { type: "string", description: "How the key's access was established.", presence: "always" },
  validatedAt: { type: "string", description: "When the key was last validated against Klaviyo (ISO 8601).", presence: "always" },
  rotatedAt: { type: "string", description: "When Upstack last received a different key (ISO 8601).", presence: "always" },
  createdAt: { type: "string", description: "When the destination was created (ISO 8601).", presence: "always" },
  updatedAt: { type: "string", description: "When the destination last changed (ISO 8601).", presence: "always" },
  retiredKeyId: {
    type: "string",
    description: "Klaviyo's id of the key disabled after the last rotation that retired one (`retireReplacedKey`).",
    presence: "optional",
  },
  retiredAt: { type: "string", description: "When that key was disabled in Klaviyo (ISO 8601).", presence: "optional" },
} as const satisfies Record<string, OutputSpec>;

/** The name of a resource input. */
export type InputName = keyof typeof DESTINATION_INPUTS;
/** The name of a resource output. */
export type OutputName = keyof typeof DESTINATION_OUTPUTS;

/** The TypeScript type of a {@link PropertyType}. */
export type ValueOf<T extends PropertyType> = T extends "string" ? string : T extends "boolean" ? boolean : string[];

type OutputsWhere<P extends OutputSpec["presence"]> = {
  [K in OutputName]: (typeof DESTINATION_OUTPUTS)[K]["presence"] extends P ? K : never;
}[OutputName];

/** The outputs of a destination, as the handlers build them (derived from `DESTINATION_OUTPUTS` in provider/core/shape.ts). */
export type DestinationOutputs = { [K in OutputsWhere<"always">]: ValueOf<(typeof DESTINATION_OUTPUTS)[K]["type"]> } & {
  [K in OutputsWhere<"optional">]?: ValueOf<(typeof DESTINATION_OUTPUTS)[K]["type"]>;
};

/** Outputs users read (the SDK class declares these). */
export type PublicOutputName = {
  [K in OutputName]: (typeof DESTINATION_OUTPUTS)[K] extends { internal: true } ? never : K;
}[OutputName];

/** Inputs users set (the engine binding sets the others). */
export type UserInputName = {
  [K in InputName]: (typeof DESTINATION_INPUTS)[K] extends { setByEngine: true } ? never : K;
}[InputName];

/** Every input name, in declaration order. */
export const INPUT_NAMES = Object.keys(DESTINATION_INPUTS) as InputName[];
/** Every output name, in declaration order. */
export const OUTPUT_NAMES = Object.keys(DESTINATION_OUTPUTS) as OutputName[];
/** Outputs users read, in declaration order. */
export const PUBLIC_OUTPUT_NAMES = OUTPUT_NAMES.filter((n) => !("internal" in DESTINATION_OUTPUTS[n])) as PublicOutputName[];
/** Inputs that are credentials. */
export const SECRET_INPUT_NAMES = INPUT_NAMES.filter((n) => DESTINATION_INPUTS[n].secret);
/** Inputs whose change replaces the destination. */
export const REPLACING_INPUT_NAMES = INPUT_NAMES.filter((n) => DESTINATION_INPUTS[n].forcesReplacement);

type InputsWhere<P extends InputSpec["presence"]> = {
  [K in InputName]: (typeof DESTINATION_INPUTS)[K]["presence"] extends P ? K : never;
}[InputName];

/** The inputs of a destination as plain values (derived from `DESTINATION_INPUTS` in provider/core/shape.ts); what the engine hands a provider. */
export type DestinationInputs = { [K in InputsWhere<"required">]: ValueOf<(typeof DESTINATION_INPUTS)[K]["type"]> } & {
  [K in InputsWhere<"optional">]?: ValueOf<(typeof DESTINATION_INPUTS)[K]["type"]>;
};
