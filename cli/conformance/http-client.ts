/**
 * The conformance kit's own HTTP client: one attempt per request, no retries, no redirects, exactly
 * the headers and body a check asks for (a check must be able to send a wrong request), and every
 * exchange recorded for the report. Base URLs follow the provider's policy: https, or plain http
 * only to loopback.
 * @packageDocumentation
 */
import { request } from "undici";
import { checkBaseUrl } from "../../provider/transport/url-policy";
import { DESTINATION_PATH } from "../../provider/upstack/client";

/** A request as a check describes it. */
export interface KitRequest {
  /** The method. */
  readonly method: "GET" | "PUT" | "DELETE";
  /** Query parameters. */
  readonly query?: Readonly<Record<string, string>>;
  /** Headers beyond the credentials; a value of `undefined` leaves the header out. */
  readonly headers?: Readonly<Record<string, string | undefined>>;
  /** A JSON value (sent as `application/json` unless `headers` names a Content-Type). */
  readonly body?: unknown;
  /** Override the credentials: `null` leaves the header out. */
  readonly apiKey?: string | null;
  /** Override the pixel id header. */
  readonly pixelId?: string;
}

/** One request and what came back, as the report shows it. */
export interface KitExchange {
  /** What was sent. */
  readonly request: {
    readonly method: string;
    readonly path: string;
    readonly query: Readonly<Record<string, string>>;
    readonly headers: Readonly<Record<string, string>>;
    readonly body: string;
  };
  /** What came back; absent when nothing did. */
  readonly response?: KitAnswer;
  /** Why nothing came back. */
  readonly error?: string;
  /** True for a probe that arranges or verifies state (not itself under test). */
  readonly probe: boolean;
}

/** An answer. */
export interface KitAnswer {
  /** HTTP status. */
  readonly status: number;
  /** Lower-cased headers. */
  readonly headers: Readonly<Record<string, string>>;
  /** Body text ("" when none). */
  readonly text: string;
  /** The body parsed as JSON, when it is JSON. */
  readonly json: unknown;
}

/** Sends requests to the contract's one path for one pixel. */
export class KitHttpClient {
  private readonly base: URL;

  /**
   * @param baseUrl - the server's base URL.
   * @param pixelId - the pixel under test.
   * @param apiKey - the Upstack API key (registered for redaction by the caller).
   * @param timeoutMs - timeout of one request.
   */
  constructor(
    baseUrl: string,
    private readonly pixelId: string,
    private readonly apiKey: string,
    private readonly timeoutMs: number,
  ) {
    this.base = checkBaseUrl("upstack", baseUrl);
  }

  /** Sends `req` once; records the exchange with `record`. Throws only when no answer came. */
  async send(req: KitRequest, record: (x: KitExchange) => void, probe: boolean): Promise<KitAnswer> {
    const url = new URL(this.base.pathname.replace(/\/$/, "") + DESTINATION_PATH, this.base);
    for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
    const headers: Record<string, string> = { accept: "application/json" };
    const apiKey = req.apiKey === undefined ? this.apiKey : req.apiKey;
    if (apiKey !== null) headers["x-api-key"] = apiKey;
    headers["x-pixel-id"] = req.pixelId ?? this.pixelId;
    const body = req.body === undefined ? "" : JSON.stringify(req.body);
    if (req.body !== undefined) headers["content-type"] = "application/json";
    for (const [k, v] of Object.entries(req.headers ?? {})) {
      if (v === undefined) delete headers[k.toLowerCase()];
      else headers[k.toLowerCase()] = v;
    }
    const sent = { method: req.method, path: DESTINATION_PATH, query: { ...req.query }, headers: { ...headers }, body };
    try {
      const res = await request(url, {
        method: req.method,
        headers,
        ...(body === "" ? {} : { body }),
        signal: AbortSignal.timeout(this.timeoutMs),
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      const text = await res.body.text();
      const resHeaders: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) resHeaders[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
      let json: unknown;
      try {
        json = text === "" ? undefined : (JSON.parse(text) as unknown);
      } catch {
        json = undefined;
      }
      const answer: KitAnswer = { status: res.statusCode, headers: resHeaders, text, json };
      record({ request: sent, response: answer, probe });
      return answer;
    } catch (e) {
      const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      record({ request: sent, error, probe });
      throw new KitUnreachableError(`No answer to ${req.method} ${DESTINATION_PATH} from ${url.origin}: ${error}`);
    }
  }
}

/** The server gave no answer (connection refused, timeout). */
export class KitUnreachableError extends Error {
  /** @param message - what failed. */
  constructor(message: string) {
    super(message);
    this.name = "KitUnreachableError";
  }
}
