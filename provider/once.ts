/**
 * Deferred construction: a value built the first time it is asked for, then kept. The provider
 * uses it for what a provider host's first Check does not need (Klaviyo's answer schemas, for
 * example), so loading the provider does not pay for it (issue 11, loading cost).
 */

/** Returns a function that builds the value with `build` on its first call and returns the same value after. */
export function once<T>(build: () => T): () => T {
  let built: { readonly value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}
