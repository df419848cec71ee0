// The plugin server prints the handshake line before it loads gRPC: a connection that arrives
// before gRPC is ready waits (paused) and is served over mutual TLS once it is. A real gRPC client
// with its own certificate, as Terraform connects, calls GetProviderSchema of the real provider.
import * as grpc from "@grpc/grpc-js";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, servePlugin, type LoadedPlugin } from "../../provider/terraform/plugin-server";
import { loadPlugin } from "../../provider/terraform/plugin-runtime";
import { createSelfSignedCertificate } from "../../provider/terraform/self-signed-cert";
import { pluginClient } from "./plugin-client";

jest.setTimeout(60_000);

test("a call made before gRPC is loaded waits for it and is answered over mutual TLS", async () => {
  const terraform = createSelfSignedCertificate();
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let loaded = false;
  const lines: string[] = [];
  const running = await servePlugin({
    load: async (): Promise<LoadedPlugin> => {
      await gate;
      loaded = true;
      return loadPlugin();
    },
    env: { [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: "6", PLUGIN_CLIENT_CERT: terraform.certPem },
    writeHandshake: (line) => lines.push(line),
    onShutdown: () => undefined,
  });
  try {
    expect(lines).toEqual([`${running.handshake}\n`]);
    expect(running.handshake).toMatch(/^1\|6\|unix\|\/[^|]+\/plugin\.sock\|grpc\|[A-Za-z0-9+/]+$/);
    const c = pluginClient(running.handshake, terraform);
    const answer = c.call("GetProviderSchema");
    // The client connects while gRPC is still not loaded; then loading is let go.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(loaded).toBe(false);
    release();
    await running.ready;
    const schema = await answer;
    expect(Object.keys(schema["resource_schemas"] as object)).toEqual(["upstack_klaviyo_destination"]);
    c.close();

    // A client without Terraform's certificate is refused.
    const stranger = pluginClient(running.handshake, terraform, { certificate: false });
    await expect(stranger.call("GetProviderSchema")).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    stranger.close();
  } finally {
    release();
    await running.stop();
  }
});

test("plugin.GRPCController/Shutdown is answered, then the server stops and onShutdown runs", async () => {
  const terraform = createSelfSignedCertificate();
  let shutdown: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (shutdown = resolve));
  const running = await servePlugin({
    load: async () => loadPlugin(),
    env: { [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: "6", PLUGIN_CLIENT_CERT: terraform.certPem },
    writeHandshake: () => undefined,
    onShutdown: () => shutdown(),
  });
  try {
    await running.ready;
    const controller = pluginClient(running.handshake, terraform, { service: "controller" });
    const answer = await controller.call("Shutdown");
    expect(answer).toEqual({});
    await stopped;
    controller.close();
  } finally {
    await running.stop();
  }
});

/** Serves the real provider with `env` added to the plugin environment; returns the running server and Terraform's certificate. */
async function serveWith(env: NodeJS.ProcessEnv, platform?: NodeJS.Platform) {
  const terraform = createSelfSignedCertificate();
  const running = await servePlugin({
    load: async () => loadPlugin(),
    env: { [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: "6", PLUGIN_CLIENT_CERT: terraform.certPem, ...env },
    writeHandshake: () => undefined,
    onShutdown: () => undefined,
    ...(platform === undefined ? {} : { platform }),
  });
  await running.ready;
  return { running, terraform };
}

describe("where the plugin listens", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  const tempDir = (): string => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), "upstack-sockdir-"));
    dirs.push(d);
    return d;
  };

  test("a Unix socket in a folder of its own under PLUGIN_UNIX_SOCKET_DIR that only this user can enter, removed when the server stops", async () => {
    const base = tempDir();
    const { running, terraform } = await serveWith({ PLUGIN_UNIX_SOCKET_DIR: base });
    const socket = running.handshake.split("|")[3]!;
    expect(running.handshake.split("|")[2]).toBe("unix");
    expect(path.dirname(path.dirname(socket))).toBe(base);
    expect(fs.statSync(path.dirname(socket)).mode & 0o777).toBe(0o700);
    expect(fs.statSync(socket).isSocket()).toBe(true);
    const c = pluginClient(running.handshake, terraform);
    expect(Object.keys((await c.call("GetProviderSchema"))["resource_schemas"] as object)).toEqual(["upstack_klaviyo_destination"]);
    c.close();
    await running.stop();
    expect(fs.readdirSync(base)).toEqual([]);
  });

  test.each([
    ["Windows", {}, "win32" as const],
    ["a socket path too long for a socket address", { PLUGIN_UNIX_SOCKET_DIR: path.join(os.tmpdir(), "x".repeat(90)) }, undefined],
    ["a PLUGIN_UNIX_SOCKET_DIR that does not exist", { PLUGIN_UNIX_SOCKET_DIR: path.join(os.tmpdir(), "upstack-no-such-dir", "below") }, undefined],
  ])("%s: a loopback TCP port instead, still served", async (_what, env, platform) => {
    const { running, terraform } = await serveWith(env, platform);
    try {
      expect(running.handshake).toMatch(/^1\|6\|tcp\|127\.0\.0\.1:\d+\|grpc\|[A-Za-z0-9+/]+$/);
      const c = pluginClient(running.handshake, terraform);
      expect(Object.keys((await c.call("GetProviderSchema"))["resource_schemas"] as object)).toEqual(["upstack_klaviyo_destination"]);
      c.close();
    } finally {
      await running.stop();
    }
  });

  test("on TCP, a port of go-plugin's PLUGIN_MIN_PORT-PLUGIN_MAX_PORT; when all the range's ports are taken, any free port", async () => {
    const base = 47100 + Math.floor(Math.random() * 500);
    const tooLong = { PLUGIN_UNIX_SOCKET_DIR: path.join(os.tmpdir(), "x".repeat(90)) };
    const inRange = await serveWith({ ...tooLong, PLUGIN_MIN_PORT: String(base), PLUGIN_MAX_PORT: String(base + 19) });
    try {
      const port = Number(inRange.running.handshake.split("|")[3]!.split(":")[1]);
      expect(port).toBeGreaterThanOrEqual(base);
      expect(port).toBeLessThanOrEqual(base + 19);
      // A range of one port, and that port is the one just taken: another plugin still starts.
      const other = await serveWith({ ...tooLong, PLUGIN_MIN_PORT: String(port), PLUGIN_MAX_PORT: String(port) });
      try {
        expect(other.running.handshake).toMatch(/^1\|6\|tcp\|127\.0\.0\.1:\d+\|/);
        expect(other.running.handshake.split("|")[3]).not.toBe(`127.0.0.1:${port}`);
        const c = pluginClient(other.running.handshake, other.terraform);
        expect(Object.keys((await c.call("GetProviderSchema"))["resource_schemas"] as object)).toEqual(["upstack_klaviyo_destination"]);
        c.close();
      } finally {
        await other.running.stop();
      }
    } finally {
      await inRange.running.stop();
    }
  });
});
