// The sensitive private_api_key with the real terraform binary: create, rotation in place by
// changing the variable, replacement when pixel_id changes (the old pixel's destination removed,
// the new one created), destroy. A sensitive argument is stored in state by Terraform itself: the
// key may appear there in private_api_key and nowhere else; outputs and everything terraform
// printed hold no key. Also the provider block's settings and their environment fallbacks.
import * as fs from "node:fs";
import * as path from "node:path";
import { describeWithTerraform, useTerraformHarness } from "./support";
import type { World } from "../support/emulator-harness";

const h = useTerraformHarness();

function config(pixelId: string, extra = ""): string {
  return `resource "upstack_klaviyo_destination" "d" {
  pixel_id        = "${pixelId}"
  private_api_key = var.klaviyo_private_key
${extra}}

output "destination" {
  value = {
    id          = upstack_klaviyo_destination.d.id
    fingerprint = upstack_klaviyo_destination.d.key_fingerprint
    hint        = upstack_klaviyo_destination.d.key_hint
    status      = upstack_klaviyo_destination.d.status
    account     = upstack_klaviyo_destination.d.klaviyo_account_id
  }
}
`;
}

/** The state without the one attribute Terraform stores a sensitive argument in. */
function stateWithoutKeyAttribute(dir: string): string {
  const state = JSON.parse(fs.readFileSync(path.join(dir, "terraform.tfstate"), "utf8")) as {
    resources: Array<{ instances: Array<{ attributes: Record<string, unknown> }> }>;
  };
  for (const r of state.resources) for (const i of r.instances) delete i.attributes["private_api_key"];
  return JSON.stringify(state);
}

