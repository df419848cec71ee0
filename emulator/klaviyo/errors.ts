/**
 * Klaviyo's JSON:API error bodies and the CDN's HTML answers.
 * @packageDocumentation
 */
import { randomUUID } from "node:crypto";
import { jsonReply, type Reply } from "../http";

/** Klaviyo's JSON:API media type. */
export const JSON_API = "application/vnd.api+json";

/** One JSON:API error object as Klaviyo sends it. */
export interface KlaviyoErrorObject {
  id: string;
  status: number;
  code: string;
  title: string;
  detail: string;
  source: { pointer: string } | { parameter: string };
  links: Record<string, never>;
  meta: Record<string, never>;
}

/** A JSON:API error reply with one error (`source` defaults to the pointer `/data/`). */
export function klaviyoError(
  status: number,
  code: string,
  title: string,
  detail: string,
  headers: Record<string, string> = {},
  source: KlaviyoErrorObject["source"] = { pointer: "/data/" },
): Reply {
  const error: KlaviyoErrorObject = { id: randomUUID(), status, code, title, detail, source, links: {}, meta: {} };
  return jsonReply(status, { errors: [error] }, headers, JSON_API);
}

/** 400 `invalid` naming a query parameter the operation does not define or whose value is out of range. */
export function invalidParameter(parameter: string, detail: string): Reply {
  return klaviyoError(400, "invalid", "Invalid input.", detail, {}, { parameter });
}

/** 401: no (usable) Authorization header. */
export function notProvided(): Reply {
  const m = "Authentication credentials were not provided.";
  return klaviyoError(401, "not_authenticated", m, m);
}

/** 401: unknown, disabled or revoked key. */
export function incorrectCredentials(): Reply {
  const m = "Incorrect authentication credentials.";
  return klaviyoError(401, "not_authenticated", m, m);
}

/** 403: the key lacks the endpoint's scope. */
export function permissionDenied(scope: string): Reply {
  return klaviyoError(403, "permission_denied", "You do not have permission to perform this action.", `This API key is missing the required scope: ${scope}.`);
}

/** 400: the revision header is missing. */
export function missingRevision(): Reply {
  return klaviyoError(400, "invalid", "Invalid input.", "The 'revision' header is required.");
}

/** 404: the revision is not a valid one for this endpoint. */
export function noValidRevision(): Reply {
  return klaviyoError(404, "not_found", "Not found.", "No valid revisions found");
}

/** 404: no such endpoint. */
export function notFound(): Reply {
  return klaviyoError(404, "not_found", "Not found.", "Not found.");
}

/** 405: method not allowed on the endpoint. */
export function methodNotAllowed(method: string): Reply {
  return klaviyoError(405, "method_not_allowed", "Method not allowed.", `Method "${method}" not allowed.`);
}

/** The DRF throttle detail: "Request was throttled. Expected available in N second(s)." */
export function throttledDetail(seconds: number): string {
  return `Request was throttled. Expected available in ${seconds} second${seconds === 1 ? "" : "s"}.`;
}

/** 429 `throttled`, with `Retry-After` unless `retryAfter` is null. */
export function throttled(seconds: number, retryAfter: number | null): Reply {
  const headers: Record<string, string> = retryAfter === null ? {} : { "retry-after": String(retryAfter) };
  return klaviyoError(429, "throttled", "Request was throttled.", throttledDetail(seconds), headers);
}

/** Default JSON:API body for an injected status fault. */
export function genericStatus(status: number): Reply {
  if (status >= 500) return klaviyoError(status, "error", "A server error occurred.", "A server error occurred.");
  return klaviyoError(status, "error", "Error.", `Emulated error ${status}.`);
}

/** The CDN's HTML 400 for a `Bearer` Authorization header. */
export function cdnBadRequestHtml(): Reply {
  return {
    status: 400,
    headers: { "content-type": "text/html; charset=utf-8" },
    body: "<html><head><title>400 Bad Request</title></head><body><center><h1>400 Bad Request</h1></center><hr><center>cloudflare</center></body></html>\n",
  };
}

/** The CDN's HTML 403 bot challenge (`cf-mitigated: challenge`). */
export function cdnChallengeHtml(): Reply {
  return {
    status: 403,
    headers: { "content-type": "text/html; charset=UTF-8", "cf-mitigated": "challenge" },
    body: "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Enable JavaScript and cookies to continue</body></html>\n",
  };
}
