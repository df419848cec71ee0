/**
 * The HTTP server: one port for Klaviyo (`/api/...`), Upstack (`/destinations/...`) and the admin
 * API (`/_admin/...`); applies latency and faults, records the request log.
 * @packageDocumentation
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { EmulatorAdminClient } from "./admin-client";
import { handleAdmin } from "./admin";
import { FaultRegistry } from "./faults";
import { jsonReply, type Reply, type RequestContext } from "./http";
import { cdnChallengeHtml, genericStatus, throttled } from "./klaviyo/errors";
import { KLAVIYO_ANSWER_LOG_ENV, recordKlaviyoAnswer } from "./klaviyo/answer-log";
import { handleKlaviyo, klaviyoOperation } from "./klaviyo/routes";
import { SlidingWindowLimiter } from "./rate-limit";
import { RequestLog } from "./request-log";
import { EmulatorState } from "./state";
import { clientUrl } from "./client-url";
import type { EmulatorOptions, Fault, FaultRule, FaultRuleCreated, FaultRuleView, RequestFilter, RequestLogEntry, ServiceName } from "./types";
import { handleUpstack, upstackError, upstackThrottled } from "./upstack/routes";

/** Largest request body accepted. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Fault rules of a running emulator, from code. */
export interface EmulatorFaults {
  /** Registers a rule; returns its id. */
  add(rule: FaultRule): FaultRuleCreated;
  /** Removes a rule; true when it existed. */
  remove(id: string): boolean;
  /** Removes every rule. */
  clear(): void;
  /** The rules with their counters. */
  list(): FaultRuleView[];
}

/** A started emulator. */
export interface RunningEmulator {
  /**
   * `http://host:port` a client on this machine reaches the emulator at: set both KLAVIYO_API_URL
   * and UPSTACK_API_URL to it. For a wildcard host (`0.0.0.0`, `::`) it is loopback (127.0.0.1,
   * [::1]), never the wildcard, which the provider refuses.
   */
  url: string;
  /** Base URL of the emulated Klaviyo API (same as `url`). */
  klaviyoUrl: string;
  /** Base URL of the emulated Upstack API (same as `url`). */
  upstackUrl: string;
  /** `url` + `/_admin`. */
  adminUrl: string;
  /** The port listened on. */
  port: number;
  /** The host listened on (as given, e.g. `0.0.0.0`; `url` is the address to send to). */
  host: string;
  /** Typed client of the admin API. */
  admin: EmulatorAdminClient;
  /** Fault rules, from code. */
  faults: EmulatorFaults;
  /** The request log (admin calls excluded). */
  requests(filter?: RequestFilter): RequestLogEntry[];
  /** Empties the request log. */
  clearRequests(): void;
  /** Stops listening, ends hanging requests and keep-alive sockets. */
  close(): Promise<void>;
}

function serviceOf(pathname: string): ServiceName | "admin" {
  if (pathname === "/_admin" || pathname.startsWith("/_admin/")) return "admin";
  if (pathname === "/destinations" || pathname.startsWith("/destinations/")) return "upstack";
  return "klaviyo";
}

function readBody(req: IncomingMessage): Promise<Buffer | "too_large"> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(tooLarge ? "too_large" : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, reply: Reply): void {
  const body = Buffer.from(reply.body, "utf8");
  res.writeHead(reply.status, { ...reply.headers, "content-length": String(body.length) });
  res.end(body);
}

function destroySocket(socket: Socket): void {
  if (typeof socket.resetAndDestroy === "function") socket.resetAndDestroy();
  else socket.destroy();
}

function statusFaultReply(service: ServiceName, fault: Extract<Fault, { kind: "status" }>): Reply {
  const retryAfter = fault.retryAfter === undefined ? (fault.status === 429 || fault.status === 503 ? 1 : null) : fault.retryAfter;
  const headers: Record<string, string> = { ...(fault.headers ?? {}), ...(retryAfter === null ? {} : { "retry-after": String(retryAfter) }) };
  if (fault.body !== undefined) {
    return jsonReply(fault.status, fault.body, headers, service === "klaviyo" ? "application/vnd.api+json" : "application/json");
  }
  if (service === "klaviyo") {
    if (fault.status === 429) return throttled(retryAfter ?? 1, retryAfter);
    const r = genericStatus(fault.status);
    return { ...r, headers: { ...r.headers, ...headers } };
  }
  if (fault.status === 429) return upstackThrottled(retryAfter);
  return upstackError(fault.status, fault.status >= 500 ? "Internal server error" : `Emulated error ${fault.status}`, {}, headers);
}

