/**
 * The one HTTP transport every request goes through: Node's http/https with
 * keep-alive pooling (./node-http), a timeout per attempt and a deadline per operation, retries with
 * backoff (see {@link ./retry-policy}), idempotency keys reused on every
 * attempt, no redirects followed, and errors redacted.
 */
import { HttpError } from "../errors";
import { redact } from "../redact";
import { DEFAULT_RETRY_OPTIONS, isRepeatable, isRetryableStatus, retryDelayMs, serverRetryHintMs, type BodyRetryHint, type RetryOptions } from "./retry-policy";
import { ConnectionPools, exchange } from "./node-http";
import { checkBaseUrl } from "./url-policy";

/** HTTP methods the provider uses. */
export type HttpMethod = "GET" | "PUT" | "POST" | "PATCH" | "DELETE";

/** One logical request (possibly several attempts). */
export interface HttpRequest {
  /** Which service is called, for messages and metrics: `klaviyo` or `upstack`. */
  readonly service: string;
  /** The method. */
  readonly method: HttpMethod;
  /** The service's base URL (checked by {@link checkBaseUrl}). */
  readonly baseUrl: string;
  /** Path below the base URL, starting with `/`. */
  readonly path: string;
  /** Query parameters. */
  readonly query?: Readonly<Record<string, string>>;
  /** Request headers (credentials included; never logged). */
  readonly headers?: Readonly<Record<string, string>>;
  /** A JSON body. */
  readonly body?: unknown;
  /** Sent as `Idempotency-Key` on every attempt; makes a POST repeatable. */
  readonly idempotencyKey?: string;
  /** The service's hook that reads a retry hint from a throttled response's body (when Retry-After is missing). */
  readonly retryHint?: BodyRetryHint;
}

/** A response the caller interprets (any status that was not retried away). */
export interface HttpResponse {
  /** HTTP status. */
  readonly status: number;
  /** Lower-cased response headers. */
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON when the response is JSON, else the text. */
  readonly body: unknown;
  /** Attempts made, 1 when the first one answered. */
  readonly attempts: number;
}

/** Something that happened while a request was under way, for progress logs. */
export interface TransportEvent {
  /** `retry`: an attempt failed and another follows after `delayMs`. */
  readonly kind: "retry";
  /** The service. */
  readonly service: string;
  /** Method and path (no query, no credentials). */
  readonly what: string;
  /** Why: a status or an error code. */
  readonly reason: string;
  /** How long until the next attempt. */
  readonly delayMs: number;
  /** The attempt that just failed (1-based). */
  readonly attempt: number;
}

/** Options of {@link HttpTransport}; every field has a default. */
export interface TransportOptions {
  /** Timeout of one attempt in ms (until the whole response has arrived). Default 10 000. */
  readonly attemptTimeoutMs: number;
  /** Deadline of one logical request, all attempts and waits included, in ms. Default 60 000. */
  readonly deadlineMs: number;
  /**
   * A retry is started only when at least this much of the deadline is left for it (capped at
   * `attemptTimeoutMs`). An attempt squeezed into the deadline's last milliseconds cannot be
   * answered in time, yet the server may still act on it after the caller was told it failed.
   * Default 100.
   */
  readonly minAttemptMs: number;
  /** The retry policy. */
  readonly retry: RetryOptions;
  /** Keep-alive connections per origin. Default 32. */
  readonly connectionsPerOrigin: number;
  /** Called on each retry (progress logging). */
  readonly onEvent?: (event: TransportEvent) => void;
  /** Waits `ms`; replaceable in tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Random source for jitter; replaceable in tests. */
  readonly random?: () => number;
}

/** The defaults of {@link TransportOptions}. */
export const DEFAULT_TRANSPORT_OPTIONS: TransportOptions = {
  attemptTimeoutMs: 10_000,
  deadlineMs: 60_000,
  minAttemptMs: 100,
  retry: DEFAULT_RETRY_OPTIONS,
  connectionsPerOrigin: 32,
};

/** Counts of requests sent, by service and `METHOD path`; for tests and the benchmark. */
export type RequestCounts = Record<string, number>;

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Error codes of connection failures that are safe to retry. */
const RETRYABLE_ERROR_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EAI_AGAIN"]);

