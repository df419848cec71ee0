/**
 * The rotation loop on Klaviyo's side, run by the core lifecycle through a context with a scripted
 * fake transport: retiring the replaced key after an update, Klaviyo's key status at refresh, and
 * the key-name advice, in the words of the engine the context speaks.
 */
import {
  checkDesired,
  keyFingerprint,
  parsePrior,
  PULUMI_VOCABULARY,
  readDestination,
  requireDesired,
  TERRAFORM_VOCABULARY,
  updateDestination,
  type HttpRequest,
  type Vocabulary,
} from "../../provider/core";
import { accountsBody, apiKeysBody, destination, fakeContext, fakeKey, res, type Answer } from "../support/fake-context";

const pixelId = "9b2f6c1e-0d4a-4c3e-8f57-2a1b3c4d5e6f";
const owner = "pulumi:proj/dev/klaviyo";
const oldKey = fakeKey("o1d0");
const newKey = fakeKey("a1b2");
const NOW = "2026-12-03T09:00:00.000Z";

/** One key as Klaviyo's single-key endpoints answer it. */
const keyState = (id: string, last4: string, status: "active" | "disabled", name = "UpstackData") =>
  res(200, {
    data: { type: "api-key", id, attributes: { name, status, redacted_key: `pk_****${last4}` }, links: { self: `http://127.0.0.1:9/api/api-keys/${id}/` } },
  });

/** Klaviyo: accounts of AbC123; a listing of the new key (k0) and the old one (k1); `single` answers the single-key routes. */
const klaviyo =
  (single: (req: HttpRequest) => ReturnType<typeof res>, names: [string, string] = ["UpstackData", "UpstackData"]): Answer =>
  (req) => {
    if (req.path === "/api/accounts/") return res(200, accountsBody("AbC123"));
    if (req.path === "/api/api-keys/")
      return res(
        200,
        apiKeysBody([
          ["a1b2", "full", names[0]],
          ["o1d0", "full", names[1]],
        ]),
      );
    return single(req);
  };

/** Upstack holds the new key, healthy, after the write. */
const upstackHolds =
  (overrides: Record<string, unknown> = {}): Answer =>
  () =>
    res(200, destination({ keyFingerprint: keyFingerprint(newKey), keyHint: "pk_...a1b2", ...overrides }));

const services =
  (upstack: Answer, k: Answer): Answer =>
  (req) =>
    req.service === "upstack" ? upstack(req) : k(req);

/** The outputs recorded before the rotation: the old key, identified by Klaviyo as k1. */
const before = (extra: Record<string, unknown> = {}) =>
  parsePrior({
    ...destination({ keyFingerprint: keyFingerprint(oldKey), keyHint: "pk_...o1d0" }),
    destinationId: "dst_1",
    klaviyoAccountId: "AbC123",
    klaviyoKeyId: "k1",
    accessCheck: "listing",
    validatedAt: "2026-12-01T00:00:00.000Z",
    ...extra,
  });

const rotation = (retire: boolean) => requireDesired({ pixelId, privateApiKey: newKey, owner, ...(retire ? { retireReplacedKey: true } : {}) });

test("an update with retireReplacedKey after a rotation disables the replaced key with the new key's credentials and records it", async () => {
  let disabled = false;
  const single = (req: HttpRequest) =>
    req.method === "PATCH" ? ((disabled = true), keyState("k1", "o1d0", "disabled")) : keyState("k1", "o1d0", disabled ? "disabled" : "active");
  const { ctx, transport, lines } = fakeContext(services(upstackHolds(), klaviyo(single)));
  const outputs = await updateDestination(ctx, before(), rotation(true));
  expect(transport.sent).toEqual([
    "klaviyo GET /api/accounts/",
    "klaviyo GET /api/api-keys/",
    "upstack PUT /destinations/api/klaviyo",
    "klaviyo GET /api/api-keys/k1/",
    "klaviyo PATCH /api/api-keys/k1/",
  ]);
  const patch = transport.requests[4]!;
  expect(patch.headers?.["authorization"]).toBe(`Klaviyo-API-Key ${newKey}`);
  expect(patch.body).toEqual({ data: { type: "api-key", id: "k1", attributes: { status: "disabled" } } });
  expect(outputs).toMatchObject({ retiredKeyId: "k1", retiredAt: NOW, klaviyoKeyId: "k0", klaviyoKeyName: "UpstackData" });
  expect(lines.join("")).not.toMatch(/warning/);
  expect(JSON.stringify(outputs)).not.toContain(newKey);
});

