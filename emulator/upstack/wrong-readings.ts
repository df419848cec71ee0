/**
 * Deliberately wrong readings of the Upstack contract that the emulator can be switched into, so
 * that a test can prove each check of the conformance kit fails against a server that reads the
 * document that way. Test-only: never switch them on for anything else.
 * @packageDocumentation
 */

/** One wrong reading (see {@link UPSTACK_WRONG_READINGS} for the rule each breaks). */
export type UpstackWrongReading =
  | "accept-any-key"
  | "ignore-pixel-scope"
  | "no-code-on-404"
  | "lenient-media-type"
  | "if-match-on-missing-creates"
  | "created-as-200"
  | "unquoted-etag-in-body"
  | "weak-etag-on-read"
  | "read-body-without-etag"
  | "no-replay"
  | "replay-after-preconditions"
  | "key-reuse-applied"
  | "etag-changes-on-noop"
  | "new-id-on-replace"
  | "omitted-fields-kept"
  | "rotated-at-on-every-write"
  | "weak-if-match-matches"
  | "conflict-before-precondition"
  | "adopt-not-required"
  | "adopt-ignored"
  | "delete-ignores-owner"
  | "delete-ignores-if-match"
  | "delete-answers-200";

/** Every wrong reading, each with the contract rule it breaks. */
export const UPSTACK_WRONG_READINGS: Readonly<Record<UpstackWrongReading, string>> = {
  "accept-any-key": "an unknown x-api-key is accepted instead of 401 unauthorized",
  "ignore-pixel-scope": "a key is accepted for a pixel it is not scoped to",
  "no-code-on-404": "404 answers carry no `code`",
  "lenient-media-type": "a PUT whose Content-Type is not application/json is processed instead of 415",
  "if-match-on-missing-creates": "a PUT with If-Match on a pixel without a destination creates one instead of 412",
  "created-as-200": "a PUT that creates answers 200 instead of 201",
  "unquoted-etag-in-body": "the body's `etag` is the tag without its double quotes",
  "weak-etag-on-read": 'GET answers a weak ETag header (W/"…")',
  "read-body-without-etag": "GET answers a body without its `etag` field",
  "no-replay": "the Idempotency-Key is ignored: a repeated PUT is processed again instead of replayed",
  "replay-after-preconditions": "a replay is looked up after If-Match / If-None-Match, so a retried committed write gets 412",
  "key-reuse-applied": "a used Idempotency-Key with another body is applied instead of 422",
  "etag-changes-on-noop": "a PUT that changes nothing gives a new ETag",
  "new-id-on-replace": "a PUT that replaces an existing destination gives it a new id",
  "omitted-fields-kept": "optional fields omitted from a PUT keep their old values instead of being reset",
  "rotated-at-on-every-write": "keyRotatedAt changes on every write, not only when the key changes",
  "weak-if-match-matches": 'If-Match uses the weak comparison: W/"…" and unquoted tags match',
  "conflict-before-precondition": "409 owned_by_other is answered before 412 precondition_failed",
  "adopt-not-required": "a PUT with another owner replaces the destination without adopt",
  "adopt-ignored": "adopt: true is refused with 409 like a PUT without it",
  "delete-ignores-owner": "DELETE ignores its owner parameter",
  "delete-ignores-if-match": "DELETE ignores If-Match",
  "delete-answers-200": "DELETE answers 200 with a body instead of 204",
};
