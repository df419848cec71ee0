/**
 * Klaviyo's `revision` header rules.
 * @packageDocumentation
 */

/** Oldest revision the emulator accepts. */
export const OLDEST_REVISION = "2023-01-15";
/** Newest (latest stable) revision the emulator accepts. */
export const LATEST_REVISION = "2026-07-15";

/** Outcome of {@link checkRevision}. */
export type RevisionCheck = "ok" | "missing" | "invalid";

/**
 * Checks a revision header: a real date between {@link OLDEST_REVISION} and {@link LATEST_REVISION}
 * inclusive; beta endpoints need the `.pre` suffix, stable ones accept it too.
 */
export function checkRevision(value: string | undefined, beta: boolean): RevisionCheck {
  if (value === undefined || value.trim() === "") return "missing";
  const m = /^(\d{4})-(\d{2})-(\d{2})(\.pre)?$/.exec(value.trim());
  if (!m) return "invalid";
  const [, y, mo, d, pre] = m;
  if (beta && pre === undefined) return "invalid";
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  const iso = `${y}-${mo}-${d}`;
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== iso) return "invalid";
  return iso >= OLDEST_REVISION && iso <= LATEST_REVISION ? "ok" : "invalid";
}
