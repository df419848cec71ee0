/**
 * A gRPC client of a running provider plugin, dialled the way Terraform dials it: from the
 * go-plugin handshake line (network, address and the server's certificate) over mutual TLS with the
 * client certificate Terraform handed the plugin in PLUGIN_CLIENT_CERT.
 */
import * as grpc from "@grpc/grpc-js";
import { loadProtocol } from "../../provider/terraform/protocol";

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
