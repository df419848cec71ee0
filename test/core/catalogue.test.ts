/**
 * The error catalogue's causes against the code: for every code in
 * ERROR_CATALOGUE, its cause is driven through the public core (a scripted
 * fake for the services' answers; real loopback servers for what only a
 * network can do) and the code raised is asserted. A code added to the
 * catalogue without a row here, or a cause that raises another code, fails.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  buildContext,
  createDestination,
  ERROR_CATALOGUE,
  keyFingerprint,
  parsePrior,
  requireDesired,
  updateDestination,
  type CoreContext,
  type DesiredState,
  type ErrorCode,
} from "../../provider/core";
import { accountsBody, apiKeysBody, destination, fakeContext, fakeKey, jsonApiError, res, type Answer } from "../support/fake-context";
import { rejectionOf } from "../support/world";

const key = fakeKey("a1b2");
const desired: DesiredState = requireDesired({ pixelId: "9b2f6c1e-0d4a-4c3e-8f57-2a1b3c4d5e6f", privateApiKey: key, owner: "pulumi:proj/dev/klaviyo" });

/** Klaviyo says the key is a live Full Access key of AbC123; Upstack answers with `upstack`. */
const services =
  (upstack: Answer, klaviyo: Partial<Record<string, ReturnType<typeof res>>> = {}): Answer =>
  (req) => {
    if (req.service === "upstack") return upstack(req);
    return klaviyo[req.path] ?? (req.path === "/api/accounts/" ? res(200, accountsBody("AbC123")) : res(200, apiKeysBody([["a1b2", "full"]])));
  };
const putAnswers = (answer: ReturnType<typeof res>) => services(() => answer);
const create = (answer: Answer, env: Record<string, string> = {}) => createDestination(fakeContext(answer, { env }).ctx, desired);

/** A loopback server answering every request with `handle`. */
async function server(handle: Parameters<typeof createServer>[1]): Promise<{ url: string; close: () => Promise<void> }> {
  const s: Server = createServer(handle);
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  return { url, close: () => new Promise((resolve) => s.close(() => resolve())) };
}

/** A real context (the real transport) whose Upstack is at `url`, with short timeouts. */
function realContext(url: string): CoreContext {
  const env: Record<string, string> = {
    UPSTACK_API_URL: url,
    KLAVIYO_API_URL: url,
    UPSTACK_API_KEY: "upstack_unit_test_key_0001",
    UPSTACK_KLAVIYO_TIMEOUT_MS: "100",
    UPSTACK_KLAVIYO_DEADLINE_MS: "400",
  };
  return buildContext({ env: (k) => env[k], transportOptions: { sleep: async () => undefined }, log: { info: () => undefined, warn: () => undefined } });
}

/** Creates through a real context whose Upstack is the server `handle` runs; Klaviyo answers from a fake of the same server. */
async function createAgainst(handle: Parameters<typeof createServer>[1]): Promise<unknown> {
  const s = await server((req, response) => {
    if (req.url?.startsWith("/api/accounts/"))
      return void response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(accountsBody("AbC123")));
    if (req.url?.startsWith("/api/api-keys/"))
      return void response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(apiKeysBody([["a1b2", "full"]])));
    handle!(req, response);
  });
  const ctx = realContext(s.url);
  try {
    return await rejectionOf(createDestination(ctx, desired));
  } finally {
    await ctx.close();
    await s.close();
  }
}

