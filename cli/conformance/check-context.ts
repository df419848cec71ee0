/**
 * What a conformance check works with: `act` sends a request under test and validates its answer
 * against the OpenAPI document; `probe` arranges or verifies state without judging the answer;
 * `expect` states one rule of the contract. A check fails at the first rule that does not hold.
 * @packageDocumentation
 */
import { createHash, randomBytes } from "node:crypto";
import type { ContractValidator } from "../../provider/upstack/contract-validator";
import { DESTINATION_PATH } from "../../provider/upstack/client";
import type { KitAnswer, KitExchange, KitHttpClient, KitRequest } from "./http-client";

/** A rule of the contract that did not hold. */
export class CheckFailure extends Error {
  /** @param message - the rule and what was seen instead. */
  constructor(message: string) {
    super(message);
    this.name = "CheckFailure";
  }
}

/** A destination body, as far as the checks read it. */
export interface DestinationBody {
  readonly id?: unknown;
  readonly owner?: unknown;
  readonly label?: unknown;
  readonly etag?: unknown;
  readonly keyFingerprint?: unknown;
  readonly keyHint?: unknown;
  readonly publicApiKey?: unknown;
  readonly klaviyoAccountId?: unknown;
  readonly scopes?: unknown;
  readonly createdAt?: unknown;
  readonly updatedAt?: unknown;
  readonly keyRotatedAt?: unknown;
  readonly pixelId?: unknown;
  readonly enabled?: unknown;
}

/** The fields of a write a check may send. */
export interface WriteFields {
  readonly owner: string;
  readonly privateApiKey: string;
  readonly label?: string;
  readonly adopt?: boolean;
  readonly publicApiKey?: string | null;
  readonly klaviyoAccountId?: string | null;
  readonly scopes?: string[];
}

/** A fake Klaviyo private key of the documented shape (`pk_` + 34 letters and digits); Klaviyo knows no such key. */
export function fakeKlaviyoKey(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return `pk_${[...randomBytes(34)].map((b) => alphabet[b % alphabet.length]).join("")}`;
}

/** The contract's fingerprint of a key. */
export function fingerprintOf(key: string): string {
  return `sha256:${createHash("sha256").update(key, "utf8").digest("hex")}`;
}

/** What every check of one run shares. */
export interface RunFixture {
  /** The HTTP client for the pixel under test. */
  readonly http: KitHttpClient;
  /** The contract validator. */
  readonly validator: ContractValidator;
  /** The pixel under test. */
  readonly pixelId: string;
  /** The owner the kit writes as. */
  readonly owner: string;
  /** A second owner, for ownership and adopt. */
  readonly otherOwner: string;
  /** The kit's first fake Klaviyo key. */
  readonly key: string;
  /** The kit's second fake Klaviyo key (rotation). */
  readonly otherKey: string;
  /** A new Idempotency-Key for each logical write. */
  newIdempotencyKey(): string;
}

/** The label the kit's destinations carry unless a check sets another. */
export const KIT_LABEL = "upstack-klaviyo conformance";

/** A check's view of a run; collects the exchanges of that check. */
export class CheckContext {
  /** Every exchange of the check, probes included. */
  readonly exchanges: KitExchange[] = [];

  /** @param run - what the run shares. */
  constructor(readonly run: RunFixture) {}

  /** A write body: the fields given, the label defaulted, optional fields only when set. */
  body(f: WriteFields): Record<string, unknown> {
    const b: Record<string, unknown> = { privateApiKey: f.privateApiKey, owner: f.owner, enabled: true, label: f.label ?? KIT_LABEL };
    if (f.adopt !== undefined) b["adopt"] = f.adopt;
    if (f.publicApiKey !== undefined) b["publicApiKey"] = f.publicApiKey;
    if (f.klaviyoAccountId !== undefined) b["klaviyoAccountId"] = f.klaviyoAccountId;
    if (f.scopes !== undefined) b["scopes"] = f.scopes;
    return b;
  }

