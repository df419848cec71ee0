// examples/terraform with the real terraform binary: every root module validates; many-stores and
// rotation run against the emulator (the provider block is empty, so the settings come from the
// same environment variables as the Pulumi provider's); the CI workflow plans on pull requests
// and applies on main without a key written in it.
import * as fs from "node:fs";
import * as path from "node:path";
import { describeWithTerraform, useTerraformHarness } from "./support";

const EXAMPLES = path.join(__dirname, "..", "..", "examples", "terraform");
const h = useTerraformHarness(240_000);

/** A copy of an example in a temporary directory (terraform writes its state next to main.tf). */
function copy(name: string): string {
  const dir = h.tempDir(`upstack-tf-example-${name}-`);
  fs.cpSync(path.join(EXAMPLES, name), dir, { recursive: true });
  return dir;
}

function emulatorEnv(): Record<string, string> {
  return { UPSTACK_API_URL: h.emu.url, KLAVIYO_API_URL: h.emu.url };
}

const modules = fs.readdirSync(EXAMPLES).filter((d) => fs.existsSync(path.join(EXAMPLES, d, "main.tf")));

test("examples/terraform is not an npm workspace package", () => {
  expect(fs.existsSync(path.join(EXAMPLES, "package.json"))).toBe(false);
  expect(modules.sort()).toEqual(["many-stores", "one-destination", "rotation"]);
});

test("the workflow plans on pull requests, applies on main, and holds no key", () => {
  const text = fs.readFileSync(path.join(EXAMPLES, "github-actions", "terraform.yml"), "utf8");
  expect(text).not.toMatch(/\t/);
  expect(text).toMatch(/^ {2}pull_request:/m);
  expect(text).toMatch(/^ {2}push:\n {4}branches: \[main\]/m);
  expect(text).toMatch(/if: github\.event_name == 'pull_request'[\s\S]*terraform plan/);
  expect(text).toMatch(/if: github\.event_name == 'push' && github\.ref == 'refs\/heads\/main'[\s\S]*terraform apply -auto-approve/);
  expect(text).toContain("TF_VAR_klaviyo_private_key: ${{ secrets.KLAVIYO_PRIVATE_KEY }}");
  // Refresh's source of a write-only key (see README, "Retiring the replaced key").
  expect(text).toContain("KLAVIYO_PRIVATE_KEY: ${{ secrets.KLAVIYO_PRIVATE_KEY }}\n");
  expect(text).toContain("npx terraform-provider-upstack mirror");
  expect(text).not.toMatch(/pk_[A-Za-z0-9]{6,}|upstack_[A-Za-z0-9]{8,}/);
});

describeWithTerraform("terraform: examples/terraform", () => {
  test.each(modules)("examples/terraform/%s validates", async (name) => {
    const r = await h.tf(copy(name), ["validate", "-json"]);
    const result = JSON.parse(r.stdout) as { valid: boolean; diagnostics: Array<{ severity: string; summary: string }> };
    expect(result.valid).toBe(true);
    // The only warning: the dev_overrides this suite installs the provider with.
    expect(result.diagnostics.map((d) => `${d.severity}: ${d.summary}`)).toEqual(["warning: Provider development overrides are in effect"]);
    expect(r.code).toBe(0);
  });

  test("many-stores: one destination per store; removing a store removes only its destination", async () => {
    const eu = await h.world("EU Store");
    const us = await h.world("US Store");
    const dir = copy("many-stores");
    const stores = (list: (typeof eu)[]) =>
      `{${list.map((w, i) => `"${i === 0 ? "eu" : "us"}": {"pixel_id": "${w.pixelId}", "klaviyo_site_id": "${w.account.id}"}`).join(", ")}}`;
    const env = {
      ...emulatorEnv(),
      UPSTACK_API_KEYS: JSON.stringify({ [eu.pixelId]: eu.upstack.apiKey, [us.pixelId]: us.upstack.apiKey }),
      TF_VAR_klaviyo_private_keys: JSON.stringify({ eu: eu.key.key, us: us.key.key }),
      TF_VAR_stores: stores([eu, us]),
    };
    const applied = await h.tf(dir, ["apply", "-auto-approve", "-no-color"], env);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain("Resources: 2 added");
    const usId = (await h.emu.admin.getDestination(us.pixelId))!.id;
    const out = JSON.parse((await h.tf(dir, ["output", "-json", "stores"], env)).stdout) as Record<string, { id: string; status: string; hint: string }>;
    expect(out["us"]).toEqual({ id: usId, status: "healthy", hint: `pk_...${us.key.key.slice(-4)}` });

    const removed = await h.tf(dir, ["apply", "-auto-approve", "-no-color"], { ...env, TF_VAR_stores: stores([eu]) });
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain("Resources: 0 added, 0 changed, 1 destroyed.");
    expect(await h.emu.admin.getDestination(eu.pixelId)).not.toBeNull();
    expect(await h.emu.admin.getDestination(us.pixelId)).toBeNull();
    expect(h.leaksIn(h.writtenFiles(dir) + h.outputs.join("\n"))).toEqual([]);
  });

  test("rotation: a version bump rotates in place; a key of another account fails the plan", async () => {
    const w = await h.world("Rotation Store");
    const dir = copy("rotation");
    const env = (key: string, version: number) => ({
      ...emulatorEnv(),
      UPSTACK_API_KEY: w.upstack.apiKey,
      TF_VAR_pixel_id: w.pixelId,
      TF_VAR_klaviyo_site_id: w.account.id,
      TF_VAR_klaviyo_private_key: key,
      TF_VAR_klaviyo_private_key_version: String(version),
    });
    expect((await h.tf(dir, ["apply", "-auto-approve", "-no-color"], env(w.key.key, 1))).code).toBe(0);
    const id = (await h.emu.admin.getDestination(w.pixelId))!.id;
    const next = await h.klaviyoKey(w.account.id);
    const rotated = await h.tf(dir, ["apply", "-auto-approve", "-no-color"], env(next.key, 2));
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toContain("Resources: 0 added, 1 changed, 0 destroyed.");
    expect(await h.emu.admin.getDestination(w.pixelId)).toMatchObject({ id, keyHint: `pk_...${next.key.slice(-4)}` });

    const stranger = await h.world("Stranger Store");
    const wrong = await h.tf(dir, ["plan", "-no-color"], env(stranger.key.key, 3));
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`belongs to Klaviyo account ${stranger.account.id} (Stranger Store), expected ${w.account.id}`);
    expect(wrong.stderr).toContain("with ephemeral.upstack_klaviyo_key.candidate");
    expect(h.leaksIn(h.writtenFiles(dir) + h.outputs.join("\n"))).toEqual([]);
  });
});
