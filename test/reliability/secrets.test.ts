/**
 * No credential ever leaves the provider: a whole lifecycle and a series of
 * failing calls, with everything written to stdout/stderr captured, and every
 * result, failure, error (message, stack, causes, properties) scanned for the
 * Klaviyo and Upstack keys — whole, without prefix, and every 10-character window.
 */
import * as provider from "../../provider";
import { checked, configureProvider, inputsFor, rejectionOf, startWorld, type World } from "../support/world";
import { assertNoLeak, describeAll, setEnv } from "./support";

let world: World;
let restoreEnv: () => void = () => undefined;
let written: string[] = [];
const collected: unknown[] = [];
let spies: jest.SpyInstance[] = [];

beforeEach(async () => {
  restoreEnv = setEnv({
    UPSTACK_KLAVIYO_QUIET: undefined,
    UPSTACK_KLAVIYO_TIMEOUT_MS: undefined,
    UPSTACK_KLAVIYO_DEADLINE_MS: undefined,
    UPSTACK_API_KEY: undefined,
    UPSTACK_API_KEYS: undefined,
  });
  world = await startWorld({ klaviyo: { rateLimits: false }, upstack: { rateLimitPerMinute: false } });
  written = [];
  collected.length = 0;
  const capture = (chunk: unknown): boolean => {
    written.push(typeof chunk === "string" ? chunk : Buffer.isBuffer(chunk) ? chunk.toString("utf8") : String(chunk));
    return true;
  };
  spies = [
    jest.spyOn(process.stderr, "write").mockImplementation(capture as never),
    jest.spyOn(process.stdout, "write").mockImplementation(capture as never),
    ...(["log", "info", "warn", "error", "debug"] as const).map((m) =>
      jest.spyOn(console, m).mockImplementation((...args: unknown[]) => void written.push(args.map(String).join(" "))),
    ),
  ];
});
afterEach(async () => {
  for (const s of spies) s.mockRestore();
  spies = [];
  world.emu.faults.clear();
  await world.close();
  restoreEnv();
  await configureProvider({});
});

/**
 * Keeps a value for the final scan and returns it. Check results are kept as
 * their failures only: the inputs check hands back legitimately carry the key
 * (the engine stores them as secrets).
 */
function keepCheck<T extends { failures?: unknown }>(res: T): T {
  collected.push(res.failures ?? []);
  return res;
}
/** Keeps a value for the final scan and returns it. */
function keep<T>(v: T): T {
  collected.push(v);
  return v;
}
async function failure(p: Promise<unknown>): Promise<Error & { code?: string }> {
  return keep(await rejectionOf(p));
}
function scanAll(): void {
  const haystack = [written.join(""), ...collected.map(describeAll), JSON.stringify(world.emu.requests())].join("\n");
  assertNoLeak(haystack, world.secrets());
}

test("a whole lifecycle, with retries logged, leaks no key anywhere", async () => {
  const owner = "pulumi:proj/dev/klaviyo";
  // Transient faults so the retry progress lines are written to stderr.
  world.emu.faults.add({ service: "upstack", method: "PUT", times: 1, fault: { kind: "status", status: 500 } });
  world.emu.faults.add({ service: "klaviyo", path: "/api/accounts/", times: 1, fault: { kind: "status", status: 503, retryAfter: 0 } });

  const checkedInputs = await checked({}, inputsFor(world, { owner }));
  const created = keep(await provider.create(checkedInputs));
  const outs = created.outs as Record<string, unknown>;
  keep(await provider.diff(created.id, outs, checkedInputs));

  const next = world.remember((await world.emu.admin.createKlaviyoKey({ accountId: world.account.id })).key);
  const news = await checked(outs, inputsFor(world, { owner, privateApiKey: next }));
  keep(await provider.diff(created.id, outs, news));
  const updated = keep(await provider.update(created.id, outs, news));
  const read = keep(await provider.read(created.id, updated.outs as Record<string, unknown>));
  keepCheck(await provider.check(read.inputs ?? {}, news));
  await provider.delete(created.id, read.props ?? {});
  expect(await world.emu.admin.listDestinations()).toHaveLength(0);

  expect(written.join("")).toMatch(/\[pulumi-upstack-klaviyo\] info: .*retrying/);
  scanAll();
});

