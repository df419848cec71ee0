/**
 * Paces Klaviyo's accounts endpoint (rate tier XS: 1 request/s burst, 15/min,
 * per Klaviyo account and shared with every integration on it), so that
 * validating many keys of one account at once neither trips the limit nor
 * spends the account's quota on throttled requests.
 *
 * Requests are paced per lane: a lane is the declared Klaviyo account
 * (`publicApiKey`), so keys of different declared accounts are validated in
 * parallel; keys whose account is not declared share one lane, paced at
 * 1/s (they may belong to one account) but without the per-minute cap (they
 * may not).
 */

/** Limits of one lane. */
export interface PacerLimits {
  /** Minimum time between two request starts in a lane, in ms. Klaviyo XS: 1000. */
  readonly spacingMs: number;
  /** Most request starts in any 60 s of a lane; undefined for none. Klaviyo XS: 15. */
  readonly perMinute: number | undefined;
}

/** Klaviyo's XS tier: 1 request/s, 15/min per account. */
export const KLAVIYO_ACCOUNTS_SPACING_MS = 1000;
/** The lane of keys whose account is not declared. */
export const UNDECLARED_LANE = "";

interface Lane {
  chain: Promise<void>;
  nextStart: number;
  starts: number[];
}

/** Paces calls per lane: one call of a lane at a time, each starting a spacing after the previous one completed. */
export class RequestPacer {
  private readonly lanes = new Map<string, Lane>();

  /**
   * @param spacingMs - minimum time between request starts in a lane (`UPSTACK_KLAVIYO_PACE_MS`); 0 turns pacing off.
   * @param sleep - waits `ms` (replaceable in tests).
   * @param now - the clock (replaceable in tests).
   * @param progress - told about long waits (the context's logger); default silent.
   */
  constructor(
    private readonly spacingMs: number = KLAVIYO_ACCOUNTS_SPACING_MS,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    private readonly now: () => number = Date.now,
    private readonly progress: (message: string) => void = () => undefined,
  ) {}

  /** Runs `call` when its lane allows; calls in one lane start in order. */
  run<T>(laneKey: string, call: () => Promise<T>): Promise<T> {
    if (this.spacingMs <= 0) return call();
    const limits: PacerLimits = { spacingMs: this.spacingMs, perMinute: laneKey === UNDECLARED_LANE ? undefined : 15 };
    let lane = this.lanes.get(laneKey);
    if (lane === undefined) {
      lane = { chain: Promise.resolve(), nextStart: 0, starts: [] };
      this.lanes.set(laneKey, lane);
    }
    const l = lane;
    const turn = l.chain.then(async () => {
      const now = this.now();
      let at = Math.max(now, l.nextStart);
      if (limits.perMinute !== undefined) {
        l.starts = l.starts.filter((t) => t > at - 60_000);
        const oldest = l.starts[0];
        if (l.starts.length >= limits.perMinute && oldest !== undefined) at = Math.max(at, oldest + 60_000);
      }
      l.starts.push(at);
      const wait = at - now;
      if (wait >= 2000) {
        this.progress(
          `waiting ${(wait / 1000).toFixed(1)} s for Klaviyo's accounts rate limit (1/s, 15/min per account) before validating another key${laneKey === UNDECLARED_LANE ? "" : ` of account ${laneKey}`}.`,
        );
      }
      if (wait > 0) await this.sleep(wait);
    });
    const result = turn.then(call);
    // The next call of the lane starts a full spacing after this one has completed, so that two
    // requests can never reach Klaviyo less than the spacing apart, whatever the network did.
    const settle = (): void => {
      l.nextStart = this.now() + limits.spacingMs;
    };
    l.chain = result.then(settle, settle);
    return result;
  }
}
