/**
 * The Terraform schemas of the provider block, the `upstack_klaviyo_destination`
 * resource (derived from the resource's shape, provider/core/shape.ts, plus Terraform's own
 * `id` and the write-only key) and the `upstack_klaviyo_key` ephemeral
 * resource, in the protocol's `Schema` shape and as cty object types.
 */
import { DESTINATION_ATTRIBUTES } from "./destination-adapter";
import { typeBytes, type CtyType } from "./values";

/** One attribute of a Terraform schema. */
export interface SchemaAttribute {
  /** Name. */
  readonly name: string;
  /** cty type. */
  readonly type: CtyType;
  /** Description (plain text). */
  readonly description: string;
  /** Must be set. */
  readonly required?: boolean;
  /** May be set. */
  readonly optional?: boolean;
  /** Set by the provider. */
  readonly computed?: boolean;
  /** Hidden in output. */
  readonly sensitive?: boolean;
  /** Never stored in plan or state (Terraform ≥ 1.11). */
  readonly writeOnly?: boolean;
}

/** A schema the provider serves: what it is, and its attributes. */
export interface SchemaDeclaration {
  /** Plain text (GetProviderSchema, and the opening of its Registry page). */
  readonly description: string;
  /** Its attributes. */
  readonly attributes: readonly SchemaAttribute[];
}

/** The resource type name. */
export const DESTINATION_TYPE = "upstack_klaviyo_destination";
/** The ephemeral resource type name. */
export const KEY_TYPE = "upstack_klaviyo_key";

/** The provider block. */
export const PROVIDER_ATTRIBUTES: readonly SchemaAttribute[] = [
  {
    name: "api_key",
    type: "string",
    optional: true,
    sensitive: true,
    description: "Upstack API key (upstack_...) for the default pixel. Environment: UPSTACK_API_KEY.",
  },
  {
    name: "api_keys",
    type: ["map", "string"],
    optional: true,
    sensitive: true,
    description: "Upstack API keys by pixel id, for configurations that span many pixels. Environment: UPSTACK_API_KEYS (a JSON object).",
  },
  { name: "pixel_id", type: "string", optional: true, description: "Default pixel for destinations that set no pixel_id. Environment: UPSTACK_PIXEL_ID." },
  { name: "api_url", type: "string", optional: true, description: "Upstack base URL (default https://api.upstackdata.com). Environment: UPSTACK_API_URL." },
  { name: "klaviyo_api_url", type: "string", optional: true, description: "Klaviyo base URL (default https://a.klaviyo.com). Environment: KLAVIYO_API_URL." },
];

/** The write-only key attribute. */
export const WRITE_ONLY_KEY = "private_api_key_wo";
/** Its version attribute: a change rotates the key. */
export const WRITE_ONLY_KEY_VERSION = "private_api_key_wo_version";

/** The destination resource: Terraform's `id`, the rules' attributes, the write-only key and its version. */
export const DESTINATION_SCHEMA_ATTRIBUTES: readonly SchemaAttribute[] = [
  { name: "id", type: "string", computed: true, description: "The destination's id (same as destination_id)." },
  ...DESTINATION_ATTRIBUTES.map((a): SchemaAttribute => ({
    name: a.name,
    type: a.type,
    description: a.description,
    ...(a.input ? { optional: true } : {}),
    ...(a.computed ? { computed: true } : {}),
    ...(a.sensitive ? { sensitive: true } : {}),
  })),
  {
    name: WRITE_ONLY_KEY,
    type: "string",
    optional: true,
    sensitive: true,
    writeOnly: true,
    description:
      "The Klaviyo private API key, write-only (Terraform ≥ 1.11): never stored in plan or state. Use instead of private_api_key; bump private_api_key_wo_version to rotate.",
  },
  { name: WRITE_ONLY_KEY_VERSION, type: "number", optional: true, description: "Bump to rotate to the current private_api_key_wo." },
];

/** The ephemeral key check. */
export const KEY_SCHEMA_ATTRIBUTES: readonly SchemaAttribute[] = [
  { name: "private_api_key", type: "string", required: true, sensitive: true, description: "The Klaviyo private API key to validate (pk_...)." },
  { name: "public_api_key", type: "string", optional: true, description: "The Klaviyo Site ID the key must belong to." },
  { name: "scopes", type: ["set", "string"], optional: true, description: "Scopes required instead of Full Access." },
  { name: "key_hint", type: "string", computed: true, description: "pk_... and the key's last four characters." },
  { name: "key_fingerprint", type: "string", computed: true, description: "sha256: and the hex SHA-256 of the key." },
  { name: "account_id", type: "string", computed: true, description: "The Klaviyo account (Site ID) the key belongs to." },
  { name: "account_name", type: "string", computed: true, description: "The account's organization name." },
  { name: "access_check", type: "string", computed: true, description: "How the key's access was established." },
  { name: "unverified_scopes", type: ["list", "string"], computed: true, description: "Declared scopes that cannot be verified without side effects." },
  { name: "validated_at", type: "string", computed: true, description: "When the key was validated (ISO 8601)." },
];

/** The provider block's schema. */
export const PROVIDER_SCHEMA: SchemaDeclaration = { description: "Upstack Data: Klaviyo destinations as code.", attributes: PROVIDER_ATTRIBUTES };
/** The destination resource's schema. */
export const DESTINATION_SCHEMA: SchemaDeclaration = {
  description: "An Upstack Data Klaviyo destination: the Klaviyo private key validated, then registered with Upstack.",
  attributes: DESTINATION_SCHEMA_ATTRIBUTES,
};
/** The ephemeral key check's schema. */
export const KEY_SCHEMA: SchemaDeclaration = { description: "Validates a Klaviyo private key without storing it.", attributes: KEY_SCHEMA_ATTRIBUTES };

/** The cty object type of a schema's values. */
export function objectType(attributes: readonly SchemaAttribute[]): CtyType {
  return ["object", Object.fromEntries(attributes.map((a) => [a.name, a.type]))];
}

/** A schema in the protocol's shape. */
export function protocolSchema({ attributes, description }: SchemaDeclaration): Record<string, unknown> {
  return {
    version: 0,
    block: {
      version: 0,
      description,
      attributes: attributes.map((a) => ({
        name: a.name,
        type: typeBytes(a.type),
        description: a.description,
        required: a.required === true,
        optional: a.optional === true,
        computed: a.computed === true,
        sensitive: a.sensitive === true,
        write_only: a.writeOnly === true,
      })),
    },
  };
}