test("failing calls: revoked key, wrong account, malformed keys, Upstack 401, outages — no key in any failure, error or log line", async () => {
  const base = inputsFor(world, { enabled: true, label: "UpstackData", adopt: false });

  // A destination to act on later.
  const created = keep(await provider.create(await checked({}, inputsFor(world))));
  const outs = created.outs as Record<string, unknown>;

  // Malformed keys that contain the real key (a paste with a space, a doubled paste).
  for (const bad of [`${world.key.key.slice(0, 20)} ${world.key.key.slice(20)}`, `${world.key.key}${world.key.key}`, ` ${world.key.key}\tx`]) {
    world.remember(bad.trim());
    const res = keepCheck(await provider.check({}, { ...base, privateApiKey: bad }));
    expect(res.failures?.[0]?.property).toBe("privateApiKey");
    keep(await failure(provider.create({ ...base, privateApiKey: bad })));
  }

  // Wrong account.
  const mismatch = keepCheck(await provider.check({}, { ...base, publicApiKey: "ZzZ999" }));
  expect(mismatch.failures?.[0]?.property).toBe("publicApiKey");
  expect((await failure(provider.create({ ...base, publicApiKey: "ZzZ999" }))).code).toBe("klaviyo_account_mismatch");

  // A revoked Klaviyo key: check, create, and a rotation to it.
  const revoked = await world.emu.admin.createKlaviyoKey({ accountId: world.account.id });
  world.remember(revoked.key);
  await world.emu.admin.revokeKlaviyoKey(revoked.id);
  keepCheck(await provider.check({}, { ...base, privateApiKey: revoked.key }));
  expect((await failure(provider.create({ ...base, privateApiKey: revoked.key }))).code).toBe("klaviyo_key_invalid");
  expect((await failure(provider.update(created.id, outs, { ...base, privateApiKey: revoked.key }))).code).toBe("klaviyo_key_invalid");

  // A key disabled between check and create: Upstack reports it unhealthy → a partial create carrying outputs.
  const flaky = await world.emu.admin.createKlaviyoKey({ accountId: world.account.id });
  world.remember(flaky.key);
  const otherPixel = (await world.emu.admin.createUpstackKey({ pixelId: "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f" })).apiKey;
  world.remember(otherPixel);
  const flakyInputs = await checked({}, { ...base, pixelId: "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f", privateApiKey: flaky.key, upstackApiKey: otherPixel });
  await world.emu.admin.setKlaviyoKeyDisabled(flaky.id, true);
  const partial = await failure(provider.create(flakyInputs));
  expect(partial).toMatchObject({ id: expect.stringMatching(/./), properties: expect.any(Object) });

  // Upstack 401: a well-formed but unknown per-resource key, and a revoked default key.
  const unknownUpstack = world.remember("upstack_" + "feedface".repeat(5));
  expect((await failure(provider.create({ ...base, upstackApiKey: unknownUpstack }))).code).toBe("upstack_unauthorized");
  const [k] = await world.emu.admin.listUpstackKeys();
  await world.emu.admin.revokeUpstackKey(k!.id);
  expect((await failure(provider.create(base))).code).toBe("upstack_unauthorized");
  expect((await failure(provider.read(created.id, outs))).code).toBe("upstack_unauthorized");
  expect((await failure(provider.update(created.id, outs, { ...base, label: "x" }))).code).toBe("upstack_unauthorized");
  expect((await failure(provider.delete(created.id, outs))).code).toBe("upstack_unauthorized");

  // Outages: persistent Klaviyo 500 in check and create, a hanging Upstack.
  process.env["UPSTACK_KLAVIYO_TIMEOUT_MS"] = "200";
  process.env["UPSTACK_KLAVIYO_DEADLINE_MS"] = "600";
  const fresh = world.remember((await world.emu.admin.createKlaviyoKey({ accountId: world.account.id })).key);
  await configureProvider(world.config);
  const klaviyoDown = world.emu.faults.add({ service: "klaviyo", times: 0, fault: { kind: "status", status: 500 } });
  keepCheck(await provider.check({}, { ...base, privateApiKey: fresh }));
  expect((await failure(provider.create({ ...base, privateApiKey: fresh }))).code).toBe("klaviyo_inconclusive");
  world.emu.faults.remove(klaviyoDown.id);
  world.emu.faults.add({ service: "upstack", times: 0, fault: { kind: "hang" } });
  expect(
    (await failure(provider.create({ ...base, privateApiKey: fresh, upstackApiKey: otherPixel, pixelId: "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f", adopt: true })))
      .code,
  ).toBe("http_timeout");
  world.emu.faults.clear();

  // Malformed per-pixel key map in configuration, holding a real key.
  await configureProvider({ ...world.config, "upstack:apiKeys": `{"${world.pixelId}": "${world.upstackKey}",` });
  expect((await failure(provider.read(created.id, outs))).code).toBe("config_invalid");

  scanAll();
});

test("a destination taken over by another stack: delete warns on stderr without any key", async () => {
  const created = await provider.create(await checked({}, inputsFor(world)));
  await world.emu.admin.patchDestination(world.pixelId, { owner: "pulumi:proj/other/klaviyo" });
  await provider.delete(created.id, created.outs as Record<string, unknown>);
  expect(written.join("")).toMatch(/\[pulumi-upstack-klaviyo\] warning: .*managed by someone else/);
  keep(created);
  scanAll();
});

test("the scan itself is sensitive: an 11-character piece of a key in a log line is caught", () => {
  expect(() => assertNoLeak(`[pulumi-upstack-klaviyo] info: ${world.key.key.slice(9, 20)}`, world.secrets())).toThrow(/secret leak: secret #0/);
  expect(() => assertNoLeak(`x-api-key ${world.upstackKey.slice(8)}`, world.secrets())).toThrow(/secret leak: secret #1/);
  expect(() => assertNoLeak(`pk_...${world.key.key.slice(-4)} sha256:00`, world.secrets())).not.toThrow();
});