/** What the service clients need of a transport: {@link HttpTransport}, or a test's fake that answers without a network. */
export interface Transport {
  /** Sends one logical request (see {@link HttpTransport.send}). */
  send(req: HttpRequest): Promise<HttpResponse>;
  /** Releases connections. */
  close(): Promise<void>;
}

/** The transport. One instance per provider process is enough. */
export class HttpTransport implements Transport {
  private readonly options: TransportOptions;
  private poolsInstance: ConnectionPools | undefined;
  private readonly counts: RequestCounts = {};
  /** Base URLs already checked by {@link checkBaseUrl}, by service and text (a plan sends the same few hundreds of times). */
  private readonly checkedBases = new Map<string, URL>();

  /** @param options - overrides of {@link DEFAULT_TRANSPORT_OPTIONS}. */
  constructor(options: Partial<TransportOptions> = {}) {
    this.options = { ...DEFAULT_TRANSPORT_OPTIONS, ...options };
  }

  /** The keep-alive connection pools, made on first use. */
  private get pools(): ConnectionPools {
    this.poolsInstance ??= new ConnectionPools(this.options.connectionsPerOrigin, 10_000);
    return this.poolsInstance;
  }

  /** Requests sent so far (every attempt counts), keyed `service METHOD path`. */
  requestCounts(): Readonly<RequestCounts> {
    return { ...this.counts };
  }

  /** Closes pooled connections. */
  close(): Promise<void> {
    this.poolsInstance?.close();
    this.poolsInstance = undefined;
    return Promise.resolve();
  }

  /**
   * Sends `req`, retrying transient failures while the deadline allows.
   * Returns any response that is not retried away; throws {@link HttpError}
   * for a redirect, an exhausted retryable status, a timeout or a connection
   * failure. Messages never carry credentials.
   */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const baseKey = `${req.service} ${req.baseUrl}`;
    let base = this.checkedBases.get(baseKey);
    if (base === undefined) {
      base = checkBaseUrl(req.service, req.baseUrl);
      this.checkedBases.set(baseKey, base);
    }
    const url = new URL(base.pathname.replace(/\/$/, "") + req.path, base);
    for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
    const what = `${req.method} ${req.path}`;
    const headers: Record<string, string> = { ...req.headers };
    if (req.body !== undefined) headers["content-type"] ??= "application/json";
    if (req.idempotencyKey !== undefined) headers["idempotency-key"] = req.idempotencyKey;
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    const repeatable = isRepeatable(req.method, req.idempotencyKey !== undefined);
    const sleep = this.options.sleep ?? defaultSleep;
    const random = this.options.random ?? Math.random;
    const deadline = Date.now() + this.options.deadlineMs;
    const countKey = `${req.service} ${what}`;
    let lastConnectionFailure: string | undefined;
    let lastRetriedStatus: HttpResponse | undefined;
    const statusError = (response: HttpResponse, attempts: number, hint: number | undefined): HttpError =>
      new HttpError({
        code: "http_error",
        service: req.service,
        status: response.status,
        body: response.body,
        headers: response.headers,
        attempts,
        message:
          `${req.service} answered ${what} with HTTP ${response.status} on ${attempts} attempt(s)` +
          (hint !== undefined ? `; it asked to wait ${Math.ceil(hint / 1000)} s more, past the ${this.options.deadlineMs} ms deadline` : "") +
          ". Run again later; if it persists, check the service's status.",
      });

