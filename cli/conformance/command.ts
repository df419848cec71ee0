/**
 * `upstack-klaviyo conformance --url <base> --pixel-id <uuid> [--json] [--only id,…]`: runs the
 * conformance kit. The Upstack API key comes from `UPSTACK_API_KEY`, never from the arguments.
 * Exit codes: 0 every check passed; 1 a check failed (or the pixel could not be left empty);
 * 2 usage (no key, a key in argv, a bad flag, a pixel that already has a destination or a key
 * refused for it); 3 the server did not answer.
 * @packageDocumentation
 */
import { HttpError } from "../../provider/errors";
import { redact, registerSecret } from "../../provider/redact";
import type { CheckKeyIo } from "../check-key";
import { EXIT_CODES, type ExitCode } from "../exit-codes";
import { renderJson, renderText } from "./report";
import { runConformance, type ConformanceReport } from "./runner";
import { CONFORMANCE_CHECKS } from "./checks";

/** The environment variable the Upstack API key is read from. */
export const UPSTACK_KEY_ENV_VAR = "UPSTACK_API_KEY";

/** The flags of `conformance`, as parsed. */
export interface ConformanceFlags {
  /** The server's base URL. */
  readonly url: string;
  /** The pixel under test. */
  readonly pixelId: string;
  /** Print one JSON object. */
  readonly json?: boolean;
  /** Comma-separated check ids. */
  readonly only?: string;
  /** Timeout of one request in ms. */
  readonly timeoutMs?: number;
}

/** Options that would name an Upstack key on the command line. */
const UPSTACK_KEY_OPTIONS = /^--?(upstack-?)?(api-?)?key(=|$)/i;

/** Index of the first argument that is or names an Upstack API key (-1 when none). */
export function upstackKeyArgumentIndex(argv: readonly string[]): number {
  return argv.findIndex((arg) => /upstack_[A-Za-z0-9]/i.test(arg) || UPSTACK_KEY_OPTIONS.test(arg));
}

/** The message for an Upstack key found in the arguments; it never contains the argument. */
export const UPSTACK_KEY_IN_ARGV_MESSAGE =
  `Refusing an Upstack API key passed as a command-line argument: arguments are visible to other users of this machine (ps) and are kept in shell history. ` +
  `Pass it in the environment variable ${UPSTACK_KEY_ENV_VAR}. If this machine is shared, treat the key as exposed and rotate it.`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The help text after the options. */
export const CONFORMANCE_HELP = `Runs black-box checks of openapi/upstack-klaviyo-destination.json against a server, on the one
pixel given, which must have no Klaviyo destination (the kit creates, changes and deletes its own
with generated fake Klaviyo keys, then leaves the pixel empty again). The Upstack API key is read
from ${UPSTACK_KEY_ENV_VAR}, never from the arguments.

Checks: ${CONFORMANCE_CHECKS.map((c) => c.id).join(", ")}.

Exit codes: 0 every check passed; 1 a check failed; 2 usage error (no key, a key in argv, a bad
flag, a pixel that already has a destination, a key refused for the pixel); 3 no answer.

Example:
  ${UPSTACK_KEY_ENV_VAR}=upstack_... upstack-klaviyo conformance --url http://127.0.0.1:4010 --pixel-id 9b2f6c1e-0d4a-4c3e-8f57-2a1b3c4d5e6f`;

/** Runs `conformance` with parsed flags; writes the report; returns the exit code. */
export async function runConformanceCommand(flags: ConformanceFlags, io: CheckKeyIo): Promise<ExitCode> {
  const usage = (message: string, property: string): ExitCode => {
    if (flags.json === true) io.stdout.write(`${redact(JSON.stringify({ ok: false, code: "usage_error", property, message }))}\n`);
    else io.stderr.write(`${redact(`✗ ${message}`)}\n`);
    return EXIT_CODES.usage;
  };
  const apiKey = io.env[UPSTACK_KEY_ENV_VAR]?.trim();
  if (apiKey === undefined || apiKey === "")
    return usage(`No Upstack API key: set ${UPSTACK_KEY_ENV_VAR} to a key scoped to pixel ${flags.pixelId}.`, UPSTACK_KEY_ENV_VAR);
  registerSecret(apiKey);
  if (!UUID.test(flags.pixelId)) return usage(`--pixel-id must be a pixel UUID (e.g. 9b2f6c1e-0d4a-4c3e-8f57-2a1b3c4d5e6f).`, "--pixel-id");
  const known = new Set(CONFORMANCE_CHECKS.map((c) => c.id));
  const only = flags.only
    ?.split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  const unknown = only?.filter((id) => !known.has(id)) ?? [];
  if (unknown.length > 0) return usage(`--only names unknown checks: ${unknown.join(", ")}. Known: ${[...known].join(", ")}.`, "--only");

  let report: ConformanceReport;
  try {
    report = await runConformance({
      url: flags.url,
      pixelId: flags.pixelId,
      apiKey,
      ...(flags.timeoutMs === undefined ? {} : { timeoutMs: flags.timeoutMs }),
      ...(only === undefined ? {} : { only }),
    });
  } catch (e) {
    if (e instanceof HttpError && e.code === "http_insecure_url") return usage(`--url: ${e.message}`, "--url");
    throw e;
  }
  io.stdout.write(flags.json === true ? renderJson(report) : renderText(report));
  if (report.aborted?.reason === "unreachable") return EXIT_CODES.inconclusive;
  if (report.aborted?.reason === "pixel_not_empty" || report.aborted?.reason === "unauthorized") return EXIT_CODES.usage;
  return report.ok ? EXIT_CODES.ok : EXIT_CODES.keyRejected;
}
