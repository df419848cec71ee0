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
  // Upstack API keys (but not the words `upstack_api_key(s)`, Terraform's names for the settings that hold them).
  /upstack_(?!api_keys?\b)[A-Za-z0-9_]{4,}/g,
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

/**
 * Replaces every credential in `text` with `[REDACTED]`. All matches — of
 * registered values and of patterns — are found on the original text first and
 * merged, so a registered prefix of a key can never leave the rest of it behind.
 */
export function redact(text: string): string {
  const ranges: Array<[number, number]> = [];
  for (const secret of registered) {
    for (let i = text.indexOf(secret); i !== -1; i = text.indexOf(secret, i + 1)) ranges.push([i, i + secret.length]);
  }
  for (const pattern of PATTERNS) {
    for (const m of text.matchAll(pattern)) {
      const start = m.index + (m[1]?.length ?? 0);
      ranges.push([start, m.index + m[0].length]);
    }
  }
  if (ranges.length === 0) return text;
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [start, stop] of ranges) {
    const last = merged[merged.length - 1];
    if (last !== undefined && start <= last[1]) last[1] = Math.max(last[1], stop);
    else merged.push([start, stop]);
  }
  let out = "";
  let position = 0;
  for (const [start, stop] of merged) {
    out += text.slice(position, start) + REDACTED;
    position = stop;
  }
  return out + text.slice(position);
}

/** Redacts every string inside a JSON-like value (a response body, headers). */
export function redactValue<T>(value: T): T {
  if (value === undefined) return value;
  try {
    return JSON.parse(redact(JSON.stringify(value))) as T;
  } catch {
    return value;
  }
}

/**
 * Redacts `error`'s message and stack in place, and its `cause` chain. Errors
 * whose fields cannot be written (a DOMException's `message` is a getter) are
 * left as they are when they hold no secret, and otherwise replaced in the
 * chain by a redacted copy. Never throws.
 */
export function redactError<E extends Error>(error: E): E {
  redactFields(error);
  let holder: Error = error;
  for (let depth = 0; depth < 8; depth++) {
    const cause: unknown = (holder as { cause?: unknown }).cause;
    if (!(cause instanceof Error) || cause === holder) break;
    let next: Error = cause;
    if (!redactFields(cause)) {
      next = new Error(redact(String(cause.message)));
      next.name = cause.name;
      next.stack = `${next.name}: ${next.message} (redacted copy)`;
      try {
        Object.defineProperty(holder, "cause", { value: next, configurable: true, writable: true });
      } catch {
        break;
      }
    }
    holder = next;
  }
  return error;
}

/** Redacts message and stack where they hold a secret; false when one of them could not be written. */
function redactFields(error: Error): boolean {
  let ok = true;
  for (const field of ["message", "stack"] as const) {
    try {
      const value = error[field];
      if (typeof value !== "string") continue;
      const clean = redact(value);
      if (clean === value) continue;
      error[field] = clean;
      if (error[field] !== clean) ok = false;
    } catch {
      ok = false;
    }
  }
  return ok;
}
