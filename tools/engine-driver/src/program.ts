// Runs a Pulumi program in a fresh child process (tsx + setMocks), one registration at a time
// handed to `onRegister`, whose answer goes back to the program.
import { fork } from "node:child_process";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import type { DoneMessage, RegisterMessage, ReplyMessage, RunnerArgs } from "./runner";

export type { RegisterMessage, DoneMessage };

export interface ProgramRunOptions extends RunnerArgs {
  /** Full namespaced config (`project:key` -> string) and the secret keys among them. */
  config: Record<string, string>;
  secretKeys: string[];
  env?: Record<string, string>;
  timeoutMs: number;
  /** Aborting kills the program at once. */
  signal?: AbortSignal;
  onRegister: (m: RegisterMessage) => Promise<{ id: string; outputs: Record<string, unknown> }>;
}

export interface ProgramRunResult {
  ok: boolean;
  errors: string[];
  exports: Record<string, unknown>;
  output: string;
  exitCode: number | null;
  timedOut: boolean;
}

function tsxImport(): string {
  let p: string;
  try {
    p = require.resolve("tsx");
  } catch {
    p = path.resolve(__dirname, "../../../node_modules/tsx/dist/loader.mjs");
  }
  return pathToFileURL(p).href;
}

export function runProgram(opts: ProgramRunOptions): Promise<ProgramRunResult> {
  const args: RunnerArgs = { programDir: opts.programDir, project: opts.project, stack: opts.stack, preview: opts.preview };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...(opts.env ?? {}),
    PULUMI_CONFIG: JSON.stringify(opts.config),
    PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(opts.secretKeys),
  };
  delete env["NODE_OPTIONS"];
  const child = fork(path.join(__dirname, "runner.ts"), [JSON.stringify(args)], {
    cwd: opts.programDir,
    env,
    execArgv: ["--import", tsxImport()],
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  let output = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (output += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (output += d));
  return new Promise<ProgramRunResult>((resolve) => {
    let done: DoneMessage | undefined;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, opts.timeoutMs);
    opts.signal?.addEventListener("abort", () => child.kill("SIGKILL"), { once: true });
    child.on("message", (m: RegisterMessage | DoneMessage) => {
      if (m.t === "done") {
        done = m;
        return;
      }
      if (m.t === "register") {
        opts.onRegister(m).then(
          (r) => send({ t: "registered", seq: m.seq, id: r.id, outputs: r.outputs }),
          (e: unknown) => send({ t: "registered", seq: m.seq, error: e instanceof Error ? e.message : String(e) }),
        );
      }
    });
    const send = (r: ReplyMessage): void => {
      if (child.connected) child.send(r);
    };
    child.on("exit", (code) => {
      clearTimeout(timer);
      const errors = [...(done?.errors ?? [])];
      if (timedOut) errors.push(`program did not finish within ${opts.timeoutMs} ms`);
      else if (!done) errors.push(`program runner exited (${code}) without finishing:\n${output}`);
      resolve({ ok: !!done?.ok && !timedOut, errors, exports: done?.exports ?? {}, output, exitCode: code, timedOut });
    });
  });
}
