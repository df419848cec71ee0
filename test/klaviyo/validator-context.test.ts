/** The key validator through a context whose transport is a scripted fake: what each Klaviyo answer makes of a key. */
import { TERRAFORM_VOCABULARY, CLI_VOCABULARY } from "../../provider/core";
import { accessRequirement } from "../../provider/klaviyo/access";
import { accountsBody, apiKeysBody, fakeContext, fakeKey, jsonApiError, res, type Answer } from "../support/fake-context";
import { rejectionOf } from "../support/world";

const key = fakeKey("a1b2");
const full = { requirement: accessRequirement(undefined) };

/** Klaviyo answering accounts with `account` and api-keys with `listing`. */
const klaviyo =
  (listing: ReturnType<typeof res>, account = res(200, accountsBody("AbC123"))): Answer =>
  (req) =>
    req.path === "/api/accounts/" ? account : req.path === "/api/api-keys/" ? listing : res(200, { data: [] });

test("a Full Access key in the listing: valid, 2 requests, validatedAt from the context's clock", async () => {
  const { ctx, transport } = fakeContext(klaviyo(res(200, apiKeysBody([["a1b2", "full"]]))), { now: Date.UTC(2026, 0, 2, 3, 4, 5) });
  const v = await ctx.validator.validate(key, full);
  expect(v).toMatchObject({
    accountId: "AbC123",
    accountName: "Acme Outdoor",
    hint: "pk_...a1b2",
    unverifiedScopes: [],
    validatedAt: "2026-01-02T03:04:05.000Z",
  });
  expect(transport.sent).toEqual(["klaviyo GET /api/accounts/", "klaviyo GET /api/api-keys/"]);
  expect(transport.requests[0]?.retryHint).toBeDefined(); // Klaviyo's throttle hook rides along with every Klaviyo request
});

test("cached per context: the same key and target again makes no request; concurrent validations share one set", async () => {
  const { ctx, transport } = fakeContext(klaviyo(res(200, apiKeysBody([["a1b2", "full"]]))));
  await Promise.all([ctx.validator.validate(key, full), ctx.validator.validate(key, full), ctx.validator.validate(key, full)]);
  await ctx.validator.validate(key, full);
  expect(transport.sent).toHaveLength(2);
});

test.each<[string, Answer, string, RegExp]>([
  [
    "revoked (401)",
    klaviyo(res(200), res(401, jsonApiError(401, "Incorrect authentication credentials."))),
    "klaviyo_key_invalid",
    /rejected the key pk_\.\.\.a1b2/,
  ],
  ["no accounts:read (JSON 403)", klaviyo(res(200), res(403, jsonApiError(403, "denied"))), "klaviyo_key_missing_scope", /lacks the accounts:read scope/],
  [
    "read-only in the listing",
    klaviyo(res(200, apiKeysBody([["a1b2", "read_only"]]))),
    "klaviyo_key_not_full_access",
    /has Read-Only access; Upstack Data requires Full Access\. Missing scopes: accounts:write/,
  ],
  [
    "may not list keys (JSON 403) while Full Access is required",
    klaviyo(res(403, jsonApiError(403, "denied"))),
    "klaviyo_key_not_full_access",
    /credentials:read/,
  ],
  [
    "a CDN challenge",
    klaviyo(res(200), { status: 403, headers: { "content-type": "text/html" }, body: "<html>", attempts: 1 }),
    "klaviyo_inconclusive",
    /challenge page/,
  ],
  ["an outage (500)", klaviyo(res(200), res(500)), "klaviyo_inconclusive", /HTTP 500/],
  [
    "the base URL is not Klaviyo's (404)",
    klaviyo(res(200), res(404)),
    "klaviyo_endpoint_gone",
    /answered GET \/api\/accounts\/ with HTTP 404: the endpoint is not there.*Check upstack:klaviyoApiUrl \(or KLAVIYO_API_URL\)/,
  ],
  [
    "two keys end alike with different access",
    klaviyo(
      res(
        200,
        apiKeysBody([
          ["a1b2", "full"],
          ["a1b2", "read_only"],
        ]),
      ),
    ),
    "klaviyo_inconclusive",
    /several active keys/,
  ],
])("%s → %s", async (_name, answer, code, message) => {
  const { ctx } = fakeContext(answer);
  const err = await rejectionOf(ctx.validator.validate(key, full));
  expect(err).toMatchObject({ code });
  expect(err.message).toMatch(message);
  expect(err.message).not.toContain(key);
});

test("an account mismatch names publicApiKey", async () => {
  const { ctx } = fakeContext(klaviyo(res(200, apiKeysBody([["a1b2", "full"]]))));
  const err = await rejectionOf(ctx.validator.validate(key, { ...full, publicApiKey: "XyZ987" }));
  expect(err).toMatchObject({ code: "klaviyo_account_mismatch", property: "publicApiKey" });
  expect(err.message).toMatch(/^publicApiKey: the private key pk_\.\.\.a1b2 belongs to Klaviyo account AbC123 \(Acme Outdoor\), expected XyZ987/);
});

test("declared scopes on a key that may not list keys: read scopes probed, write scopes reported unverified", async () => {
  const { ctx, transport } = fakeContext(klaviyo(res(403, jsonApiError(403, "denied"))));
  const v = await ctx.validator.validate(key, { requirement: accessRequirement(["events:write", "metrics:read"]) });
  expect(v.unverifiedScopes).toEqual(["events:write"]);
  expect(transport.sent).toContain("klaviyo GET /api/metrics/");
});

test("a malformed key fails without a request, in the words of the place it appears", async () => {
  const tf = fakeContext(klaviyo(res(200)), { words: TERRAFORM_VOCABULARY });
  const err = await rejectionOf(tf.ctx.validator.validate("AbC123", full));
  expect(err).toMatchObject({ code: "klaviyo_key_invalid", property: "privateApiKey" });
  expect(err.message).toBe(
    "private_api_key looks like a Klaviyo public key (Site ID), not a private key. Use the private key, which starts with pk_; the Site ID goes in public_api_key.",
  );
  expect(tf.transport.sent).toEqual([]);
});

test("the advice names the engine's way of setting a key", async () => {
  const answer = klaviyo(res(200), res(401, jsonApiError(401, "Incorrect authentication credentials.")));
  expect((await rejectionOf(fakeContext(answer).ctx.validator.validate(key, full))).message).toContain("pulumi config set --secret klaviyoPrivateKey");
  const cli = (await rejectionOf(fakeContext(answer, { words: CLI_VOCABULARY }).ctx.validator.validate(key, full))).message;
  expect(cli).toContain("KLAVIYO_PRIVATE_KEY or on stdin");
  expect(cli).not.toMatch(/pulumi|privateApiKey/);
});
