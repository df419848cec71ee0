/** buildOutputs: the shape's outputs, from what Upstack holds and what validation established; never a key. */
import { buildOutputs, OUTPUT_NAMES, DESTINATION_OUTPUTS } from "../../provider/core";
import type { UpstackDestination } from "../../provider/upstack/client";
import { destination, fakeKey } from "../support/fake-context";

const key = fakeKey();
const validation = {
  accountId: "AbC123",
  accountName: "Acme",
  keyId: "k0",
  keyName: "UpstackData",
  accessCheck: "listing shows Full Access",
  validatedAt: "2026-12-03T09:00:00.000Z",
};
const inputs = { pixelId: "9b2f6c1e-0d4a-4c3e-8f57-2a1b3c4d5e6f", owner: "pulumi:proj/dev/klaviyo" };

test("every output is one the shape declares, every `always` output is there, and no key", () => {
  const out = buildOutputs(destination() as unknown as UpstackDestination, validation, { ...inputs, privateApiKey: key } as typeof inputs);
  for (const name of Object.keys(out)) expect(OUTPUT_NAMES).toContain(name);
  for (const name of OUTPUT_NAMES) if (DESTINATION_OUTPUTS[name].presence === "always") expect(out).toHaveProperty(name);
  expect(JSON.stringify(out)).not.toContain(key.slice(3));
  expect(out).toMatchObject({
    destinationId: "dst_unit0000000000000001",
    klaviyoAccountName: "Acme",
    klaviyoKeyId: "k0",
    klaviyoKeyName: "UpstackData",
    rotatedAt: "2026-12-01T00:00:00.000Z",
    etag: '"v1"',
  });
});

test("optional outputs are left out when unknown; Upstack's facts win over the inputs'", () => {
  const bare = buildOutputs(
    destination({ klaviyoAccountId: null }) as unknown as UpstackDestination,
    { ...validation, accountName: undefined, keyId: undefined, keyName: undefined },
    inputs,
  );
  expect(bare).not.toHaveProperty("klaviyoAccountName");
  expect(bare).not.toHaveProperty("klaviyoKeyId");
  expect(bare).not.toHaveProperty("klaviyoKeyName");
  expect(bare).not.toHaveProperty("statusReason");
  expect(bare).not.toHaveProperty("publicApiKey");
  expect(bare).not.toHaveProperty("scopes");
  expect(bare.klaviyoAccountId).toBe("AbC123");
  const unhealthy = buildOutputs(destination({ status: "unhealthy", statusReason: "Klaviyo answered 401" }) as unknown as UpstackDestination, validation, {
    ...inputs,
    scopes: ["events:write"],
  });
  expect(unhealthy).toMatchObject({ status: "unhealthy", statusReason: "Klaviyo answered 401", scopes: ["events:write"] });
});
