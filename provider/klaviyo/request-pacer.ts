/**
 * Paces Klaviyo requests per account and per endpoint, at each endpoint's own rate tier as
 * Klaviyo's spec files give it (`x-klaviyo-ratelimit`: accounts and api-keys 1/s and 15/min,
 * metrics 10/s 150/min, profiles and lists 75/s 750/min, events 350/s 3500/min). Klaviyo keeps
 * these limits per account and shares them with every integration on it, so validating many keys
 * of one account at once neither trips a limit nor spends the account's quota on throttled
 * requests, while keys of different accounts go in parallel.
 *
 * A lane is one account's use of one endpoint. Calls of a lane run one at a time; each starts at
 * least `1000 / burst` ms after the previous one completed, and no more than `steady` complete in
 * any 60 s (counted at completion, which is never before Klaviyo saw the request).
 */

/** One endpoint's tier: a one-second burst limit and a one-minute steady limit. */
export interface TierLimits {
  /** Requests allowed in any one second. */
  readonly burstPerSecond: number;
  /** Requests allowed in any sixty seconds. */
  readonly perMinute: number;
}

interface Lane {
  chain: Promise<void>;
  nextStart: number;
  ends: number[];
}

/** Paces calls per lane (account × endpoint). */
export class RequestPacer {
  private readonly lanes = new Map<string, Lane>();

  /**
   * @param enabled - false turns pacing off (`UPSTACK_KLAVIYO_PACE_MS=0`).
   * @param sleep - waits `ms` (replaceable in tests).
   * @param now - the clock (replaceable in tests).
   * @param progress - told about long waits (the context's logger); default silent.
   */
  constructor(
    private readonly enabled: boolean = true,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    private readonly now: () => number = Date.now,
    private readonly progress: (message: string) => void = () => undefined,
  ) {}

  private lane(key: string): Lane {
    let lane = this.lanes.get(key);
    if (lane === undefined) {
      lane = { chain: Promise.resolve(), nextStart: 0, ends: [] };
      this.lanes.set(key, lane);
    }
    return lane;
  }

  /**
   * Runs `call` when the lane `account`/`endpoint` allows, at `limits`; calls of a lane start in order.
   * @param what - what the call is for, in the log line shown when it waits 2 s or more.
   */
  run<T>(account: string, endpoint: string, limits: TierLimits, call: () => Promise<T>, what = "validating another key"): Promise<T> {
    if (!this.enabled) return call();
    const l = this.lane(`${account}|${endpoint}`);
    const turn = l.chain.then(async () => {
      const now = this.now();
      let at = Math.max(now, l.nextStart);
      l.ends = l.ends.filter((t) => t > at - 60_000);
      const oldest = l.ends[l.ends.length - limits.perMinute];
      if (l.ends.length >= limits.perMinute && oldest !== undefined) at = Math.max(at, oldest + 60_000);
      const wait = at - now;
      if (wait >= 2000) {
        this.progress(
          `waiting ${(wait / 1000).toFixed(1)} s for Klaviyo's ${endpoint} rate limit (${limits.burstPerSecond}/s, ${limits.perMinute}/min per account) before ${what} of account ${account}.`,
        );
      }
      if (wait > 0) await this.sleep(wait);
    });
    const result = turn.then(call);
    const settle = (): void => this.completed(l, limits);
    l.chain = result.then(settle, settle);
    return result;
  }

  /**
   * Records a call of lane `account`/`endpoint` that has just completed without going through
   * {@link RequestPacer.run} (a key's first accounts request, made before its account was known).
   */
  record(account: string, endpoint: string, limits: TierLimits): void {
    if (!this.enabled) return;
    const l = this.lane(`${account}|${endpoint}`);
    l.chain = l.chain.then(() => this.completed(l, limits));
  }

  /** Waits `ms` (no wait when pacing is off). */
  async pause(ms: number): Promise<void> {
    if (this.enabled && ms > 0) await this.sleep(ms);
  }

  private completed(l: Lane, limits: TierLimits): void {
    const t = this.now();
    l.nextStart = Math.max(l.nextStart, t + Math.ceil(1000 / limits.burstPerSecond));
    l.ends.push(t);
  }
}
