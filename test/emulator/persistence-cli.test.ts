import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runEmulatorCli, startEmulator, type RunningEmulator } from "../../emulator";
import { DESTINATION_PATH, call, idemKey, klaviyoGet, upstackHeaders } from "./helpers";

const dir = mkdtempSync(join(tmpdir(), "emu-state-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("persistence", () => {
  it("state survives a stop and start with the same file", async () => {
    const file = join(dir, "nested", "state.json");
    let emu: RunningEmulator = await startEmulator({ stateFile: file, klaviyo: { rateLimits: false } });
    const { account, key } = await emu.admin.createKlaviyoAccountWithKey({ name: "Persisted" });
    const revoked = await emu.admin.createKlaviyoKey({ accountId: account.id });
    await emu.admin.revokeKlaviyoKey(revoked.id);
    const up = await emu.admin.createUpstackKey();
    const idem = idemKey();
    const b = { privateApiKey: key.key, owner: "pulumi:p/s/r", enabled: true, label: "Klaviyo" };
    const created = await call(`${emu.url}${DESTINATION_PATH}`, {
      method: "PUT",
      headers: upstackHeaders(up.apiKey, up.pixelId, { "idempotency-key": idem }),
      body: b,
    });
    expect(created.status).toBe(201);
    await emu.close();

    expect(readdirSync(join(dir, "nested"))).toEqual(["state.json"]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, "utf8")).not.toContain(up.apiKey);

    emu = await startEmulator({ stateFile: file, klaviyo: { rateLimits: false } });
    try {
      expect((await klaviyoGet(emu, "/api/accounts/", key.key)).json.data[0].id).toBe(account.id);
      expect((await klaviyoGet(emu, "/api/accounts/", revoked.key)).status).toBe(401);
      const read = await call(`${emu.url}${DESTINATION_PATH}`, { headers: upstackHeaders(up.apiKey, up.pixelId) });
      expect(read.json).toEqual(created.json);
      const replay = await call(`${emu.url}${DESTINATION_PATH}`, {
        method: "PUT",
        headers: upstackHeaders(up.apiKey, up.pixelId, { "idempotency-key": idem }),
        body: b,
      });
      expect(replay.headers["idempotent-replayed"]).toBe("true");
      expect(replay.status).toBe(201);
    } finally {
      await emu.close();
    }
  });
});

describe("CLI", () => {
  it("runEmulatorCli prints URLs and seeded fake values that work", async () => {
    const lines: string[] = [];
    const emu = await runEmulatorCli(["--port", "0", "--seed", "--state-file", join(dir, "cli.json")], { out: (l) => lines.push(l), handleSignals: false });
    try {
      const text = lines.join("\n");
      expect(text).toContain(`KLAVIYO_API_URL=${emu.url}`);
      expect(text).toContain(`UPSTACK_API_URL=${emu.url}`);
      expect(text).toContain(`${emu.url}/_admin`);
      expect(text).toMatch(/FAKE values, valid only against this emulator/);
      const pk = /private key \(Full Access\): (pk_[0-9a-f]{34})/.exec(text)?.[1];
      const apiKey = /Upstack API key: (upstack_[0-9a-f]{40})/.exec(text)?.[1];
      const pixel = /Upstack pixel id: ([0-9a-f-]{36})/.exec(text)?.[1];
      expect((await klaviyoGet(emu, "/api/accounts/", pk!)).status).toBe(200);
      expect((await call(`${emu.url}${DESTINATION_PATH}`, { headers: upstackHeaders(apiKey!, pixel!) })).status).toBe(404);
    } finally {
      await emu.close();
    }
  });

  it("the cli module stops cleanly on SIGTERM", async () => {
    // The built CLI straight under node (npm test builds first): under tsx, tsx's own signal relay
    // waits ~30 ms for the child and, on a loaded machine, exits 143 before the emulator can stop.
    const child = spawn(process.execPath, [join(__dirname, "../../dist/emulator/cli.js"), "--port", "0"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`CLI did not start/stop in time: ${out}`));
      }, 15_000);
      let sent = false; // one SIGTERM: a second one, after the handler removed itself, would kill it
      child.stdout.on("data", () => {
        if (!sent && out.includes("Admin API")) sent = child.kill("SIGTERM");
      });
      child.on("exit", (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(out).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(out).toContain("Emulator stopped");
    expect(code).toBe(0);
  }, 20_000);
});
