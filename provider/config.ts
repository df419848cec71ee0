/**
 * Provider settings: stack configuration (the `upstack:` namespace, read in
 * the provider's configure) first, then plain environment variables (so Pulumi
 * ESC environments and CI secret stores work unchanged), then defaults.
 * Credentials are read here, at call time, never captured in the serialized
 * provider.
 */
import { ConfigError } from "./errors";
import { keyFingerprint } from "./fingerprint";
import { describePrivateKeyProblem } from "./key-format";
import { registerSecret } from "./redact";
import { isLoopbackHost } from "./transport/url-policy";
import { PULUMI_VOCABULARY, type SettingName, type Vocabulary } from "./core/vocabulary";

/** The default Upstack API base URL. */
export const DEFAULT_UPSTACK_API_URL = "https://api.upstackdata.com";
/** The default Klaviyo API base URL. */
export const DEFAULT_KLAVIYO_API_URL = "https://a.klaviyo.com";

/** Reads a configuration value by its full key (e.g. `upstack:apiKey`). */
export type ConfigReader = (key: string) => string | undefined;

/** The resolved settings of one provider process. */
export interface ProviderSettings {
  /** Upstack base URL: `upstack:apiUrl`, `UPSTACK_API_URL`, else {@link DEFAULT_UPSTACK_API_URL}. */
  readonly upstackApiUrl: string;
  /** Klaviyo base URL: `upstack:klaviyoApiUrl`, `KLAVIYO_API_URL`, else {@link DEFAULT_KLAVIYO_API_URL}. */
  readonly klaviyoApiUrl: string;
  /** Default Upstack API key: `upstack:apiKey`, `UPSTACK_API_KEY`. */
  readonly upstackApiKey: string | undefined;
  /** Default pixel id: `upstack:pixelId`, `UPSTACK_PIXEL_ID`. */
  readonly pixelId: string | undefined;
  /** Per-pixel Upstack API keys: `upstack:apiKeys` or `UPSTACK_API_KEYS`, a JSON object `{ "<pixel id>": "upstack_..." }`. */
  readonly upstackApiKeysByPixel: ReadonlyMap<string, string>;
  /** Attempt timeout: `UPSTACK_KLAVIYO_TIMEOUT_MS` (default 10 000). */
  readonly attemptTimeoutMs: number;
  /** Deadline per request including retries: `UPSTACK_KLAVIYO_DEADLINE_MS` (default 60 000). */
  readonly deadlineMs: number;
  /** `UPSTACK_KLAVIYO_PACE_MS`: 0 turns off pacing of Klaviyo requests; any other value (default 1000) keeps it on, at each endpoint's tier from Klaviyo's spec files. */
  readonly klaviyoPaceMs: number;
  /** Progress lines silenced: `UPSTACK_KLAVIYO_QUIET=1`. */
  readonly quiet: boolean;
  /**
   * Klaviyo private keys refresh may use to ask Klaviyo for a key's status (refresh is given
   * only the stored outputs, never the key): the stack config values `klaviyoPrivateKey` and
   * `klaviyoKeys` (a JSON map or list) of the program's project, and `KLAVIYO_PRIVATE_KEY`.
   * One is used only for the destination whose recorded fingerprint it has.
   */
  readonly klaviyoKeysForRefresh: readonly string[];
}

/** Settings given directly (a command-line flag), which win over config and environment. */
export interface SettingOverrides {
  /** Klaviyo's base URL (`--klaviyo-url`). */
  readonly klaviyoApiUrl?: string | undefined;
}

/** Reads the environment. */
export const envReader =
  (env: NodeJS.ProcessEnv = process.env): ConfigReader =>
  (key) => {
    const value = env[key];
    return value === undefined || value.trim() === "" ? undefined : value;
  };

