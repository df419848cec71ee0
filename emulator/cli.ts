#!/usr/bin/env node
/**
 * Command line: `node dist/emulator/cli.js --port N [--host H] [--state-file F] [--latency-ms N] [--seed]`.
 * Prints the URLs to use and stops cleanly on SIGINT/SIGTERM.
 * @packageDocumentation
 */
import { Command, InvalidArgumentError } from "commander";
import { listenUrl } from "./client-url";
import { startEmulator, type RunningEmulator } from "./server";
import type { EmulatorOptions } from "./types";

/** Where the CLI writes and whether it installs signal handlers. */
export interface EmulatorCliIo {
  /** Writes one line (default: stdout). */
  out?: (line: string) => void;
  /** Stop on SIGINT/SIGTERM (default true). */
  handleSignals?: boolean;
}

/** A stdout writer that stops writing, instead of crashing, once the reader is gone (`| head`). */
function stdoutLines(): (line: string) => void {
  let open = true;
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") open = false;
    else throw e;
  });
  return (line: string) => {
    if (open) process.stdout.write(`${line}\n`);
  };
}

/** Rewords listen errors a user can fix (a busy port, a host that is not ours); others pass through. */
function listenError(e: unknown, host: string, port: number): unknown {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === "EADDRINUSE")
    return new Error(
      `Port ${port} on ${host} is already in use (another emulator, or another program). Pick another with --port <n>, or --port 0 for any free port (the banner prints the one chosen).`,
    );
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND")
    return new Error(`--host ${host} is not an address of this machine. Use --host 127.0.0.1 (the default), or --host 0.0.0.0 to listen on every interface.`);
  if (code === "EACCES") return new Error(`Port ${port} needs privileges on this machine. Pick a port above 1023 with --port <n>, or --port 0.`);
  return e;
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("must be a non-negative integer");
  return n;
}

interface CliOptions {
  port: number;
  host: string;
  stateFile?: string;
  latencyMs?: number;
  seed?: boolean;
}

/**
 * Runs the emulator CLI with `argv` (user arguments only, without `node` and the script) and resolves
 * once it listens. Reusable by another CLI (e.g. an `emulator` subcommand).
 */
export async function runEmulatorCli(argv: readonly string[] = process.argv.slice(2), io: EmulatorCliIo = {}): Promise<RunningEmulator> {
  const out = io.out ?? stdoutLines();
  const program = new Command("upstack-klaviyo-emulator")
    .description("Local emulator of the Klaviyo API and the Upstack Klaviyo destination API (fake data only)")
    .option("--port <n>", "port to listen on (0 = any free port)", nonNegativeInt, 4010)
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--state-file <file>", "persist the state to this JSON file")
    .option("--latency-ms <n>", "delay added to every non-admin request", nonNegativeInt)
    .option("--seed", "create a Klaviyo account, a Full Access key and an Upstack key, and print them");
  await program.parseAsync([...argv], { from: "user" });
  const o = program.opts<CliOptions>();

  const options: EmulatorOptions = { port: o.port, host: o.host };
  if (o.stateFile !== undefined) options.stateFile = o.stateFile;
  if (o.latencyMs !== undefined) options.latencyMs = o.latencyMs;
  let emu: RunningEmulator;
  try {
    emu = await startEmulator(options);
  } catch (e) {
    throw listenError(e, o.host, o.port);
  }
  const url = emu.url;
  const listening = listenUrl(emu.host, emu.port);

  // Before the banner: whoever reads "Admin API" and stops the emulator must find the handlers in place.
  if (io.handleSignals !== false) {
    const stop = (signal: NodeJS.Signals): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      out(`Received ${signal}, stopping the emulator`);
      emu.close().then(
        () => out("Emulator stopped"),
        (e: unknown) => {
          process.stderr.write(`Failed to stop the emulator: ${String(e)}\n`);
          process.exitCode = 1;
        },
      );
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  }

  out(`Upstack/Klaviyo emulator listening on ${listening}${url === listening ? "" : ` (every interface; from this machine use ${url})`}`);
  out(`  Klaviyo base:  KLAVIYO_API_URL=${url}`);
  out(`  Upstack base:  UPSTACK_API_URL=${url}`);
  out(`  Admin API:     ${url}/_admin  (curl ${url}/_admin/help lists its routes)`);
  if (o.stateFile !== undefined) out(`  State file:    ${o.stateFile}`);

  if (o.seed === true) {
    const { account, key } = await emu.admin.createKlaviyoAccountWithKey({ name: "Emulated Store" }, { label: "UpstackData" });
    const upstack = await emu.admin.createUpstackKey();
    out("");
    out("Seeded (FAKE values, valid only against this emulator; never real credentials):");
    out(`  Klaviyo account id (public key): ${account.id}`);
    out(`  Klaviyo private key (Full Access): ${key.key}`);
    out(`  Upstack pixel id: ${upstack.pixelId}`);
    out(`  Upstack API key: ${upstack.apiKey}`);
  }

  return emu;
}

if (require.main === module) {
  runEmulatorCli().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
