/**
 * A typed client of the emulator's admin API over HTTP (usable from another process).
 * @packageDocumentation
 */
import { request } from "undici";
import type {
  AdminPatchDestinationInput,
  AdminPutDestinationInput,
  CreateKlaviyoAccountInput,
  CreateKlaviyoKeyInput,
  CreateUpstackKeyInput,
  DestinationView,
  FaultRule,
  FaultRuleCreated,
  FaultRuleView,
  KlaviyoAccountView,
  KlaviyoAccountWithKey,
  KlaviyoKeyCreated,
  KlaviyoKeyView,
  RequestFilter,
  RequestLogEntry,
  UpstackKeyCreated,
  UpstackKeyView,
} from "./types";

/** An admin call answered with a non-2xx status. */
export class EmulatorAdminError extends Error {
  /** HTTP status. */
  readonly status: number;
  /** Parsed JSON body, or the text. */
  readonly body: unknown;
  /** Creates the error. */
  constructor(status: number, body: unknown, what: string) {
    const message = typeof body === "object" && body !== null && "message" in body ? String((body as { message: unknown }).message) : String(body);
    super(`${what} failed with ${status}: ${message}`);
    this.status = status;
    this.body = body;
  }
}

/** Typed client of `/_admin`. */
export class EmulatorAdminClient {
  /** Emulator base URL (without `/_admin`). */
  readonly baseUrl: string;

  /** `baseUrl` is the emulator URL, e.g. `http://127.0.0.1:4010` (a trailing `/_admin` is accepted). */
  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, "").replace(/\/_admin$/, "");
  }

  private async call<T>(method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE", path: string, body?: unknown): Promise<T> {
    const res = await request(`${this.baseUrl}/_admin${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      // One connection per admin call: admin calls are few, and a pooled socket would outlive an emulator
      // restart on the same port ("other side closed").
      reset: true,
    });
    const text = await res.body.text();
    let parsed: unknown = undefined;
    if (text !== "") {
      try {
        parsed = JSON.parse(text) as unknown;
      } catch {
        parsed = text;
      }
    }
    if (res.statusCode < 200 || res.statusCode > 299) throw new EmulatorAdminError(res.statusCode, parsed, `${method} /_admin${path}`);
    return parsed as T;
  }

  /** POST /_admin/klaviyo/accounts */
  createKlaviyoAccount(input: CreateKlaviyoAccountInput = {}): Promise<KlaviyoAccountView> {
    return this.call("POST", "/klaviyo/accounts", input);
  }
  /** GET /_admin/klaviyo/accounts */
  listKlaviyoAccounts(): Promise<KlaviyoAccountView[]> {
    return this.call("GET", "/klaviyo/accounts");
  }
  /** POST /_admin/klaviyo/keys — returns the fake plaintext key once. */
  createKlaviyoKey(input: CreateKlaviyoKeyInput): Promise<KlaviyoKeyCreated> {
    return this.call("POST", "/klaviyo/keys", input);
  }
  /** GET /_admin/klaviyo/keys (redacted). */
  listKlaviyoKeys(): Promise<KlaviyoKeyView[]> {
    return this.call("GET", "/klaviyo/keys");
  }
  /** PATCH /_admin/klaviyo/keys/:id `{disabled}` */
  setKlaviyoKeyDisabled(id: string, disabled: boolean): Promise<KlaviyoKeyView> {
    return this.call("PATCH", `/klaviyo/keys/${encodeURIComponent(id)}`, { disabled });
  }
  /** DELETE /_admin/klaviyo/keys/:id (revoke). */
  async revokeKlaviyoKey(id: string): Promise<void> {
    await this.call("DELETE", `/klaviyo/keys/${encodeURIComponent(id)}`);
  }
  /** Creates an account and a key on it in one go (default: Full Access, classic format). */
  async createKlaviyoAccountWithKey(
    account: CreateKlaviyoAccountInput = {},
    key: Omit<CreateKlaviyoKeyInput, "accountId"> = {},
  ): Promise<KlaviyoAccountWithKey> {
    const a = await this.createKlaviyoAccount(account);
    return { account: a, key: await this.createKlaviyoKey({ ...key, accountId: a.id }) };
  }
  /** POST /_admin/upstack/keys — returns the fake plaintext API key once. */
  createUpstackKey(input: CreateUpstackKeyInput = {}): Promise<UpstackKeyCreated> {
    return this.call("POST", "/upstack/keys", input);
  }
  /** GET /_admin/upstack/keys */
  listUpstackKeys(): Promise<UpstackKeyView[]> {
    return this.call("GET", "/upstack/keys");
  }
  /** DELETE /_admin/upstack/keys/:id (revoke). */
  async revokeUpstackKey(id: string): Promise<void> {
    await this.call("DELETE", `/upstack/keys/${encodeURIComponent(id)}`);
  }
  /** GET /_admin/upstack/destinations */
  listDestinations(): Promise<DestinationView[]> {
    return this.call("GET", "/upstack/destinations");
  }
  /** GET /_admin/upstack/destinations/:pixelId — null when there is none. */
  async getDestination(pixelId: string): Promise<DestinationView | null> {
    try {
      return await this.call<DestinationView>("GET", `/upstack/destinations/${encodeURIComponent(pixelId)}`);
    } catch (e) {
      if (e instanceof EmulatorAdminError && e.status === 404) return null;
      throw e;
    }
  }
  /** PUT /_admin/upstack/destinations/:pixelId — a destination made in the dashboard (owner null unless given). */
  putDestination(pixelId: string, input: AdminPutDestinationInput): Promise<DestinationView> {
    return this.call("PUT", `/upstack/destinations/${encodeURIComponent(pixelId)}`, input);
  }
  /** PATCH /_admin/upstack/destinations/:pixelId — a dashboard edit (bumps etag and updatedAt). */
  patchDestination(pixelId: string, patch: AdminPatchDestinationInput): Promise<DestinationView> {
    return this.call("PATCH", `/upstack/destinations/${encodeURIComponent(pixelId)}`, patch);
  }
  /** DELETE /_admin/upstack/destinations/:pixelId — false when there was none. */
  async deleteDestination(pixelId: string): Promise<boolean> {
    try {
      await this.call("DELETE", `/upstack/destinations/${encodeURIComponent(pixelId)}`);
      return true;
    } catch (e) {
      if (e instanceof EmulatorAdminError && e.status === 404) return false;
      throw e;
    }
  }
  /** GET /_admin/requests[?service=] */
  listRequests(filter: RequestFilter = {}): Promise<RequestLogEntry[]> {
    return this.call("GET", filter.service === undefined ? "/requests" : `/requests?service=${filter.service}`);
  }
  /** DELETE /_admin/requests */
  async clearRequests(): Promise<void> {
    await this.call("DELETE", "/requests");
  }
  /** POST /_admin/faults */
  addFault(rule: FaultRule): Promise<FaultRuleCreated> {
    return this.call("POST", "/faults", rule);
  }
  /** GET /_admin/faults */
  listFaults(): Promise<FaultRuleView[]> {
    return this.call("GET", "/faults");
  }
  /** DELETE /_admin/faults/:id */
  async removeFault(id: string): Promise<void> {
    await this.call("DELETE", `/faults/${encodeURIComponent(id)}`);
  }
  /** DELETE /_admin/faults */
  async clearFaults(): Promise<void> {
    await this.call("DELETE", "/faults");
  }
  /** POST /_admin/reset — clears state, faults, request log and rate-limit counters. */
  async reset(): Promise<void> {
    await this.call("POST", "/reset");
  }
}