/**
 * Resolves settings from stack config and the environment.
 * @param config - reads `upstack:*` stack config (the configure request's), or nothing.
 * @param env - reads environment variables.
 * @param words - names the settings in messages (default Pulumi's).
 * @param overrides - values given directly, e.g. by a command-line flag.
 */
export function resolveSettings(
  config: ConfigReader,
  env: ConfigReader = envReader(),
  words: Vocabulary = PULUMI_VOCABULARY,
  overrides: SettingOverrides = {},
): ProviderSettings {
  const pick = (configKey: string, envKey: string): string | undefined => {
    const fromConfig = config(configKey);
    if (fromConfig !== undefined && fromConfig.trim() !== "") return fromConfig.trim();
    return env(envKey)?.trim();
  };
  const upstackApiKey = pick("upstack:apiKey", "UPSTACK_API_KEY");
  registerSecret(upstackApiKey);
  const keysJson = pick("upstack:apiKeys", "UPSTACK_API_KEYS");
  const upstackApiKeysByPixel = parseKeyMap(keysJson, words);
  for (const key of upstackApiKeysByPixel.values()) registerSecret(key);
  return {
    upstackApiUrl: baseUrl("upstack", "upstackApiUrl", pick("upstack:apiUrl", "UPSTACK_API_URL") ?? DEFAULT_UPSTACK_API_URL, words),
    klaviyoApiUrl: baseUrl(
      "klaviyo",
      "klaviyoApiUrl",
      overrides.klaviyoApiUrl ?? pick("upstack:klaviyoApiUrl", "KLAVIYO_API_URL") ?? DEFAULT_KLAVIYO_API_URL,
      words,
    ),
    upstackApiKey,
    pixelId: pick("upstack:pixelId", "UPSTACK_PIXEL_ID")?.toLowerCase(),
    upstackApiKeysByPixel,
    attemptTimeoutMs: positiveInt("UPSTACK_KLAVIYO_TIMEOUT_MS", env("UPSTACK_KLAVIYO_TIMEOUT_MS"), 10_000),
    deadlineMs: positiveInt("UPSTACK_KLAVIYO_DEADLINE_MS", env("UPSTACK_KLAVIYO_DEADLINE_MS"), 60_000),
    klaviyoPaceMs: nonNegativeInt("UPSTACK_KLAVIYO_PACE_MS", env("UPSTACK_KLAVIYO_PACE_MS"), 1000),
    quiet: env("UPSTACK_KLAVIYO_QUIET")?.trim() === "1",
    klaviyoKeysForRefresh: klaviyoKeysForRefresh(config, env),
  };
}

/**
 * A service's base URL: a URL, with no path (the API's paths are appended to
 * it), and https unless the host is loopback. Malformed → `config_invalid`;
 * plain http to a remote host → `http_insecure_url`.
 */
function baseUrl(service: string, setting: SettingName, raw: string, words: Vocabulary): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(
      "config_invalid",
      `${words.setting(setting)} is not a URL: "${raw.slice(0, 80)}". Set it to the service's base URL, like https://host[:port].`,
      {
        property: setting,
      },
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError("config_invalid", `${words.setting(setting)} must be an https:// URL; it is ${url.protocol}//….`, { property: setting });
  }
  if ((url.pathname !== "/" && url.pathname !== "") || url.search !== "" || url.hash !== "") {
    throw new ConfigError(
      "config_invalid",
      `${words.setting(setting)} must be the base URL only, without a path or query: use ${url.origin}, not ${url.origin}${url.pathname}${url.search}. The API paths (like /api/accounts/) are added to it.`,
      { property: setting },
    );
  }
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    throw new ConfigError(
      "http_insecure_url",
      `${words.setting(setting)} ${url.origin} is refused: plain http is allowed only for loopback hosts (the emulator); ${service} must be reached over https://.`,
      { property: setting },
    );
  }
  return url.origin;
}