  /** Sends a request under test; fails the check when the answer does not match the document. */
  async act(req: KitRequest): Promise<KitAnswer> {
    const answer = await this.run.http.send(req, (x) => this.exchanges.push(x), false);
    const problems = this.run.validator.validateResponse(req.method, DESTINATION_PATH, { status: answer.status, headers: answer.headers, body: answer.text });
    if (problems.length > 0) throw new CheckFailure(`the answer does not match openapi/upstack-klaviyo-destination.json: ${problems.join("; ")}`);
    return answer;
  }

  /** Sends a request that arranges or verifies state; its answer is not judged. */
  probe(req: KitRequest): Promise<KitAnswer> {
    return this.run.http.send(req, (x) => this.exchanges.push(x), true);
  }

  /** Fails the check with `message` unless `condition` holds. */
  expect(condition: boolean, message: string): void {
    if (!condition) throw new CheckFailure(message);
  }

  /** Fails unless `answer` has `status` and (for an error) the stable `code`. */
  expectStatus(answer: KitAnswer, status: number, code?: string): void {
    const got = errorCode(answer);
    this.expect(
      answer.status === status,
      `expected ${status}${code === undefined ? "" : ` ${code}`}, got ${answer.status}${got === undefined ? "" : ` ${got}`}`,
    );
    if (code !== undefined) this.expect(got === code, `expected code ${code} with ${status}, got ${got ?? "no code"}`);
  }

  /** A PUT with a fresh Idempotency-Key (or `idempotencyKey`). */
  put(f: WriteFields, headers: Record<string, string | undefined> = {}, idempotencyKey = this.run.newIdempotencyKey()): KitRequest {
    return { method: "PUT", headers: { "idempotency-key": idempotencyKey, ...headers }, body: this.body(f) };
  }

  /** Makes sure the pixel has no destination (probes only). */
  async ensureAbsent(): Promise<void> {
    const now = await this.probe({ method: "GET" });
    if (now.status === 404) return;
    if (now.status === 200) {
      await this.probe({ method: "DELETE" });
      const after = await this.probe({ method: "GET" });
      if (after.status === 404) return;
    }
    throw new CheckFailure(`could not arrange the check: the pixel's destination could not be removed (GET answered ${now.status})`);
  }

  /**
   * Makes sure the pixel has the kit's baseline destination — the kit's owner, first key, default
   * label, no optional fields — and returns it with its ETag (probes only).
   */
  async ensurePresent(): Promise<{ etag: string; body: DestinationBody }> {
    const now = await this.probe({ method: "GET" });
    if (now.status === 200 && (now.json as DestinationBody | undefined)?.owner !== this.run.owner) await this.ensureAbsent();
    const put = await this.probe(this.put({ owner: this.run.owner, privateApiKey: this.run.key }));
    const etag = put.headers["etag"];
    if ((put.status !== 200 && put.status !== 201) || etag === undefined) {
      throw new CheckFailure(
        `could not arrange the check: writing the baseline destination answered ${put.status}${etag === undefined ? " without an ETag" : ""}`,
      );
    }
    return { etag, body: (put.json ?? {}) as DestinationBody };
  }

  /** The current destination (probe): its status, ETag header and body. A 200 must carry a strong ETag to compare. */
  async current(): Promise<{ status: number; etag: string | undefined; body: DestinationBody }> {
    const a = await this.probe({ method: "GET" });
    const etag = a.headers["etag"];
    if (a.status === 200 && (etag === undefined || !/^"[^"]*"$/.test(etag))) {
      throw new CheckFailure(
        `could not verify the result: GET answered 200 with ETag ${JSON.stringify(etag)}, not a strong entity-tag to compare versions with`,
      );
    }
    return { status: a.status, etag, body: (a.json ?? {}) as DestinationBody };
  }
}

/** The `code` of an error answer, when it has one. */
export function errorCode(answer: KitAnswer): string | undefined {
  const body = answer.json;
  if (typeof body !== "object" || body === null) return undefined;
  const code = (body as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

/** Waits `ms` (timestamps of successive writes must be distinguishable). */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
