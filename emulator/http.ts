/**
 * Request context and reply values shared by the route modules (handlers return a reply; the server
 * decides whether to send it, which lets faults drop a committed response).
 * @packageDocumentation
 */
import type { IncomingHttpHeaders } from "node:http";

/** What a handler sees of a request. */
export interface RequestContext {
  method: string;
  pathname: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** `http://host:port` as the client addressed it. */
  baseUrl: string;
  now: Date;
}

/** What a handler answers. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A JSON reply. */
export function jsonReply(status: number, body: unknown, headers: Record<string, string> = {}, contentType = "application/json"): Reply {
  return { status, headers: { "content-type": contentType, ...headers }, body: status === 204 ? "" : JSON.stringify(body) };
}

/** An empty reply. */
export function emptyReply(status: number, headers: Record<string, string> = {}): Reply {
  return { status, headers, body: "" };
}

/** One header's value as a string (first one when repeated). */
export function header(ctx: RequestContext, name: string): string | undefined {
  const v = ctx.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** Parses the body as JSON; `undefined` when empty, an Error when invalid. */
export function parseJsonBody(ctx: RequestContext): unknown {
  const text = ctx.body.toString("utf8").trim();
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return new Error("invalid JSON");
  }
}
