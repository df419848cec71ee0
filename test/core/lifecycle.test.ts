/** The lifecycle functions through a context with a scripted fake transport: what each sends, and in what order. */
import {
  checkDesired,
  createDestination,
  deleteDestination,
  keyFingerprint,
  parsePrior,
  readDestination,
  requireDesired,
  updateDestination,
} from "../../provider/core";
import { accountsBody, apiKeysBody, destination, fakeContext, fakeKey, jsonApiError, res, type Answer } from "../support/fake-context";
import { rejectionOf } from "../support/world";

const key = fakeKey("a1b2");
const pixelId = "9b2f6c1e-0d4a-4c3e-8f57-2a1b3c4d5e6f";
const owner = "pulumi:proj/dev/klaviyo";
const desired = requireDesired({ pixelId, privateApiKey: key, owner });
const klaviyoOk: Answer = (req) => (req.path === "/api/accounts/" ? res(200, accountsBody("AbC123")) : res(200, apiKeysBody([["a1b2", "full"]])));
const upstackAnswers =
  (upstack: Answer): Answer =>
  (req) =>
    req.service === "upstack" ? upstack(req) : klaviyoOk(req);
const priorOutputs = parsePrior({
  ...destination({ keyFingerprint: keyFingerprint(key) }),
  destinationId: "dst_1",
  klaviyoAccountId: "AbC123",
  accessCheck: "listing",
  validatedAt: "2026-12-01T00:00:00.000Z",
});

test("create validates first, then writes once with an idempotency key; the write carries the key, the outputs do not", async () => {
  const { ctx, transport } = fakeContext(upstackAnswers(() => res(200, destination({ keyFingerprint: keyFingerprint(key) }))));
  const { id, outputs } = await createDestination(ctx, desired);
  expect(transport.sent).toEqual(["klaviyo GET /api/accounts/", "klaviyo GET /api/api-keys/", "upstack PUT /destinations/api/klaviyo"]);
  const put = transport.requests[2]!;
  expect(put.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
  expect(put.body).toMatchObject({ privateApiKey: key, adopt: false, owner, scopes: [] });
  expect(id).toBe(outputs.destinationId);
  expect(JSON.stringify(outputs)).not.toContain(key);
});

test("a rejected key writes nothing", async () => {
  const { ctx, transport } = fakeContext((req) =>
    req.service === "klaviyo" ? res(401, jsonApiError(401, "Incorrect authentication credentials.")) : res(200, destination()),
  );
  await rejectionOf(createDestination(ctx, desired));
  expect(transport.sent.filter((s) => s.startsWith("upstack"))).toEqual([]);
});

test("an update that changes only the label asks Klaviyo nothing, writes conditionally on the ETag last seen and keeps the earlier validation", async () => {
  const { ctx, transport } = fakeContext(upstackAnswers(() => res(200, destination({ label: "EU", keyFingerprint: keyFingerprint(key) }))));
  const outputs = await updateDestination(ctx, priorOutputs, { ...desired, label: "EU" });
  expect(transport.sent).toEqual(["upstack PUT /destinations/api/klaviyo"]);
  expect(transport.requests[0]?.headers?.["if-match"]).toBe('"v1"');
  expect(outputs).toMatchObject({ label: "EU", accessCheck: "listing", validatedAt: "2026-12-01T00:00:00.000Z" });
});

test("an update after the destination was read unhealthy validates the key again first", async () => {
  const { ctx, transport } = fakeContext(upstackAnswers(() => res(200, destination())));
  await updateDestination(ctx, { ...priorOutputs, status: "unhealthy" }, desired);
  expect(transport.sent[0]).toBe("klaviyo GET /api/accounts/");
});

test("a lost answer: 412, then one read that shows our write committed, is success", async () => {
  const mine = destination({ keyFingerprint: keyFingerprint(key), etag: '"v2"' });
  const { ctx, transport } = fakeContext(upstackAnswers((req) => (req.method === "PUT" ? res(412) : res(200, mine))));
  const outputs = await updateDestination(ctx, priorOutputs, desired);
  expect(transport.sent).toEqual(["upstack PUT /destinations/api/klaviyo", "upstack GET /destinations/api/klaviyo"]);
  expect(outputs.etag).toBe('"v2"');
});

test("read gives outputs and the inputs that reproduce them, with one name for the status", async () => {
  const { ctx } = fakeContext(upstackAnswers(() => res(200, destination({ id: "dst_1", status: "unhealthy", statusReason: "401" }))));
  const found = await readDestination(ctx, "dst_1", priorOutputs);
  expect(found?.outputs).toMatchObject({ status: "unhealthy", statusReason: "401" });
  expect(found?.inputs).toMatchObject({ status: "unhealthy", keyFingerprint: "sha256:" + "0".repeat(64), adopt: false });
  expect(found?.inputs).not.toHaveProperty("destinationStatus");
  expect(await readDestination(fakeContext(upstackAnswers(() => res(404))).ctx, "dst_1", priorOutputs)).toBeUndefined();
  expect(await readDestination(fakeContext(upstackAnswers(() => res(200, destination({ id: "dst_other" })))).ctx, "dst_1", priorOutputs)).toBeUndefined();
});

test("delete of a destination someone else manages now leaves it and warns through the context's logger", async () => {
  const { ctx, lines } = fakeContext(upstackAnswers(() => res(409)));
  expect(await deleteDestination(ctx, "dst_1", priorOutputs)).toBe("not-owned");
  expect(lines.join("")).toMatch(/warning: Klaviyo destination dst_1 .* left in place/);
});

test("check validates a new key once, skips an unchanged one, and reports a failure on the property", async () => {
  const { ctx, transport } = fakeContext(klaviyoOk);
  const first = await checkDesired(ctx, parsePrior({}), { pixelId, privateApiKey: key, owner });
  expect(first.failures).toEqual([]);
  expect(first.values["keyFingerprint"]).toBe(keyFingerprint(key));
  expect(transport.sent).toHaveLength(2);
  const fresh = fakeContext(klaviyoOk); // another process: no cache, so only the plan can skip the validation
  const again = await checkDesired(fresh.ctx, parsePrior(first.values), { pixelId, privateApiKey: key, owner });
  expect(again.failures).toEqual([]);
  expect(fresh.transport.sent).toEqual([]);
  const bad = await checkDesired(fakeContext(() => res(401, jsonApiError(401, "no"))).ctx, parsePrior({}), {
    pixelId,
    privateApiKey: key,
    owner,
    keyFingerprint: "x",
    status: "healthy",
  });
  expect(bad.failures).toEqual([expect.objectContaining({ property: "privateApiKey", reason: expect.stringContaining("Klaviyo rejected the key") })]);
  expect(bad.values).not.toHaveProperty("keyFingerprint");
  expect(bad.values).not.toHaveProperty("status");
});