describeWithTerraform("terraform: sensitive key, rotation and replacement", () => {
  test("rotate in place, replace on pixel_id, destroy; outputs never hold a key", async () => {
    const w = await h.world("Sensitive Store");
    const dir = h.workdir(config(w.pixelId), false);
    const created = await h.tf(dir, ["apply", "-auto-approve", "-no-color"], h.envFor(w));
    expect(created.code).toBe(0);
    const first = await h.emu.admin.getDestination(w.pixelId);
    expect(first!.keyHint).toBe(`pk_...${w.key.key.slice(-4)}`);
    expect(h.stateAttributes(dir)["private_api_key"]).toBe(w.key.key);
    expect(h.leaksIn(stateWithoutKeyAttribute(dir))).toEqual([]);

    // Rotation: change the variable; in place, same id, validated first.
    const rotated = await h.klaviyoKey(w.account.id);
    h.emu.clearRequests();
    const plan = await h.tf(dir, ["plan", "-detailed-exitcode", "-no-color"], h.envFor(w, rotated.key));
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain("will be updated in-place");
    expect(plan.stdout).toMatch(/private_api_key\s+= \(sensitive value\)/);
    expect(h.requestLines()).toContain("klaviyo GET /api/accounts/");
    const rotate = await h.tf(dir, ["apply", "-auto-approve", "-no-color"], h.envFor(w, rotated.key));
    expect(rotate.code).toBe(0);
    const second = await h.emu.admin.getDestination(w.pixelId);
    expect(second!.id).toBe(first!.id);
    expect(second!.keyHint).toBe(`pk_...${rotated.key.slice(-4)}`);
    const out = await h.tf(dir, ["output", "-json"], h.envFor(w, rotated.key));
    expect(JSON.parse(out.stdout)).toMatchObject({
      destination: { value: { id: first!.id, hint: second!.keyHint, status: "healthy", account: w.account.id } },
    });

    // A disabled key is refused at plan against private_api_key; nothing changes.
    const disabled = await h.emu.admin.createKlaviyoKey({ accountId: w.account.id, disabled: true });
    h.secrets.add(disabled.key);
    const refused = await h.tf(dir, ["plan", "-no-color"], h.envFor(w, disabled.key));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`private_api_key: Klaviyo rejected the key pk_...${disabled.key.slice(-4)}`);
    expect(refused.stderr).toMatch(/private_api_key = var\.klaviyo_private_key/);

    // Replacement: a new pixel replaces the destination.
    const pixel2 = "5e0c3a52-6f7b-4c1d-9e2f-0a1b2c3d4e5f";
    const upstack2 = await h.upstackKey(pixel2);
    h.write(dir, config(pixel2), false);
    const env = { ...h.envFor(w, rotated.key), UPSTACK_API_KEYS: JSON.stringify({ [w.pixelId]: w.upstack.apiKey, [pixel2]: upstack2.apiKey }) };
    const replacePlan = await h.tf(dir, ["plan", "-no-color"], env);
    expect(replacePlan.code).toBe(0);
    expect(replacePlan.stdout).toContain("must be replaced");
    expect(replacePlan.stdout).toMatch(/pixel_id\s+= "[0-9a-f-]+" -> "5e0c3a52-6f7b-4c1d-9e2f-0a1b2c3d4e5f" # forces replacement/);
    const replaced = await h.tf(dir, ["apply", "-auto-approve", "-no-color"], env);
    expect(replaced.code).toBe(0);
    expect(replaced.stdout).toContain("Resources: 1 added, 0 changed, 1 destroyed.");
    expect(await h.emu.admin.getDestination(w.pixelId)).toBeNull();
    const third = await h.emu.admin.getDestination(pixel2);
    expect(third!.keyHint).toBe(second!.keyHint);

    const destroyed = await h.tf(dir, ["destroy", "-auto-approve", "-no-color"], env);
    expect(destroyed.code).toBe(0);
    expect(await h.emu.admin.getDestination(pixel2)).toBeNull();
    expect(h.leaksIn(h.outputs.join("\n"))).toEqual([]);
  });

  test("settings come from the provider block, else the environment; a missing pixel names pixel_id", async () => {
    const w: World = await h.world("Settings Store");
    const dir = h.workdir(
      `resource "upstack_klaviyo_destination" "d" {
  private_api_key = var.klaviyo_private_key
  label           = "From the provider block"
}
`,
      false,
    );
    const missing = await h.tf(dir, ["plan", "-no-color"], h.envFor(w));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('pixel_id is required: set it in the resource block, or set pixel_id in the provider "upstack" block');
    expect(missing.stderr).not.toMatch(/pulumi|pixelId|stack config/);

    // Provider block's pixel_id and api_keys instead of the environment.
    fs.writeFileSync(
      path.join(dir, "main.tf"),
      h
        .header(false)
        .replace('provider "upstack" {', `provider "upstack" {\n  pixel_id = "${w.pixelId}"\n  api_keys = { "${w.pixelId}" = "${w.upstack.apiKey}" }`) +
        `resource "upstack_klaviyo_destination" "d" {\n  private_api_key = var.klaviyo_private_key\n  label = "From the provider block"\n}\n`,
    );
    const applied = await h.tf(dir, ["apply", "-auto-approve", "-no-color"], { TF_VAR_klaviyo_private_key: w.key.key });
    expect(applied.code).toBe(0);
    expect((await h.emu.admin.getDestination(w.pixelId))!.label).toBe("From the provider block");
    const destroyed = await h.tf(dir, ["destroy", "-auto-approve", "-no-color"], { TF_VAR_klaviyo_private_key: w.key.key });
    expect(destroyed.code).toBe(0);
    expect(h.leaksIn(h.outputs.join("\n"))).toEqual([]);
  });

  test("a key known only at apply is validated at apply; a wrong one writes nothing", async () => {
    const w = await h.world("Late Key Store");
    const other = await h.world("Late Other Store");
    const body = `resource "terraform_data" "key" {
  input = var.klaviyo_private_key
}

resource "upstack_klaviyo_destination" "d" {
  pixel_id        = "${w.pixelId}"
  public_api_key  = "${w.account.id}"
  private_api_key = terraform_data.key.output
}
`;
    const dir = h.workdir(body, false);
    h.emu.clearRequests();
    const plan = await h.tf(dir, ["plan", "-no-color"], h.envFor(w, other.key.key));
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/key_fingerprint\s+= \(known after apply\)/);
    expect(h.requestLines()).toEqual([]);
    const refused = await h.tf(dir, ["apply", "-auto-approve", "-no-color"], h.envFor(w, other.key.key));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`public_api_key: the private key pk_...${other.key.key.slice(-4)} belongs to Klaviyo account ${other.account.id}`);
    expect(await h.emu.admin.getDestination(w.pixelId)).toBeNull();
    expect(h.requestLines().filter((l) => l.startsWith("upstack"))).toEqual([]);
  });
});
