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

/**
 * Parses a server's hint of when to try again, in ms: the Retry-After header
 * (seconds or an HTTP date) first, else Klaviyo's throttling detail
 * "Expected available in N second(s)." Returns undefined when there is none.
 */
export function serverRetryHintMs(headers: Readonly<Record<string, string>>, body: unknown, now: number = Date.now()): number | undefined {
  const retryAfter = headers["retry-after"];
  if (retryAfter !== undefined && retryAfter.trim() !== "") {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return Math.max(0, date - now);
  }
  const detail = klaviyoThrottleDetail(body);
  if (detail !== undefined) {
    const match = /expected available in (\d+(?:\.\d+)?) second/i.exec(detail);
    if (match?.[1] !== undefined) return Math.ceil(Number(match[1]) * 1000);
  }
  return undefined;
}

function klaviyoThrottleDetail(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const errors = (body as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) return undefined;
  for (const e of errors) {
    const detail = (e as { detail?: unknown } | null)?.detail;
    if (typeof detail === "string") return detail;
  }
  return undefined;
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
