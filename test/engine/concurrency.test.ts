/**
 * Concurrency through one real provider host: 200 destinations created, then
 * rotated, then deleted, all in parallel over gRPC, as an engine with
 * `--parallel 200` would drive it. Klaviyo's documented rate limits are on.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { ContractWatch } from "../support/contract-watch";
import { keyFingerprint } from "../../provider/fingerprint";
import { PROVIDER_TEXT, RESOURCE_TYPE } from "../../sdk/provider-shim";
import { findSecrets, ProviderHost, type JsonObject } from "@upstack-klaviyo/engine-driver";

jest.setTimeout(120_000);

const N = 200;
let emu: RunningEmulator;
let host: ProviderHost;

// Every Upstack request the provider sends, and every answer, under contention.
const contract = new ContractWatch();

beforeAll(async () => {
  emu = await startEmulator({ upstack: { rateLimitPerMinute: false, observe: contract.observe } });
});
afterAll(async () => {
  await host?.stop();
  await emu.close();
  contract.assertClean();
});

test(`${N} destinations created, rotated and deleted in parallel through one host`, async () => {
  const { account, key } = await emu.admin.createKlaviyoAccountWithKey({ name: "Many Stores" });
  const next = await emu.admin.createKlaviyoKey({ accountId: account.id });
  const pixels = Array.from({ length: N }, () => randomUUID());
  const upstackKeys = await Promise.all(pixels.map((pixelId) => emu.admin.createUpstackKey({ pixelId })));
  const keyMap = Object.fromEntries(upstackKeys.map((k) => [k.pixelId, k.apiKey]));

  host = new ProviderHost({ cwd: join(__dirname, "..", "..", "examples", "basic"), timeoutMs: 60_000, env: { UPSTACK_KLAVIYO_QUIET: "1" } });
  await host.start();
  await host.configure({ "upstack:apiKeys": JSON.stringify(keyMap), "upstack:apiUrl": emu.url, "upstack:klaviyoApiUrl": emu.url });
  emu.clearRequests();

  const urn = (i: number) => `urn:pulumi:dev::many::${RESOURCE_TYPE}::store-${i}`;
  const news = (i: number, privateApiKey: string): JsonObject => ({
    __provider: PROVIDER_TEXT,
    pixelId: pixels[i]!,
    privateApiKey,
    owner: `pulumi:many/dev/store-${i}`,
  });

  // Create: check then create, all at once.
  const created = await Promise.all(
    pixels.map(async (_, i) => {
      const checked = await host.check(urn(i), `store-${i}`, RESOURCE_TYPE, {}, news(i, key.key));
      expect(checked.failures).toEqual([]);
      const res = await host.create(urn(i), `store-${i}`, RESOURCE_TYPE, checked.inputs);
      return { inputs: checked.inputs, ...res };
    }),
  );
  let dests = await emu.admin.listDestinations();
  expect(dests).toHaveLength(N);
  expect(new Set(dests.map((d) => d.owner)).size).toBe(N);
  expect(dests.every((d) => d.keyFingerprint === keyFingerprint(key.key))).toBe(true);
  const createRequests = emu.requests();
  expect(createRequests.filter((r) => r.path === "/api/accounts/")).toHaveLength(1);
  expect(createRequests.filter((r) => r.service === "upstack")).toHaveLength(N);
  emu.clearRequests();

  // Rotate every destination to the new key, all at once.
  const rotated = await Promise.all(
    created.map(async (c, i) => {
      const checked = await host.check(urn(i), `store-${i}`, RESOURCE_TYPE, c.inputs, news(i, next.key));
      expect(checked.failures).toEqual([]);
      const diff = await host.diff(urn(i), `store-${i}`, RESOURCE_TYPE, c.id, c.properties, checked.inputs, c.inputs, []);
      expect(diff).toMatchObject({ changes: "some", replaces: [] });
      return host.update(urn(i), `store-${i}`, RESOURCE_TYPE, c.id, c.properties, checked.inputs, c.inputs, []);
    }),
  );
  dests = await emu.admin.listDestinations();
  expect(dests).toHaveLength(N);
  expect(dests.every((d) => d.keyFingerprint === keyFingerprint(next.key))).toBe(true);
  expect(rotated.every((r, i) => r.properties["keyFingerprint"] === keyFingerprint(next.key) && r.properties["destinationId"] === created[i]!.id)).toBe(true);
  expect(emu.requests().filter((r) => r.path === "/api/accounts/")).toHaveLength(1);
  expect(emu.requests().filter((r) => r.status === 429 || r.status === null)).toEqual([]);

  // Delete them all at once.
  await Promise.all(created.map((c, i) => host.delete(urn(i), `store-${i}`, RESOURCE_TYPE, c.id, rotated[i]!.properties, c.inputs)));
  expect(await emu.admin.listDestinations()).toHaveLength(0);

  const secrets = [key.key, next.key, ...upstackKeys.map((k) => k.apiKey)];
  expect(findSecrets([host.output, JSON.stringify(created.map((c) => c.properties)), JSON.stringify(rotated)], secrets)).toEqual([]);
});
