/**
 * `upstack-klaviyo check-key`: validates a Klaviyo private key exactly as the
 * resource's check does — through the same public core (`buildContext`, the
 * same validator, pacer, transport and settings), speaking flags instead of
 * resource properties — and reports the verdict as text or JSON with a
 * documented exit code. Output never contains the key.
 * @packageDocumentation
 */
import {
  accessRequirement,
  buildContext,
  CLI_VOCABULARY,
  createLogger,
  describeRequirement,
  envReader,
  inputSchemas,
  redact,
  UpstackKlaviyoError,
  type AccessRequirement,
  type KeyValidation,
} from "../provider/core";
import { EXIT_CODES, exitCodeFor, type ExitCode, type FailureCode } from "./exit-codes";
import { readKey, type KeyInput } from "./read-key";

/** Somewhere text is written (process.stdout, or a collector in tests). */
export interface TextSink {
  /** Writes `text` as is (callers end lines with `\n`). */
  write(text: string): unknown;
}

/** The streams and environment a command runs with. */
export interface CheckKeyIo {
  /** Where the key is read from when `KLAVIYO_PRIVATE_KEY` is unset. */
  readonly stdin?: KeyInput | undefined;
  /** Results (JSON in `--json` mode, the success line otherwise). */
  readonly stdout: TextSink;
  /** Failures and progress in human mode. */
  readonly stderr: TextSink;
  /** The environment (`KLAVIYO_PRIVATE_KEY`, `KLAVIYO_API_URL`, `UPSTACK_KLAVIYO_*_MS`). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The options of `check-key`, as parsed from the command line. */
export interface CheckKeyOptions {
  /** `--public-api-key`: the Site ID the key must belong to. */
  readonly publicApiKey?: string | undefined;
  /** `--scopes`: comma-separated scopes to require instead of Full Access. */
  readonly scopes?: string | undefined;
  /** `--json`: print one JSON object. */
  readonly json?: boolean | undefined;
  /** `--klaviyo-url`: Klaviyo's base URL (overrides KLAVIYO_API_URL). */
  readonly klaviyoUrl?: string | undefined;
}

/** What `check-key --json` prints when the key is valid. */
export interface CheckKeySuccess {
  /** Always true. */
  readonly ok: true;
  /** `pk_...abcd`: the only part of the key ever printed. */
  readonly keyHint: string;
  /** The Klaviyo account (Site ID) the key belongs to. */
  readonly accountId: string;
  /** The account's organization name, or null when Klaviyo has none. */
  readonly accountName: string | null;
  /** Klaviyo's id of the key (never the key), or null when Klaviyo's key listing did not identify it. */
  readonly keyId: string | null;
  /** The key's name in Klaviyo, or null when Klaviyo's key listing did not identify it. */
  readonly keyName: string | null;
  /** How the access was established, in words. */
  readonly accessCheck: string;
  /** Declared scopes that cannot be verified without side effects. */
  readonly unverifiedScopes: readonly string[];
  /** When the key was validated (ISO 8601). */
  readonly validatedAt: string;
}

/** What `check-key --json` prints when it fails. */
export interface CheckKeyFailure {
  /** Always false. */
  readonly ok: false;
  /** A provider error code (see the README's error table) or `usage_error` / `internal_error`. */
  readonly code: FailureCode;
  /** The canonical input or setting the failure is about (`privateApiKey`, `publicApiKey`, `scopes`, `klaviyoApiUrl`), or null. */
  readonly property: string | null;
  /** What happened and what to do; redacted. */
  readonly message: string;
}

/** The JSON object `check-key --json` prints. */
export type CheckKeyResult = CheckKeySuccess | CheckKeyFailure;

/** A failure before or during validation, with its code and property. */
export class CliFailure extends Error {
  /** The failure's code. */
  readonly code: FailureCode;
  /** The input concerned, or null. */
  readonly property: string | null;
  /** @param code - the code; @param property - the input concerned; @param message - redacted here. */
  constructor(code: FailureCode, property: string | null, message: string) {
    super(redact(message));
    this.name = "CliFailure";
    this.code = code;
    this.property = property;
  }
}

/**
 * Runs `check-key`: reads the key, validates it, prints the verdict and
 * returns the exit code. Never throws; never prints the key.
 */
export async function runCheckKey(options: CheckKeyOptions, io: CheckKeyIo): Promise<ExitCode> {
  const json = options.json === true;
  let result: CheckKeyResult;
  let requirement: AccessRequirement = { kind: "full" };
  try {
    const publicApiKey = parsePublicApiKey(options.publicApiKey);
    requirement = accessRequirement(parseScopes(options.scopes));
    const env = envReader(io.env as NodeJS.ProcessEnv);
    // The same context the provider builds, in the command line's words; progress lines go to
    // stderr in human mode, silenced by UPSTACK_KLAVIYO_QUIET=1 like the provider's.
    const quiet = json || env("UPSTACK_KLAVIYO_QUIET")?.trim() === "1";
    const ctx = buildContext({
      env,
      words: CLI_VOCABULARY,
      overrides: { klaviyoApiUrl: options.klaviyoUrl },
      log: createLogger({ quiet, write: (line) => io.stderr.write(line), format: (_level, message) => `  ${message}` }),
    });
    try {
      const reading = await readKey(io.env, io.stdin);
      if (!reading.ok) throw new CliFailure("usage_error", "privateApiKey", reading.message);
      result = success(await ctx.validator.validate(reading.key, { publicApiKey, requirement }));
    } finally {
      await ctx.close();
    }
  } catch (error) {
    result = failure(error);
  }

  if (json) {
    io.stdout.write(redact(JSON.stringify(result)) + "\n");
  } else if (result.ok) {
    io.stdout.write(redact(humanSuccess(result, requirement)) + "\n");
  } else {
    io.stderr.write(redact(humanFailure(result)) + "\n");
  }
  return result.ok ? EXIT_CODES.ok : exitCodeFor(result.code);
}

/** Checks `--public-api-key` with the resource's own schema, in the command line's words. */
function parsePublicApiKey(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const parsed = inputSchemas(CLI_VOCABULARY).publicApiKey.safeParse(value);
  if (!parsed.success) throw new CliFailure("usage_error", "publicApiKey", parsed.error.issues[0]?.message ?? "--public-api-key is invalid.");
  return parsed.data;
}

/** Splits `--scopes a:read,b:write` and checks it with the resource's own schema, in the command line's words. */
function parseScopes(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const list = value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  const parsed = inputSchemas(CLI_VOCABULARY).scopes.safeParse(list);
  if (!parsed.success) throw new CliFailure("usage_error", "scopes", parsed.error.issues.map((i) => i.message).join(" "));
  return parsed.data;
}

function success(v: KeyValidation): CheckKeySuccess {
  return {
    ok: true,
    keyHint: v.hint,
    accountId: v.accountId,
    accountName: v.accountName ?? null,
    keyId: v.keyId ?? null,
    keyName: v.keyName ?? null,
    accessCheck: v.accessCheck,
    unverifiedScopes: [...v.unverifiedScopes],
    validatedAt: v.validatedAt,
  };
}

function failure(error: unknown): CheckKeyFailure {
  if (error instanceof CliFailure) return { ok: false, code: error.code, property: error.property, message: error.message };
  if (UpstackKlaviyoError.isInstance(error)) {
    return { ok: false, code: error.code, property: error.property ?? null, message: redact(error.message) };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { ok: false, code: "internal_error", property: null, message: redact(`could not validate the key: ${message}`) };
}

function humanSuccess(r: CheckKeySuccess, requirement: AccessRequirement): string {
  const account = `${r.accountId}${r.accountName === null ? "" : ` (${r.accountName})`}`;
  const verdict = r.unverifiedScopes.length > 0 ? "confirmed as far as possible" : "confirmed";
  const lines = [`✓ ${r.keyHint} is live, belongs to Klaviyo account ${account}, ${describeRequirement(requirement)} ${verdict}: ${r.accessCheck}.`];
  if (r.unverifiedScopes.length > 0) {
    lines.push(
      `  Note: ${r.unverifiedScopes.join(", ")} cannot be verified without side effects (the key cannot list API keys); Klaviyo will refuse writes if they are missing.`,
    );
  }
  return lines.join("\n");
}

/**
 * The failure as a person reads it: the message (which already says what to
 * do, in flags) and the code to look up. The error catalogue's fixes are
 * written for the resource, so they are not repeated here.
 */
function humanFailure(r: CheckKeyFailure): string {
  const lines = [`✗ ${r.message}`];
  if (r.code === "usage_error") lines.push("  Run `upstack-klaviyo check-key --help` for usage.");
  else lines.push(`  (${r.code})`);
  return lines.join("\n");
}
