/**
 * Sliding-window rate limiting (exact request log per bucket), for Klaviyo tiers and Upstack keys.
 * @packageDocumentation
 */
import type { KlaviyoSpec } from "../spec/klaviyo";
import { EMULATED_SPEC } from "./klaviyo/spec";
import type { RateLimitSpec } from "./types";

/** Each operation's tier, by operation id, as Klaviyo's spec files give it (`x-klaviyo-ratelimit`). */
export function klaviyoSpecRateLimits(spec: KlaviyoSpec = EMULATED_SPEC): Readonly<Record<string, RateLimitSpec>> {
  return Object.fromEntries(spec.operations.map((op) => [op.operationId, { burstPerSecond: op.rateLimit.burstPerSecond, perMinute: op.rateLimit.perMinute }]));
}

/** The tiers the emulator enforces by default, by operation id: each operation's `x-klaviyo-ratelimit` in the shipped spec files. */
export const KLAVIYO_DEFAULT_RATE_LIMITS: Readonly<Record<string, RateLimitSpec>> = klaviyoSpecRateLimits();

/** One window: at most `limit` requests in any `windowMs`. */
export interface RateWindow {
  limit: number;
  windowMs: number;
}

/** Outcome of {@link SlidingWindowLimiter.take}. */
export interface RateDecision {
  allowed: boolean;
  /** Seconds until a request would be allowed (>= 1 when refused). */
  retryAfterSeconds: number;
  /** Limit of the longest window. */
  limit: number;
  /** Requests left in the longest window after this one. */
  remaining: number;
  /** Seconds until the oldest request in the longest window expires (0 when empty). */
  resetSeconds: number;
}

/** A limiter keyed by bucket name; each bucket must satisfy every window. */
export class SlidingWindowLimiter {
  private readonly buckets = new Map<string, number[]>();

  /** Records a request in `bucket` if every window allows it. */
  take(bucket: string, windows: readonly RateWindow[], now: number = Date.now()): RateDecision {
    const longest = windows.reduce((a, b) => (b.windowMs > a.windowMs ? b : a));
    const log = (this.buckets.get(bucket) ?? []).filter((t) => t > now - longest.windowMs);
    let waitMs = 0;
    for (const w of windows) {
      const inWindow = log.filter((t) => t > now - w.windowMs);
      if (inWindow.length >= w.limit) {
        const oldestThatMustExpire = inWindow[inWindow.length - w.limit] ?? now;
        waitMs = Math.max(waitMs, oldestThatMustExpire + w.windowMs - now);
      }
    }
    const allowed = waitMs === 0;
    if (allowed) log.push(now);
    this.buckets.set(bucket, log);
    const inLongest = log.length;
    const first = log[0];
    const resetMs = first !== undefined ? first + longest.windowMs - now : 0;
    return {
      allowed,
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil(waitMs / 1000)),
      limit: longest.limit,
      remaining: Math.max(0, longest.limit - inLongest),
      resetSeconds: Math.max(0, Math.ceil(resetMs / 1000)),
    };
  }

  /** Forgets every bucket. */
  clear(): void {
    this.buckets.clear();
  }
}

/** The windows of a Klaviyo tier. */
export function klaviyoWindows(spec: RateLimitSpec): RateWindow[] {
  return [
    { limit: spec.burstPerSecond, windowMs: 1000 },
    { limit: spec.perMinute, windowMs: 60_000 },
  ];
}
