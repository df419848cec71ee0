// UpgradeResourceState: Terraform hands every stored destination to the provider on every plan as
// raw JSON. State written by this schema goes back as it came (as JSON, without decoding and
// re-encoding it); state of another shape is rebuilt to this schema. With the real terraform binary:
// state from another version of the schema (an attribute missing, one that no longer exists) plans
// with no changes and the next apply stores the current shape. Terraform itself strips attributes
// the schema no longer has and reads absent ones as null before it uses the answer, so the
// provider's own rebuilding is checked on the service directly as well.
import * as fs from "node:fs";
import * as path from "node:path";
import { Decoder } from "@msgpack/msgpack";
import { createProviderService } from "../../provider/terraform/provider-service";
import { DESTINATION_SCHEMA_ATTRIBUTES } from "../../provider/terraform/schemas";
import { describeWithTerraform, useTerraformHarness } from "./support";
import type { World } from "../support/emulator-harness";

type Answer = { upgraded_state?: { json?: Buffer; msgpack?: Buffer }; diagnostics?: unknown[] };

function upgrade(rawJson: string): Promise<Answer> {
  const handler = createProviderService()["UpgradeResourceState"] as (
    call: { request: Record<string, unknown> },
    callback: (error: Error | null, answer?: Answer) => void,
  ) => void;
  return new Promise((resolve, reject) =>
    handler({ request: { type_name: "upstack_klaviyo_destination", version: 0, raw_state: { json: Buffer.from(rawJson) } } }, (error, answer) =>
      error === null ? resolve(answer ?? {}) : reject(error),
    ),
  );
}

describe("UpgradeResourceState on the provider service", () => {
  const names = DESTINATION_SCHEMA_ATTRIBUTES.map((a) => a.name);
  const current = Object.fromEntries(names.map((n) => [n, n === "pixel_id" ? "9b2f6c1e-0d4a-4c3e-8f57-2a1b3c4d5e6f" : null]));

  test("state with exactly this schema's attributes goes back as the same JSON bytes", async () => {
    const raw = JSON.stringify(current);
    const answer = await upgrade(raw);
    expect(answer.upgraded_state?.json?.toString("utf8")).toBe(raw);
    expect(answer.upgraded_state?.msgpack).toBeUndefined();
  });

  test("state of another shape is rebuilt: every attribute of the schema, absent ones null, unknown ones dropped", async () => {
    const other: Record<string, unknown> = { ...current, legacy_setting: "from another version" };
    delete other["retire_replaced_key"];
    const answer = await upgrade(JSON.stringify(other));
    expect(answer.upgraded_state?.json).toBeUndefined();
    const decoded = new Decoder().decode(answer.upgraded_state!.msgpack!) as Record<string, unknown>;
    expect(Object.keys(decoded).sort()).toEqual([...names].sort());
    expect(decoded["retire_replaced_key"]).toBeNull();
    expect(decoded["pixel_id"]).toBe(current["pixel_id"]);
  });
});

const h = useTerraformHarness();

function config(w: World): string {
  return `resource "upstack_klaviyo_destination" "d" {
  pixel_id                   = "${w.pixelId}"
  private_api_key_wo         = var.klaviyo_private_key
  private_api_key_wo_version = 1
}
`;
}

describeWithTerraform("terraform: stored state upgraded to the current schema", () => {
  test("state from another schema version (an attribute missing, an unknown one) plans with no changes and is rewritten by apply", async () => {
    const w = await h.world("Upgrade Store");
    const dir = h.workdir(config(w));
    const created = await h.tf(dir, ["apply", "-auto-approve", "-no-color"], h.envFor(w));
    expect(created.code).toBe(0);
    const current = h.stateAttributes(dir);
    expect(current).toHaveProperty("retire_replaced_key", null);

    // Rewrite the stored attributes as an older or newer schema would have left them.
    const file = path.join(dir, "terraform.tfstate");
    const state = JSON.parse(fs.readFileSync(file, "utf8")) as {
      serial: number;
      resources: Array<{ instances: Array<{ attributes: Record<string, unknown> }> }>;
    };
    const attributes = state.resources[0]!.instances[0]!.attributes;
    delete attributes["retire_replaced_key"];
    attributes["legacy_setting"] = "from another version";
    state.serial += 1;
    fs.writeFileSync(file, JSON.stringify(state, null, 2));

    h.emu.clearRequests();
    const plan = await h.tf(dir, ["plan", "-refresh=false", "-detailed-exitcode", "-no-color"], h.envFor(w));
    expect(plan.stderr).toBe("");
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain("No changes.");
    expect(h.requestLines()).toEqual([]);

    const applied = await h.tf(dir, ["apply", "-refresh=false", "-auto-approve", "-no-color"], h.envFor(w));
    expect(applied.code).toBe(0);
    const rewritten = h.stateAttributes(dir);
    expect(rewritten).not.toHaveProperty("legacy_setting");
    expect(rewritten).toHaveProperty("retire_replaced_key", null);
    expect(rewritten["key_fingerprint"]).toBe(current["key_fingerprint"]);
    expect(h.leaksIn(h.stateText(dir))).toEqual([]);
  });
});
