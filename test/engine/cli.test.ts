// The real Pulumi CLI, through the Automation API (LocalWorkspace, file:// backend in a temp dir,
// passphrase secrets): create -> rotate -> destroy of the basic example against the emulator.
// Without a `pulumi` binary on PATH the tests are registered as skipped and the reason is printed.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { findSecrets, skipReasonWithoutPulumi } from "@upstack-klaviyo/engine-driver";
import { BASIC_PROGRAM, REPO_ROOT, Scenario, keyFingerprint } from "./support";

const reason = skipReasonWithoutPulumi();
const cliTest = reason === undefined ? test : test.skip;

describe("real Pulumi CLI (Automation API)", () => {
  if (reason !== undefined) console.log(`cli.test.ts skipped: ${reason}`);

  cliTest(
    "create -> rotate -> destroy with LocalWorkspace and a file:// backend",
    async () => {
      const { LocalWorkspace } = await import("@pulumi/pulumi/automation");
      const h = new Scenario();
      await h.start();
      const work = fs.mkdtempSync(path.join(os.tmpdir(), "upstack-klaviyo-cli-"));
      try {
        // The program in its own directory (the CLI writes Pulumi.<stack>.yaml next to it), its
        // node_modules being the repository's (where pulumi-upstack-klaviyo links to the build).
        const app = path.join(work, "app");
        const backend = path.join(work, "backend");
        fs.mkdirSync(app);
        fs.mkdirSync(backend);
        fs.copyFileSync(path.join(BASIC_PROGRAM, "index.ts"), path.join(app, "index.ts"));
        fs.copyFileSync(path.join(BASIC_PROGRAM, "Pulumi.yaml"), path.join(app, "Pulumi.yaml"));
        fs.copyFileSync(path.join(BASIC_PROGRAM, "package.json"), path.join(app, "package.json"));
        fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(app, "node_modules"), "dir");

        const w = await h.world("CLI Store");
        const rotated = await h.klaviyoKey(w.account.id);
        const stack = await LocalWorkspace.createOrSelectStack(
          { stackName: "cli", workDir: app },
          {
            envVars: {
              PULUMI_BACKEND_URL: `file://${backend}`,
              PULUMI_CONFIG_PASSPHRASE: "cli-test-passphrase",
              PULUMI_SKIP_UPDATE_CHECK: "true",
              UPSTACK_KLAVIYO_QUIET: "1",
            },
          },
        );
        const setKey = (k: string) =>
          stack.setAllConfig({
            upstackPixelId: { value: w.pixelId },
            klaviyoPublicApiKey: { value: w.account.id },
            klaviyoPrivateKey: { value: k, secret: true },
            "upstack:apiKey": { value: w.upstack.apiKey, secret: true },
            "upstack:apiUrl": { value: h.emu.url },
            "upstack:klaviyoApiUrl": { value: h.emu.url },
          });
        const logs: string[] = [];
        const onOutput = (s: string) => logs.push(s);

        await setKey(w.key.key);
        const up1 = await stack.up({ onOutput });
        expect(up1.summary.result).toBe("succeeded");
        expect(up1.summary.resourceChanges).toMatchObject({ create: 2 }); // the stack + the destination
        const id = up1.outputs["destinationId"]!.value as string;
        expect(await h.emu.admin.getDestination(w.pixelId)).toMatchObject({
          id,
          keyFingerprint: keyFingerprint(w.key.key),
          owner: "pulumi:upstack-klaviyo-basic/cli/klaviyo",
        });

        await setKey(rotated.key);
        const up2 = await stack.up({ onOutput });
        expect(up2.summary.resourceChanges).toMatchObject({ update: 1 });
        expect(up2.summary.resourceChanges?.["replace"] ?? 0).toBe(0);
        expect(up2.outputs["destinationId"]!.value).toBe(id);
        expect(await h.emu.admin.getDestination(w.pixelId)).toMatchObject({ id, keyFingerprint: keyFingerprint(rotated.key) });

        const down = await stack.destroy({ onOutput });
        expect(down.summary.resourceChanges).toMatchObject({ delete: 2 });
        expect(await h.emu.admin.getDestination(w.pixelId)).toBeNull();

        const exported = JSON.stringify(await stack.exportStack());
        expect(findSecrets({ logs: logs.join(""), exported, backend: readTree(backend) }, [...h.secrets])).toEqual([]);
        await stack.workspace.removeStack("cli");
      } finally {
        await h.close();
        fs.rmSync(work, { recursive: true, force: true });
      }
    },
    180000,
  );
});

/** Every file under a directory, concatenated (the file backend's checkpoints and backups). */
function readTree(dir: string): string {
  let out = "";
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out += readTree(p);
    else if (e.isFile()) out += fs.readFileSync(p, "utf8");
  }
  return out;
}
