/**
 * The emulator (standing in for Klaviyo and Upstack) is restarted
 * mid-scenario from its state file: nothing is lost, and the stack carries on.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { keyFingerprint } from "../../provider/fingerprint";
import { Engine } from "@upstack-klaviyo/engine-driver";

jest.setTimeout(90_000);

const PROGRAM = join(__dirname, "..", "..", "examples", "basic");
let dir: string;
let emu: RunningEmulator | undefined;
const engines: Engine[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "restart-"));
});
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.dispose()));
  await emu?.close();
  rmSync(dir, { recursive: true, force: true });
});

test("create, restart the services, then no-op, rotate, refresh and destroy", async () => {
  const stateFile = join(dir, "emulator.json");
  emu = await startEmulator({ stateFile, klaviyo: { rateLimits: false } });
  const port = emu.port;
  const { account, key } = await emu.admin.createKlaviyoAccountWithKey({ name: "Restart Co" });
  const next = await emu.admin.createKlaviyoKey({ accountId: account.id });
  const pixelId = "0f6f1f2e-3d4c-4b5a-9a8b-7c6d5e4f3a2b";
  const upstack = await emu.admin.createUpstackKey({ pixelId });
  const make = (privateKey: string) => {
    const e = new Engine({
      programDir: PROGRAM,
      stateFile: join(dir, "stack.json"),
      env: { UPSTACK_KLAVIYO_QUIET: "1" },
      config: {
        upstackPixelId: pixelId,
        klaviyoPrivateKey: { secret: privateKey },
        "upstack:apiKey": { secret: upstack.apiKey },
        "upstack:apiUrl": `http://127.0.0.1:${port}`,
        "upstack:klaviyoApiUrl": `http://127.0.0.1:${port}`,
      },
    });
    engines.push(e);
    return e;
  };

  expect((await make(key.key).up()).ok).toBe(true);
  const before = await emu.admin.getDestination(pixelId);
  await emu.close();

  emu = await startEmulator({ stateFile, port, klaviyo: { rateLimits: false } });
  expect(await emu.admin.getDestination(pixelId)).toEqual(before);

  const noop = await make(key.key).up();
  expect(noop.changeSummary).toMatchObject({ same: 1, create: 0, update: 0 });
  expect(emu.requests()).toHaveLength(0);

  const rotate = await make(next.key).up();
  expect(rotate.changeSummary.update).toBe(1);
  await emu.close();

  emu = await startEmulator({ stateFile, port, klaviyo: { rateLimits: false } });
  const held = await emu.admin.getDestination(pixelId);
  expect(held).toMatchObject({ id: before!.id, keyFingerprint: keyFingerprint(next.key) });
  const refresh = await make(next.key).refresh();
  expect(refresh.ok).toBe(true);
  expect(refresh.resources.find((r) => r.type.includes("UpstackKlaviyoDestination"))?.id).toBe(before!.id);
  expect((await make(next.key).destroy()).ok).toBe(true);
  expect(await emu.admin.listDestinations()).toHaveLength(0);
});
