/**
 * Many resources at once, as the engine runs them in parallel: 200
 * destinations created, then all rotated, through the handlers; the
 * emulator's final state must equal the desired state. And two stacks
 * claiming the same pixel at the same moment: exactly one wins.
 */
import { randomUUID } from "node:crypto";
import * as provider from "../../provider";
import { keyFingerprint } from "../../provider/fingerprint";
import { checked, requestCounts, startWorld, type World } from "../support/world";
import { setEnv, since } from "./support";

const N = 200;
const KLAVIYO_KEYS = 4;

let world: World;
let restoreEnv: () => void = () => undefined;
beforeEach(async () => {
  restoreEnv = setEnv({ UPSTACK_KLAVIYO_QUIET: "1", UPSTACK_KLAVIYO_TIMEOUT_MS: undefined, UPSTACK_KLAVIYO_DEADLINE_MS: undefined });
  world = await startWorld({ klaviyo: { rateLimits: false }, upstack: { rateLimitPerMinute: false } });
});
afterEach(async () => {
  await world.close();
  restoreEnv();
});

async function newKlaviyoKey(): Promise<string> {
  return world.remember((await world.emu.admin.createKlaviyoKey({ accountId: world.account.id })).key);
}

interface Res {
  pixelId: string;
  upstackApiKey: string;
  owner: string;
  id?: string;
  outs?: Record<string, unknown>;
  inputs?: Record<string, unknown>;
}

test(`${N} destinations created in parallel, then all rotated in parallel: Upstack ends exactly as desired`, async () => {
  const keys1 = await Promise.all(Array.from({ length: KLAVIYO_KEYS }, newKlaviyoKey));
  const keys2 = await Promise.all(Array.from({ length: KLAVIYO_KEYS }, newKlaviyoKey));
  const resources: Res[] = [];
  for (let i = 0; i < N; i++) {
    const pixelId = randomUUID();
    const k = await world.emu.admin.createUpstackKey({ pixelId });
    resources.push({ pixelId, upstackApiKey: world.remember(k.apiKey), owner: `pulumi:proj/dev/klaviyo-${i}` });
  }
  world.emu.clearRequests();

  // Create: check then create, all at once.
  let start = Date.now();
  await Promise.all(
    resources.map(async (r, i) => {
      r.inputs = await checked({}, { pixelId: r.pixelId, privateApiKey: keys1[i % KLAVIYO_KEYS], owner: r.owner, upstackApiKey: r.upstackApiKey });
      const res = await provider.create(r.inputs);
      r.id = res.id;
      r.outs = res.outs as Record<string, unknown>;
    }),
  );
  const createMs = since(start);
  const afterCreate = requestCounts(world.emu);
  // Validation is shared: each Klaviyo key is asked about once, however many resources use it, and
  // the account's key listing (which shows every key of the account) once for all its keys.
  expect(afterCreate).toEqual({
    "klaviyo GET /api/accounts/": KLAVIYO_KEYS,
    "klaviyo GET /api/api-keys/": 1,
    "upstack PUT /destinations/api/klaviyo": N,
  });
  expect(new Set(resources.map((r) => r.id)).size).toBe(N);

  // Rotate: every resource to its new key, all at once.
  world.emu.clearRequests();
  start = Date.now();
  await Promise.all(
    resources.map(async (r, i) => {
      const news = await checked(r.outs!, { ...r.inputs, privateApiKey: keys2[i % KLAVIYO_KEYS] });
      const res = await provider.update(r.id!, r.outs!, news);
      r.outs = res.outs as Record<string, unknown>;
    }),
  );
  const rotateMs = since(start);
  // The new keys were already in the account's listing fetched at create (it is reused for a while).
  expect(requestCounts(world.emu)).toEqual({
    "klaviyo GET /api/accounts/": KLAVIYO_KEYS,
    "upstack PUT /destinations/api/klaviyo": N,
  });

  // The final state equals the desired state, destination by destination.
  const dests = await world.emu.admin.listDestinations();
  expect(dests).toHaveLength(N);
  const byPixel = new Map(dests.map((d) => [d.pixelId, d]));
  resources.forEach((r, i) => {
    const d = byPixel.get(r.pixelId);
    const want = keyFingerprint(keys2[i % KLAVIYO_KEYS]!);
    expect(d).toMatchObject({ id: r.id, owner: r.owner, keyFingerprint: want, status: "healthy", enabled: true, label: "UpstackData" });
    expect(r.outs).toMatchObject({ destinationId: r.id, keyFingerprint: want, owner: r.owner, etag: d!.etag });
  });
  // Both phases finish promptly (no retries, no serialisation behind one slow request).
  expect(createMs).toBeLessThan(15_000);
  expect(rotateMs).toBeLessThan(15_000);
});

describe("two stacks claim the same pixel at the same moment", () => {
  test("without adopt: exactly one wins; the other gets upstack_owned_by_other; Upstack holds the winner's key (20 rounds)", async () => {
    const keyA = await newKlaviyoKey();
    const keyB = await newKlaviyoKey();
    for (let round = 0; round < 20; round++) {
      const pixelId = randomUUID();
      const upstackApiKey = world.remember((await world.emu.admin.createUpstackKey({ pixelId })).apiKey);
      const a = { pixelId, upstackApiKey, privateApiKey: keyA, owner: "pulumi:proj/stack-a/klaviyo", enabled: true, label: "A", adopt: false };
      const b = { pixelId, upstackApiKey, privateApiKey: keyB, owner: "pulumi:proj/stack-b/klaviyo", enabled: true, label: "B", adopt: false };
      const results = await Promise.allSettled([provider.create(a), provider.create(b)]);
      const won = results.filter((r) => r.status === "fulfilled");
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]!.reason).toMatchObject({ code: "upstack_owned_by_other", property: "adopt" });
      const winner = results[0]!.status === "fulfilled" ? a : b;
      const dest = await world.emu.admin.getDestination(pixelId);
      expect(dest).toMatchObject({ owner: winner.owner, keyFingerprint: keyFingerprint(winner.privateApiKey), label: winner.label });
      expect((won[0] as PromiseFulfilledResult<{ id: string }>).value.id).toBe(dest!.id);
    }
    expect((await world.emu.admin.listDestinations()).length).toBe(20);
  });

  test("with adopt on both: both succeed, and Upstack holds one writer's whole write, never a mix (20 rounds)", async () => {
    const keyA = await newKlaviyoKey();
    const keyB = await newKlaviyoKey();
    for (let round = 0; round < 20; round++) {
      const pixelId = randomUUID();
      const upstackApiKey = world.remember((await world.emu.admin.createUpstackKey({ pixelId })).apiKey);
      const a = { pixelId, upstackApiKey, privateApiKey: keyA, owner: "pulumi:proj/stack-a/klaviyo", enabled: true, label: "A", adopt: true };
      const b = { pixelId, upstackApiKey, privateApiKey: keyB, owner: "pulumi:proj/stack-b/klaviyo", enabled: false, label: "B", adopt: true };
      const [ra, rb] = await Promise.all([provider.create(a), provider.create(b)]);
      expect(ra.id).toBe(rb.id);
      const dest = await world.emu.admin.getDestination(pixelId);
      const writer = dest!.owner === a.owner ? a : b;
      expect(dest).toMatchObject({ owner: writer.owner, keyFingerprint: keyFingerprint(writer.privateApiKey), label: writer.label, enabled: writer.enabled });
    }
  });
});