    const minAttempt = Math.min(this.options.minAttemptMs, this.options.attemptTimeoutMs);
    /** What the previous attempt's failure will be reported as if no further attempt fits the deadline. */
    let giveUp: HttpError | undefined;
    for (let attempt = 1; ; attempt++) {
      const remaining = deadline - Date.now();
      // A wait can overrun (a busy event loop): re-check before starting the retry.
      if (giveUp !== undefined && remaining < minAttempt) throw giveUp;
      const timeout = Math.max(1, Math.min(this.options.attemptTimeoutMs, remaining));
      let outcome: { response: HttpResponse } | { error: unknown };
      this.counts[countKey] = (this.counts[countKey] ?? 0) + 1;
      try {
        const res = await exchange(url, { method: req.method, headers, body, timeoutMs: timeout, pools: this.pools });
        const resHeaders = flattenHeaders(res.headers);
        outcome = { response: { status: res.statusCode, headers: resHeaders, body: parseBody(res.text, resHeaders["content-type"]), attempts: attempt } };
      } catch (error) {
        outcome = { error };
      }

      if ("response" in outcome) {
        const { response } = outcome;
        if (response.status >= 300 && response.status < 400) {
          throw new HttpError({
            code: "http_redirect",
            service: req.service,
            status: response.status,
            attempts: attempt,
            message: `${req.service} answered ${what} with a redirect (${response.status}) to ${originOf(response.headers["location"])}; redirects are not followed, so credentials never reach another origin. Point the base URL at the final address.`,
          });
        }
        if (!isRetryableStatus(response.status, this.options.retry) || !repeatable) return response;
        const hint = serverRetryHintMs(response.headers, response.body, Date.now(), req.retryHint);
        const delay = retryDelayMs(attempt, hint, this.options.retry, random);
        if (attempt > this.options.retry.maxRetries || Date.now() + delay + minAttempt > deadline) throw statusError(response, attempt, hint);
        lastRetriedStatus = response;
        giveUp = statusError(response, attempt, undefined);
        this.options.onEvent?.({ kind: "retry", service: req.service, what, reason: `HTTP ${response.status}`, delayMs: delay, attempt });
        await sleep(delay);
        continue;
      }

      let code = errorCode(outcome.error);
      let timedOut = code === "TimeoutError" || code === "AbortError";
      const retryable = repeatable && (timedOut || RETRYABLE_ERROR_CODES.has(code));
      const delay = retryDelayMs(attempt, undefined, this.options.retry, random);
      const lastAttempt = !retryable || attempt > this.options.retry.maxRetries || Date.now() + delay + minAttempt > deadline;
      if (timedOut && timeout < this.options.attemptTimeoutMs && lastConnectionFailure !== undefined) {
        // The deadline cut this attempt short; what actually went wrong is the earlier connection failure.
        code = lastConnectionFailure;
        timedOut = false;
      }
      if (!timedOut) lastConnectionFailure = code;
      if (lastAttempt && timedOut && timeout < this.options.attemptTimeoutMs && lastRetriedStatus !== undefined) {
        // The deadline cut this attempt short; what actually went wrong is the status the earlier attempts got.
        throw statusError(lastRetriedStatus, lastRetriedStatus.attempts, undefined);
      }
      const failure = new HttpError({
        code: timedOut ? "http_timeout" : "http_connection",
        service: req.service,
        attempts: attempt,
        cause: outcome.error,
        message: timedOut
          ? `${req.service} did not answer ${what} in time (${attempt} attempt(s), ${this.options.attemptTimeoutMs} ms each, ${this.options.deadlineMs} ms deadline). Run again; on slow networks raise UPSTACK_KLAVIYO_TIMEOUT_MS or UPSTACK_KLAVIYO_DEADLINE_MS.`
          : `Could not reach ${req.service} at ${url.origin} for ${what} (${redact(code)}, ${attempt} attempt(s)). Check the base URL and the network.`,
      });
      if (lastAttempt) throw failure;
      giveUp = failure;
      this.options.onEvent?.({ kind: "retry", service: req.service, what, reason: code, delayMs: delay, attempt });
      await sleep(delay);
    }
  }
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
  }
  return out;
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (text === "") return undefined;
  if (contentType !== undefined && /json/i.test(contentType)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

function originOf(location: string | undefined): string {
  if (location === undefined) return "an unnamed location";
  try {
    return new URL(location).origin;
  } catch {
    return "a relative location";
  }
}

function errorCode(error: unknown): string {
  if (typeof error === "object" && error !== null) {
    const e = error as { code?: unknown; name?: unknown; cause?: unknown };
    if (typeof e.code === "string") return e.code;
    if (e.name === "TimeoutError" || e.name === "AbortError") return e.name;
    if (e.cause !== undefined && e.cause !== error) return errorCode(e.cause);
    if (typeof e.name === "string") return e.name;
  }
  return "unknown";
}
