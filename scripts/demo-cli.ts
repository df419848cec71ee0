/**
 * The demo's real-CLI path: the same lifecycle through Pulumi's Automation
 * API, with a file:// backend in a temporary folder and a passphrase secrets
 * provider. Runs only where a `pulumi` binary is on PATH.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import type { RunningEmulator } from "../emulator";

/** What the real-CLI run needs. */
export interface CliRunOptions {
  programDir: string;
  emu: RunningEmulator;
  pixelId: string;
  upstackApiKey: string;
  publicApiKey: string;
  /** The first key, then the key rotated to. */
  keys: [string, string];
  log: (text: string) => void;
}

/** create → no-op → rotate → refresh → destroy with the real CLI. */
export async function runWithPulumiCli(o: CliRunOptions): Promise<void> {
  const backend = mkdtempSync(join(tmpdir(), "upstack-klaviyo-backend-"));
  try {
    const stack = await LocalWorkspace.createOrSelectStack(
      { stackName: "demo", workDir: o.programDir },
      { envVars: { PULUMI_BACKEND_URL: `file://${backend}`, PULUMI_CONFIG_PASSPHRASE: "demo-passphrase", UPSTACK_KLAVIYO_QUIET: "1" } },
    );
    const set = async (k: string) =>
      stack.setAllConfig({
        upstackPixelId: { value: o.pixelId },
        klaviyoPublicApiKey: { value: o.publicApiKey },
        klaviyoPrivateKey: { value: k, secret: true },
        "upstack:apiKey": { value: o.upstackApiKey, secret: true },
        "upstack:apiUrl": { value: o.emu.url },
        "upstack:klaviyoApiUrl": { value: o.emu.url },
      });
    await set(o.keys[0]);
    o.log(`  pulumi up: ${JSON.stringify((await stack.up()).summary.resourceChanges)}`);
    o.log(`  pulumi up (no-op): ${JSON.stringify((await stack.up()).summary.resourceChanges)}`);
    await set(o.keys[1]);
    o.log(`  pulumi up (rotate): ${JSON.stringify((await stack.up()).summary.resourceChanges)}`);
    o.log(`  pulumi refresh: ${JSON.stringify((await stack.refresh()).summary.resourceChanges)}`);
    o.log(`  pulumi destroy: ${JSON.stringify((await stack.destroy()).summary.resourceChanges)}`);
    await stack.workspace.removeStack("demo");
  } finally {
    rmSync(backend, { recursive: true, force: true });
  }
}
