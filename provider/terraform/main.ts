#!/usr/bin/env node
/**
 * `terraform-provider-upstack`: the executable Terraform (or OpenTofu) starts.
 * Serves the provider over go-plugin's gRPC handshake and exits when
 * Terraform shuts it down. Run directly, it explains itself and exits 1.
 * @packageDocumentation
 */
import { createProviderService } from "./provider-service";
import { loadProtocol } from "./protocol";
import { PluginStartError, servePlugin } from "./plugin-server";

async function main(): Promise<void> {
  try {
    await servePlugin({
      services: loadProtocol(),
      provider: createProviderService(),
      env: process.env,
      writeHandshake: (line) => process.stdout.write(line),
      onShutdown: () => process.exit(0),
    });
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof PluginStartError ? 1 : 2);
  }
}

void main();
