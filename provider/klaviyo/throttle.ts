/**
 * Klaviyo's throttling answer, read here and nowhere else: a 429 whose
 * JSON:API error detail says "Expected available in N second(s)." The
 * transport asks this hook when Retry-After is missing.
 */

/** The wait Klaviyo's throttling detail names, in ms, or undefined when the body says none. */
export function klaviyoRetryHintMs(body: unknown): number | undefined {
  const detail = throttleDetail(body);
  if (detail === undefined) return undefined;
  const match = /expected available in (\d+(?:\.\d+)?) second/i.exec(detail);
  return match?.[1] === undefined ? undefined : Math.ceil(Number(match[1]) * 1000);
}

function throttleDetail(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const errors = (body as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) return undefined;
  for (const e of errors) {
    const detail = (e as { detail?: unknown } | null)?.detail;
    if (typeof detail === "string") return detail;
  }
  return undefined;
}
