/** Shared helpers of the emulator tests: raw HTTP calls with undici and fixtures. */
import { request } from "undici";
import type { RunningEmulator } from "../../emulator";

export interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

export async function call(
  url: string,
  opts: { method?: "GET" | "PUT" | "POST" | "DELETE" | "PATCH"; headers?: Record<string, string>; body?: unknown } = {},
): Promise<Res> {
  const res = await request(url, {
    method: opts.method ?? "GET",
    headers: { ...(opts.body !== undefined ? { "content-type": "application/json" } : {}), ...(opts.headers ?? {}) },
    ...(opts.body !== undefined ? { body: typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body) } : {}),
  });
  const text = await res.body.text();
  let json: any;
  try {
    json = text === "" ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers as Res["headers"], text, json };
}

export const REVISION = "2026-07-15";
export const BETA_REVISION = "2026-07-15.pre";

export function klaviyoHeaders(key: string, revision: string = REVISION): Record<string, string> {
  return { authorization: `Klaviyo-API-Key ${key}`, revision, accept: "application/vnd.api+json" };
}

export async function klaviyoGet(emu: RunningEmulator, path: string, key: string, revision: string = REVISION): Promise<Res> {
  return call(`${emu.url}${path}`, { headers: klaviyoHeaders(key, revision) });
}

/** Asserts one JSON:API error with Klaviyo's exact shape. */
export function expectJsonApiError(res: Res, status: number, code: string, detail?: string | RegExp): void {
  expect(res.status).toBe(status);
  expect(res.headers["content-type"]).toContain("application/vnd.api+json");
  expect(Object.keys(res.json)).toEqual(["errors"]);
  expect(res.json.errors).toHaveLength(1);
  const e = res.json.errors[0];
  expect(Object.keys(e).sort()).toEqual(["code", "detail", "id", "links", "meta", "source", "status", "title"]);
  expect(e.id).toMatch(/^[0-9a-f-]{36}$/);
  expect(e.status).toBe(status);
  expect(e.code).toBe(code);
  // A parameter problem names the parameter (`source.parameter`); everything else points at `/data/`.
  if (!("parameter" in e.source)) expect(e.source).toEqual({ pointer: "/data/" });
  else expect(Object.keys(e.source)).toEqual(["parameter"]);
  expect(e.links).toEqual({});
  expect(e.meta).toEqual({});
  if (typeof detail === "string") expect(e.detail).toBe(detail);
  else if (detail) expect(e.detail).toMatch(detail);
}

export const DESTINATION_PATH = "/destinations/api/klaviyo";

let idem = 0;
/** A fresh Idempotency-Key. */
export function idemKey(): string {
  idem += 1;
  return `test-idem-${process.pid}-${Date.now()}-${idem}`;
}

export function upstackHeaders(apiKey: string, pixelId: string, extra: Record<string, string> = {}): Record<string, string> {
  return { "x-api-key": apiKey, "x-pixel-id": pixelId, ...extra };
}
