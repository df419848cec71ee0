/**
 * When to retry a request and how long to wait: one function decides, one
 * computes the delay. Pure functions, tested without a network.
 */

/** Options of the retry policy, with defaults in {@link DEFAULT_RETRY_OPTIONS}. */
export interface RetryOptions {
  /** Attempts after the first. Default 4. */
  readonly maxRetries: number;
  /** First backoff delay in ms (doubled each retry, full jitter). Default 200. */
  readonly baseDelayMs: number;
  /** Cap on one backoff delay in ms. Default 8000. */
  readonly maxDelayMs: number;
  /** Statuses that are retried. Default 408, 429, 500, 502, 503, 504. */
  readonly retryStatuses: readonly number[];
}

/** The defaults. */
export const DEFAULT_RETRY_OPTIONS: RetryOptions = {
  maxRetries: 4,
  baseDelayMs: 200,
  maxDelayMs: 8000,
  retryStatuses: [408, 429, 500, 502, 503, 504],
};

/** Methods that are safe to repeat without an idempotency key. */
const IDEMPOTENT_METHODS = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]);

/**
 * True when a request may be sent again: an idempotent method, or any method
 * that carries an idempotency key reused on every attempt.
 */
export function isRepeatable(method: string, hasIdempotencyKey: boolean): boolean {
  return hasIdempotencyKey || IDEMPOTENT_METHODS.has(method.toUpperCase());
}

/** True when a response with this status should be retried. */
export function isRetryableStatus(status: number, options: RetryOptions = DEFAULT_RETRY_OPTIONS): boolean {
  return options.retryStatuses.includes(status);
}

/** A service's own way of saying when to try again, read from a response body (supplied by the service's module). */
export type BodyRetryHint = (body: unknown) => number | undefined;

/**
 * Parses a server's hint of when to try again, in ms: the Retry-After header
 * (seconds or an HTTP date) first, else what the service's own hook reads
 * from the body (Klaviyo's, in provider/klaviyo/throttle.ts). Returns
 * undefined when there is none. The transport knows no service's body format.
 */
export function serverRetryHintMs(
  headers: Readonly<Record<string, string>>,
  body: unknown,
  now: number = Date.now(),
  bodyHint?: BodyRetryHint,
): number | undefined {
  const retryAfter = headers["retry-after"];
  if (retryAfter !== undefined && retryAfter.trim() !== "") {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return Math.max(0, date - now);
  }
  const fromBody = bodyHint?.(body);
  return fromBody !== undefined && Number.isFinite(fromBody) && fromBody >= 0 ? fromBody : undefined;
}

/**
 * The delay before retry number `retry` (1-based): the server's hint when it
 * gave one (plus up to 10% jitter so many clients do not return together),
 * else exponential backoff with full jitter.
 */
export function retryDelayMs(
  retry: number,
  hintMs: number | undefined,
  options: RetryOptions = DEFAULT_RETRY_OPTIONS,
  random: () => number = Math.random,
): number {
  if (hintMs !== undefined) return Math.round(hintMs + hintMs * 0.1 * random());
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
