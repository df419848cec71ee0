/**
 * Progress and warnings. Lines go to a sink (the provider host's stderr,
 * which the Pulumi engine collects; the command line's stderr); every line
 * is redacted, and a storm of retries cannot flood the output (at most 30
 * lines a minute per logger). Each context makes its own logger.
 */
import { redact } from "./redact";

/** A minimal logger. */
export interface Logger {
  /** Progress people may want to see (waiting on a rate limit, retrying); silenced by the quiet setting. */
  info(message: string): void;
  /** Something the user should act on; never silenced. */
  warn(message: string): void;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Writes one finished line (ends with `\n`). Default: process.stderr. */
  readonly write?: (line: string) => void;
  /** Drops info lines (UPSTACK_KLAVIYO_QUIET=1). Default false. */
  readonly quiet?: boolean;
  /** Prefix of every line. Default `[pulumi-upstack-klaviyo] <level>: `. */
  readonly format?: (level: "info" | "warning", message: string) => string;
  /** The clock, for the per-minute cap. Default Date.now. */
  readonly now?: () => number;
}

/** Most lines a logger writes in one minute. */
export const MAX_LINES_PER_MINUTE = 30;

/** Makes a logger that redacts and caps its lines. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const out = options.write ?? ((line: string) => void process.stderr.write(line));
  const format = options.format ?? ((level, message) => `[pulumi-upstack-klaviyo] ${level}: ${message}`);
  const now = options.now ?? Date.now;
  let windowStart = 0;
  let linesInWindow = 0;
  const write = (level: "info" | "warning", message: string): void => {
    const t = now();
    if (t - windowStart > 60_000) {
      windowStart = t;
      linesInWindow = 0;
    }
    linesInWindow++;
    if (linesInWindow === MAX_LINES_PER_MINUTE + 1) {
      out(`${format("info", `more than ${MAX_LINES_PER_MINUTE} progress lines this minute; the rest of this minute's are left out.`)}\n`);
    }
    if (linesInWindow > MAX_LINES_PER_MINUTE) return;
    out(`${redact(format(level, message))}\n`);
  };
  return {
    info: (message) => {
      if (options.quiet !== true) write("info", message);
    },
    warn: (message) => write("warning", message),
  };
}
