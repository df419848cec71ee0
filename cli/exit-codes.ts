/**
 * The documented exit codes of the `upstack-klaviyo` command line, and how an
 * error code of the provider maps onto them.
 * @packageDocumentation
 */
import type { ErrorCatalogueEntry, ErrorCode } from "../provider/core";

/**
 * Exit codes. Scripts and CI can rely on them:
 *
 * - `0` ({@link EXIT_CODES.ok}): the key is valid for what was asked.
 * - `1` ({@link EXIT_CODES.keyRejected}): the key is invalid or insufficient
 *   (`klaviyo_key_invalid`, `klaviyo_key_missing_scope`,
 *   `klaviyo_key_not_full_access`, `klaviyo_account_mismatch`). Re-running will
 *   not help; a new key (or corrected flags) will. `emulator` also exits 1 when
 *   the emulator cannot start (e.g. the port is taken).
 * - `2` ({@link EXIT_CODES.usage}): usage error: no key, a key passed as an
 *   argument, an unknown or malformed flag, a malformed KLAVIYO_API_URL /
 *   `--klaviyo-url` (`http_insecure_url`) or setting (`config_invalid`).
 * - `3` ({@link EXIT_CODES.inconclusive}): Klaviyo could not be asked or gave no
 *   verdict (network failure, timeout, CDN challenge, rate limit, outage:
 *   `klaviyo_inconclusive` and the other `http_*` codes: run again later; or a
 *   request Klaviyo refused, an endpoint that is gone, an answer that does not
 *   fit Klaviyo's spec: `klaviyo_request_rejected`, `klaviyo_endpoint_gone`,
 *   `klaviyo_unexpected_response`: the message says what to do instead).
 */
export const EXIT_CODES = {
  /** The key is valid (or the emulator is running / help or version was printed). */
  ok: 0,
  /** The key is invalid or lacks the required access. */
  keyRejected: 1,
  /** Usage error: no key, a key in argv, a bad flag or setting. */
  usage: 2,
  /** Inconclusive: Klaviyo could not be asked or gave no verdict. */
  inconclusive: 3,
} as const;

/** One of the documented exit codes. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** Codes the command line itself raises, beside the provider's {@link ErrorCode}s. */
export type CliErrorCode = "usage_error" | "internal_error";

/** What each code the command line itself raises means, and what to do (the README's error table is tested against it). */
export const CLI_ERROR_CATALOGUE: Readonly<Record<CliErrorCode, ErrorCatalogueEntry>> = {
  usage_error: {
    cause: "The command was called wrongly: no key on stdin or in KLAVIYO_PRIVATE_KEY, a key passed as an argument, or a bad flag.",
    fix: "Pass the key in KLAVIYO_PRIVATE_KEY or on stdin, never as an argument; see `upstack-klaviyo check-key --help`.",
  },
  internal_error: {
    cause: "The command failed in a way it does not recognise.",
    fix: "Run again; if it persists, report it with the --json output (it never contains the key).",
  },
};

/** Any code a failure of the command line can carry. */
export type FailureCode = ErrorCode | CliErrorCode;

/** The exit code a failure with `code` ends the process with. */
export function exitCodeFor(code: FailureCode): ExitCode {
  switch (code) {
    case "klaviyo_key_invalid":
    case "klaviyo_key_missing_scope":
    case "klaviyo_key_not_full_access":
    case "klaviyo_account_mismatch":
      return EXIT_CODES.keyRejected;
    case "usage_error":
    case "config_invalid":
    case "config_missing_credentials":
    case "input_invalid":
    case "http_insecure_url":
      return EXIT_CODES.usage;
    case "klaviyo_request_rejected":
    case "klaviyo_endpoint_gone":
    case "klaviyo_unexpected_response":
      // No verdict on the key: the request, the endpoint or the answer is at fault.
      return EXIT_CODES.inconclusive;
    default:
      // klaviyo_inconclusive, http_error, http_timeout, http_connection,
      // http_redirect, internal_error, and Upstack codes (never raised here).
      return EXIT_CODES.inconclusive;
  }
}

/** The exit codes as `--help` shows them. */
export const EXIT_CODES_HELP = `Exit codes:
  0  valid: the key is live, belongs to the expected account and has the required access
  1  invalid or insufficient key: klaviyo_key_invalid, klaviyo_key_missing_scope,
     klaviyo_key_not_full_access, klaviyo_account_mismatch
     (emulator: could not start, e.g. the port is in use)
  2  usage error: no key, a key passed as an argument, a bad flag, or a malformed
     KLAVIYO_API_URL / --klaviyo-url / UPSTACK_KLAVIYO_*_MS setting
  3  inconclusive: network failure, timeout, CDN challenge, rate limit or outage
     (klaviyo_inconclusive, http_*): run again later; or no verdict on the key
     because Klaviyo refused the request, the endpoint is gone or the answer does
     not fit Klaviyo's spec (klaviyo_request_rejected, klaviyo_endpoint_gone,
     klaviyo_unexpected_response): the message says what to do`;
