/**
 * Progress people can see: when Klaviyo throttles, the provider host says what it is waiting for
 * and how long (on stderr, which the engine shows; a dynamic provider host has no engine
 * connection for pulumi.log), without any key, and without flooding.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { Engine, findSecrets } from "@upstack-klaviyo/engine-driver";

jest.setTimeout(120_000);

let emu: RunningEmulator;
let dir: string;
const engines: Engine[] = [];
beforeAll(async () => {
  emu = await startEmulator({});
  dir = mkdtempSync(join(tmpdir(), "progress-"));
});
afterAll(async () => {
  await Promise.all(engines.map((e) => e.dispose()));
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A stack of examples/basic against the emulator, with a fresh key and pixel. */
async function basicStack(stateName: string, env: Record<string, string> = {}) {
  const { key } = await emu.admin.createKlaviyoAccountWithKey({});
  const pixelId = randomUUID();
  const upstack = await emu.admin.createUpstackKey({ pixelId });
  const engine = new Engine({
    programDir: join(__dirname, "..", "..", "examples", "basic"),
    stateFile: join(dir, stateName),
    env,
    config: {
      upstackPixelId: pixelId,
      klaviyoPrivateKey: { secret: key.key },
      "upstack:apiKey": { secret: upstack.apiKey },
      "upstack:apiUrl": emu.url,
      "upstack:klaviyoApiUrl": emu.url,
    },
  });
  engines.push(engine);
  return { engine, secrets: [key.key, upstack.apiKey] };
}

test("a throttled validation says what it waits for and for how long", async () => {
  const { engine, secrets } = await basicStack("state.json");
  emu.faults.add({ service: "klaviyo", path: "/api/accounts/", times: 2, fault: { kind: "status", status: 429, retryAfter: 1 } });
  const run = await engine.up();
  expect(run.ok).toBe(true);
  const lines = run.hostOutput.split("\n").filter((l) => l.startsWith("[pulumi-upstack-klaviyo]"));
  expect(lines).toEqual([
    expect.stringMatching(/^\[pulumi-upstack-klaviyo\] info: klaviyo: GET \/api\/accounts\/ got HTTP 429; retrying in 1\.\d s \(attempt 2\)\.$/),
    expect.stringMatching(/^\[pulumi-upstack-klaviyo\] info: klaviyo: GET \/api\/accounts\/ got HTTP 429; retrying in 1\.\d s \(attempt 3\)\.$/),
  ]);
  expect(findSecrets([run.hostOutput], secrets)).toEqual([]);
});

test("Upstack not answering: up fails with a clear reason from the real host (not a crash in error handling)", async () => {
  const { engine, secrets } = await basicStack("hang.json", {
    UPSTACK_KLAVIYO_TIMEOUT_MS: "200",
    UPSTACK_KLAVIYO_DEADLINE_MS: "700",
    UPSTACK_KLAVIYO_QUIET: "1",
  });
  const rule = emu.faults.add({ service: "upstack", method: "PUT", times: 0, fault: { kind: "hang" } });
  try {
    const run = await engine.up();
    expect(run.ok).toBe(false);
    expect(run.errors.join("\n")).toMatch(/upstack did not answer PUT \/destinations\/api\/klaviyo in time \(\d attempt\(s\), 200 ms each, 700 ms deadline\)/);
    expect(run.errors.join("\n")).not.toMatch(/TypeError|only a getter/);
    expect(findSecrets([run.hostOutput, ...run.errors], secrets)).toEqual([]);
  } finally {
    emu.faults.remove(rule.id);
  }
});

test("Klaviyo not answering: preview fails with the reason on privateApiKey, from the real host", async () => {
  const { engine, secrets } = await basicStack("klaviyo-hang.json", {
    UPSTACK_KLAVIYO_TIMEOUT_MS: "200",
    UPSTACK_KLAVIYO_DEADLINE_MS: "700",
    UPSTACK_KLAVIYO_QUIET: "1",
  });
  const rule = emu.faults.add({ service: "klaviyo", path: "/api/accounts/", times: 0, fault: { kind: "hang" } });
  try {
    const run = await engine.preview();
    expect(run.ok).toBe(false);
    expect(run.checkFailures).toEqual([
      expect.objectContaining({
        property: "privateApiKey",
        reason: expect.stringMatching(/^privateApiKey: could not validate the key pk_\.\.\.\w{4}: klaviyo did not answer GET \/api\/accounts\/ in time/),
      }),
    ]);
    expect(findSecrets([run.hostOutput, ...run.errors], secrets)).toEqual([]);
  } finally {
    emu.faults.remove(rule.id);
  }
});
