/**
 * An optional record of every answer the emulated Klaviyo gives, one JSON line each, so that a
 * test run can check every one of them against Klaviyo's spec files (test/support/klaviyo-conformance.ts
 * does, when the suites end). Off unless a file is named, by the `answerLog` option or the
 * `UPSTACK_EMULATOR_KLAVIYO_ANSWER_LOG` environment variable (which reaches emulators started in
 * child processes too). Answers hold no secret: Klaviyo's answers carry redacted keys only.
 * @packageDocumentation
 */
import { appendFileSync } from "node:fs";

/** The environment variable naming the answer log. */
export const KLAVIYO_ANSWER_LOG_ENV = "UPSTACK_EMULATOR_KLAVIYO_ANSWER_LOG";

/** One recorded answer. */
export interface KlaviyoAnswerRecord {
  /** The spec operation the request went to, when the emulator serves one there. */
  readonly operationId: string | undefined;
  /** HTTP method. */
  readonly method: string;
  /** Path without the query. */
  readonly path: string;
  /** The query string, without `?`. */
  readonly query: string;
  /** Status answered. */
  readonly status: number;
  /** The answer's content type. */
  readonly contentType: string;
  /** The answer's body text. */
  readonly body: string;
  /** True when a fault rule gave the answer a body of the test's own choosing (not the emulator's). */
  readonly customBody: boolean;
}

/** Appends `record` to `file` (synchronously, so that nothing is lost when a process ends). */
export function recordKlaviyoAnswer(file: string, record: KlaviyoAnswerRecord): void {
  appendFileSync(file, JSON.stringify(record) + "\n");
}
