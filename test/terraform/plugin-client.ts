/**
 * A gRPC client of a running provider plugin, dialled the way Terraform dials it: from the
 * go-plugin handshake line (network, address and the server's certificate) over mutual TLS with the
 * client certificate Terraform handed the plugin in PLUGIN_CLIENT_CERT.
 */
import * as grpc from "@grpc/grpc-js";
import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Readable } from "node:stream";
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE } from "../../provider/terraform/plugin-server";
import { loadProtocol } from "../../provider/terraform/protocol";
import { createSelfSignedCertificate, type SelfSignedCertificate } from "../../provider/terraform/self-signed-cert";

type Call = (request: object, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, response?: Record<string, unknown>) => void) => void;

/** A client of one of the plugin's services. */
export interface PluginClient {
  /** Calls `method` with an empty request; rejects with the gRPC error. */
  call(method: string): Promise<Record<string, unknown>>;
  /** Closes the channel. */
  close(): void;
}

/**
 * Dials the plugin that printed `handshake`. `own` is Terraform's key and certificate; with
 * `certificate: false` the client presents none.
 */
export function pluginClient(
  handshake: string,
  own: { readonly keyPem: string; readonly certPem: string },
  options: { readonly service?: "provider" | "controller"; readonly certificate?: boolean } = {},
): PluginClient {
  const [, , network, address, , certField] = handshake.trim().split("|");
  const target = network === "unix" ? `unix://${address ?? ""}` : (address ?? "");
  const serverCert = `-----BEGIN CERTIFICATE-----\n${Buffer.from(certField ?? "", "base64").toString("base64")}\n-----END CERTIFICATE-----\n`;
  const credentials =
    options.certificate === false
      ? grpc.credentials.createSsl(Buffer.from(serverCert))
      : grpc.credentials.createSsl(Buffer.from(serverCert), Buffer.from(own.keyPem), Buffer.from(own.certPem));
  const service = options.service ?? "provider";
  const Stub = grpc.makeGenericClientConstructor(loadProtocol()[service], service);
  const stub = new Stub(target, credentials, { "grpc.ssl_target_name_override": "localhost", "grpc.default_authority": "localhost" });
  const methods = stub as unknown as Record<string, Call>;
  return {
    call: (method) =>
      new Promise((resolve, reject) =>
        methods[method]!.call(stub, {}, { deadline: Date.now() + 30_000 }, (error, response) => (error === null ? resolve(response ?? {}) : reject(error))),
      ),
    close: () => stub.close(),
  };
}

/** A provider executable started as Terraform starts it. */
export interface StartedPlugin {
  /** The process (stdout piped, the rest ignored). */
  readonly child: ChildProcessByStdio<null, Readable, null>;
  /** Terraform's key and certificate, handed to it in PLUGIN_CLIENT_CERT. */
  readonly terraform: { readonly keyPem: string; readonly certPem: string };
  /** Its handshake line. */
  readonly handshake: Promise<string>;
  /** How it ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The environment Terraform gives a provider it starts (go-plugin's magic cookie, protocol 6, its client certificate), with `tmp` as the temporary folder. */
export function pluginEnv(tmp: string, terraform: SelfSignedCertificate): NodeJS.ProcessEnv {
  return {
    PATH: process.env["PATH"],
    TMPDIR: tmp,
    [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE,
    PLUGIN_PROTOCOL_VERSIONS: "6",
    PLUGIN_CLIENT_CERT: terraform.certPem,
  };
}

/** Starts `executable` with go-plugin's environment, a fresh Terraform certificate and `tmp` as its temporary folder. */
export function startPlugin(executable: string, tmp: string): StartedPlugin {
  const terraform = createSelfSignedCertificate();
  const child = spawn(executable, [], { env: pluginEnv(tmp, terraform), stdio: ["ignore", "pipe", "ignore"] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const handshake = new Promise<string>((resolve) => child.stdout.once("data", (chunk: Buffer) => resolve(chunk.toString("utf8"))));
  return { child, terraform, handshake, exited };
}
