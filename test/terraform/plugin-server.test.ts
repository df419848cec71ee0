// The plugin server prints the handshake line before it loads gRPC: a connection that arrives
// before gRPC is ready waits (paused) and is served over mutual TLS once it is. A real gRPC client
// with its own certificate, as Terraform connects, calls GetProviderSchema of the real provider.
import * as grpc from "@grpc/grpc-js";
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, servePlugin, type LoadedPlugin } from "../../provider/terraform/plugin-server";
import { loadPlugin } from "../../provider/terraform/plugin-runtime";
import { loadProtocol } from "../../provider/terraform/protocol";
import { createSelfSignedCertificate } from "../../provider/terraform/self-signed-cert";

jest.setTimeout(60_000);

type Call = (request: object, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, response?: Record<string, unknown>) => void) => void;

function client(
  handshake: string,
  own: { keyPem: string; certPem: string },
  certificate = true,
): { call: (method: string) => Promise<Record<string, unknown>>; close: () => void } {
  const [, , , address, , certField] = handshake.split("|");
  const serverCert = `-----BEGIN CERTIFICATE-----\n${Buffer.from(certField ?? "", "base64").toString("base64")}\n-----END CERTIFICATE-----\n`;
  const credentials = certificate
    ? grpc.credentials.createSsl(Buffer.from(serverCert), Buffer.from(own.keyPem), Buffer.from(own.certPem))
    : grpc.credentials.createSsl(Buffer.from(serverCert));
  const Provider = grpc.makeGenericClientConstructor(loadProtocol().provider, "Provider");
  const stub = new Provider(address ?? "", credentials, { "grpc.ssl_target_name_override": "localhost", "grpc.default_authority": "localhost" });
  const methods = stub as unknown as Record<string, Call>;
  return {
    call: (method) =>
      new Promise((resolve, reject) =>
        methods[method]!.call(stub, {}, { deadline: Date.now() + 15_000 }, (error, response) => (error === null ? resolve(response ?? {}) : reject(error))),
      ),
    close: () => stub.close(),
  };
}

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
    expect(running.handshake).toMatch(/^1\|6\|tcp\|127\.0\.0\.1:\d+\|grpc\|[A-Za-z0-9+/]+$/);
    const c = client(running.handshake, terraform);
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
    const stranger = client(running.handshake, terraform, false);
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
    const [, , , address, , certField] = running.handshake.split("|");
    const serverCert = `-----BEGIN CERTIFICATE-----\n${Buffer.from(certField ?? "", "base64").toString("base64")}\n-----END CERTIFICATE-----\n`;
    const Controller = grpc.makeGenericClientConstructor(loadProtocol().controller, "GRPCController");
    const stub = new Controller(
      address ?? "",
      grpc.credentials.createSsl(Buffer.from(serverCert), Buffer.from(terraform.keyPem), Buffer.from(terraform.certPem)),
      { "grpc.ssl_target_name_override": "localhost", "grpc.default_authority": "localhost" },
    );
    const answer = await new Promise<unknown>((resolve, reject) =>
      (stub as unknown as Record<string, Call>)["Shutdown"]!.call(stub, {}, { deadline: Date.now() + 15_000 }, (error, response) =>
        error === null ? resolve(response) : reject(error),
      ),
    );
    expect(answer).toEqual({});
    await stopped;
    stub.close();
  } finally {
    await running.stop();
  }
});