/**
 * The well-formed Klaviyo private keys among the program's `klaviyoPrivateKey` and `klaviyoKeys`
 * config values (the names the README and the examples use; read without a namespace, so the
 * host resolves them in the project's) and `KLAVIYO_PRIVATE_KEY`. Anything else is ignored: these
 * are the program's values, not the provider's settings, so they are never an error here.
 */
function klaviyoKeysForRefresh(config: ConfigReader, env: ConfigReader): string[] {
  const found = new Set<string>();
  const add = (value: unknown): void => {
    if (typeof value !== "string") return;
    const key = value.trim();
    if (describePrivateKeyProblem(key) !== undefined) return;
    registerSecret(key);
    found.add(key);
  };
  add(config("klaviyoPrivateKey"));
  add(env("KLAVIYO_PRIVATE_KEY"));
  const map = config("klaviyoKeys");
  if (map !== undefined) {
    try {
      const parsed: unknown = JSON.parse(map);
      if (Array.isArray(parsed)) parsed.forEach(add);
      else if (typeof parsed === "object" && parsed !== null) Object.values(parsed).forEach(add);
    } catch {
      // Not JSON: not a map of keys.
    }
  }
  return [...found];
}

/** The refresh key whose fingerprint is `fingerprint` (the key this destination was given), if configured. */
export function refreshKlaviyoKey(settings: ProviderSettings, fingerprint: string): string | undefined {
  return settings.klaviyoKeysForRefresh.find((k) => keyFingerprint(k) === fingerprint);
}

function parseKeyMap(json: string | undefined, words: Vocabulary): Map<string, string> {
  const map = new Map<string, string>();
  if (json === undefined) return map;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new ConfigError(
      "config_invalid",
      `${words.setting("upstackApiKeys")} is not valid JSON. Set it to an object mapping pixel ids to Upstack API keys: {"<pixel id>": "upstack_..."}.`,
    );
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(
      "config_invalid",
      `${words.setting("upstackApiKeys")} must be a JSON object mapping pixel ids to Upstack API keys: {"<pixel id>": "upstack_..."}.`,
    );
  }
  for (const [pixel, key] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof key !== "string" || key.trim() === "") {
      throw new ConfigError(
        "config_invalid",
        `${words.setting("upstackApiKeys")} has a non-string key for pixel ${pixel}. Each value must be an Upstack API key string.`,
      );
    }
    map.set(pixel.trim().toLowerCase(), key.trim());
  }
  return map;
}

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new ConfigError("config_invalid", `${name} must be a positive whole number of milliseconds; it is "${raw}".`);
  return n;
}

function nonNegativeInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new ConfigError("config_invalid", `${name} must be a whole number of milliseconds (0 or more); it is "${raw}".`);
  return n;
}

/** Upstack credentials for one pixel. */
export interface UpstackCredentials {
  /** The API key (`x-api-key`). */
  readonly apiKey: string;
  /** The pixel (`x-pixel-id`). */
  readonly pixelId: string;
}

/**
 * The Upstack API key for `pixelId`: the resource's own `upstackApiKey` when
 * given, else `upstack:apiKeys[pixelId]`, else the default key. Throws one
 * error naming every way to set it.
 */
export function upstackCredentials(
  settings: ProviderSettings,
  pixelId: string,
  resourceApiKey?: string,
  words: Vocabulary = PULUMI_VOCABULARY,
): UpstackCredentials {
  const apiKey = resourceApiKey ?? settings.upstackApiKeysByPixel.get(pixelId) ?? settings.upstackApiKey;
  if (apiKey === undefined) {
    throw new ConfigError(
      "config_missing_credentials",
      `No Upstack API key for pixel ${pixelId}. Set ${words.setting("upstackApiKey")} (or ${words.setting("upstackApiKeys")} for many pixels), or pass ${words.property("upstackApiKey")} ${words.onResource}.`,
      { property: "upstackApiKey" },
    );
  }
  registerSecret(apiKey);
  return { apiKey, pixelId };
}