const DRIVERS: Record<ErrorCode, { cause: string; drive: () => Promise<unknown> }> = {
  config_missing_credentials: {
    cause: "no Upstack API key for the pixel anywhere",
    drive: () => rejectionOf(create(putAnswers(res(200, destination())), { UPSTACK_API_KEY: "" })),
  },
  config_invalid: {
    cause: "a base URL that is not a URL",
    drive: async () => {
      try {
        buildContext({ env: (k) => ({ KLAVIYO_API_URL: "not-a-url" })[k] });
      } catch (e) {
        return e;
      }
      throw new Error("expected a throw");
    },
  },
  input_invalid: {
    cause: "no pixelId on the resource and no default pixel configured",
    drive: async () => {
      try {
        requireDesired({ privateApiKey: key, owner: "pulumi:p/s/n" });
      } catch (e) {
        return e;
      }
      throw new Error("expected a throw");
    },
  },
  klaviyo_key_invalid: {
    cause: "Klaviyo answers 401 to the key",
    drive: () =>
      rejectionOf(create(services(() => res(200, destination()), { "/api/accounts/": res(401, jsonApiError(401, "Incorrect authentication credentials.")) }))),
  },
  klaviyo_key_missing_scope: {
    cause: "Klaviyo answers a JSON 403: the key lacks accounts:read",
    drive: () => rejectionOf(create(services(() => res(200, destination()), { "/api/accounts/": res(403, jsonApiError(403, "denied")) }))),
  },
  klaviyo_key_not_full_access: {
    cause: "the listing shows the key read-only",
    drive: () => rejectionOf(create(services(() => res(200, destination()), { "/api/api-keys/": res(200, apiKeysBody([["a1b2", "read_only"]])) }))),
  },
  klaviyo_account_mismatch: {
    cause: "the key belongs to another account than publicApiKey",
    drive: () => rejectionOf(createDestination(fakeContext(putAnswers(res(200, destination()))).ctx, { ...desired, publicApiKey: "XyZ987" })),
  },
  klaviyo_inconclusive: {
    cause: "Klaviyo answers 500",
    drive: () => rejectionOf(create(services(() => res(200, destination()), { "/api/accounts/": res(500) }))),
  },
  klaviyo_request_rejected: {
    cause: "Klaviyo answers a JSON 400 naming a query parameter",
    drive: () =>
      rejectionOf(
        create(
          services(() => res(200, destination()), {
            "/api/accounts/": res(400, {
              errors: [{ id: "e", code: "invalid", title: "Invalid input.", detail: "bad", source: { parameter: "fields[account]" } }],
            }),
          }),
        ),
      ),
  },
  klaviyo_endpoint_gone: {
    cause: "the beta key listing answers 404 while Full Access is required",
    drive: () => rejectionOf(create(services(() => res(200, destination()), { "/api/api-keys/": res(404, jsonApiError(404, "Not found.")) }))),
  },
  klaviyo_unexpected_response: {
    cause: "Klaviyo's accounts answer does not fit its published schema",
    drive: () => rejectionOf(create(services(() => res(200, destination()), { "/api/accounts/": res(200, { data: [{ type: "account", id: "AbC123" }] }) }))),
  },
  upstack_unauthorized: { cause: "Upstack answers 401", drive: () => rejectionOf(create(putAnswers(res(401, { message: "invalid" })))) },
  upstack_missing_scope: { cause: "Upstack answers 403", drive: () => rejectionOf(create(putAnswers(res(403, { message: "scope" })))) },
  upstack_owned_by_other: { cause: "Upstack answers 409: made in the dashboard", drive: () => rejectionOf(create(putAnswers(res(409, {})))) },
  upstack_changed_outside_pulumi: {
    cause: "the conditional update gets 412 and the destination holds something else",
    drive: () => {
      const answer = services((req) => (req.method === "PUT" ? res(412) : res(200, destination({ label: "Changed in the dashboard" }))));
      const prior = parsePrior({ ...destination(), destinationId: "dst_1", keyFingerprint: keyFingerprint(key), klaviyoAccountId: "AbC123" });
      return rejectionOf(updateDestination(fakeContext(answer).ctx, prior, desired));
    },
  },
  upstack_rejected: {
    cause: "Upstack answers 422",
    drive: () => rejectionOf(create(putAnswers(res(422, { message: "bad", errors: [{ path: "label", message: "x" }] })))),
  },
  upstack_destination_unhealthy: {
    cause: "Upstack registers the destination but reports it unhealthy",
    drive: () => rejectionOf(create(putAnswers(res(200, destination({ status: "unhealthy", statusReason: "Klaviyo answered 401" }))))),
  },
  http_error: { cause: "Upstack answers a status the contract does not have (418)", drive: () => rejectionOf(create(putAnswers(res(418)))) },
  http_timeout: {
    cause: "Upstack never answers",
    drive: async () => {
      const s = await server(() => undefined);
      const ctx = realContext(s.url);
      try {
        return await rejectionOf(ctx.upstack.get({ apiKey: "upstack_unit_test_key_0001", pixelId: desired.pixelId }));
      } finally {
        await ctx.close();
        await s.close();
      }
    },
  },
  http_connection: {
    cause: "Upstack's port refuses connections",
    drive: async () => {
      const s = await server(() => undefined);
      await s.close();
      const ctx = realContext(s.url);
      try {
        return await rejectionOf(ctx.upstack.get({ apiKey: "upstack_unit_test_key_0001", pixelId: desired.pixelId }));
      } finally {
        await ctx.close();
      }
    },
  },
  http_insecure_url: {
    cause: "plain http to a host that is not loopback",
    drive: async () => {
      try {
        buildContext({ env: (k) => ({ UPSTACK_API_URL: "http://api.upstackdata.com" })[k] });
      } catch (e) {
        return e;
      }
      throw new Error("expected a throw");
    },
  },
  http_redirect: {
    cause: "Upstack answers with a redirect",
    drive: () => createAgainst((_req, response) => void response.writeHead(302, { location: "https://elsewhere.example/x" }).end()),
  },
};

test("every code in the catalogue has a cause driven here, and nothing else", () => {
  expect(Object.keys(DRIVERS).sort()).toEqual(Object.keys(ERROR_CATALOGUE).sort());
});

test.each(Object.entries(DRIVERS).map(([code, { cause, drive }]) => [code, cause, drive] as const))("%s: %s", async (code, _cause, drive) => {
  const error = (await drive()) as { code?: unknown; message?: unknown };
  expect(error.code).toBe(code);
  expect(String(error.message)).not.toContain(key);
});

test("a malformed URL is config_invalid and names the setting; a URL with a path too; plain http to a remote host is http_insecure_url", () => {
  const settle = (env: Record<string, string>) => {
    try {
      buildContext({ env: (k) => env[k] });
      return undefined;
    } catch (e) {
      return e as { code: string; property: string; message: string };
    }
  };
  expect(settle({ KLAVIYO_API_URL: "not-a-url" })).toMatchObject({
    code: "config_invalid",
    property: "klaviyoApiUrl",
    message: expect.stringContaining("upstack:klaviyoApiUrl (or KLAVIYO_API_URL) is not a URL"),
  });
  expect(settle({ KLAVIYO_API_URL: "http://127.0.0.1:4010/api" })).toMatchObject({
    code: "config_invalid",
    message: expect.stringContaining("use http://127.0.0.1:4010, not http://127.0.0.1:4010/api"),
  });
  expect(settle({ UPSTACK_API_URL: "http://api.example.com" })).toMatchObject({ code: "http_insecure_url", property: "upstackApiUrl" });
  expect(settle({ UPSTACK_API_URL: "https://api.example.com/" })).toBeUndefined();
});
