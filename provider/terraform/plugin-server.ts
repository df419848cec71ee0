/**
 * Serves a gRPC plugin the way HashiCorp's go-plugin expects (what Terraform
 * and OpenTofu use to start providers): checks the magic cookie, negotiates
 * protocol version 6, listens on a loopback port with mutual TLS (Terraform's
 * client certificate from PLUGIN_CLIENT_CERT as the only trusted root, a fresh
 * self-signed server certificate), then prints the one handshake line on
 * stdout: `1|6|tcp|127.0.0.1:PORT|grpc|<base64 DER of the server certificate>`.
 * `plugin.GRPCController/Shutdown` ends the process.
 */
import * as grpc from "@grpc/grpc-js";
import { createSelfSignedCertificate } from "./self-signed-cert";
import type { ProtocolServices } from "./protocol";

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

/** What {@link servePlugin} needs. */
export interface ServeOptions {
  /** The protocol's services. */
  readonly services: ProtocolServices;
  /** The `tfplugin6.Provider` implementation. */
  readonly provider: grpc.UntypedServiceImplementation;
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

/** Starts the gRPC server and prints the handshake line. */
export async function servePlugin(options: ServeOptions): Promise<RunningPlugin> {
  checkPluginEnvironment(options.env);
  const clientCert = options.env["PLUGIN_CLIENT_CERT"];
  const server = new grpc.Server({ "grpc.max_receive_message_length": 256 * 1024 * 1024 });
  let credentials: grpc.ServerCredentials;
  let certField = "";
  if (clientCert !== undefined && clientCert.trim() !== "") {
    const own = createSelfSignedCertificate();
    credentials = grpc.ServerCredentials.createSsl(
      Buffer.from(clientCert),
      [{ private_key: Buffer.from(own.keyPem), cert_chain: Buffer.from(own.certPem) }],
      true,
    );
    certField = own.certDer.toString("base64").replace(/=+$/, "");
  } else {
    // go-plugin without AutoMTLS (e.g. a debugger attaching): plaintext on loopback.
    credentials = grpc.ServerCredentials.createInsecure();
  }
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= new Promise<void>((resolve) => {
      server.tryShutdown(() => resolve());
      setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, 1000).unref();
    }));
  server.addService(options.services.provider, options.provider);
  server.addService(options.services.controller, {
    Shutdown: (_call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      callback(null, {});
      // Answer first, then stop: Terraform waits for the reply.
      setImmediate(() => void stop().then(options.onShutdown));
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", credentials, (error, boundPort) => (error === null ? resolve(boundPort) : reject(error))),
  );
  const handshake = `${CORE_PROTOCOL_VERSION}|${APP_PROTOCOL_VERSION}|tcp|127.0.0.1:${port}|grpc${certField === "" ? "" : `|${certField}`}`;
  options.writeHandshake(`${handshake}\n`);
  return { handshake, stop };
}
