/**
 * Jest global tear-down: every Klaviyo answer the emulators gave during the run must conform to
 * Klaviyo's OpenAPI files (spec/klaviyo), checked with ajv. A non-conforming answer fails the run.
 */
import { rmSync } from "node:fs";
import { dirname } from "node:path";
import { KLAVIYO_ANSWER_LOG_ENV } from "../../emulator/klaviyo/answer-log";
import { checkAnswerLog } from "./klaviyo-conformance";

export default function globalTeardown(): void {
  const file = process.env[KLAVIYO_ANSWER_LOG_ENV];
  if (file === undefined) return;
  const result = checkAnswerLog(file);
  rmSync(dirname(file), { recursive: true, force: true });
  process.stderr.write(
    `\nKlaviyo conformance: ${result.checked} emulator answers validated against spec/klaviyo, ${result.skipped} skipped (CDN pages, bodies chosen by tests), ${result.problems.length} not conforming.\n`,
  );
  if (result.problems.length > 0) {
    const shown = result.problems.slice(0, 20).join("\n  ");
    throw new Error(
      `Emulator answers that do not conform to Klaviyo's spec files:\n  ${shown}${result.problems.length > 20 ? `\n  … and ${result.problems.length - 20} more` : ""}`,
    );
  }
}
