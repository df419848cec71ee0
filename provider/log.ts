/**
 * Progress and warnings from the provider. Lines go to stderr, which the
 * Pulumi engine collects from the provider host; every line is redacted.
 * Rate-limited so a storm of retries cannot flood the output.
 */
import { redact } from "./redact";

/** A minimal logger. */
export interface Logger {
  /** Progress people may want to see (waiting on a rate limit, retrying). */
  info(message: string): void;
  /** Something the user should act on. */
  warn(message: string): void;
}

const MAX_LINES_PER_MINUTE = 30;
let windowStart = 0;
let linesInWindow = 0;

function write(level: string, message: string): void {
  const now = Date.now();
  if (now - windowStart > 60_000) {
    windowStart = now;
    linesInWindow = 0;
  }
  linesInWindow++;
  if (linesInWindow === MAX_LINES_PER_MINUTE + 1) {
    process.stderr.write(
      `[pulumi-upstack-klaviyo] info: more than ${MAX_LINES_PER_MINUTE} progress lines this minute; the rest of this minute's are left out.\n`,
    );
  }
  if (linesInWindow > MAX_LINES_PER_MINUTE) return;
  process.stderr.write(`[pulumi-upstack-klaviyo] ${level}: ${redact(message)}\n`);
}

/** The provider's logger. Silence it with UPSTACK_KLAVIYO_QUIET=1. */
export const logger: Logger = {
  info: (message) => {
    if (process.env["UPSTACK_KLAVIYO_QUIET"] !== "1") write("info", message);
  },
  warn: (message) => write("warning", message),
};
