/**
 * Validates a Klaviyo private key before anything is written: format, that it
 * is live, which account it belongs to, and that it has the access required.
 * Results are cached per provider process by fingerprint, and concurrent
 * validations of the same key share one set of requests.
 */
import { HttpError, KlaviyoKeyError } from "../errors";
import { keyFingerprint, keyHint } from "../fingerprint";
import { describePrivateKeyProblem } from "../key-format";
import { registerSecret } from "../redact";
import { describeRequirement, grantedScopes, type AccessRequirement } from "./access";
import { READ_PROBES, type KlaviyoClient, type KlaviyoOutcome } from "./client";
import { RequestPacer, UNDECLARED_LANE } from "./request-pacer";

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

/** Validates keys, caching successes for the life of the process. */
export class KeyValidator {
  private readonly cache = new Map<string, Promise<KeyValidation>>();

  /**
   * @param client - the Klaviyo client.
   * @param pacer - paces the accounts endpoint per declared account.
   */
  constructor(
    private readonly client: KlaviyoClient,
    private readonly pacer: RequestPacer = new RequestPacer(),
  ) {}

  /** Number of distinct validations cached (for tests). */
  get cachedCount(): number {
    return this.cache.size;
  }

  /**
   * Validates `privateKey` against `target`. Throws {@link KlaviyoKeyError}
   * with the property concerned and what to do. The same key and target is
   * asked of Klaviyo once per process.
   */
  validate(privateKey: string, target: ValidationTarget): Promise<KeyValidation> {
    registerSecret(privateKey);
    const problem = describePrivateKeyProblem(privateKey);
    if (problem !== undefined) {
      return Promise.reject(new KlaviyoKeyError("klaviyo_key_invalid", `privateApiKey ${problem}`, { property: "privateApiKey" }));
    }
    const cacheKey = `${keyFingerprint(privateKey)}|${target.publicApiKey ?? ""}|${describeRequirement(target.requirement)}`;
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined) return cached;
    const pending = this.run(privateKey, target).catch((error: unknown) => {
      // Klaviyo could not be asked (outage, timeout, rate limit past the deadline): inconclusive, about this key.
      if (error instanceof HttpError) {
        throw new KlaviyoKeyError("klaviyo_inconclusive", `privateApiKey: could not validate the key ${keyHint(privateKey)}: ${error.message}`, {
          property: "privateApiKey",
          cause: error,
        });
      }
      throw error;
    });
    this.cache.set(cacheKey, pending);
    pending.catch(() => this.cache.delete(cacheKey));
    return pending;
  }

  private async run(key: string, target: ValidationTarget): Promise<KeyValidation> {
    const hint = keyHint(key);
    const account = await this.pacer.run(target.publicApiKey ?? UNDECLARED_LANE, () => this.client.getAccount(key));
    if (!account.ok) throw keyError(account, hint, "accounts:read", "GET /api/accounts/");
    const acct = account.value;
    if (target.publicApiKey !== undefined && acct.id !== target.publicApiKey) {
      throw new KlaviyoKeyError(
        "klaviyo_account_mismatch",
        `publicApiKey: the private key ${hint} belongs to Klaviyo account ${acct.id}${acct.name === undefined ? "" : ` (${acct.name})`}, expected ${target.publicApiKey}. Use a key created in account ${target.publicApiKey}, or correct publicApiKey.`,
        { property: "publicApiKey" },
      );
    }
    const access = await this.checkAccess(key, hint, target.requirement);
    return {
      fingerprint: keyFingerprint(key),
      hint,
      accountId: acct.id,
      accountName: acct.name,
      keyId: access.keyId,
      keyName: access.keyName,
      accessCheck: access.how,
      unverifiedScopes: access.unverified,
      validatedAt: new Date().toISOString(),
    };
  }

  private async checkAccess(
    key: string,
    hint: string,
    req: AccessRequirement,
  ): Promise<{ how: string; unverified: string[]; keyId?: string | undefined; keyName?: string | undefined }> {
    const listing = await this.client.listApiKeys(key);
    if (listing.ok) {
      const last4 = key.slice(-4);
      const mine = listing.value.filter((k) => k.redactedKey.endsWith(last4));
      if (mine.length > 0) {
        const failing = mine.filter((k) => missingScopes(grantedScopes(k.accessLevel, k.scopes), req).length > 0);
        if (failing.length === 0) {
          const only = mine.length === 1 ? mine[0] : undefined;
          return {
            how: `Klaviyo's key listing (GET /api/api-keys/) shows ${req.kind === "full" ? "Full Access" : "every declared scope"}`,
            unverified: [],
            keyId: only?.id,
            keyName: only?.name,
          };
        }
        if (failing.length === mine.length) {
          const k = failing[0]!;
          if (req.kind === "full") {
            throw new KlaviyoKeyError(
              "klaviyo_key_not_full_access",
              `privateApiKey: the key ${hint} has ${k.accessLevel.replace("_", "-")} access; Upstack Data requires a Full Access key. Create a Full Access key named UpstackData in Klaviyo and rotate to it, or declare the scopes you rely on with the scopes input.`,
              { property: "privateApiKey" },
            );
          }
          const missing = missingScopes(grantedScopes(k.accessLevel, k.scopes), req);
          throw new KlaviyoKeyError(
            "klaviyo_key_missing_scope",
            `privateApiKey: the key ${hint} lacks the declared scope(s) ${missing.join(", ")}. Klaviyo scopes cannot be edited: create a key with these scopes (or Full Access) and rotate to it.`,
            { property: "privateApiKey" },
          );
        }
        throw new KlaviyoKeyError(
          "klaviyo_inconclusive",
          `privateApiKey: several keys in this Klaviyo account end in ${last4} and they have different access, so the key's access cannot be told apart. Create a new key for Upstack Data and rotate to it.`,
          { property: "privateApiKey" },
        );
      }
      // Not listed (e.g. a key created before scopes existed): fall through to probing.
    } else if (listing.kind === "invalid") {
      throw keyError(listing, hint, "credentials:read", "GET /api/api-keys/");
    } else if (listing.kind !== "forbidden") {
      throw keyError(listing, hint, "credentials:read", "GET /api/api-keys/");
    } else if (req.kind === "full") {
      throw new KlaviyoKeyError(
        "klaviyo_key_not_full_access",
        `privateApiKey: the key ${hint} is not a Full Access key (Klaviyo refused it credentials:read, which every Full Access key has). Upstack Data requires Full Access: create a Full Access key named UpstackData and rotate to it, or declare the scopes you rely on with the scopes input.`,
        { property: "privateApiKey" },
      );
    }
    if (req.kind === "full") {
      // Listed nowhere but allowed to list: only a legacy full key behaves like that.
      return { how: "Klaviyo allowed the key to list API keys (credentials:read) but did not list it: treated as a legacy full-access key", unverified: [] };
    }
    const unverified: string[] = [];
    const probed: string[] = [];
    for (const scope of req.scopes) {
      if (scope === "accounts:read") continue;
      const path = READ_PROBES[scope];
      if (path === undefined) {
        unverified.push(scope);
        continue;
      }
      const probe = await this.client.probe(key, path);
      if (!probe.ok) throw keyError(probe, hint, scope, `GET ${path}`);
      probed.push(scope);
    }
    return {
      how: `accounts:read confirmed by GET /api/accounts/${probed.length > 0 ? `; ${probed.join(", ")} confirmed by read-only GETs` : ""}${unverified.length > 0 ? `; ${unverified.join(", ")} declared but not verifiable without side effects` : ""}`,
      unverified,
    };
  }
}

