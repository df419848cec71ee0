/**
 * The one place that redacts credentials. Every error message, log line and
 * request description passes through {@link redact} before it can leave the
 * provider.
 *
 * Two layers: patterns that match any credential of a known shape (Klaviyo
 * private keys, Upstack API keys, Authorization / x-api-key header values), and
 * exact values registered at run time with {@link registerSecret} (so a
 * malformed key a user pasted, which no pattern matches, is still removed).
 */

const REDACTED = "[REDACTED]";

const PATTERNS: readonly RegExp[] = [
  // Klaviyo private keys, both formats and anything key-like after pk_.
  /pk_[A-Za-z0-9_]{4,}/g,
  // Upstack API keys.
  /upstack_[A-Za-z0-9_]{4,}/g,
  // Header values, in case a whole header line reaches a message.
  /(klaviyo-api-key\s+)[^\s"',}]+/gi,
  /(x-api-key["']?\s*[:=]\s*["']?)[^\s"',}]+/gi,
  /(authorization["']?\s*[:=]\s*["']?)[^"',}\n]+/gi,
];

const registered = new Set<string>();

/**
 * Registers an exact secret value (a credential read from configuration or
 * inputs) so that {@link redact} removes it even when no pattern matches it.
 * Values shorter than 8 characters are ignored: they would redact ordinary words.
 */
export function registerSecret(value: string | undefined): void {
  if (value === undefined) return;
  const trimmed = value.trim();
  if (trimmed.length >= 8) registered.add(trimmed);
  if (value.length >= 8) registered.add(value);
}

/** Replaces every credential in `text` with `[REDACTED]`. */
export function redact(text: string): string {
  let out = text;
  for (const secret of registered) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  for (const pattern of PATTERNS) {
    out = out.replace(pattern, (match: string, prefix?: unknown) =>
      typeof prefix === "string" && prefix.length > 0 && prefix !== match ? `${prefix}${REDACTED}` : REDACTED,
    );
  }
  return out;
}

/**
 * Returns a copy of `error` whose message and stack are redacted; `cause` is
 * redacted recursively. Used at every boundary where an error leaves the provider.
 */
export function redactError<E extends Error>(error: E): E {
  error.message = redact(error.message);
  if (typeof error.stack === "string") error.stack = redact(error.stack);
  const cause: unknown = (error as { cause?: unknown }).cause;
  if (cause instanceof Error && cause !== error) redactError(cause);
  return error;
}
