/**
 * `npm run demo`: the basic example's whole lifecycle against the local
 * emulator — create, a no-op up, rotation, refresh, destroy — printing what
 * happened at each step and what it cost. Without a `pulumi` binary (as on
 * machines that reach only the npm registry) the real Pulumi provider host is
 * driven by the project's engine test driver; with one, a real `pulumi up`
 * follows through the Automation API.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator, type RunningEmulator } from "../emulator";
import { Engine, pulumiCliAvailable, type RunResult } from "@upstack-klaviyo/engine-driver";
import { runWithPulumiCli } from "./demo-cli";

const PROGRAM = join(__dirname, "..", "examples", "basic");

function line(text = ""): void {
  process.stdout.write(`${text}\n`);
}

function requestsSince(emu: RunningEmulator): string {
  const counts = new Map<string, number>();
  for (const r of emu.requests()) counts.set(`${r.service} ${r.method} ${r.path}`, (counts.get(`${r.service} ${r.method} ${r.path}`) ?? 0) + 1);
  emu.clearRequests();
  if (counts.size === 0) return "0 HTTP requests";
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  return `${total} HTTP request(s): ${[...counts].map(([k, n]) => `${n}× ${k}`).join(", ")}`;
}

/**
 * Bookkeeping the provider keeps for itself, not something a user declared or reads: the serialized
 * provider, the fingerprint/status it carries between runs, the destination's ETag and timestamps.
 */
const INTERNAL = new Set(["__provider", "keyFingerprint", "destinationStatus", "etag", "updatedAt", "validatedAt"]);

/**
 * The changes a user would care about. A refresh cannot read the key back (Upstack never returns
 * it), so `privateApiKey` counts as changed only when its fingerprint changed too. `status` is both
 * an output and the input the provider manages (the status last read, carried between runs), so it
 * counts only when the status output itself changed.
 */
function userChanges(changes: readonly string[], statusChanged: boolean): string[] {
  const keyChanged = changes.includes("keyFingerprint");
  return changes.filter((c) => !INTERNAL.has(c) && (c !== "privateApiKey" || keyChanged) && (c !== "status" || statusChanged));
}

/** The destination's status output at the last step that showed one. */
let lastStatus: unknown;

function destOf(run: RunResult): RunResult["resources"][number] | undefined {
  return run.resources.find((r) => r.type.includes("UpstackKlaviyoDestination"));
}

function report(title: string, run: RunResult, emu: RunningEmulator): void {
  const dest = destOf(run);
  const outs = (dest?.outputs ?? {}) as Record<string, unknown>;
  const statusChanged = outs["status"] !== undefined && lastStatus !== undefined && outs["status"] !== lastStatus;
  if (outs["status"] !== undefined) lastStatus = outs["status"];
  const changes = dest && dest.op !== "create" ? userChanges(dest.changes, statusChanged) : [];
  line(`▶ ${title}: ${run.ok ? "ok" : "FAILED"} — ${dest?.op ?? "no resource"}${changes.length > 0 ? ` (${changes.join(", ")})` : ""}`);
  if (outs["destinationId"] !== undefined) {
    line(
      `    destination ${String(outs["destinationId"])}  status ${String(outs["status"])}  label ${String(outs["label"])}  key ${String(outs["keyHint"])}  account ${String(outs["klaviyoAccountId"])}`,
    );
  }
  for (const e of run.errors) line(`    error: ${e.replace(/^urn:\S+: /, "")}`);
  line(`    ${requestsSince(emu)}`);
  if (!run.ok) throw new Error(`${title} failed`);
}

/** A step that must be refused before anything is written to Upstack. */
function reportRefused(title: string, run: RunResult, emu: RunningEmulator): void {
  const writes = emu.requests().filter((r) => r.service === "upstack" && r.method !== "GET").length;
  line(`▶ ${title}: ${run.ok ? "NOT REFUSED" : "refused"}`);
  for (const e of run.errors) line(`    error: ${e.replace(/^urn:\S+: /, "")}`);
  line(`    ${requestsSince(emu)}; ${writes} write(s) to Upstack`);
  if (run.ok || writes > 0) throw new Error(`${title}: the wrong key was not refused before writing`);
}

