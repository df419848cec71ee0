/**
 * Everything the rules need, assembled in one place and passed explicitly:
 * settings, the one transport, the Klaviyo and Upstack clients, the key
 * validator (with its pacer and cache), Klaviyo's single-key endpoints and
 * what closing the rotation loop keeps per process (key statuses asked at
 * refresh, advice given once, which destination wants which key), a clock, a logger and the vocabulary
 * of the engine the messages appear in. There is no module-level instance:
 * whoever drives the rules (the Pulumi handlers, a Terraform RPC, the
 * command line) builds a context and keeps it as long as its process.
 */
import { loadKlaviyoSpec, type KlaviyoSpec } from "../../spec/klaviyo";
import { envReader, resolveSettings, type ConfigReader, type ProviderSettings, type SettingOverrides } from "../config";
import { KlaviyoApiKeys } from "../klaviyo/api-key-client";
import { KlaviyoClient } from "../klaviyo/client";
import { OnceWarnings } from "../klaviyo/key-conventions";
import { KeyStatusChecker } from "../klaviyo/key-status";
import { KeysInUse } from "../klaviyo/keys-in-use";
import { KeyValidator, type ValidationCarry } from "../klaviyo/key-validator";
import { RequestPacer } from "../klaviyo/request-pacer";
import { createLogger, type Logger } from "../log";
import { HttpTransport, type Transport, type TransportEvent, type TransportOptions } from "../transport/http-transport";
import { UpstackClient } from "../upstack/client";
import { PULUMI_VOCABULARY, type Vocabulary } from "./vocabulary";

/** The time, replaceable in tests. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** What the rules run with. */
export interface CoreContext {
  /** Resolved settings. */
  readonly settings: ProviderSettings;
  /** The one transport every request goes through. */
  readonly transport: Transport;
  /** Klaviyo. */
  readonly klaviyo: KlaviyoClient;
  /** Upstack. */
  readonly upstack: UpstackClient;
  /** Key validation, with its pacer and per-context cache. */
  readonly validator: KeyValidator;
  /** Klaviyo's beta single-key endpoints (key status, disabling a replaced key), paced with the validator's pacer. */
  readonly apiKeys: KlaviyoApiKeys;
  /** Key statuses asked of Klaviyo at refresh, once per distinct key per context. */
  readonly keyStatus: KeyStatusChecker;
  /** Advice (the key naming convention, refresh notes), each emitted once per context. */
  readonly advice: OnceWarnings;
  /** Which destinations of this process want which key (for retiring a replaced key safely). */
  readonly keysInUse: KeysInUse;
  /** The clock. */
  readonly clock: Clock;
  /** Progress and warnings. */
  readonly log: Logger;
  /** The words of the engine the messages appear in. */
  readonly words: Vocabulary;
  /** Closes pooled connections. */
  close(): Promise<void>;
}

/** Options of {@link buildContext}; everything has a default. */
export interface BuildContextOptions {
  /** Reads the engine's provider configuration (Pulumi: `upstack:*` stack config). Default: none. */
  readonly config?: ConfigReader;
  /** Reads environment variables. Default: process.env. */
  readonly env?: ConfigReader;
  /** Settings given directly (command-line flags). */
  readonly overrides?: SettingOverrides;
  /** The engine's words. Default: Pulumi's. */
  readonly words?: Vocabulary;
  /** The clock. Default: Date.now. */
  readonly clock?: Clock;
  /** Where log lines go; default a logger writing to stderr, silenced by UPSTACK_KLAVIYO_QUIET=1. */
  readonly log?: Logger;
  /** Transport options to override (tests: sleep, random; a fake is passed as `transport`). */
  readonly transportOptions?: Partial<TransportOptions>;
  /** A transport to use instead of a new one (tests pass one that answers without a network). */
  readonly transport?: Transport;
  /** Klaviyo's spec files. Default: read from spec/klaviyo. */
  readonly spec?: KlaviyoSpec;
  /** Key validations carried between the processes of one engine run (Terraform's plan and apply). Default: none. */
  readonly validationCarry?: ValidationCarry;
}

/**
 * The same context with its warnings (log and advice) going to `log`: one
 * engine call's view, whose warnings the engine answers with that call (a
 * Terraform diagnostic). Advice already given in the context is not repeated.
 */
export function withLogger(ctx: CoreContext, log: Logger): CoreContext {
  return { ...ctx, log, advice: ctx.advice.through((m) => log.warn(m)) };
}

/** The progress line for a retry, the same wherever it is shown. */
export function describeRetry(e: TransportEvent): string {
  return `${e.service}: ${e.what} got ${e.reason}; retrying in ${(e.delayMs / 1000).toFixed(1)} s (attempt ${e.attempt + 1}).`;
}

/**
 * Builds a context: resolves the settings (throws a `config_invalid`,
 * `http_insecure_url` error naming the setting in the engine's words), then
 * the transport, clients, pacer and validator.
 */
export function buildContext(options: BuildContextOptions = {}): CoreContext {
  const words = options.words ?? PULUMI_VOCABULARY;
  const env = options.env ?? envReader();
  const settings = resolveSettings(options.config ?? (() => undefined), env, words, options.overrides ?? {});
  const clock = options.clock ?? { now: Date.now };
  const log = options.log ?? createLogger({ quiet: settings.quiet, now: () => clock.now() });
  const transport =
    options.transport ??
    new HttpTransport({
      attemptTimeoutMs: settings.attemptTimeoutMs,
      deadlineMs: settings.deadlineMs,
      onEvent: (e) => log.info(describeRetry(e)),
      ...options.transportOptions,
    });
  const spec = options.spec ?? loadKlaviyoSpec();
  const klaviyo = new KlaviyoClient(transport, settings.klaviyoApiUrl, spec);
  // One pacer: its lanes are account × operation, so the validator and the single-key calls share it.
  const pacer = new RequestPacer(
    settings.klaviyoPaceMs > 0,
    undefined,
    () => clock.now(),
    (message) => log.info(message),
  );
  const apiKeys = new KlaviyoApiKeys(transport, settings.klaviyoApiUrl, spec, pacer);
  return {
    settings,
    transport,
    klaviyo,
    upstack: new UpstackClient(transport, settings.upstackApiUrl, words),
    validator: new KeyValidator(klaviyo, spec, pacer, {
      words,
      now: () => clock.now(),
      ...(options.validationCarry === undefined ? {} : { carry: options.validationCarry }),
    }),
    apiKeys,
    keyStatus: new KeyStatusChecker(apiKeys, words),
    advice: new OnceWarnings((m) => log.warn(m)),
    keysInUse: new KeysInUse(),
    clock,
    log,
    words,
    close: () => transport.close(),
  };
}
