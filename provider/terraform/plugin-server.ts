/**
 * Serves a gRPC plugin the way HashiCorp's go-plugin expects (what Terraform
 * and OpenTofu use to start providers): checks the magic cookie, negotiates
 * protocol version 6, listens with mutual TLS (the client must present exactly
 * Terraform's certificate from PLUGIN_CLIENT_CERT; a fresh self-signed server
 * certificate), then prints the one handshake line on stdout:
 * `1|6|unix|/tmp/upstack-plugin-XXXXXX/plugin.sock|grpc|<base64 DER of the server certificate>`.
 * `plugin.GRPCController/Shutdown` ends the process.
 *
 * Like go-plugin's own servers, it listens on a Unix domain socket where there
 * are Unix sockets: in a folder of its own that only its user can enter
 * (under PLUGIN_UNIX_SOCKET_DIR when go-plugin names one, else the temporary
 * folder), removed when the process ends. It is cheaper than TCP for each of
 * the hundreds of calls of a plan and reachable by nothing outside this
 * user, before TLS is even considered. On Windows, or when the path would be
 * too long for a socket address, it listens on a loopback TCP port instead
 * (`1|6|tcp|127.0.0.1:PORT|grpc|…`).
 *
 * The handshake line is printed as soon as the socket listens (a plain `net`
 * listener, which costs nothing to load) and the certificate exists; gRPC,
 * the protocol definitions and the provider are loaded after it, while
 * Terraform reads the line and dials. Connections accepted before gRPC is
 * ready wait paused (`pauseOnConnect`) and are handed to the gRPC server
 * (grpc-server.ts, on `node:http2`) as they are, so no byte is read before
 * TLS takes over.
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
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
  /** The platform (default `process.platform`); on `win32` the plugin listens on TCP. */
  readonly platform?: NodeJS.Platform;
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

/** Longest socket path used (Linux allows 107 bytes, macOS 103); a longer one falls back to TCP. */
const MAX_SOCKET_PATH = 100;

/** Where {@link servePlugin} listens: a Unix socket in a private folder, or a loopback TCP port. */
interface ListenPlan {
  /** The handshake's network field. */
  readonly network: "unix" | "tcp";
  /** The socket's path (unix). */
  readonly socketPath?: string;
  /** The private folder holding it, removed at the end. */
  readonly dir?: string;
}

function listenPlan(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): ListenPlan {
  if (platform === "win32") return { network: "tcp" };
  const base = env["PLUGIN_UNIX_SOCKET_DIR"]?.trim() || os.tmpdir();
  // The socket's path would not fit a socket address: TCP, without making the folder.
  if (path.join(base, "upstack-plugin-XXXXXX", "plugin.sock").length > MAX_SOCKET_PATH) return { network: "tcp" };
  let dir: string;
  try {
    dir = fs.mkdtempSync(path.join(base, "upstack-plugin-")); // mode 0700
  } catch {
    return { network: "tcp" }; // no folder can be made there (missing, read-only): TCP still works
  }
  return { network: "unix", socketPath: path.join(dir, "plugin.sock"), dir };
}

/** go-plugin's PLUGIN_MIN_PORT–PLUGIN_MAX_PORT, when both are given and make a range of TCP ports. */
export function portRange(env: NodeJS.ProcessEnv): { readonly min: number; readonly max: number } | undefined {
  const min = Number(env["PLUGIN_MIN_PORT"] ?? "");
  const max = Number(env["PLUGIN_MAX_PORT"] ?? "");
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max > 65535 || min > max) return undefined;
  return { min, max };
}

/** Most ports of the range tried before any free port is taken instead. */
const PORT_ATTEMPTS = 64;

/**
 * Listens on 127.0.0.1: on a port of `range` when there is one (as go-plugin's servers do; the
 * first port tried is random so plugins started together do not race for the same one), else, or
 * when the tried ports are all taken, on any free port. Resolves with `127.0.0.1:PORT`.
 */
async function listenOnLoopbackPort(listener: net.Server, range: { readonly min: number; readonly max: number } | undefined): Promise<string> {
  const attempt = (port: number): Promise<boolean> =>
    new Promise<boolean>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => (error.code === "EADDRINUSE" || error.code === "EACCES" ? resolve(false) : reject(error));
      listener.once("error", onError);
      listener.listen({ host: "127.0.0.1", port }, () => {
        listener.removeListener("error", onError);
        resolve(true);
      });
    });
  let bound = false;
  if (range !== undefined) {
    const size = range.max - range.min + 1;
    const start = Math.floor(Math.random() * size);
    for (let i = 0; i < Math.min(size, PORT_ATTEMPTS) && !bound; i++) bound = await attempt(range.min + ((start + i) % size));
  }
  if (!bound && !(await attempt(0))) throw new Error("No loopback TCP port could be bound for the plugin.");
  return `127.0.0.1:${(listener.address() as net.AddressInfo).port}`;
}

/** Listens, prints the handshake line, then starts gRPC on the accepted connections. */
export async function servePlugin(options: ServeOptions): Promise<RunningPlugin> {
  checkPluginEnvironment(options.env);
  const clientCert = options.env["PLUGIN_CLIENT_CERT"];
  // go-plugin without AutoMTLS (e.g. a debugger attaching): plaintext on loopback.
  const own = clientCert !== undefined && clientCert.trim() !== "" ? createSelfSignedCertificate() : undefined;
  const pending: net.Socket[] = [];
  let inject: ((socket: net.Socket) => void) | undefined;
  const listener = net.createServer({ pauseOnConnect: true }, (socket) => (inject === undefined ? pending.push(socket) : inject(socket)));
  const plan = listenPlan(options.env, options.platform ?? process.platform);
  const removeDir = (): void => {
    if (plan.dir !== undefined) fs.rmSync(plan.dir, { recursive: true, force: true });
  };
  if (plan.dir !== undefined) process.once("exit", removeDir);
  const address = await (
    plan.socketPath !== undefined
      ? new Promise<string>((resolve, reject) => {
          listener.once("error", reject);
          listener.listen(plan.socketPath, () => resolve(plan.socketPath!));
        })
      : listenOnLoopbackPort(listener, portRange(options.env))
  ).catch((error: unknown) => {
    removeDir();
    throw error;
  });
  const certField = own === undefined ? "" : `|${own.certDer.toString("base64").replace(/=+$/, "")}`;
  const handshake = `${CORE_PROTOCOL_VERSION}|${APP_PROTOCOL_VERSION}|${plan.network}|${address}|grpc${certField}`;
  options.writeHandshake(`${handshake}\n`);

  let server: UnaryGrpcServer | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= new Promise<void>((resolve) => {
      listener.close();
      removeDir();
      process.removeListener("exit", removeDir);
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
