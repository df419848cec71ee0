/**
 * Validates a Klaviyo private key before anything is written: format, that it
 * is live, which account it belongs to, and that it has the access required.
 * Results are cached per provider process by fingerprint, and concurrent
 * validations of the same key share one set of requests.
 *
 * Pacing: every request runs in its account's lane for its endpoint (see
 * {@link RequestPacer}). A key's account is known before its first request
 * when `publicApiKey` is declared, or when an api-keys listing already seen
 * lists a key with the same last four characters; otherwise it is learned
 * from the key's own accounts answer. Keys whose account is unknown are
 * discovered one at a time, each step ending once its account's listing is
 * known (or a burst interval has passed), so that two keys of one account
 * never reach the accounts endpoint within its burst limit, while keys of
 * different accounts only wait for each other's round trips.
 */
import type { KlaviyoSpec, SpecOperation } from "../../spec/klaviyo";
import { PULUMI_VOCABULARY, type Vocabulary } from "../core/vocabulary";
import { HttpError, KlaviyoKeyError } from "../errors";
import { keyFingerprint, keyHint } from "../fingerprint";
import { describePrivateKeyProblem } from "../key-format";
import { registerSecret } from "../redact";
import { accessLevelName, describeRequirement, judgeAccess, type AccessRequirement } from "./access";
import { type KlaviyoAccount, type KlaviyoClient, type KlaviyoFailure, type KlaviyoKeyListing, type KlaviyoOutcome } from "./client";
import { RequestPacer } from "./request-pacer";

/** What validation established about a key. */
export interface KeyValidation {
  /** The key's fingerprint. */
  readonly fingerprint: string;
  /** `pk_...abcd`. */
  readonly hint: string;
  /** The Klaviyo account id (public key / Site ID). */
  readonly accountId: string;
  /** The account's organization name, when Klaviyo has one. */
  readonly accountName: string | undefined;
  /** Klaviyo's id of the key (from the api-keys listing), when the listing identified it. Never the key itself. */
  readonly keyId: string | undefined;
  /** The key's name in Klaviyo (from the api-keys listing), when the listing identified it. */
  readonly keyName: string | undefined;
  /** How access was established, in words (documented in the README). */
  readonly accessCheck: string;
  /** Declared scopes that could not be verified without side effects (write scopes on a key that cannot list keys). */
  readonly unverifiedScopes: readonly string[];
  /** When the key was validated (ISO 8601). */
  readonly validatedAt: string;
}

/** What the key is checked against. */
export interface ValidationTarget {
  /** The Site ID the key must belong to, if declared. */
  readonly publicApiKey?: string | undefined;
  /** The access required. */
  readonly requirement: AccessRequirement;
}

/** How long an account's api-keys listing is reused for other keys of the account. */
export const LISTING_TTL_MS = 5 * 60_000;

interface CachedListing {
  readonly at: number;
  readonly fingerprint: string;
  readonly pending: Promise<KlaviyoOutcome<KlaviyoKeyListing[]>>;
}

interface AccessResult {
  how: string;
  unverified: string[];
  keyId?: string | undefined;
  keyName?: string | undefined;
}

/**
 * Successful validations handed from one process of an engine's run to a
 * later one of the same run (Terraform validates a changed key in its plan's
 * provider process and plans it again in the apply's). Keyed by what a
 * validation depends on: the key's fingerprint, the declared account and the
 * access required. Only successes are kept.
 */
export interface ValidationCarry {
  /** The validation an earlier process of this run kept under `cacheKey`, if it is still fresh. */
  take(cacheKey: string): KeyValidation | undefined;
  /** Keeps a successful validation for the run's later processes (best effort: never throws). */
  keep(cacheKey: string, validation: KeyValidation): void;
}

/** What a {@link KeyValidator} speaks with and reads the time from. */
export interface KeyValidatorOptions {
  /** The words of the place its messages appear (default Pulumi's). */
  readonly words?: Vocabulary;
  /** The clock (default Date.now). */
  readonly now?: () => number;
  /** Validations carried between the processes of one engine run (default: none, each process asks Klaviyo). */
  readonly carry?: ValidationCarry;
}

/** Validates keys, caching successes for the life of the process. */
export class KeyValidator {
  private readonly cache = new Map<string, Promise<KeyValidation>>();
  private readonly listings = new Map<string, CachedListing>();
  /** Last four characters of listed keys → the accounts whose listing shows them. */
  private readonly accountsByLast4 = new Map<string, Set<string>>();
  /** Fingerprints whose account an accounts answer established. */
  private readonly accountByFingerprint = new Map<string, string>();
  private discovery: Promise<unknown> = Promise.resolve();
  private readonly w: Vocabulary;
  private readonly now: () => number;
  private readonly carry: ValidationCarry | undefined;

