/**
 * Where the command line takes the Klaviyo private key from: the environment
 * variable `KLAVIYO_PRIVATE_KEY`, else the first line of stdin. Never from the
 * arguments, which other users can see (`ps`) and shells keep in history.
 * @packageDocumentation
 */
import { registerSecret } from "../provider/core";

/** The environment variable the key is read from. */
export const KEY_ENV_VAR = "KLAVIYO_PRIVATE_KEY";

/** The most stdin is read while looking for the first line (a key is 44 characters). */
export const MAX_STDIN_BYTES = 64 * 1024;

/** Options that name a key on the command line; refused whatever their value. */
const KEY_OPTIONS = /^--?(private-?(api-?)?key|klaviyo-private-key|api-key|key|pk)(=|$)/i;

/**
 * The part of a readable stream {@link readFirstLine} uses (any Node.js readable stream has it). A
 * `destroy()` method, when the stream has one, is also called once the first line is read.
 */
export interface KeyStream {
  /** Adds a listener for text or `Buffer` chunks. */
  on(event: "data", listener: (chunk: string | Buffer) => void): unknown;
  /** Adds a listener for the end of the stream. */
  on(event: "end", listener: () => void): unknown;
  /** Adds a listener for a read error. */
  on(event: "error", listener: (error: unknown) => void): unknown;
  /** Removes a listener added with `on`. */
  removeListener(event: "data", listener: (chunk: string | Buffer) => void): unknown;
  /** Removes a listener added with `on`. */
  removeListener(event: "end", listener: () => void): unknown;
  /** Removes a listener added with `on`. */
  removeListener(event: "error", listener: (error: unknown) => void): unknown;
  /** Stops emitting `data` events. */
  pause(): unknown;
  /** Starts (or restarts) emitting `data` events. */
  resume(): unknown;
}

/** A stdin as {@link readKey} needs it (process.stdin, or a stream in tests). */
export interface KeyInput extends KeyStream {
  /** True when stdin is a terminal: the key is then not read from it. */
  readonly isTTY?: boolean | undefined;
}

/** Where a key was found. */
export type KeySource = "env" | "stdin";

/** The outcome of {@link readKey}. */
export type KeyReading =
  | {
      /** True: a key was found. */
      readonly ok: true;
      /** The key, trimmed (and registered for redaction). */
      readonly key: string;
      /** Where it was found. */
      readonly source: KeySource;
    }
  | {
      /** False: no key was found. */
      readonly ok: false;
      /** Why, and how to provide one (never contains a key). */
      readonly message: string;
    };

/**
 * Returns the index of the first argument that carries a key (anything with
 * `pk_`, the prefix of every Klaviyo private key, or an option like
 * `--private-key`), or -1. The caller must not echo that argument.
 */
export function keyArgumentIndex(argv: readonly string[]): number {
  return argv.findIndex((arg) => /pk_/i.test(arg) || KEY_OPTIONS.test(arg));
}

/** The message for a key found in the arguments; it never contains the argument. */
export const KEY_IN_ARGV_MESSAGE =
  `Refusing a Klaviyo private key passed as a command-line argument: arguments are visible to other users of this machine (ps) and are kept in shell history. ` +
  `Pass it in the environment variable ${KEY_ENV_VAR}, or on stdin (e.g. \`upstack-klaviyo check-key < key.txt\`). ` +
  `If this machine is shared, treat the key as exposed and rotate it.`;

/**
 * Reads the key: `KLAVIYO_PRIVATE_KEY` when it is set and not blank, else the
 * first line of `stdin` (not when stdin is a terminal). The key is trimmed and
 * registered for redaction before it is returned.
 */
export async function readKey(env: Readonly<Record<string, string | undefined>>, stdin: KeyInput | undefined): Promise<KeyReading> {
  const fromEnv = env[KEY_ENV_VAR];
  if (fromEnv !== undefined && fromEnv.trim() !== "") {
    registerSecret(fromEnv);
    return { ok: true, key: fromEnv.trim(), source: "env" };
  }
  const noKey = `No Klaviyo private key: set the environment variable ${KEY_ENV_VAR}, or pipe the key on stdin (e.g. \`upstack-klaviyo check-key < key.txt\`).`;
  if (stdin === undefined || stdin.isTTY === true) return { ok: false, message: noKey };
  const line = await readFirstLine(stdin);
  registerSecret(line);
  const key = line.trim();
  if (key === "") return { ok: false, message: noKey };
  return { ok: true, key, source: "stdin" };
}

/**
 * Reads `stream` up to the end of its first line that is not blank (or its
 * end, or {@link MAX_STDIN_BYTES}), then destroys the stream: the rest is
 * never read, and an open pipe (e.g. `(echo pk_...; sleep 60) | upstack-klaviyo check-key`)
 * cannot keep the process alive. Blank lines before the key (an editor's or
 * a heredoc's) are skipped, so they cannot hide it.
 */
export function readFirstLine(stream: KeyStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    let settled = false;
    const finish = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      stream.removeListener("data", onData);
      stream.removeListener("end", onEnd);
      stream.removeListener("error", onError);
      stream.pause();
      const destroy = (stream as { destroy?: unknown }).destroy;
      if (typeof destroy === "function") (destroy as () => void).call(stream);
      if (error !== undefined) reject(error instanceof Error ? error : new Error(String(error)));
      else resolve(firstNonBlankLine(text));
    };
    const onData = (chunk: string | Buffer): void => {
      text += typeof chunk === "string" ? chunk : chunk.toString("utf8");
      if (/\S[^\n]*\n/.test(text) || text.length >= MAX_STDIN_BYTES) finish();
    };
    const onEnd = (): void => finish();
    const onError = (e: unknown): void => finish(e);
    stream.on("data", onData);
    stream.on("end", onEnd);
    stream.on("error", onError);
    stream.resume();
  });
}

function firstNonBlankLine(text: string): string {
  return text.split(/\r?\n/).find((line) => line.trim() !== "") ?? "";
}
