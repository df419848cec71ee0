/**
 * Jest global set-up: every emulator of the run (in-process or in a child process) records the
 * Klaviyo answers it gives to one file, which the global tear-down checks against Klaviyo's spec.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KLAVIYO_ANSWER_LOG_ENV } from "../../emulator/klaviyo/answer-log";

export default function globalSetup(): void {
  const dir = mkdtempSync(join(tmpdir(), "klaviyo-answers-"));
  process.env[KLAVIYO_ANSWER_LOG_ENV] = join(dir, "answers.jsonl");
}
