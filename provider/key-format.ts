/**
 * Klaviyo private key formats. Both are accepted; no single length is
 * hard-coded elsewhere.
 */

/** `pk_` + 34 alphanumerics (37 characters): the classic format. */
export const CLASSIC_PRIVATE_KEY = /^pk_[A-Za-z0-9]{34}$/;

/** `pk_` + 6 alphanumerics + `_` + 34 hex (44 characters): the format seen since 2026. */
export const PREFIXED_PRIVATE_KEY = /^pk_[A-Za-z0-9]{6}_[0-9a-fA-F]{34}$/;

/** A Klaviyo public key (Site ID, the account id): 6 alphanumerics. */
export const PUBLIC_API_KEY = /^[A-Za-z0-9]{6}$/;

/**
 * Explains what is wrong with a (trimmed) private key without echoing any of
 * it, or returns undefined when the key has a valid format.
 * @param key - the trimmed key.
 * @param publicKeyName - how the place the message appears names the Site ID input (`publicApiKey`, `--public-api-key`).
 */
export function describePrivateKeyProblem(key: string, publicKeyName = "publicApiKey"): string | undefined {
  if (key.length === 0) return "is empty. Set it to your Klaviyo private API key (it starts with pk_).";
  if (/\s/.test(key)) return "contains whitespace inside the key. Paste the key again as one unbroken string.";
  if (!key.startsWith("pk_")) {
    if (PUBLIC_API_KEY.test(key))
      return `looks like a Klaviyo public key (Site ID), not a private key. Use the private key, which starts with pk_; the Site ID goes in ${publicKeyName}.`;
    return "does not start with pk_. Use a Klaviyo private API key (Settings → Account → API Keys).";
  }
  if (CLASSIC_PRIVATE_KEY.test(key) || PREFIXED_PRIVATE_KEY.test(key)) return undefined;
  if (/[^A-Za-z0-9_]/.test(key)) return "contains characters a Klaviyo private key never has (only letters, digits and _ are allowed). Paste the key again.";
  return `has ${key.length} characters, which matches no Klaviyo private key format (pk_ + 34 alphanumerics = 37, or pk_ + 6 + _ + 34 hex = 44). Paste the whole key again.`;
}
