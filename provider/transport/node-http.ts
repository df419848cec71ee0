/**
 * One HTTP exchange over Node's own `http`/`https` with keep-alive pools: the wire under
 * {@link ./http-transport}, which owns timeouts, retries and the meaning of failures. Node's
 * client is already loaded in every Pulumi provider host (gRPC uses it), so the provider pays no
 * HTTP client of its own: undici cost the host ~20 MB and ~110 ms of CPU on the first request.
 * @packageDocumentation
 */
import * as http from "node:http";
import type * as https from "node:https";

/** `node:https`, loaded when the first https request is made (the emulator, and a no-op plan, never need it). */
function httpsModule(): typeof https {
  return process.getBuiltinModule("node:https");
}

/** What came back: status, headers as Node gives them, and the body as text. */
export interface RawResponse {
  /** HTTP status. */
  readonly statusCode: number;
  /** Lower-cased names; `set-cookie` as a list. */
  readonly headers: http.IncomingHttpHeaders;
  /** The whole body, decoded as UTF-8. */
  readonly text: string;
}

/** Keep-alive connection pools, one per scheme, at most `connectionsPerOrigin` sockets per origin. */
export class ConnectionPools {
  private readonly plain: http.Agent;
  private secureAgent: https.Agent | undefined;
  private readonly options: http.AgentOptions;

  /**
   * @param connectionsPerOrigin - sockets per origin.
   * @param idleTimeoutMs - an idle pooled socket is closed after this long.
   */
  constructor(connectionsPerOrigin: number, idleTimeoutMs: number) {
    this.options = { keepAlive: true, maxSockets: connectionsPerOrigin, timeout: idleTimeoutMs, scheduling: "lifo" };
    this.plain = new http.Agent(this.options);
  }

  /** The pool for `url`'s scheme. */
  for(url: URL): http.Agent {
    if (url.protocol !== "https:") return this.plain;
    this.secureAgent ??= new (httpsModule().Agent)(this.options);
    return this.secureAgent;
  }

  /** Closes every pooled socket. */
  close(): void {
    this.plain.destroy();
    this.secureAgent?.destroy();
  }
}

/**
 * Sends one request and reads the whole answer. Rejects with a `TimeoutError` (a DOMException, as
 * `AbortSignal.timeout` gives) when `timeoutMs` passes before the body is read, at any point of
 * the exchange; otherwise with Node's error (`ECONNREFUSED`, `ECONNRESET`…). Redirects are answers
 * like any other. A plain timer rather than an AbortSignal: a signal's listeners cost ~13% of the
 * client's CPU over a refresh's first hundred requests (measured in a fresh process).
 */
export function exchange(
  url: URL,
  options: { method: string; headers: Readonly<Record<string, string>>; body: string | undefined; timeoutMs: number; pools: ConnectionPools },
): Promise<RawResponse> {
  const { method, body, timeoutMs, pools } = options;
  const headers: Record<string, string> = { ...options.headers };
  if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
  return new Promise<RawResponse>((resolve, reject) => {
    let timedOut: Error | undefined;
    const fail = (error: unknown): void => {
      clearTimeout(timer);
      reject(timedOut ?? error);
    };
    const lib = url.protocol === "https:" ? httpsModule() : http;
    const req = lib.request(url, { method, headers, agent: pools.for(url) }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", fail);
      res.on("end", () => {
        if (!res.complete) {
          fail(Object.assign(new Error("the connection closed before the whole answer arrived"), { code: "ECONNRESET" }));
          return;
        }
        clearTimeout(timer);
        resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") });
      });
      res.on("aborted", () => fail(Object.assign(new Error("the connection closed before the whole answer arrived"), { code: "ECONNRESET" })));
    });
    const timer = setTimeout(() => {
      timedOut = new DOMException("The operation was aborted due to timeout", "TimeoutError");
      req.destroy(timedOut);
    }, timeoutMs);
    req.on("error", fail);
    req.end(body);
  });
}
