/**
 * Helpers of the reliability tests: a tiny loopback HTTP server that counts
 * what it receives, environment overrides that are always restored, and a
 * thorough secret scan (the whole secret, its body, and every window of it).
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";

/** One request a {@link TestServer} received. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A loopback server started for one test. */
export interface TestServer {
  url: string;
  port: number;
  /** Every request received, in order. */
  received: ReceivedRequest[];
  close(): Promise<void>;
}

/** Answers request number `n` (1-based). Leave `res` alone to hang. */
export type TestHandler = (req: ReceivedRequest, res: ServerResponse, n: number) => void;

const open = new Set<TestServer>();

/** Starts a server on 127.0.0.1:0; closed by {@link closeAllServers}. */
export async function startServer(handler: TestHandler): Promise<TestServer> {
  const received: ReceivedRequest[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const r: ReceivedRequest = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      received.push(r);
      handler(r, res, received.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;
  const ts: TestServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        open.delete(ts);
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
  open.add(ts);
  return ts;
}

/** Closes every server still open (call in afterEach). */
export async function closeAllServers(): Promise<void> {
  await Promise.all([...open].map((s) => s.close()));
}

/** A port nothing listens on (a server was started there and closed). */
export async function closedPort(): Promise<number> {
  const s = await startServer(() => undefined);
  await s.close();
  return s.port;
}

/** Sets environment variables; returns a function that restores the previous values. */
export function setEnv(vars: Record<string, string | undefined>): () => void {
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(vars)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  return () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

/** Everything that can be said about a value, for leak scans: JSON, inspect, and an error's message, stack and causes. */
export function describeAll(value: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  const walk = (v: unknown, depth: number): void => {
    if (depth > 6 || seen.has(v)) return;
    seen.add(v);
    if (typeof v === "string") {
      parts.push(v);
      return;
    }
    if (v instanceof Error) {
      parts.push(v.message, v.stack ?? "", String(v));
      walk((v as { cause?: unknown }).cause, depth + 1);
    }
    try {
      parts.push(JSON.stringify(v) ?? "");
    } catch {
      /* circular: inspect covers it */
    }
    parts.push(inspect(v, { depth: 8, showHidden: false, getters: false }));
  };
  walk(value, 0);
  return parts.join("\n");
}

/**
 * The secret-looking fragments of `secret` found in `haystack`: the whole
 * value, the part after its prefix, and every window of `window` characters.
 */
export function leakedFragments(haystack: string, secret: string, window = 10): string[] {
  const found = new Set<string>();
  if (haystack.includes(secret)) found.add(secret);
  const body = secret.replace(/^(pk_|upstack_)/, "");
  if (body.length >= window && haystack.includes(body)) found.add(body);
  for (let i = 0; i + window <= secret.length; i++) {
    const w = secret.slice(i, i + window);
    if (haystack.includes(w)) found.add(w);
  }
  return [...found];
}

/** Throws naming how many fragments of which secret (by position, never by value) leaked. */
export function assertNoLeak(haystack: string, secrets: readonly string[], window = 10): void {
  const leaks = secrets.map((s, i) => ({ i, n: leakedFragments(haystack, s, window).length })).filter((x) => x.n > 0);
  if (leaks.length > 0) throw new Error(`secret leak: ${leaks.map((l) => `secret #${l.i} (${l.n} fragment(s))`).join(", ")}`);
}

/** Milliseconds since `start`. */
export const since = (start: number): number => Date.now() - start;