  /**
   * @param client - the Klaviyo client.
   * @param spec - Klaviyo's spec files: rate tiers and the scopes a key can hold.
   * @param pacer - paces every request per account and endpoint.
   * @param options - the vocabulary and the clock.
   */
  constructor(
    private readonly client: KlaviyoClient,
    private readonly spec: KlaviyoSpec,
    private readonly pacer: RequestPacer = new RequestPacer(),
    options: KeyValidatorOptions = {},
  ) {
    this.w = options.words ?? PULUMI_VOCABULARY;
    this.now = options.now ?? Date.now;
    this.carry = options.carry;
  }

  /** Number of distinct validations cached (for tests). */
  get cachedCount(): number {
    return this.cache.size;
  }

  /**
   * Validates `privateKey` against `target`. Throws {@link KlaviyoKeyError}
   * with the property concerned and what to do. The same key and target is
   * asked of Klaviyo once per process, and not again in a later process of
   * the same run when a {@link ValidationCarry} holds its success.
   */
  validate(privateKey: string, target: ValidationTarget): Promise<KeyValidation> {
    registerSecret(privateKey);
    const problem = describePrivateKeyProblem(privateKey, this.w.property("publicApiKey"));
    if (problem !== undefined) {
      return Promise.reject(new KlaviyoKeyError("klaviyo_key_invalid", `${this.w.property("privateApiKey")} ${problem}`, { property: "privateApiKey" }));
    }
    const fingerprint = keyFingerprint(privateKey);
    const cacheKey = `${fingerprint}|${target.publicApiKey ?? ""}|${describeRequirement(target.requirement)}`;
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined) return cached;
    const carried = this.carry?.take(cacheKey);
    if (carried !== undefined && carried.fingerprint === fingerprint) {
      const known = Promise.resolve(carried);
      this.cache.set(cacheKey, known);
      this.accountByFingerprint.set(fingerprint, carried.accountId);
      return known;
    }
    const pending = this.run(privateKey, target).catch((error: unknown) => {
      // Klaviyo could not be asked (outage, timeout, rate limit past the deadline): inconclusive, about this key.
      if (error instanceof HttpError) {
        throw new KlaviyoKeyError(
          "klaviyo_inconclusive",
          `${this.w.property("privateApiKey")}: could not validate the key ${keyHint(privateKey)}: ${error.message}`,
          {
            property: "privateApiKey",
            cause: error,
          },
        );
      }
      throw error;
    });
    this.cache.set(cacheKey, pending);
    pending.then(
      (validation) => this.carry?.keep(cacheKey, validation),
      () => this.cache.delete(cacheKey),
    );
    return pending;
  }

  private op(id: string): SpecOperation {
    return this.spec.byId(id);
  }

  private async run(key: string, target: ValidationTarget): Promise<KeyValidation> {
    const hint = keyHint(key);
    const account = await this.account(key, target.publicApiKey);
    if (!account.ok) throw keyError(account, hint, "accounts:read", "GET /api/accounts/", this.w);
    const acct = account.value;
    this.accountByFingerprint.set(keyFingerprint(key), acct.id);
    if (target.publicApiKey !== undefined && acct.id !== target.publicApiKey) {
      throw new KlaviyoKeyError(
        "klaviyo_account_mismatch",
        `${this.w.property("publicApiKey")}: the private key ${hint} belongs to Klaviyo account ${acct.id}${acct.name === undefined ? "" : ` (${acct.name})`}, expected ${target.publicApiKey}. Use a key created in account ${target.publicApiKey}, or correct ${this.w.property("publicApiKey")}.`,
        { property: "publicApiKey" },
      );
    }
    const access = await this.checkAccess(key, hint, acct, target.requirement).finally(() => this.forgetFailedListing(acct.id, key));
    return {
      fingerprint: keyFingerprint(key),
      hint,
      accountId: acct.id,
      accountName: acct.name,
      keyId: access.keyId,
      keyName: access.keyName,
      accessCheck: access.how,
      unverifiedScopes: access.unverified,
      validatedAt: new Date(this.now()).toISOString(),
    };
  }

  /** The account the key is likely from before asking: declared, seen before, or shown by a listing. */
  private knownAccount(key: string, declared: string | undefined): string | undefined {
    if (declared !== undefined) return declared;
    const seen = this.accountByFingerprint.get(keyFingerprint(key));
    if (seen !== undefined) return seen;
    const listed = this.accountsByLast4.get(key.slice(-4));
    return listed !== undefined && listed.size === 1 ? [...listed][0] : undefined;
  }

  /** `GET /api/accounts/` in the right lane, discovering the lane first when it is unknown. */
  private async account(key: string, declared: string | undefined): Promise<KlaviyoOutcome<KlaviyoAccount>> {
    const op = this.op("get_accounts");
    const lane = this.knownAccount(key, declared);
    if (lane !== undefined) return this.paced(lane, op, () => this.client.getAccount(key));
    let result: KlaviyoOutcome<KlaviyoAccount> | undefined;
    const step = this.discovery.then(async () => {
      if (this.knownAccount(key, undefined) !== undefined) return; // learned while waiting
      const started = this.now();
      result = await this.client.getAccount(key);
      if (!result.ok) return;
      const accountId = result.value.id;
      this.pacer.record(accountId, op.operationId, op.rateLimit);
      // Learn the account's other keys, so that they find their lane without a discovery step.
      const listing = await this.listing(accountId, key);
      if (!listing.outcome.ok) {
        // Nothing learned: the next unknown key may be of this account, so keep to its burst limit.
        await this.pacer.pause(started + Math.ceil(1000 / op.rateLimit.burstPerSecond) - this.now());
      }
    });
    this.discovery = step.catch(() => undefined);
    await step;
    if (result !== undefined) return result;
    return this.paced(this.knownAccount(key, undefined) ?? "", op, () => this.client.getAccount(key));
  }

  private paced<T>(account: string, op: SpecOperation, call: () => Promise<T>): Promise<T> {
    return this.pacer.run(account, op.operationId, op.rateLimit, call);
  }

  /**
   * The account's api-keys listing, shared by every key of the account for {@link LISTING_TTL_MS}:
   * asked with `key` unless a listing of the account made with another key is at hand.
   * `fresh` ignores a listing made with another key (one that may predate this key).
   */
  private async listing(accountId: string, key: string, fresh = false): Promise<{ outcome: KlaviyoOutcome<KlaviyoKeyListing[]>; own: boolean }> {
    const fingerprint = keyFingerprint(key);
    const entry = this.listings.get(accountId);
    if (entry !== undefined && this.now() - entry.at < LISTING_TTL_MS && (!fresh || entry.fingerprint === fingerprint)) {
      const outcome = await entry.pending;
      if (outcome.ok || entry.fingerprint === fingerprint) return { outcome, own: entry.fingerprint === fingerprint };
    }
    const op = this.op("get_api_keys_beta");
    const pending = this.client.listApiKeys(key, (call) => this.pacer.run(accountId, op.operationId, op.rateLimit, call, "listing the keys"));
    this.listings.set(accountId, { at: this.now(), fingerprint, pending });
    const outcome = await pending;
    if (outcome.ok) {
      for (const k of outcome.value) {
        const last4 = k.redactedKey?.slice(-4);
        if (last4 === undefined) continue;
        const set = this.accountsByLast4.get(last4) ?? new Set<string>();
        set.add(accountId);
        this.accountsByLast4.set(last4, set);
      }
    }
    // A failed listing stays (other keys of the account ignore it) until this key's validation ends.
    return { outcome, own: true };
  }

  private forgetFailedListing(accountId: string, key: string): void {
    const entry = this.listings.get(accountId);
    if (entry === undefined || entry.fingerprint !== keyFingerprint(key)) return;
    void entry.pending.then((outcome) => {
      if (!outcome.ok && this.listings.get(accountId) === entry) this.listings.delete(accountId);
    });
  }

  private async checkAccess(key: string, hint: string, account: KlaviyoAccount, req: AccessRequirement): Promise<AccessResult> {
    const last4 = key.slice(-4);
    const first = await this.listing(account.id, key);
    let outcome = first.outcome;
    let mine = outcome.ok ? outcome.value.filter((k) => k.redactedKey?.endsWith(last4) === true) : [];
    if (outcome.ok && mine.length === 0 && !first.own) {
      // The listing at hand was made with another key, maybe before this key existed: ask again.
      ({ outcome } = await this.listing(account.id, key, true));
      mine = outcome.ok ? outcome.value.filter((k) => k.redactedKey?.endsWith(last4) === true) : [];
    }
    if (outcome.ok) {
      if (mine.length > 0) return this.judgeListed(hint, last4, mine, req);
      if (req.kind === "full") {
        throw new KlaviyoKeyError(
          "klaviyo_inconclusive",
          `${this.w.property("privateApiKey")}: Klaviyo's key listing (GET /api/api-keys) of account ${account.id} shows no key ending in ${last4}, so the access of ${hint} cannot be read from its scopes. Create a new Full Access key in Klaviyo and rotate to it, or declare the scopes you rely on with ${this.w.described("scopes")} (read scopes are then checked by read-only requests).`,
          { property: "privateApiKey" },
        );
      }
      return this.probe(key, hint, account, req, `Klaviyo's key listing shows no key ending in ${last4}`);
    }
    switch (outcome.kind) {
      case "forbidden":
        if (req.kind === "full") {
          throw new KlaviyoKeyError(
            "klaviyo_key_not_full_access",
            `${this.w.property("privateApiKey")}: the key ${hint} is not a Full Access key: Klaviyo refused it credentials:read (HTTP 403 to GET /api/api-keys), and a Full Access key holds every scope. Upstack Data requires Full Access: create a Full Access key named UpstackData and rotate to it, or declare the scopes you rely on with ${this.w.described("scopes")}.`,
            { property: "privateApiKey" },
          );
        }
        return this.probe(key, hint, account, req, "the key cannot list API keys (no credentials:read)");
      case "gone":
        if (req.kind === "full") {
          throw new KlaviyoKeyError(
            "klaviyo_endpoint_gone",
            `${this.w.property("privateApiKey")}: Klaviyo answered HTTP ${outcome.status} to its beta key listing (GET /api/api-keys, revision ${this.op("get_api_keys_beta").revision}): Klaviyo changed or withdrew this beta endpoint, so whether ${hint} has Full Access cannot be read. Running again will not help. Declare the scopes you rely on with ${this.w.described("scopes")} (read scopes are then checked by read-only requests), or update pulumi-upstack-klaviyo.`,
            { property: "privateApiKey" },
          );
        }
        return this.probe(key, hint, account, req, `Klaviyo's beta key listing answered HTTP ${outcome.status} (changed or withdrawn)`);
      default:
        throw keyError(outcome, hint, "credentials:read", "GET /api/api-keys", this.w);
    }
  }

  private judgeListed(hint: string, last4: string, mine: readonly KlaviyoKeyListing[], req: AccessRequirement): AccessResult {
    // The accounts request just authenticated this key, so it is an active one; disabled keys with
    // the same last four characters are other keys. All disabled: it was disabled in between.
    const active = mine.filter((k) => k.status === "active");
    if (active.length === 0) {
      throw new KlaviyoKeyError(
        "klaviyo_key_invalid",
        `${this.w.property("privateApiKey")}: Klaviyo's key listing shows the key ${hint}${mine.length === 1 ? ` ("${mine[0]?.name ?? ""}")` : ""} as disabled. Re-enable it in Klaviyo, or create a new Full Access key and rotate to it.`,
        { property: "privateApiKey" },
      );
    }
    const judged = active.map((k) => ({ k, verdict: judgeAccess(req, k.scopes, this.spec.scopes) }));
    const passing = judged.filter((j) => j.verdict.missing.length === 0);
    if (passing.length === judged.length) {
      const only = active.length === 1 ? active[0] : undefined;
      const named = only === undefined ? `${active.length} active keys ending in ${last4}, each` : `the key "${only.name}" (${only.id})`;
      return {
        how: `Klaviyo's key listing (GET /api/api-keys) shows ${named} with ${req.kind === "full" ? "Full Access (every scope)" : "every declared scope"}`,
        unverified: [],
        keyId: only?.id,
        keyName: only?.name,
      };
    }
    if (passing.length > 0) {
      throw new KlaviyoKeyError(
        "klaviyo_inconclusive",
        `${this.w.property("privateApiKey")}: several active keys in this Klaviyo account end in ${last4} and they have different access, so the access of ${hint} cannot be told apart. Create a new key for Upstack Data and rotate to it.`,
        { property: "privateApiKey" },
      );
    }
    const first = judged[0]!;
    const level = accessLevelName(first.verdict.level);
    const missing = first.verdict.missing.join(", ");
    const which = active.length === 1 ? `the key ${hint} ("${first.k.name}")` : `every active key ending in ${last4}`;
    if (req.kind === "full") {
      throw new KlaviyoKeyError(
        "klaviyo_key_not_full_access",
        `${this.w.property("privateApiKey")}: ${which} has ${level} access; Upstack Data requires Full Access. Missing scopes: ${missing}. Create a Full Access key named UpstackData in Klaviyo and rotate to it, or declare the scopes you rely on with ${this.w.described("scopes")}.`,
        { property: "privateApiKey" },
      );
    }
    throw new KlaviyoKeyError(
      "klaviyo_key_missing_scope",
      `${this.w.property("privateApiKey")}: ${which} has ${level} access and lacks the declared scope(s) ${missing}. Klaviyo scopes cannot be edited: create a key with these scopes (or Full Access) and rotate to it.`,
      { property: "privateApiKey" },
    );
  }

  /** Declared read scopes checked by side-effect-free GETs; the rest reported as unverifiable. */
  private async probe(
    key: string,
    hint: string,
    account: KlaviyoAccount,
    req: Extract<AccessRequirement, { kind: "scopes" }>,
    why: string,
  ): Promise<AccessResult> {
    const unverified: string[] = [];
    const probed: string[] = [];
    for (const scope of req.scopes) {
      if (scope === "accounts:read") continue;
      const op = this.client.probeOperation(scope);
      if (op === undefined) {
        unverified.push(scope);
        continue;
      }
      const result = await this.client.probe(key, scope, (call) => this.paced(account.id, op, call));
      if (!result.ok) throw keyError(result, hint, scope, `GET ${op.path}/`, this.w);
      probed.push(scope);
    }
    return {
      how: `${why}: accounts:read confirmed by GET /api/accounts/${probed.length > 0 ? `; ${probed.join(", ")} confirmed by read-only GETs` : ""}${unverified.length > 0 ? `; ${unverified.join(", ")} declared but not verifiable without side effects` : ""}`,
      unverified,
    };
  }
}

