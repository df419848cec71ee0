#!/usr/bin/env node
/**
 * The `upstack-klaviyo` command line:
 *
 * ```
 * upstack-klaviyo check-key [--public-api-key AbC123] [--scopes a:read,b:write] [--json] [--klaviyo-url URL]
 * upstack-klaviyo emulator [--port N] [--host H] [--state-file F] [--latency-ms N] [--seed]
 * upstack-klaviyo conformance --url URL --pixel-id UUID [--json] [--only id,...] [--timeout-ms N]
 * upstack-klaviyo --version
 * ```
 *
 * The key is read from `KLAVIYO_PRIVATE_KEY` or stdin (`conformance`: the
 * Upstack key from `UPSTACK_API_KEY`), never from the arguments. Exit codes: see {@link EXIT_CODES}.
 * @packageDocumentation
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { runEmulatorCli, type RunningEmulator } from "../emulator";
import { redact } from "../provider/core";
import { runCheckKey, type CheckKeyFailure, type CheckKeyIo, type CheckKeyOptions } from "./check-key";
import { CONFORMANCE_HELP, runConformanceCommand, upstackKeyArgumentIndex, UPSTACK_KEY_IN_ARGV_MESSAGE, type ConformanceFlags } from "./conformance";
import { EXIT_CODES, EXIT_CODES_HELP, type ExitCode } from "./exit-codes";
import { KEY_ENV_VAR, KEY_IN_ARGV_MESSAGE, keyArgumentIndex } from "./read-key";

export { CLI_ERROR_CATALOGUE, EXIT_CODES, EXIT_CODES_HELP, exitCodeFor } from "./exit-codes";
export type { ExitCode, FailureCode, CliErrorCode } from "./exit-codes";
export { runCheckKey, CliFailure } from "./check-key";
export type { CheckKeyIo, CheckKeyOptions, CheckKeyResult, CheckKeySuccess, CheckKeyFailure, TextSink } from "./check-key";
export { readKey, readFirstLine, keyArgumentIndex, KEY_ENV_VAR, KEY_IN_ARGV_MESSAGE, MAX_STDIN_BYTES } from "./read-key";
export type { KeyInput, KeyReading, KeySource, KeyStream } from "./read-key";

/** The streams and environment {@link main} runs with. */
export interface CliIo extends CheckKeyIo {
  /** `emulator`: stop it on SIGINT/SIGTERM (default true; tests pass false and close it themselves). */
  readonly handleSignals?: boolean | undefined;
}

/** What {@link main} ends with. */
export interface CliResult {
  /** The exit code (see {@link EXIT_CODES}). */
  readonly exitCode: ExitCode;
  /** The emulator `emulator` started (it keeps running until closed or signalled), else undefined. */
  readonly emulator: RunningEmulator | undefined;
}

const KEY_SOURCES_HELP = `The key is read from the environment variable ${KEY_ENV_VAR} or, when that is unset,
from the first line of stdin — never from the arguments (a pk_... argument is refused).
KLAVIYO_API_URL, UPSTACK_KLAVIYO_TIMEOUT_MS and UPSTACK_KLAVIYO_DEADLINE_MS apply as in the provider.

Examples:
  ${KEY_ENV_VAR}=pk_... upstack-klaviyo check-key
  upstack-klaviyo check-key --scopes events:write,profiles:write --json < key.txt`;

/** The package's version, from the package.json above this file (source or dist). */
export function packageVersion(): string {
  let dir = __dirname;
  for (let i = 0; i < 4; i++) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: unknown; version?: unknown };
      if (pkg.name === "pulumi-upstack-klaviyo" && typeof pkg.version === "string") return pkg.version;
    }
    dir = dirname(dir);
  }
  return "0.0.0";
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < 0) throw new InvalidArgumentError("must be a non-negative integer");
  return n;
}

function positiveInt(value: string): number {
  const n = nonNegativeInt(value);
  if (n === 0) throw new InvalidArgumentError("must be a positive integer");
  return n;
}

function port(value: string): number {
  const n = nonNegativeInt(value);
  if (n > 65535) throw new InvalidArgumentError("must be a port number from 0 to 65535");
  return n;
}

interface EmulatorFlags {
  port?: number;
  host?: string;
  stateFile?: string;
  latencyMs?: number;
  seed?: boolean;
}

