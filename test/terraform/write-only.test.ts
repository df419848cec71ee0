// The write-only key with the real terraform binary against the emulator: create, a no-op plan
// that makes zero requests, rotation by version bump (in place, same destination), a wrong key
// refused at plan time with the attribute named and nothing written, drift shown by refresh and
// repaired by apply, destroy. After every step: no key in the state file or in anything terraform
// printed.
import { describeWithTerraform, plainText, useTerraformHarness } from "./support";
import type { World } from "../support/emulator-harness";

const h = useTerraformHarness();

function config(w: World, version: number, extra = ""): string {
  return `resource "upstack_klaviyo_destination" "d" {
  pixel_id                   = "${w.pixelId}"
  public_api_key             = "${w.account.id}"
  private_api_key_wo         = var.klaviyo_private_key
  private_api_key_wo_version = ${version}
${extra}}

output "key_hint" {
  value = upstack_klaviyo_destination.d.key_hint
}
`;
}

describeWithTerraform("terraform: write-only key lifecycle", () => {
  test("create, no-op plan, rotate, refuse a wrong key, drift, destroy: the key never reaches state", async () => {
    const w = await h.world("Write-only Store");
    const dir = h.workdir(config(w, 1));

    // Create: the plan validates the key (2 Klaviyo requests); the apply plans again in its own provider process, takes that
    // validation from the plan's process (validation-carry.ts) and writes once.
    const created = await h.tf(dir, ["apply", "-auto-approve", "-no-color"], h.envFor(w));
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    expect(created.stdout).toContain("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.");
    const dest = await h.emu.admin.getDestination(w.pixelId);
    expect(dest).not.toBeNull();
    expect(dest!.keyFingerprint).toBe(h.stateAttributes(dir)["key_fingerprint"]);
    expect(dest!.owner).toMatch(/^terraform:/);
    expect(h.stateAttributes(dir)["private_api_key_wo"]).toBeNull();
    expect(h.stateAttributes(dir)["id"]).toBe(dest!.id);
    expect(h.requestLines().filter((l) => l.startsWith("upstack PUT"))).toHaveLength(1);
    expect(h.leaksIn(h.stateText(dir))).toEqual([]);

    // No-op plan without refresh: exit 0 and not one request. With refresh: one Upstack read, no Klaviyo.
    h.emu.clearRequests();
    const noop = await h.tf(dir, ["plan", "-detailed-exitcode", "-refresh=false", "-no-color"], h.envFor(w));
    expect(noop.code).toBe(0);
    expect(noop.stdout).toContain("No changes.");
    expect(h.requestLines()).toEqual([]);
    const refreshed = await h.tf(dir, ["plan", "-detailed-exitcode", "-no-color"], h.envFor(w));
    expect(refreshed.code).toBe(0);
    expect(h.requestLines()).toEqual([`upstack GET /destinations/api/klaviyo`]);
    // A write-only key is not in the state refresh is given: Klaviyo is not asked about it, and the plan says so.
    expect(plainText(refreshed.stdout)).toContain(
      "refresh did not ask Klaviyo for the key's status: the key is neither in state (private_api_key_wo never is) nor in KLAVIYO_PRIVATE_KEY",
    );
    // With the key in KLAVIYO_PRIVATE_KEY, refresh asks Klaviyo for its status (one request) and has nothing to warn about.
    h.emu.clearRequests();
    const withKey = await h.tf(dir, ["plan", "-detailed-exitcode", "-no-color"], { ...h.envFor(w), KLAVIYO_PRIVATE_KEY: w.key.key });
    expect(withKey.code).toBe(0);
    expect(h.requestLines()).toEqual([`upstack GET /destinations/api/klaviyo`, `klaviyo GET /api/api-keys/${w.key.id}/`]);
    expect(plainText(withKey.stdout)).not.toContain("refresh did not ask Klaviyo");

    // Rotation: a new key and a version bump update in place.
    const rotated = await h.klaviyoKey(w.account.id);
    h.write(dir, config(w, 2));
    h.emu.clearRequests();
    const rotatePlan = await h.tf(dir, ["plan", "-detailed-exitcode", "-no-color"], h.envFor(w, rotated.key));
    expect(rotatePlan.code).toBe(2);
    expect(rotatePlan.stdout).toContain("will be updated in-place");
    // The new key is not named UpstackData: terraform shows the advice, against the attribute that carries the key.
    expect(plainText(rotatePlan.stdout)).toContain(`Warning: private_api_key_wo: the Klaviyo key pk_...${rotated.key.slice(-4)} is named`);
    expect(plainText(rotatePlan.stdout)).not.toMatch(/\bprivate_api_key:/);
    expect(rotatePlan.stdout).not.toContain("must be replaced");
    expect(h.requestLines().filter((l) => l.startsWith("klaviyo"))).toEqual(["klaviyo GET /api/accounts/", "klaviyo GET /api/api-keys/"]);
    const rotate = await h.tf(dir, ["apply", "-auto-approve", "-no-color"], h.envFor(w, rotated.key));
    expect(rotate.code).toBe(0);
    expect(rotate.stdout).toContain("Resources: 0 added, 1 changed, 0 destroyed.");
    const afterRotate = await h.emu.admin.getDestination(w.pixelId);
    expect(afterRotate!.id).toBe(dest!.id);
    expect(afterRotate!.keyHint).toBe(`pk_...${rotated.key.slice(-4)}`);
    expect(h.stateAttributes(dir)["key_fingerprint"]).toBe(afterRotate!.keyFingerprint);
    expect(plainText(rotate.stdout)).toContain(`key_hint = "pk_...${rotated.key.slice(-4)}"`);

    // A key from another Klaviyo account fails the plan against private_api_key_wo, and nothing is written.
    const other = await h.world("Other Store");
    h.write(dir, config(w, 3));
    h.emu.clearRequests();
    const wrong = await h.tf(dir, ["plan", "-no-color"], h.envFor(w, other.key.key));
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`public_api_key: the private key pk_...${other.key.key.slice(-4)} belongs to Klaviyo account ${other.account.id}`);
    expect(wrong.stderr).toContain("with upstack_klaviyo_destination.d");
    expect(wrong.stderr).not.toContain("publicApiKey");
    expect(h.requestLines().filter((l) => l.startsWith("upstack") && !l.startsWith("upstack GET"))).toEqual([]);
    const revoked = await h.emu.admin.createKlaviyoKey({ accountId: w.account.id, accessLevel: "read_only" });
    h.secrets.add(revoked.key);
    const readOnly = await h.tf(dir, ["apply", "-auto-approve", "-no-color"], h.envFor(w, revoked.key));
    expect(readOnly.code).toBe(1);
    expect(readOnly.stderr).toContain("private_api_key_wo: the key");
    expect(readOnly.stderr).toContain("Upstack Data requires Full Access");
    expect(readOnly.stderr).toContain("declare the scopes you rely on with the scopes attribute");
    expect(readOnly.stderr).toMatch(/private_api_key_wo\s+= var\.klaviyo_private_key/);
    expect((await h.emu.admin.getDestination(w.pixelId))!.keyFingerprint).toBe(afterRotate!.keyFingerprint);

    // Drift: a dashboard edit shows in a refresh-only plan and the next apply puts the configuration back.
    h.write(dir, config(w, 2));
    await h.emu.admin.patchDestination(w.pixelId, { label: "Edited in the dashboard" });
    const drift = await h.tf(dir, ["plan", "-refresh-only", "-no-color"], h.envFor(w, rotated.key));
    expect(drift.code).toBe(0);
    expect(drift.stdout).toMatch(/label\s+= "UpstackData" -> "Edited in the dashboard"/);
    const repair = await h.tf(dir, ["apply", "-auto-approve", "-no-color"], h.envFor(w, rotated.key));
    expect(repair.code).toBe(0);
    expect(repair.stdout).toContain("1 changed");
    expect((await h.emu.admin.getDestination(w.pixelId))!.label).toBe("UpstackData");

    // Destroy removes the destination.
    const destroyed = await h.tf(dir, ["destroy", "-auto-approve", "-no-color"], h.envFor(w, rotated.key));
    expect(destroyed.code).toBe(0);
    expect(await h.emu.admin.getDestination(w.pixelId)).toBeNull();

    // Zero occurrences of any key in the state, its backup, or anything terraform printed.
    expect(h.leaksIn(h.writtenFiles(dir))).toEqual([]);
    expect(h.leaksIn(h.outputs.join("\n"))).toEqual([]);
  });
});
