/**
 * Serves a gRPC plugin the way HashiCorp's go-plugin expects (what Terraform
 * and OpenTofu use to start providers): checks the magic cookie, negotiates
 * protocol version 6, listens on a loopback port with mutual TLS (the client
 * must present exactly Terraform's certificate from PLUGIN_CLIENT_CERT; a fresh
 * self-signed server certificate), then prints the one handshake line on
 * stdout: `1|6|tcp|127.0.0.1:PORT|grpc|<base64 DER of the server certificate>`.
 * `plugin.GRPCController/Shutdown` ends the process.
 *
 * The handshake line is printed as soon as the port listens (a plain `net`
 * listener, which costs nothing to load) and the certificate exists; gRPC,
 * the protocol definitions and the provider are loaded after it, while
 * Terraform reads the line and dials. Connections accepted before gRPC is
 * ready wait paused (`pauseOnConnect`) and are handed to the gRPC server
 * (grpc-server.ts, on `node:http2`) as they are, so no byte is read before
 * TLS takes over.
 */
import * as net from "node:net";
import type { GrpcServerOptions, ServiceImplementation, UnaryGrpcServer } from "./grpc-server";
import type { ProtocolServices } from "./protocol";
import { createSelfSignedCertificate } from "./self-signed-cert";

/** Terraform's go-plugin handshake cookie (the same for every Terraform provider). */
export const MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE";
/** Its value. */
export const MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/** go-plugin's core protocol version (first field of the handshake line). */
export const CORE_PROTOCOL_VERSION = 1;
/** The Terraform plugin protocol this provider speaks. */
export const APP_PROTOCOL_VERSION = 6;

/** Why the process cannot serve as a plugin. */
export class PluginStartError extends Error {}

/** What the server needs once the handshake line is out: the gRPC server, the protocol's services and the provider. */
export interface LoadedPlugin {
  /** Makes the gRPC server (grpc-server.ts's {@link UnaryGrpcServer}). */
  readonly createServer: (options: GrpcServerOptions) => UnaryGrpcServer;
  /** The protocol's services. */
  readonly services: ProtocolServices;
  /** The `tfplugin6.Provider` implementation. */
  readonly provider: ServiceImplementation;
}

/** What {@link servePlugin} needs. */
export interface ServeOptions {
  /** Loads gRPC, the protocol and the provider; called after the handshake line is written. */
  readonly load: () => Promise<LoadedPlugin>;
  /** The environment (cookie, PLUGIN_PROTOCOL_VERSIONS, PLUGIN_CLIENT_CERT). */
  readonly env: NodeJS.ProcessEnv;
  /** Where the handshake line goes (stdout). */
  readonly writeHandshake: (line: string) => void;
  /** Called once the controller's Shutdown arrives, after the server stopped. */
  readonly onShutdown: () => void;
}

/** A running plugin server. */
export interface RunningPlugin {
  /** The handshake line printed. */
  readonly handshake: string;
  /** Resolves when gRPC serves the port (rejects if loading failed). */
  readonly ready: Promise<void>;
  /** Stops the server. */
  stop(): Promise<void>;
}

/** Checks the handshake environment; throws {@link PluginStartError} with what to do. */
export function checkPluginEnvironment(env: NodeJS.ProcessEnv): void {
  if (env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
    throw new PluginStartError(
      "This is a Terraform provider plugin (terraform-provider-upstack): Terraform or OpenTofu starts it. Do not run it directly; see the README's Terraform section for dev_overrides and filesystem_mirror set-ups.",
    );
  }
  const versions = (env["PLUGIN_PROTOCOL_VERSIONS"] ?? String(APP_PROTOCOL_VERSION)).split(",").map((v) => v.trim());
  if (!versions.includes(String(APP_PROTOCOL_VERSION))) {
    throw new PluginStartError(
      `This provider speaks Terraform plugin protocol ${APP_PROTOCOL_VERSION}; the client offered ${versions.join(", ")}. Use Terraform 1.0 or newer (1.11 or newer for write-only arguments) or OpenTofu.`,
    );
  }
}

/** Listens on a loopback port, prints the handshake line, then starts gRPC on the accepted connections. */
export async function servePlugin(options: ServeOptions): Promise<RunningPlugin> {
  checkPluginEnvironment(options.env);
  const clientCert = options.env["PLUGIN_CLIENT_CERT"];
  // go-plugin without AutoMTLS (e.g. a debugger attaching): plaintext on loopback.
  const own = clientCert !== undefined && clientCert.trim() !== "" ? createSelfSignedCertificate() : undefined;
  const pending: net.Socket[] = [];
  let inject: ((socket: net.Socket) => void) | undefined;
  const listener = net.createServer({ pauseOnConnect: true }, (socket) => (inject === undefined ? pending.push(socket) : inject(socket)));
  const port = await new Promise<number>((resolve, reject) => {
    listener.once("error", reject);
    listener.listen({ host: "127.0.0.1", port: 0 }, () => resolve((listener.address() as net.AddressInfo).port));
  });
  const certField = own === undefined ? "" : `|${own.certDer.toString("base64").replace(/=+$/, "")}`;
  const handshake = `${CORE_PROTOCOL_VERSION}|${APP_PROTOCOL_VERSION}|tcp|127.0.0.1:${port}|grpc${certField}`;
  options.writeHandshake(`${handshake}\n`);

  let server: UnaryGrpcServer | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= new Promise<void>((resolve) => {
      listener.close();
      for (const socket of pending.splice(0)) socket.destroy();
      // Open calls are answered first; after a second the rest are cut.
      if (server === undefined) resolve();
      else void server.shutdown(1000).then(resolve);
    }));
  const ready = options.load().then(({ createServer, services, provider }) => {
    const s = createServer({
      tls: own === undefined ? undefined : { clientCert: clientCert!, key: own.keyPem, cert: own.certPem },
      maxReceiveMessageLength: 256 * 1024 * 1024,
    });
    s.addService(services.provider, provider);
    s.addService(services.controller, {
      Shutdown: (_call, callback) => {
        callback(null, {});
        // Answer first, then stop: Terraform waits for the reply.
        setImmediate(() => void stop().then(options.onShutdown));
      },
    });
    server = s;
    inject = (socket) => s.injectConnection(socket);
    for (const socket of pending.splice(0)) inject(socket);
  });
  return { handshake, ready, stop };
}
