// Taking over existing destinations with the real terraform binary: `terraform import` and
// `import {}` blocks by pixel id (the next apply takes the destination over, like `adopt`), a
// create over an existing destination refused unless `adopt = true`; and the ephemeral
// `upstack_klaviyo_key`, which validates a key during plan without writing it anywhere.
import * as fs from "node:fs";
import * as path from "node:path";
import { describeWithTerraform, useTerraformHarness } from "./support";
import type { World } from "../support/emulator-harness";

const h = useTerraformHarness();

function resource(w: World, extra = ""): string {
  return `resource "upstack_klaviyo_destination" "d" {
  pixel_id                   = "${w.pixelId}"
  private_api_key_wo         = var.klaviyo_private_key
  private_api_key_wo_version = 1
${extra}}
`;
}

async function dashboardDestination(w: World): Promise<string> {
  const made = await h.emu.admin.putDestination(w.pixelId, { privateApiKey: w.key.key, label: "Made in the dashboard" });
  expect(made.owner).toBeNull();
  return made.id;
}

describeWithTerraform("terraform: import, adopt and the ephemeral key check", () => {
  test("terraform import by pixel id, then apply takes the destination over in place", async () => {
    const w = await h.world("Import Store");
    const id = await dashboardDestination(w);
    const dir = h.workdir(resource(w));
    const imported = await h.tf(dir, ["import", "-no-color", "upstack_klaviyo_destination.d", w.pixelId], h.envFor(w));
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain("Import successful!");
    const state = h.stateAttributes(dir);
    expect(state).toMatchObject({ id, destination_id: id, pixel_id: w.pixelId, label: "Made in the dashboard", owner: null, private_api_key_wo_version: null });

    const plan = await h.tf(dir, ["plan", "-no-color"], h.envFor(w));
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain("will be updated in-place");
    expect(plan.stdout).toMatch(/label\s+= "Made in the dashboard" -> "UpstackData"/);
    const applied = await h.tf(dir, ["apply", "-auto-approve", "-no-color"], h.envFor(w));
    expect(applied.code).toBe(0);
    const after = await h.emu.admin.getDestination(w.pixelId);
    expect(after!.id).toBe(id);
    expect(after!.owner).toMatch(/^terraform:/);
    const noop = await h.tf(dir, ["plan", "-detailed-exitcode", "-no-color"], h.envFor(w));
    expect(noop.code).toBe(0);

    const missing = await h.tf(h.workdir(resource(w)), ["import", "-no-color", "upstack_klaviyo_destination.d", "not-a-pixel"], h.envFor(w));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("pixel_id must be the Upstack pixel's UUID");
    expect(h.leaksIn(h.writtenFiles(dir) + h.outputs.join("\n"))).toEqual([]);
  });

  test("an import block plans the import and the takeover together", async () => {
    const w = await h.world("Import Block Store");
    const id = await dashboardDestination(w);
    const dir = h.workdir(`import {\n  to = upstack_klaviyo_destination.d\n  id = "${w.pixelId}"\n}\n\n${resource(w)}`);
    const plan = await h.tf(dir, ["plan", "-no-color"], h.envFor(w));
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain("Plan: 1 to import, 0 to add, 1 to change, 0 to destroy.");
    const applied = await h.tf(dir, ["apply", "-auto-approve", "-no-color"], h.envFor(w));
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain("1 imported, 0 added, 1 changed, 0 destroyed");
    expect((await h.emu.admin.getDestination(w.pixelId))!).toMatchObject({ id, label: "UpstackData", owner: expect.stringMatching(/^terraform:/) });
  });

  test("an import block with -generate-config-out writes the resource block; the plan then asks for the key", async () => {
    const w = await h.world("Generated Config Store");
    await dashboardDestination(w);
    const dir = h.workdir(`import {\n  to = upstack_klaviyo_destination.d\n  id = "${w.pixelId}"\n}\n`);
    const plan = await h.tf(dir, ["plan", "-no-color", "-generate-config-out=generated.tf"], h.envFor(w));
    // Terraform writes the block from the imported state; the key is not in state, so the block has none and the plan says what to add.
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain("private_api_key or private_api_key_wo is required");
    expect(plan.stderr).toContain("private_api_key_wo = var.klaviyo_private_key");
    const generated = fs.readFileSync(path.join(dir, "generated.tf"), "utf8");
    expect(generated).toContain('resource "upstack_klaviyo_destination" "d"');
    expect(generated).toMatch(new RegExp(`pixel_id\\s+= "${w.pixelId}"`));
    expect(generated).toMatch(/label\s+= "Made in the dashboard"/);
    expect(generated).toMatch(/private_api_key_wo\s+= null # sensitive/);
    expect(h.stateText(dir)).not.toContain("upstack_klaviyo_destination");
    expect(h.leaksIn(h.writtenFiles(dir) + h.outputs.join("\n"))).toEqual([]);
  });

  test("creating over an existing destination is refused unless adopt = true", async () => {
    const w = await h.world("Adopt Store");
    const id = await dashboardDestination(w);
    const dir = h.workdir(resource(w));
    const refused = await h.tf(dir, ["apply", "-auto-approve", "-no-color"], h.envFor(w));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("`adopt = true` in the resource block");
    expect(refused.stderr).not.toMatch(/adopt: true|pulumi/i);
    expect(h.stateText(dir)).not.toContain("upstack_klaviyo_destination");
    h.write(dir, resource(w, "  adopt = true\n"));
    const adopted = await h.tf(dir, ["apply", "-auto-approve", "-no-color"], h.envFor(w));
    expect(adopted.code).toBe(0);
    expect((await h.emu.admin.getDestination(w.pixelId))!).toMatchObject({ id, owner: expect.stringMatching(/^terraform:/) });
  });

  test("the ephemeral key check validates during plan, fails against its attribute, and stores nothing", async () => {
    const w = await h.world("Ephemeral Store");
    const ephemeral = (account: string) => `ephemeral "upstack_klaviyo_key" "k" {
  private_api_key = var.klaviyo_private_key
  public_api_key  = "${account}"

  lifecycle {
    postcondition {
      condition     = self.access_check != "" && self.key_hint != ""
      error_message = "The key was not validated."
    }
  }
}
`;
    const dir = h.workdir(ephemeral(w.account.id) + resource(w));
    h.emu.clearRequests();
    const ok = await h.tf(dir, ["apply", "-auto-approve", "-no-color"], h.envFor(w));
    expect(ok.code).toBe(0);
    expect(h.requestLines().filter((l) => l === "klaviyo GET /api/accounts/").length).toBeGreaterThan(0);

    const other = await h.world("Not This Store");
    const wrong = await h.tf(dir, ["plan", "-no-color"], h.envFor(w, other.key.key));
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`public_api_key: the private key pk_...${other.key.key.slice(-4)} belongs to Klaviyo account ${other.account.id}`);
    expect(wrong.stderr).toContain('ephemeral "upstack_klaviyo_key" "k"');
    expect(h.leaksIn(h.writtenFiles(dir) + h.outputs.join("\n"))).toEqual([]);
  });
});