function keyError(outcome: KlaviyoFailure, hint: string, scope: string, call: string, w: Vocabulary): KlaviyoKeyError {
  const key = w.property("privateApiKey");
  const detail = outcome.detail === undefined ? "" : `: ${outcome.detail}`;
  switch (outcome.kind) {
    case "invalid":
      return new KlaviyoKeyError(
        "klaviyo_key_invalid",
        `${key}: Klaviyo rejected the key ${hint} (HTTP ${outcome.status}${detail}): it is mistyped, disabled, revoked or deleted. Create a new Full Access private key in Klaviyo and ${w.setKey}.`,
        { property: "privateApiKey" },
      );
    case "forbidden":
      return new KlaviyoKeyError(
        "klaviyo_key_missing_scope",
        `${key}: the key ${hint} is valid but lacks the ${scope} scope (Klaviyo answered 403 to ${call}). Klaviyo scopes cannot be edited: create a Full Access key (or one with ${scope}) and rotate to it.`,
        { property: "privateApiKey" },
      );
    case "challenge":
      return new KlaviyoKeyError(
        "klaviyo_inconclusive",
        `${key}: could not validate the key ${hint}: Klaviyo's CDN answered ${call} with a challenge page (HTTP 403), which says nothing about the key. Run again later.`,
        { property: "privateApiKey" },
      );
    case "request":
      return new KlaviyoKeyError(
        "klaviyo_request_rejected",
        `${key}: Klaviyo refused the provider's request ${call} (HTTP ${outcome.status}${outcome.parameter === undefined ? "" : ` about ${outcome.parameter === "revision" ? "the revision header" : `the query parameter ${outcome.parameter}`}`}${detail}). This says nothing about the key ${hint}: the provider asked something Klaviyo does not accept. Running again will not help; update pulumi-upstack-klaviyo, and report it if it persists.`,
        { property: "privateApiKey" },
      );
    case "gone":
      return new KlaviyoKeyError(
        "klaviyo_endpoint_gone",
        `${key}: Klaviyo answered ${call} with HTTP ${outcome.status}${detail}: the endpoint is not there, which says nothing about the key ${hint}. Check ${w.setting("klaviyoApiUrl")} (Klaviyo's is https://a.klaviyo.com); running again will not help.`,
        { property: "privateApiKey" },
      );
    case "unexpected":
      return new KlaviyoKeyError(
        "klaviyo_unexpected_response",
        `${key}: Klaviyo's answer to ${call} (HTTP ${outcome.status}) is not what its published API describes${detail}. This says nothing about the key ${hint}, and nothing was written. Update pulumi-upstack-klaviyo, and report it if it persists.`,
        { property: "privateApiKey" },
      );
    default:
      return new KlaviyoKeyError(
        "klaviyo_inconclusive",
        `${key}: could not validate the key ${hint}: Klaviyo answered ${call} with HTTP ${outcome.status}${outcome.detail === undefined ? "" : ` (${outcome.detail})`}. Run again; if it persists, check ${w.setting("klaviyoApiUrl")} and Klaviyo's status.`,
        { property: "privateApiKey" },
      );
  }
}
