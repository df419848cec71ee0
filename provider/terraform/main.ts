#!/usr/bin/env node
/**
 * `terraform-provider-upstack`: the executable Terraform (or OpenTofu) starts.
 * Serves the provider over go-plugin's gRPC handshake and exits when
 * Terraform shuts it down.
 *
 * `terraform-provider-upstack mirror [DIR]` instead writes a launcher for this
 * installation into a filesystem mirror (default `~/.terraform.d/plugins`).
 * Run directly otherwise, it explains itself and exits 1.
 * @packageDocumentation
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { defaultMirrorDir, packageVersion, writeFilesystemMirror } from "./mirror";
import type * as grpc from "@grpc/grpc-js";
import { PluginStartError, servePlugin } from "./plugin-server";
import { loadProtocol, type ProtocolServices } from "./protocol";

/**
 * The provider service, loaded on the first call rather than before the
 * handshake: the rules and their HTTP stack are not needed to start, and
 * Terraform starts several provider processes per command.
 */
function lazyProvider(services: ProtocolServices): grpc.UntypedServiceImplementation {
  let loading: Promise<grpc.UntypedServiceImplementation> | undefined;
  const load = (): Promise<grpc.UntypedServiceImplementation> => (loading ??= import("./provider-service").then((m) => m.createProviderService()));
  const methods: grpc.UntypedServiceImplementation = {};
  for (const name of Object.keys(services.provider)) {
    methods[name] = (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      load().then(
        (impl) => (impl[name] as grpc.handleUnaryCall<unknown, unknown>)(call, callback),
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    };
  }
  return methods;
}

async function serve(): Promise<void> {
  try {
    const services = loadProtocol();
    await servePlugin({
      services,
      provider: lazyProvider(services),
      env: process.env,
      writeHandshake: (line) => process.stdout.write(line),
      onShutdown: () => process.exit(0),
    });
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof PluginStartError ? 1 : 2);
  }
}

function mirror(dir: string | undefined): void {
  const target = path.resolve(dir ?? defaultMirrorDir());
  const version = packageVersion();
  const file = writeFilesystemMirror({ dir: target, entry: fs.realpathSync(__filename), version });
  process.stdout.write(
    `Wrote ${file}\nTerraform installs it with \`terraform init\` (source = "upstack/upstack", version = "${version}")${dir === undefined ? " from its implied mirror" : ` from a filesystem_mirror block with path = "${target}"`}.\n`,
  );
}

if (process.argv[2] === "mirror" && process.env["TF_PLUGIN_MAGIC_COOKIE"] === undefined) mirror(process.argv[3]);
else void serve();
