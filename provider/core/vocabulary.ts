/**
 * The words of the place a message appears. The rules name things by their
 * canonical property (`privateApiKey`) and setting (`klaviyoApiUrl`); a
 * {@link Vocabulary} renders them as Pulumi (`privateApiKey`,
 * `upstack:klaviyoApiUrl`), Terraform (`private_api_key`) or the command
 * line (`--public-api-key`) says them, and names that engine's commands.
 */
import type { InputName, OutputName } from "./shape";

/** A provider setting, by its canonical name. */
export type SettingName = "upstackApiKey" | "upstackApiKeys" | "pixelId" | "upstackApiUrl" | "klaviyoApiUrl" | "timeoutMs" | "deadlineMs" | "paceMs";

/** Which engine a vocabulary speaks for. */
export type EngineName = "pulumi" | "terraform" | "cli";

/** How the engine that shows a message names things and says what to do. */
export interface Vocabulary {
  /** The engine. */
  readonly engine: EngineName;
  /** A resource property as the user writes it. */
  property(name: InputName | OutputName): string;
  /** A property named as a noun in a sentence ("the scopes input", "the scopes attribute", "--scopes"). */
  described(name: InputName | OutputName): string;
  /** A property given a value, as the user writes it (`adopt: true`, `adopt = true`). */
  assignment(name: InputName, value: string): string;
  /** A provider setting as the user sets it, with its environment variable. */
  setting(name: SettingName): string;
  /** How to give the provider a new Klaviyo private key, as an imperative clause in lower case ("set it with …"). */
  readonly setKey: string;
  /** How to give a new Upstack API key. */
  readonly setUpstackKey: string;
  /** How to see an out-of-band change (a sentence without its full stop). */
  readonly refresh: string;
  /** How to see an out-of-band change and then apply the configuration over it. */
  readonly refreshThenApply: string;
  /** The command that applies the configuration again. */
  readonly applyAgain: string;
  /** The engine's name as users know it (`Pulumi`, `Terraform`). */
  readonly engineName: string;
  /** Where a resource property is set, after "set it" ("on the resource", "in the resource block"). */
  readonly onResource: string;
  /** How to take over an existing destination, after "Set `adopt…`" ("on this resource"). */
  readonly adoptHow: string;
  /** Who else may manage a destination ("the stack that manages it"). */
  readonly otherManager: string;
  /** Why refresh could not find the key to ask Klaviyo about it (a clause, lower case). */
  readonly refreshKeySources: string;
}

const ENV: Readonly<Record<SettingName, string>> = {
  upstackApiKey: "UPSTACK_API_KEY",
  upstackApiKeys: "UPSTACK_API_KEYS",
  pixelId: "UPSTACK_PIXEL_ID",
  upstackApiUrl: "UPSTACK_API_URL",
  klaviyoApiUrl: "KLAVIYO_API_URL",
  timeoutMs: "UPSTACK_KLAVIYO_TIMEOUT_MS",
  deadlineMs: "UPSTACK_KLAVIYO_DEADLINE_MS",
  paceMs: "UPSTACK_KLAVIYO_PACE_MS",
};

/** Settings with only an environment variable. */
const ENV_ONLY = new Set<SettingName>(["timeoutMs", "deadlineMs", "paceMs"]);

const PULUMI_CONFIG: Readonly<Partial<Record<SettingName, string>>> = {
  upstackApiKey: "upstack:apiKey",
  upstackApiKeys: "upstack:apiKeys",
  pixelId: "upstack:pixelId",
  upstackApiUrl: "upstack:apiUrl",
  klaviyoApiUrl: "upstack:klaviyoApiUrl",
};

const snake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The Terraform provider block's attribute of each setting (`provider "upstack" { api_key = … }`). */
const TERRAFORM_PROVIDER_BLOCK: Readonly<Partial<Record<SettingName, string>>> = {
  upstackApiKey: "api_key",
  upstackApiKeys: "api_keys",
  pixelId: "pixel_id",
  upstackApiUrl: "api_url",
  klaviyoApiUrl: "klaviyo_api_url",
};

/** The provider block attribute of a setting, when it has one (Terraform). */
export function terraformSettingName(name: SettingName): string | undefined {
  return TERRAFORM_PROVIDER_BLOCK[name];
}

