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
import { watchParent } from "./parent-watch";
import { PluginStartError, servePlugin, type LoadedPlugin } from "./plugin-server";

/** gRPC, the protocol and the provider, loaded after the handshake line is out. */
const loadPlugin = (): Promise<LoadedPlugin> => import("./plugin-runtime").then((m) => m.loadPlugin());

function fail(error: unknown): never {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof PluginStartError ? 1 : 2);
}

async function serve(): Promise<void> {
  // Ctrl-C reaches the whole process group. Like go-plugin's servers, the provider ignores it:
  // Terraform stops its operations (StopProvider) and then shuts the provider down itself, so a
  // write in flight is answered and recorded instead of cut off.
  process.on("SIGINT", () => undefined);
  // Terminated: exit through process.exit so the socket's folder is removed on the way out.
  process.on("SIGTERM", () => process.exit(143));
  // Terraform killed before it could shut the provider down: exit (status 1) within a second or so,
  // through process.exit, so the socket's folder goes too. Nobody is left to read a message.
  watchParent({ parentPid: () => process.ppid, intervalMs: 1000, onOrphaned: () => process.exit(1) });
  try {
    const running = await servePlugin({
      load: loadPlugin,
      env: process.env,
      writeHandshake: (line) => process.stdout.write(line),
      onShutdown: () => process.exit(0),
    });
    await running.ready;
  } catch (error) {
    fail(error);
  }
}

function mirror(dir: string | undefined): void {
  const target = path.resolve(dir ?? defaultMirrorDir());
  const version = packageVersion();
  // The executable this process was started as (the package's bin: the bundled provider and its
  // loader), not this module's file, which inside the bundle is only the part before the handshake.
  const file = writeFilesystemMirror({ dir: target, entry: fs.realpathSync(process.argv[1] ?? __filename), version });
  process.stdout.write(
    `Wrote ${file}\nTerraform installs it with \`terraform init\` (source = "upstack/upstack", version = "${version}")${dir === undefined ? " from its implied mirror" : ` from a filesystem_mirror block with path = "${target}"`}.\n`,
  );
}

if (process.argv[2] === "mirror" && process.env["TF_PLUGIN_MAGIC_COOKIE"] === undefined) mirror(process.argv[3]);
else void serve();