test("without retireReplacedKey nothing is disabled, and the retirement recorded before is carried forward", async () => {
  const { ctx, transport } = fakeContext(
    services(
      upstackHolds(),
      klaviyo(() => res(500)),
    ),
  );
  const outputs = await updateDestination(ctx, before({ retiredKeyId: "k9", retiredAt: "2026-11-01T00:00:00.000Z" }), rotation(false));
  expect(transport.sent.filter((s) => s.includes("/api/api-keys/k"))).toEqual([]);
  expect(outputs).toMatchObject({ retiredKeyId: "k9", retiredAt: "2026-11-01T00:00:00.000Z" });
});

test.each<[string, Vocabulary, string]>([
  ["Pulumi", PULUMI_VOCABULARY, "retireReplacedKey: the replaced Klaviyo key pk_...o1d0 was not disabled: Upstack reports the destination unhealthy"],
  ["Terraform", TERRAFORM_VOCABULARY, "retire_replaced_key: the replaced Klaviyo key pk_...o1d0 was not disabled: Upstack reports the destination unhealthy"],
])("a refused retirement is a warning in %s's words; the rotation stands", async (_engine, words, warning) => {
  const { ctx, transport, lines } = fakeContext(
    services(
      upstackHolds({ status: "disabled" }),
      klaviyo(() => res(500)),
    ),
    { words },
  );
  const desired = requireDesired({ pixelId, privateApiKey: newKey, owner, retireReplacedKey: true }, { words });
  const outputs = await updateDestination(ctx, before(), desired);
  expect(outputs.keyFingerprint).toBe(keyFingerprint(newKey));
  expect(outputs).not.toHaveProperty("retiredKeyId");
  expect(transport.sent.filter((s) => s.includes("/api/api-keys/k"))).toEqual([]);
  expect(lines.join("")).toContain(warning.replace("unhealthy", "disabled"));
});

test("refresh asks Klaviyo for the status of the key Upstack holds when the key is configured: disabled there is unhealthy", async () => {
  const recorded = before({ keyFingerprint: keyFingerprint(newKey), keyHint: "pk_...a1b2", klaviyoKeyId: "k0" });
  const current = services(
    upstackHolds({ id: "dst_1" }),
    klaviyo(() => keyState("k0", "a1b2", "disabled")),
  );
  const { ctx, transport } = fakeContext(current, { env: { KLAVIYO_PRIVATE_KEY: newKey } });
  const found = await readDestination(ctx, "dst_1", recorded);
  expect(transport.sent).toEqual(["upstack GET /destinations/api/klaviyo", "klaviyo GET /api/api-keys/k0/"]);
  expect(found?.outputs).toMatchObject({ status: "unhealthy", statusReason: "Klaviyo reports the key pk_...a1b2 (id k0) as disabled." });
  expect(found?.inputs).toMatchObject({ status: "unhealthy" });

  // Active there: Upstack's status stands, and the key's name is refreshed.
  const active = fakeContext(
    services(
      upstackHolds({ id: "dst_1" }),
      klaviyo(() => keyState("k0", "a1b2", "active", "Renamed")),
    ),
    {
      env: { KLAVIYO_PRIVATE_KEY: newKey },
    },
  );
  expect((await readDestination(active.ctx, "dst_1", recorded))?.outputs).toMatchObject({ status: "healthy", klaviyoKeyName: "Renamed" });
});