/** The environment variable of a setting. */
export function settingEnvVar(name: SettingName): string {
  return ENV[name];
}

/** Pulumi: resource properties in camelCase, settings in the `upstack:` stack config. */
export const PULUMI_VOCABULARY: Vocabulary = {
  engine: "pulumi",
  property: (name) => name,
  described: (name) => `the ${name} input`,
  assignment: (name, value) => `\`${name}: ${value}\``,
  setting: (name) => (ENV_ONLY.has(name) ? ENV[name] : `${PULUMI_CONFIG[name] ?? name} (or ${ENV[name]})`),
  setKey: "set it with `pulumi config set --secret klaviyoPrivateKey pk_...`",
  setUpstackKey: "`pulumi config set --secret upstack:apiKey upstack_...` (or UPSTACK_API_KEY, or upstack:apiKeys for many pixels)",
  refresh: "Run `pulumi refresh` to see the change",
  refreshThenApply: "Run `pulumi refresh` to see the change, then `pulumi up` to apply your configuration over it",
  applyAgain: "`pulumi up`",
  engineName: "Pulumi",
  onResource: "on the resource",
  adoptHow: "on this resource",
  otherManager: "the stack that manages it",
  refreshKeySources:
    "the key is not in the stack config as klaviyoPrivateKey or klaviyoKeys, nor in KLAVIYO_PRIVATE_KEY (refresh is given only the stored outputs, never the key)",
};

/** Terraform: attributes in snake_case, settings as provider block attributes. */
export const TERRAFORM_VOCABULARY: Vocabulary = {
  engine: "terraform",
  property: (name) => snake(name),
  described: (name) => `the ${snake(name)} attribute`,
  assignment: (name, value) => `\`${snake(name)} = ${value}\``,
  setting: (name) => {
    const attribute = TERRAFORM_PROVIDER_BLOCK[name];
    return attribute === undefined ? ENV[name] : `${attribute} in the provider "upstack" block (or ${ENV[name]})`;
  },
  setKey: "set it with `private_api_key_wo = var.klaviyo_private_key` (a sensitive, ephemeral variable; bump private_api_key_wo_version to rotate)",
  setUpstackKey: 'api_key in the provider "upstack" block (or UPSTACK_API_KEY, or api_keys for many pixels)',
  refresh: "Run `terraform plan -refresh-only` to see the change",
  refreshThenApply: "Run `terraform plan -refresh-only` to see the change, then `terraform apply` to apply your configuration over it",
  applyAgain: "`terraform apply`",
  engineName: "Terraform",
  onResource: "in the resource block",
  adoptHow: "in the resource block (or `terraform import` it by pixel id)",
  otherManager: "the configuration or stack that manages it",
  refreshKeySources: "the key is neither in state (private_api_key_wo never is) nor in KLAVIYO_PRIVATE_KEY in the provider's environment",
};

const CLI_FLAGS: Readonly<Partial<Record<InputName | OutputName, string>>> = {
  privateApiKey: "the key",
  publicApiKey: "--public-api-key",
  scopes: "--scopes",
};

/** The command line: flags, and the key's two sources. */
export const CLI_VOCABULARY: Vocabulary = {
  engine: "cli",
  property: (name) => CLI_FLAGS[name] ?? name,
  described: (name) => CLI_FLAGS[name] ?? name,
  assignment: (name, value) => `${CLI_FLAGS[name] ?? name} ${value}`,
  setting: (name) => (name === "klaviyoApiUrl" ? "--klaviyo-url (or KLAVIYO_API_URL)" : ENV[name]),
  setKey: "pass it in KLAVIYO_PRIVATE_KEY or on stdin",
  setUpstackKey: "set UPSTACK_API_KEY",
  refresh: "Read the destination again to see the change",
  refreshThenApply: "Read the destination again, then apply your configuration over it",
  applyAgain: "the command again",
  engineName: "upstack-klaviyo",
  onResource: "on the command line",
  adoptHow: "on the command line",
  otherManager: "the stack or configuration that manages it",
  refreshKeySources: "the key is not in KLAVIYO_PRIVATE_KEY",
};