/** Starts an emulator on loopback (port 0 = a free port). */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? "127.0.0.1";
  const state = new EmulatorState(options.stateFile);
  state.commit();
  const faults = new FaultRegistry();
  const log = new RequestLog();
  const answerLog = options.klaviyo?.answerLog ?? (process.env[KLAVIYO_ANSWER_LOG_ENV] || undefined);
  const klaviyoLimiter = new SlidingWindowLimiter();
  const upstackLimiter = new SlidingWindowLimiter();
  const closing = new AbortController();
  const hanging = new Set<ServerResponse>();

  const dispatch = (service: ServiceName, ctx: RequestContext): Reply =>
    service === "klaviyo"
      ? handleKlaviyo(ctx, { state, limiter: klaviyoLimiter, options: options.klaviyo ?? {} })
      : handleUpstack(ctx, { state, limiter: upstackLimiter, options: options.upstack ?? {} });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", clientUrl(host, port));
    const service = serviceOf(url.pathname);
    // The fault in effect when the request arrives decides its fate, even if its body is read later
    // (a client that abandons a request does not get it answered by whatever rules hold afterwards).
    const fault = service === "admin" ? undefined : faults.match(service, method, url.pathname);
    const body = await readBody(req);
    const ctx = (now: Date): RequestContext => ({
      method,
      pathname: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: body === "too_large" ? Buffer.alloc(0) : body,
      baseUrl: req.headers.host === undefined ? clientUrl(host, port) : `http://${req.headers.host}`,
      now,
    });
    if (service === "admin") {
      if (body === "too_large") return send(res, jsonReply(413, { message: "Body too large" }));
      return send(res, handleAdmin(ctx(new Date()), { state, faults, log, limiters: [klaviyoLimiter, upstackLimiter] }));
    }

    const entry = log.add({ at: new Date().toISOString(), service, method, path: url.pathname, status: null });
    if (options.latencyMs !== undefined && options.latencyMs > 0) await sleep(options.latencyMs, undefined, { signal: closing.signal });
    if (fault) {
      entry.faulted = true;
      entry.fault = fault.kind;
    }
    // The log's copies are made on read, so updating `entry` here updates the log.
    const reply = async (r: Reply): Promise<void> => {
      entry.status = r.status;
      if (service === "klaviyo" && answerLog !== undefined) {
        recordKlaviyoAnswer(answerLog, {
          operationId: klaviyoOperation(method, url.pathname)?.operationId,
          method,
          path: url.pathname,
          query: url.search.replace(/^\?/, ""),
          status: r.status,
          contentType: r.headers["content-type"] ?? "",
          body: r.body,
          customBody: fault?.kind === "status" && fault.body !== undefined,
        });
      }
      send(res, r);
    };
    if (body === "too_large") {
      return reply(service === "klaviyo" ? genericStatus(413) : upstackError(413, "Body too large"));
    }
    switch (fault?.kind) {
      case undefined:
        return reply(dispatch(service, ctx(new Date())));
      case "latency":
        await sleep(fault.ms, undefined, { signal: closing.signal });
        return reply(dispatch(service, ctx(new Date())));
      case "reset":
        return destroySocket(req.socket);
      case "hang":
        hanging.add(res);
        res.on("close", () => hanging.delete(res));
        return;
      case "html403":
        return reply(cdnChallengeHtml());
      case "status":
        return reply(statusFaultReply(service, fault));
      case "commit-then-reset":
        dispatch(service, ctx(new Date()));
        return destroySocket(req.socket);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (closing.signal.aborted) return;
      if (!res.headersSent) send(res, jsonReply(500, { message: "Emulator internal error" }));
      process.emitWarning(`Emulator error: ${err instanceof Error ? err.message : String(err)}`);
    });
  });
  server.keepAliveTimeout = 5000;

  let port = 0;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  // Clients are given an address they can reach: a wildcard host becomes loopback.
  const url = clientUrl(host, port);

  let closed: Promise<void> | undefined;
  return {
    url,
    klaviyoUrl: url,
    upstackUrl: url,
    adminUrl: `${url}/_admin`,
    port,
    host,
    admin: new EmulatorAdminClient(url),
    faults: {
      add: (rule) => faults.add(rule),
      remove: (id) => faults.remove(id),
      clear: () => faults.clear(),
      list: () => faults.list(),
    },
    requests: (filter) => log.list(filter),
    clearRequests: () => log.clear(),
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        closing.abort();
        for (const res of hanging) res.socket?.destroy();
        hanging.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