async function main(): Promise<void> {
  const emu = await startEmulator({});
  const work = mkdtempSync(join(tmpdir(), "upstack-klaviyo-demo-"));
  let engine: Engine | undefined;
  try {
    line(`Local emulator (Klaviyo + Upstack) on ${emu.url}`);
    const { account, key } = await emu.admin.createKlaviyoAccountWithKey({ name: "Demo Outdoor Co" }, { label: "UpstackData" });
    const rotated = await emu.admin.createKlaviyoKey({ accountId: account.id, label: "UpstackData (rotated)" });
    const other = await emu.admin.createKlaviyoAccountWithKey({ name: "Another Store" }, { label: "UpstackData" });
    const pixelId = "9b2f6c1e-0d4a-4c3e-8f57-2a1b3c4d5e6f";
    const upstack = await emu.admin.createUpstackKey({ pixelId });
    line(`Klaviyo account ${account.id} with two Full Access keys, another store's account ${other.account.id} with one;`);
    line(`Upstack pixel ${pixelId} with its API key. (All keys are emulator fakes.)`);
    line();

    const config = (privateKey: string) => ({
      upstackPixelId: pixelId,
      klaviyoPublicApiKey: account.id,
      klaviyoPrivateKey: { secret: privateKey },
      "upstack:apiKey": { secret: upstack.apiKey },
      "upstack:apiUrl": emu.url,
      "upstack:klaviyoApiUrl": emu.url,
    });
    const stateFile = join(work, "state.json");
    const make = (privateKey: string) =>
      new Engine({ programDir: PROGRAM, stateFile, stack: "demo", config: config(privateKey), env: { UPSTACK_KLAVIYO_QUIET: "1" } });

    engine = make(key.key);
    report("pulumi up (create)", await engine.up(), emu);
    report("pulumi up (nothing changed)", await engine.up(), emu);
    report("pulumi preview (nothing changed)", await engine.preview(), emu);
    await engine.dispose();

    line("  … pulumi config set --secret klaviyoPrivateKey <new key>");
    engine = make(rotated.key);
    report("pulumi preview (new key: validated against Klaviyo)", await engine.preview(), emu);
    report("pulumi up (rotate in place)", await engine.up(), emu);
    const held = await emu.admin.getDestination(pixelId);
    line(`    Upstack now holds key ${held?.keyHint ?? "?"} (fingerprint ${held?.keyFingerprint.slice(0, 19) ?? "?"}…)`);

    await engine.dispose();

    line("  … pulumi config set --secret klaviyoPrivateKey <a key from another store's Klaviyo account>");
    engine = make(other.key.key);
    reportRefused("pulumi up (wrong key: validated first, nothing written)", await engine.up(), emu);
    const still = await emu.admin.getDestination(pixelId);
    line(`    Upstack still holds key ${still?.keyHint ?? "?"}: the destination was not touched`);
    await engine.dispose();
    line("  … pulumi config set --secret klaviyoPrivateKey <the rotated key again>");
    engine = make(rotated.key);

    await emu.admin.patchDestination(pixelId, { label: "Renamed in the dashboard" });
    emu.clearRequests();
    line("  … someone renames the destination in the Upstack dashboard");
    report("pulumi refresh", await engine.refresh(), emu);
    report("pulumi up (puts the label back)", await engine.up(), emu);
    report("pulumi destroy", await engine.destroy(), emu);
    line(`    destinations left on Upstack: ${(await emu.admin.listDestinations()).length}`);

    const state = readFileSync(stateFile, "utf8");
    const used = [key.key, rotated.key, other.key.key, upstack.apiKey];
    const leaked = used.filter((s) => state.includes(s)).length;
    line();
    line(`State file scanned for the ${used.length} keys used (3 Klaviyo keys, 1 Upstack key): ${leaked} in plaintext.`);
    if (leaked > 0) throw new Error("a key reached the state file in plaintext");

    line();
    if (pulumiCliAvailable()) {
      line("A pulumi binary is on PATH: running the same lifecycle with the real CLI (Automation API).");
      await runWithPulumiCli({
        programDir: PROGRAM,
        emu,
        pixelId,
        upstackApiKey: upstack.apiKey,
        keys: [key.key, rotated.key],
        publicApiKey: account.id,
        log: line,
      });
    } else {
      line("No pulumi binary on PATH, so the real `pulumi up` was skipped; the steps above drove the real");
      line("Pulumi provider host over gRPC with the engine's own payloads. Install the Pulumi CLI to run it for real.");
    }
  } finally {
    await engine?.dispose();
    await emu.close();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
