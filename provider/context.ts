/**
 * The provider process's shared pieces: settings, one transport, the clients
 * and the key validator (whose cache lives as long as the process). Built
 * lazily on first use, rebuilt when configure brings new settings.
 */
import { loadKlaviyoSpec } from "../spec/klaviyo";
import { resolveSettings, type ConfigReader, type ProviderSettings } from "./config";
import { KlaviyoApiKeys } from "./klaviyo/api-key-client";
import { KlaviyoClient } from "./klaviyo/client";
import { OnceWarnings } from "./klaviyo/key-conventions";
import { KeyStatusChecker } from "./klaviyo/key-status";
import { KeysInUse } from "./klaviyo/keys-in-use";
import { KeyValidator } from "./klaviyo/key-validator";
import { RequestPacer } from "./klaviyo/request-pacer";
import { logger } from "./log";
import { HttpTransport } from "./transport/http-transport";
import { UpstackClient } from "./upstack/client";

/** Everything a handler needs. */
export interface ProviderContext {
  /** Resolved settings. */
  readonly settings: ProviderSettings;
  /** The one transport. */
  readonly transport: HttpTransport;
  /** Klaviyo. */
  readonly klaviyo: KlaviyoClient;
  /** Upstack. */
  readonly upstack: UpstackClient;
  /** Key validation with its per-process cache. */
  readonly validator: KeyValidator;
  /** Klaviyo's beta single-key endpoints (key status, disabling a replaced key), paced per account. */
  readonly apiKeys: KlaviyoApiKeys;
  /** Key statuses asked of Klaviyo at refresh, once per distinct key per process. */
  readonly keyStatus: KeyStatusChecker;
  /** Advice (the key naming convention), each emitted once per process. */
  readonly advice: OnceWarnings;
  /** Which destinations of this process want which key (for retiring a replaced key safely). */
  readonly keysInUse: KeysInUse;
}

let configReader: ConfigReader = () => undefined;
let current: ProviderContext | undefined;

/** Sets the stack configuration reader (from configure) and drops the old context. */
export function setConfigReader(reader: ConfigReader): void {
  configReader = reader;
  const old = current;
  current = undefined;
  void old?.transport.close();
}

/** The context, built on first use. */
export function context(): ProviderContext {
  if (current !== undefined) return current;
  const settings = resolveSettings(configReader);
  const transport = new HttpTransport({
    attemptTimeoutMs: settings.attemptTimeoutMs,
    deadlineMs: settings.deadlineMs,
    onEvent: (e) => logger.info(`${e.service}: ${e.what} got ${e.reason}; retrying in ${(e.delayMs / 1000).toFixed(1)} s (attempt ${e.attempt + 1}).`),
  });
  const spec = loadKlaviyoSpec();
  const klaviyo = new KlaviyoClient(transport, settings.klaviyoApiUrl, spec);
  // One pacer: its lanes are account × operation, so the validator and the single-key calls share it.
  const pacer = new RequestPacer(settings.klaviyoPaceMs > 0);
  const apiKeys = new KlaviyoApiKeys(transport, settings.klaviyoApiUrl, spec, pacer);
  current = {
    settings,
    transport,
    klaviyo,
    upstack: new UpstackClient(transport, settings.upstackApiUrl),
    validator: new KeyValidator(klaviyo, spec, pacer),
    apiKeys,
    keyStatus: new KeyStatusChecker(apiKeys),
    advice: new OnceWarnings((m) => logger.warn(m)),
    keysInUse: new KeysInUse(),
  };
  return current;
}
