/**
 * The serialized provider names no path: state written from one checkout
 * works from another. The stack is created from examples/basic, then
 * refreshed and destroyed from a different directory whose node_modules
 * holds the package, as another checkout of the infrastructure repo would.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { Engine } from "@upstack-klaviyo/engine-driver";

jest.setTimeout(120_000);

const REPO = resolve(__dirname, "..", "..");
let emu: RunningEmulator;
let dir: string;
const engines: Engine[] = [];

beforeAll(async () => {
  emu = await startEmulator({ klaviyo: { rateLimits: false } });
  dir = mkdtempSync(join(tmpdir(), "other-checkout-"));
});
afterAll(async () => {
  await Promise.all(engines.map((e) => e.dispose()));
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
});

test("state created in one checkout is refreshed and destroyed from another", async () => {
  const { key } = await emu.admin.createKlaviyoAccountWithKey({});
  const pixelId = "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d";
  const upstack = await emu.admin.createUpstackKey({ pixelId });
  const stateFile = join(dir, "state.json");
  const options = (programDir: string) => ({
    programDir,
    stateFile,
    project: "upstack-klaviyo-basic",
    env: { UPSTACK_KLAVIYO_QUIET: "1" },
    config: {
      upstackPixelId: pixelId,
      klaviyoPrivateKey: { secret: key.key },
      "upstack:apiKey": { secret: upstack.apiKey },
      "upstack:apiUrl": emu.url,
      "upstack:klaviyoApiUrl": emu.url,
    },
  });
  const first = new Engine(options(join(REPO, "examples", "basic")));
  engines.push(first);
  expect((await first.up()).ok).toBe(true);
  expect(readFileSync(stateFile, "utf8")).not.toContain(REPO);

  // Another checkout: a different directory, with the package installed in its node_modules.
  const other = join(dir, "checkout-b");
  mkdirSync(join(other, "node_modules", "@pulumi"), { recursive: true });
  symlinkSync(REPO, join(other, "node_modules", "pulumi-upstack-klaviyo"));
  symlinkSync(join(REPO, "node_modules", "@pulumi", "pulumi"), join(other, "node_modules", "@pulumi", "pulumi"));
  const second = new Engine(options(other));
  engines.push(second);
  const refresh = await second.refresh();
  expect(refresh.ok).toBe(true);
  expect(refresh.calls.filter((c) => c.method === "Read" && c.ok)).toHaveLength(1);
  const destroy = await second.destroy();
  expect(destroy.ok).toBe(true);
  expect(await emu.admin.listDestinations()).toHaveLength(0);
});