/**
 * Runs the command line with `argv` (the user's arguments, without `node` and
 * the script) and `io`; returns the exit code instead of exiting. Output goes
 * only to `io.stdout` / `io.stderr`, redacted.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<CliResult> {
  const json = argv.includes("--json");
  const fail = (exitCode: ExitCode, message: string, property: string | null = null): CliResult => {
    if (json) {
      const result: CheckKeyFailure = { ok: false, code: "usage_error", property, message: redact(message) };
      io.stdout.write(`${redact(JSON.stringify(result))}\n`);
    } else {
      io.stderr.write(`${redact(`✗ ${message}`)}\n`);
    }
    return { exitCode, emulator: undefined };
  };

  // Before anything parses (and could echo) the arguments.
  const upstackKeyArg = upstackKeyArgumentIndex(argv);
  if (upstackKeyArg >= 0 && (argv[0] === "conformance" || /upstack_/i.test(argv[upstackKeyArg] ?? ""))) {
    return fail(EXIT_CODES.usage, UPSTACK_KEY_IN_ARGV_MESSAGE, "UPSTACK_API_KEY");
  }
  if (keyArgumentIndex(argv) >= 0) return fail(EXIT_CODES.usage, KEY_IN_ARGV_MESSAGE, "privateApiKey");

  let exitCode: ExitCode = EXIT_CODES.ok;
  let emulator: RunningEmulator | undefined;
  const errors: string[] = [];

  const program = new Command("upstack-klaviyo")
    .description(
      "Validate Klaviyo private keys as the pulumi-upstack-klaviyo resource does, run the local emulator, and check an Upstack server against the destination contract.",
    )
    .version(packageVersion(), "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(redact(s)),
      writeErr: (s) => errors.push(s),
      outputError: (s, write) => write(s),
    })
    .showHelpAfterError(false)
    .addHelpText("after", `\n${EXIT_CODES_HELP}\n`);

  program
    .command("check-key")
    .description("Validate a Klaviyo private key exactly as the resource would: format, live, account, access.")
    .option("--public-api-key <id>", "the Klaviyo Site ID (public key) the key must belong to")
    .option("--scopes <list>", "comma-separated scopes to require instead of Full Access, e.g. events:write,profiles:write")
    .option(
      "--json",
      "print one JSON object: {ok, keyHint, accountId, accountName, keyId, keyName, accessCheck, unverifiedScopes, validatedAt} or {ok:false, code, property, message}",
    )
    .option("--klaviyo-url <url>", "Klaviyo's base URL (default: KLAVIYO_API_URL, else https://a.klaviyo.com)")
    .addHelpText("after", `\n${KEY_SOURCES_HELP}\n\n${EXIT_CODES_HELP}\n`)
    .action(async (options: CheckKeyOptions) => {
      exitCode = await runCheckKey(options, io);
    });

  program
    .command("emulator")
    .description("Start the local emulator of Klaviyo and the Upstack destination API (fake data only); stops on SIGINT/SIGTERM.")
    .option("--port <n>", "port to listen on (0 = any free port)", port, 4010)
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--state-file <file>", "persist the state to this JSON file")
    .option("--latency-ms <n>", "delay added to every non-admin request", nonNegativeInt)
    .option("--seed", "create a Klaviyo account, a Full Access key and an Upstack key, and print them")
    .addHelpText("after", "\nExit codes: 0 listening (runs until stopped), 1 could not start (e.g. port in use), 2 usage error.\n")
    .action(async (flags: EmulatorFlags) => {
      const args: string[] = [];
      if (flags.port !== undefined) args.push("--port", String(flags.port));
      if (flags.host !== undefined) args.push("--host", flags.host);
      if (flags.stateFile !== undefined) args.push("--state-file", flags.stateFile);
      if (flags.latencyMs !== undefined) args.push("--latency-ms", String(flags.latencyMs));
      if (flags.seed === true) args.push("--seed");
      try {
        emulator = await runEmulatorCli(args, { out: (line) => io.stdout.write(`${line}\n`), handleSignals: io.handleSignals !== false });
      } catch (e) {
        io.stderr.write(`${redact(`✗ Could not start the emulator: ${e instanceof Error ? e.message : String(e)}`)}\n`);
        exitCode = EXIT_CODES.keyRejected;
      }
    });

  program
    .command("conformance")
    .description("Check a server against the Upstack destination contract (openapi/upstack-klaviyo-destination.json), on one pixel without a destination.")
    .requiredOption("--url <base>", "the server's base URL (https, or http on loopback), e.g. https://api.upstackdata.com")
    .requiredOption("--pixel-id <uuid>", "the pixel to test on; it must have no Klaviyo destination, and is left without one")
    .option("--json", "print one JSON object: {ok, aborted?, url, pixelId, passed, failed, checks: [{id, title, ok, failure?, exchanges}]}")
    .option("--only <ids>", "run only these checks (comma-separated ids)")
    .option("--timeout-ms <n>", "timeout of one request (default 10000)", positiveInt)
    .addHelpText("after", `\n${CONFORMANCE_HELP}\n`)
    .action(async (flags: ConformanceFlags) => {
      exitCode = await runConformanceCommand(flags, io);
    });

  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return { exitCode: EXIT_CODES.ok, emulator: undefined };
      const text = errors.join("").trim();
      if (!json && e.code !== "commander.help") {
        io.stderr.write(`${redact(text)}\n${redact("Run `upstack-klaviyo --help` for usage.")}\n`);
        return { exitCode: EXIT_CODES.usage, emulator: undefined };
      }
      if (!json) {
        io.stderr.write(`${redact(text)}\n`);
        return { exitCode: EXIT_CODES.usage, emulator: undefined };
      }
      return fail(EXIT_CODES.usage, text.replace(/^error:\s*/i, "") || "usage error");
    }
    throw e;
  }
  return { exitCode, emulator };
}

if (require.main === module) {
  const io: CliIo = {
    // A getter: stdin is only opened when the key is not in the environment.
    get stdin() {
      return process.stdin;
    },
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
  };
  main(process.argv.slice(2), io).then(
    (result) => {
      process.exitCode = result.exitCode;
    },
    (e: unknown) => {
      process.stderr.write(`${redact(`✗ ${e instanceof Error ? e.message : String(e)}`)}\n`);
      process.exitCode = EXIT_CODES.inconclusive;
    },
  );
}