test("refresh uses the key the engine's state holds (Terraform's sensitive private_api_key) when it is the one Upstack holds, and no other", async () => {
  const recorded = before({ keyFingerprint: keyFingerprint(newKey), keyHint: "pk_...a1b2", klaviyoKeyId: "k0" });
  const { ctx, transport, lines } = fakeContext(
    services(
      upstackHolds({ id: "dst_1" }),
      klaviyo(() => keyState("k0", "a1b2", "disabled")),
    ),
    { words: TERRAFORM_VOCABULARY },
  );
  const found = await readDestination(ctx, "dst_1", recorded, ` ${newKey}\n`);
  expect(transport.sent).toEqual(["upstack GET /destinations/api/klaviyo", "klaviyo GET /api/api-keys/k0/"]);
  expect(found?.outputs).toMatchObject({ status: "unhealthy", statusReason: "Klaviyo reports the key pk_...a1b2 (id k0) as disabled." });
  expect(lines.join("")).not.toContain("refresh did not ask Klaviyo");

  // A held key that is not the one Upstack holds is not sent to Klaviyo: Upstack's status stands, and refresh says why.
  const other = fakeContext(
    services(
      upstackHolds({ id: "dst_1" }),
      klaviyo(() => keyState("k0", "a1b2", "disabled")),
    ),
    { words: TERRAFORM_VOCABULARY },
  );
  const kept = await readDestination(other.ctx, "dst_1", recorded, oldKey);
  expect(other.transport.sent).toEqual(["upstack GET /destinations/api/klaviyo"]);
  expect(kept?.outputs).toMatchObject({ status: "healthy" });
  expect(other.lines.join("")).toContain("refresh did not ask Klaviyo for the key's status");
});

test.each<[string, Vocabulary, RegExp]>([
  ["Pulumi", PULUMI_VOCABULARY, /not in the stack config as klaviyoPrivateKey or klaviyoKeys, nor in KLAVIYO_PRIVATE_KEY/],
  ["Terraform", TERRAFORM_VOCABULARY, /neither in state \(private_api_key_wo never is\) nor in KLAVIYO_PRIVATE_KEY in the provider's environment/],
])("refresh without the key asks Klaviyo nothing and says once where it looked, in %s's words", async (_engine, words, where) => {
  const recorded = before({ keyFingerprint: keyFingerprint(newKey), klaviyoKeyId: "k0" });
  const { ctx, transport, lines } = fakeContext(
    services(
      upstackHolds({ id: "dst_1" }),
      klaviyo(() => res(500)),
    ),
    { words },
  );
  await readDestination(ctx, "dst_1", recorded);
  await readDestination(ctx, "dst_1", recorded);
  expect(transport.sent).toEqual(["upstack GET /destinations/api/klaviyo", "upstack GET /destinations/api/klaviyo"]);
  expect(lines.filter((l) => where.test(l))).toHaveLength(1);
});

test.each<[string, Vocabulary, string]>([
  ["Pulumi", PULUMI_VOCABULARY, 'privateApiKey: the Klaviyo key pk_...a1b2 is named "Shopify sync" in Klaviyo'],
  ["Terraform", TERRAFORM_VOCABULARY, 'private_api_key: the Klaviyo key pk_...a1b2 is named "Shopify sync" in Klaviyo'],
])("check advises once on a key not named UpstackData, in %s's words, and records the key the destination wants", async (_engine, words, advice) => {
  const { ctx, lines } = fakeContext(
    klaviyo(() => res(500), ["Shopify sync", "UpstackData"]),
    { words },
  );
  const raw = { pixelId, privateApiKey: newKey, owner };
  expect((await checkDesired(ctx, parsePrior({}), raw)).failures).toEqual([]);
  expect((await checkDesired(ctx, parsePrior({}), { ...raw, owner: "pulumi:proj/dev/other" })).failures).toEqual([]);
  expect(lines.filter((l) => l.includes(advice))).toHaveLength(1);
  expect(ctx.keysInUse.othersUsing(keyFingerprint(newKey), owner)).toEqual(["pulumi:proj/dev/other"]);
});
