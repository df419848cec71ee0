/**
 * Klaviyo's side of a refresh: the status of the key Upstack holds, asked of Klaviyo with
 * `GET /api/api-keys/{id}` (one paced request per distinct key per provider process, shared by
 * every resource that uses the key), so that a key disabled or deleted in Klaviyo shows as
 * `unhealthy` before Upstack notices.
 *
 * The request is authenticated with the key itself: Klaviyo answers 401 for a key that was
 * disabled, revoked or deleted. What cannot be told with certainty (no credentials:read, a CDN
 * challenge, an outage, an answer the spec does not describe, a 404 for a key that still
 * authenticates) changes nothing: the status stays what Upstack reported.
 */
import { PULUMI_VOCABULARY, type Vocabulary } from "../core/vocabulary";
import { HttpError } from "../errors";
import { keyFingerprint, keyHint } from "../fingerprint";
import type { KlaviyoApiKeys } from "./api-key-client";

/** What Klaviyo says about a key at refresh. */
export type KeyStatusVerdict =
  | { readonly kind: "active"; readonly name: string | undefined }
  | { readonly kind: "unhealthy"; readonly reason: string }
  | { readonly kind: "unknown"; readonly why: string };

/** Asks Klaviyo for key statuses, once per distinct key and id in this process. */
export class KeyStatusChecker {
  private readonly asked = new Map<string, Promise<KeyStatusVerdict>>();

  /**
   * @param apiKeys - the single-key endpoints (paced per account).
   * @param words - the words of the place a verdict's reason appears (default Pulumi's).
   */
  constructor(
    private readonly apiKeys: KlaviyoApiKeys,
    private readonly words: Vocabulary = PULUMI_VOCABULARY,
  ) {}

  /** Number of distinct keys asked about so far. */
  get askedCount(): number {
    return this.asked.size;
  }

  /** The status of `privateKey` (Klaviyo id `keyId`, account `accountId`). Never throws. */
  check(privateKey: string, keyId: string, accountId: string): Promise<KeyStatusVerdict> {
    const cacheKey = `${keyFingerprint(privateKey)}|${keyId}`;
    const known = this.asked.get(cacheKey);
    if (known !== undefined) return known;
    const pending = this.ask(privateKey, keyId, accountId);
    this.asked.set(cacheKey, pending);
    return pending;
  }

  private async ask(privateKey: string, keyId: string, accountId: string): Promise<KeyStatusVerdict> {
    const hint = keyHint(privateKey);
    try {
      const res = await this.apiKeys.get(privateKey, keyId, accountId);
      if (res.ok) {
        if (res.value.status === "disabled") return { kind: "unhealthy", reason: `Klaviyo reports the key ${hint} (id ${keyId}) as disabled.` };
        return { kind: "active", name: res.value.name };
      }
      switch (res.kind) {
        case "invalid":
          return {
            kind: "unhealthy",
            reason: `Klaviyo rejects the key ${hint} (id ${keyId}; HTTP ${res.status}): it was disabled, revoked or deleted in Klaviyo. Re-enable it in Klaviyo, or rotate to a new Full Access key (${this.words.setKey}) and run ${this.words.applyAgain}.`,
          };
        case "forbidden":
          return { kind: "unknown", why: `the key ${hint} lacks credentials:read, so Klaviyo will not report its status` };
        case "gone":
          return {
            kind: "unknown",
            why: `Klaviyo answered ${res.status} for key id ${keyId} although the key authenticates (the beta endpoint may have changed)`,
          };
        case "challenge":
          return { kind: "unknown", why: "Klaviyo's CDN answered with a challenge page" };
        default:
          return { kind: "unknown", why: `Klaviyo answered HTTP ${res.status}${res.detail === undefined ? "" : ` (${res.detail})`}` };
      }
    } catch (error) {
      if (error instanceof HttpError) return { kind: "unknown", why: `Klaviyo could not be asked (${error.message})` };
      return { kind: "unknown", why: error instanceof Error ? error.message : String(error) };
    }
  }
}
