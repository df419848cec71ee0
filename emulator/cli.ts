#!/usr/bin/env node
/**
 * Command line: `node dist/emulator/cli.js --port N [--host H] [--state-file F] [--latency-ms N] [--seed]`.
 * Prints the URLs to use and stops cleanly on SIGINT/SIGTERM.
 * @packageDocumentation
 */
import { Command, InvalidArgumentError } from "commander";
import { startEmulator, type RunningEmulator } from "./server";
import type { EmulatorOptions } from "./types";

/** Where the CLI writes and whether it installs signal handlers. */
export interface EmulatorCliIo {
  /** Writes one line (default: stdout). */
  out?: (line: string) => void;
  /** Stop on SIGINT/SIGTERM (default true). */
  handleSignals?: boolean;
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
  const out = io.out ?? ((line: string) => process.stdout.write(`${line}\n`));
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
  const emu = await startEmulator(options);

  out(`Upstack/Klaviyo emulator listening on ${emu.url}`);
  out(`  Klaviyo base:  KLAVIYO_API_URL=${emu.klaviyoUrl}`);
  out(`  Upstack base:  UPSTACK_API_URL=${emu.upstackUrl}`);
  out(`  Admin API:     ${emu.adminUrl}`);
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
  return emu;
}

if (require.main === module) {
  runEmulatorCli().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