function missingScopes(granted: "all" | ReadonlySet<string>, req: AccessRequirement): string[] {
  if (granted === "all") return [];
  if (req.kind === "full") return ["full access"];
  return req.scopes.filter((s) => !granted.has(s));
}

function keyError(outcome: Exclude<KlaviyoOutcome<unknown>, { ok: true }>, hint: string, scope: string, call: string): KlaviyoKeyError {
  switch (outcome.kind) {
    case "invalid":
      return new KlaviyoKeyError(
        "klaviyo_key_invalid",
        `privateApiKey: Klaviyo rejected the key ${hint} (HTTP ${outcome.status}${outcome.detail === undefined ? "" : `: ${outcome.detail}`}): it is mistyped, disabled, revoked or deleted. Create a new Full Access private key in Klaviyo and set it with \`pulumi config set --secret klaviyoPrivateKey pk_...\`.`,
        { property: "privateApiKey" },
      );
    case "forbidden":
      return new KlaviyoKeyError(
        "klaviyo_key_missing_scope",
        `privateApiKey: the key ${hint} is valid but lacks the ${scope} scope (Klaviyo answered 403 to ${call}). Klaviyo scopes cannot be edited: create a Full Access key (or one with ${scope}) and rotate to it.`,
        { property: "privateApiKey" },
      );
    case "challenge":
      return new KlaviyoKeyError(
        "klaviyo_inconclusive",
        `privateApiKey: could not validate the key ${hint}: Klaviyo's CDN answered ${call} with a challenge page (HTTP 403), which says nothing about the key. Run again later.`,
        { property: "privateApiKey" },
      );
    default:
      return new KlaviyoKeyError(
        "klaviyo_inconclusive",
        `privateApiKey: could not validate the key ${hint}: Klaviyo answered ${call} with HTTP ${outcome.status}${outcome.detail === undefined ? "" : ` (${outcome.detail})`}. Run again; if it persists, check KLAVIYO_API_URL and Klaviyo's status.`,
        { property: "privateApiKey" },
      );
  }
}
