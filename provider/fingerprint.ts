/**
 * What the provider keeps of a key instead of the key: a fingerprint to
 * compare (Upstack computes the same one, see the OpenAPI contract) and a hint
 * a person can recognise.
 */
import { createHash } from "node:crypto";

/** `sha256:` + lowercase hex SHA-256 of the UTF-8 key. */
export function keyFingerprint(key: string): string {
  return `sha256:${createHash("sha256").update(key, "utf8").digest("hex")}`;
}

/** `pk_...` + the key's last four characters. */
export function keyHint(key: string): string {
  return `pk_...${key.slice(-4)}`;
}
