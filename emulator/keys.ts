/**
 * Fake credential and id generation, fingerprints and hints. Every value made here is random and
 * emulator-only: none is a real Klaviyo or Upstack secret.
 * @packageDocumentation
 */
import { createHash, randomBytes, randomInt } from "node:crypto";
import type { KlaviyoKeyFormat } from "./types";

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";

/** Random string of `length` characters drawn from `alphabet`. */
export function randomString(length: number, alphabet: string = ALNUM): string {
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet.charAt(randomInt(alphabet.length));
  return out;
}

/** Random lowercase hex of `length` characters. */
export function randomHex(length: number): string {
  return randomBytes(Math.ceil(length / 2))
    .toString("hex")
    .slice(0, length);
}

/** A fake Klaviyo private key: classic `pk_` + 34 hex, or v2 `pk_` + 6 alphanumerics + `_` + 34 hex. */
export function fakeKlaviyoPrivateKey(format: KlaviyoKeyFormat = "classic"): string {
  return format === "v2" ? `pk_${randomString(6)}_${randomHex(34)}` : `pk_${randomHex(34)}`;
}

/** A fake Klaviyo account id (= public key, site id): 6 mixed-case alphanumerics. */
export function fakeKlaviyoAccountId(): string {
  return randomString(6);
}

/** A fake Upstack API key: `upstack_` + 40 hex. */
export function fakeUpstackApiKey(): string {
  return `upstack_${randomHex(40)}`;
}

/** An id with a prefix and lowercase alphanumerics, e.g. `dst_...`. */
export function fakeId(prefix: string, length = 20): string {
  return `${prefix}${randomString(length, LOWER_ALNUM)}`;
}

/** Lowercase hex SHA-256 of a UTF-8 string. */
export function sha256Hex(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

/** Contract key fingerprint: `sha256:` + lowercase hex SHA-256 of the key. */
export function keyFingerprint(privateKey: string): string {
  return `sha256:${sha256Hex(privateKey)}`;
}

/** Contract key hint: `pk_...` + the last four characters. */
export function keyHint(privateKey: string): string {
  return `pk_...${privateKey.slice(-4)}`;
}

/** Klaviyo's redaction in the api-keys listing: `pk_****` + the last four characters. */
export function klaviyoRedacted(privateKey: string): string {
  return `pk_****${privateKey.slice(-4)}`;
}

/** A new strong ETag, in double quotes. */
export function newEtag(): string {
  return `"${randomHex(16)}"`;
}

/** Accepted shape of a Klaviyo private key (both formats). */
export const KLAVIYO_PRIVATE_KEY_PATTERN = /^pk_[A-Za-z0-9]+(_[A-Za-z0-9]+)?$/;
/** Accepted shape of a Klaviyo account id. */
export const KLAVIYO_ACCOUNT_ID_PATTERN = /^[A-Za-z0-9]{6}$/;
/** Accepted shape of an Upstack API key. */
export const UPSTACK_API_KEY_PATTERN = /^upstack_[0-9a-f]{40}$/;
