// Key retirement (retire_replaced_key) and Klaviyo's side at refresh, with the real terraform
// binary against the emulator: a rotation retires the replaced key exactly once and records it in
// retired_key_id / retired_at; a key that cannot be identified without doubt, or belongs to another
// Klaviyo account, is left alone; a failing PATCH keeps the rotation; a key disabled in Klaviyo shows
// as unhealthy at refresh and fails the next plan. Nothing leaks a key into output, state or the
// provider's log.
//
// Where the provider's warnings land: every call answers the warnings the rules gave during it as
// warning diagnostics, which terraform shows ("Warning: retire_replaced_key: ..."); the provider also
// writes them to its stderr, which terraform keeps only in its debug log (TF_LOG_PROVIDER=DEBUG,
// TF_LOG_PATH). The tests check both.
import * as fs from "node:fs";
import * as path from "node:path";
import type { RequestLogEntry } from "../../emulator";
import { describeWithTerraform, plainText, useTerraformHarness, type TfRun } from "./support";
import type { World } from "../support/emulator-harness";
import { PATCH_WITHOUT_CREDENTIALS_WRITE, upstackHasNotNoticed } from "../support/retirement-faults";

const h = useTerraformHarness();

afterEach(() => {
  h.emu.faults.clear();
});

function config(w: World, extra = ""): string {
  return `resource "upstack_klaviyo_destination" "d" {
  pixel_id            = "${w.pixelId}"
  private_api_key     = var.klaviyo_private_key
  retire_replaced_key = true
${extra}}
`;
}

/** Runs terraform with the provider's debug log written to a file; returns the run and the provider's retirement warnings (other advice, e.g. on the key's name, is left out). */
async function tfLogged(dir: string, args: string[], env: Record<string, string>): Promise<TfRun & { warnings: string[]; shown: string }> {
  const logPath = path.join(dir, `provider-${Date.now()}.log`);
  const run = await h.tf(dir, args, { ...env, TF_LOG_PROVIDER: "DEBUG", TF_LOG_PATH: logPath });
  const log = fs.existsSync(logPath) ? fs.readFileSync(logPath, "utf8") : "";
  h.outputs.push(log);
  fs.rmSync(logPath, { force: true });
  const warnings = log
    .split("\n")
    .map((line) => /\[pulumi-upstack-klaviyo\] warning: (.*)$/.exec(line)?.[1])
    .filter((m): m is string => m !== undefined && m.includes("the replaced Klaviyo key"));
  return { ...run, warnings, shown: plainText(`${run.stdout}\n${run.stderr}`) };
}

const patches = (reqs: RequestLogEntry[]) => reqs.filter((r) => r.service === "klaviyo" && r.method === "PATCH");

async function keyState(id: string) {
  return (await h.emu.admin.listKlaviyoKeys()).find((k) => k.id === id)!;
}

/** Terraform's own output shows the warning as a warning diagnostic (its summary after "Warning: "), in Terraform's words. */
function expectShownAsWarning(shown: string, words: string): void {
  expect(shown).toContain(`Warning: ${words}`);
}

function expectNoLeaks(dir: string): void {
  expect(h.leaksIn(h.outputs.join("\n"))).toEqual([]);
  // A sensitive argument is stored in state by Terraform itself: only there may the key appear.
  const state = JSON.parse(h.stateText(dir)) as { resources: Array<{ instances: Array<{ attributes: Record<string, unknown> }> }> };
  for (const r of state.resources) for (const i of r.instances) delete i.attributes["private_api_key"];
  expect(h.leaksIn(JSON.stringify(state))).toEqual([]);
}

/** A world whose destination was created with its first key (retire_replaced_key on), and a second key of the same account. */
async function created(extra = ""): Promise<{ w: World; dir: string }> {
  const w = await h.world("Retiring Store");
  const dir = h.workdir(config(w, extra), false);
  const first = await h.tf(dir, ["apply", "-auto-approve", "-no-color"], h.envFor(w));
  expect(first.code).toBe(0);
  return { w, dir };
}

describeWithTerraform("terraform: retire_replaced_key and Klaviyo's side at refresh", () => {
  test("rotation retires the replaced key exactly once; the new key untouched; retired_key_id and retired_at in state", async () => {
    const { w, dir } = await created();
    expect(h.stateAttributes(dir)).toMatchObject({ klaviyo_key_id: w.key.id, retired_key_id: null, retired_at: null });
    const next = await h.klaviyoKey(w.account.id);
    h.emu.clearRequests();

    const rotate = await tfLogged(dir, ["apply", "-auto-approve", "-no-color"], h.envFor(w, next.key));
    expect(rotate.code).toBe(0);
    const reqs = h.emu.requests();
    expect(patches(reqs).map((r) => `${r.path} ${r.status}`)).toEqual([`/api/api-keys/${w.key.id}/ 200`]);
    const put = reqs.findIndex((r) => r.service === "upstack" && r.method === "PUT");
    expect(put).toBeGreaterThanOrEqual(0);
    expect(reqs.findIndex((r) => r.method === "PATCH")).toBeGreaterThan(put);
    expect(await keyState(w.key.id)).toMatchObject({ disabled: true, revoked: false });
    expect(await keyState(next.id)).toMatchObject({ disabled: false, revoked: false });
    const attrs = h.stateAttributes(dir);
    expect(attrs).toMatchObject({ key_hint: `pk_...${next.key.slice(-4)}`, klaviyo_key_id: next.id, retired_key_id: w.key.id, status: "healthy" });
    expect(Date.parse(String(attrs["retired_at"]))).toBeGreaterThan(Date.now() - 120_000);
    expect(rotate.warnings).toEqual([]);

    // The next plan has nothing to do, a refresh keeps the record, and neither disables anything.
    h.emu.clearRequests();
    const plan = await h.tf(dir, ["plan", "-detailed-exitcode", "-no-color"], h.envFor(w, next.key));
    expect(plan.code).toBe(0);
    const refreshed = await h.tf(dir, ["apply", "-refresh-only", "-auto-approve", "-no-color"], h.envFor(w, next.key));
    expect(refreshed.code).toBe(0);
    expect(h.stateAttributes(dir)).toMatchObject({ retired_key_id: w.key.id, retired_at: attrs["retired_at"] });
    expect(patches(h.emu.requests())).toEqual([]);
    expect(await keyState(next.id)).toMatchObject({ disabled: false });
    expectNoLeaks(dir);
  });

  test("retirement refused for a key whose Klaviyo id is not known without doubt: rotation done, nothing disabled, a warning", async () => {
    // The first key may not list keys (declared scopes, no credentials:read): its Klaviyo id was never established.
    const w = await h.world("Ambiguous Store");
    const scopes = ["accounts:read", "events:write", "metrics:read", "profiles:read", "profiles:write"];
    const first = await h.emu.admin.createKlaviyoKey({ accountId: w.account.id, accessLevel: "custom", scopes });
    h.secrets.add(first.key);
    const scopesAttr = `  scopes              = ${JSON.stringify(scopes)}\n`;
    const dir = h.workdir(config(w, scopesAttr), false);
    expect((await h.tf(dir, ["apply", "-auto-approve", "-no-color"], h.envFor(w, first.key))).code).toBe(0);
    expect(h.stateAttributes(dir)["klaviyo_key_id"]).toBeNull();
    const next = await h.klaviyoKey(w.account.id);
    h.emu.clearRequests();

    const rotate = await tfLogged(dir, ["apply", "-auto-approve", "-no-color"], h.envFor(w, next.key));
    expect(rotate.code).toBe(0);
    expect(patches(h.emu.requests())).toEqual([]);
    expect(await keyState(first.id)).toMatchObject({ disabled: false });
    expect(await keyState(next.id)).toMatchObject({ disabled: false });
    expect((await h.emu.admin.getDestination(w.pixelId))!.keyHint).toBe(`pk_...${next.key.slice(-4)}`);
    expect(h.stateAttributes(dir)).toMatchObject({ key_hint: `pk_...${next.key.slice(-4)}`, retired_key_id: null, retired_at: null });
    const warning = `the replaced Klaviyo key pk_...${first.key.slice(-4)} was not disabled: its Klaviyo id is not known without doubt`;
    expect(rotate.warnings).toEqual([expect.stringContaining(warning)]);
    expect(rotate.warnings[0]).toMatch(/To retire it by hand: in Klaviyo, Settings → Account → API Keys/);
    // The core speaks Terraform's words: the warning names the attribute, not the Pulumi property.
    expect(rotate.warnings[0]).toMatch(new RegExp(`^retire_replaced_key: the replaced Klaviyo key pk_\\.\\.\\.${first.key.slice(-4)} was not disabled`));
    expectShownAsWarning(rotate.shown, `retire_replaced_key: the replaced Klaviyo key pk_...${first.key.slice(-4)} was not disabled`);
    expectNoLeaks(dir);
  });

  test("retirement refused for a key of another Klaviyo account: nothing disabled, a warning", async () => {
    const { w, dir } = await created();
    const other = await h.emu.admin.createKlaviyoAccountWithKey({ name: "Other Store" }, { label: "UpstackData" });
    h.secrets.add(other.key.key);
    h.emu.clearRequests();

    const rotate = await tfLogged(dir, ["apply", "-auto-approve", "-no-color"], h.envFor(w, other.key.key));
    expect(rotate.code).toBe(0);
    expect(patches(h.emu.requests())).toEqual([]);
    expect(await keyState(w.key.id)).toMatchObject({ disabled: false });
    expect(await keyState(other.key.id)).toMatchObject({ disabled: false });
    expect(h.stateAttributes(dir)).toMatchObject({ klaviyo_account_id: other.account.id, retired_key_id: null, retired_at: null });
    const warning = `it belongs to Klaviyo account ${w.account.id}, not the new key's account ${other.account.id}`;
    expect(rotate.warnings).toEqual([expect.stringContaining(warning)]);
    expectShownAsWarning(rotate.shown, `retire_replaced_key: the replaced Klaviyo key pk_...${w.key.key.slice(-4)} was not disabled`);
    expectNoLeaks(dir);
  });

  test("PATCH failing: the rotation stands, a warning with the manual fix, nothing else changed", async () => {
    const { w, dir } = await created();
    const next = await h.klaviyoKey(w.account.id);
    const before = h.stateAttributes(dir);
    h.emu.faults.add(PATCH_WITHOUT_CREDENTIALS_WRITE);
    h.emu.clearRequests();

    const rotate = await tfLogged(dir, ["apply", "-auto-approve", "-no-color"], h.envFor(w, next.key));
    expect(rotate.code).toBe(0);
    expect(patches(h.emu.requests())).toHaveLength(1); // tried once, not repeated
    expect(await keyState(w.key.id)).toMatchObject({ disabled: false });
    expect(await keyState(next.id)).toMatchObject({ disabled: false });
    const dest = (await h.emu.admin.getDestination(w.pixelId))!;
    expect(dest).toMatchObject({ keyHint: `pk_...${next.key.slice(-4)}`, status: "healthy", id: before["destination_id"] });
    const after = h.stateAttributes(dir);
    expect(after).toMatchObject({ key_hint: `pk_...${next.key.slice(-4)}`, status: "healthy", retired_key_id: null, retired_at: null });
    for (const unchanged of ["id", "pixel_id", "label", "enabled", "owner", "created_at", "klaviyo_account_id"])
      expect(after[unchanged]).toEqual(before[unchanged]);
    expect(rotate.warnings).toHaveLength(1);
    expect(rotate.warnings[0]).toContain("the new key lacks the credentials:write scope");
    expect(rotate.warnings[0]).toContain(`The rotation stands: Upstack uses pk_...${next.key.slice(-4)}`);
    expect(rotate.warnings[0]).toContain(`find the private key pk_...${w.key.key.slice(-4)} (Klaviyo id ${w.key.id})`);
    expectShownAsWarning(rotate.shown, `retire_replaced_key: the replaced Klaviyo key pk_...${w.key.key.slice(-4)} was not disabled`);

    // The fault lifted, the next plan has nothing to do: the rotation is not redone and nothing is retired late.
    h.emu.faults.clear();
    h.emu.clearRequests();
    expect((await h.tf(dir, ["plan", "-detailed-exitcode", "-no-color"], h.envFor(w, next.key))).code).toBe(0);
    expect(patches(h.emu.requests())).toEqual([]);
    expectNoLeaks(dir);
  });

  test("a key disabled in Klaviyo: refresh shows the destination unhealthy with the reason, the next plan fails on private_api_key", async () => {
    const { w, dir } = await created();
    // The sensitive private_api_key is in the stored state ReadResource is given: refresh asks Klaviyo with it
    // (KLAVIYO_PRIVATE_KEY is not set).
    const env = h.envFor(w);
    h.emu.clearRequests();
    const healthy = await h.tf(dir, ["apply", "-refresh-only", "-auto-approve", "-no-color"], env);
    expect(healthy.code).toBe(0);
    expect(h.stateAttributes(dir)).toMatchObject({ status: "healthy", status_reason: null });
    expect(h.requestLines()).toContain(`klaviyo GET /api/api-keys/${w.key.id}/`);

    // Upstack has not noticed yet: its GET still answers what it answered while the key worked.
    const seenByUpstack = (await h.emu.admin.getDestination(w.pixelId))!;
    await h.emu.admin.setKlaviyoKeyDisabled(w.key.id, true);
    h.emu.faults.add(upstackHasNotNoticed(seenByUpstack));
    const refreshed = await h.tf(dir, ["apply", "-refresh-only", "-auto-approve", "-no-color"], env);
    expect(refreshed.code).toBe(0);
    expect(refreshed.stdout).toMatch(/status\s+= "healthy" -> "unhealthy"/);
    const attrs = h.stateAttributes(dir);
    expect(attrs["status"]).toBe("unhealthy");
    expect(String(attrs["status_reason"])).toMatch(
      new RegExp(`^Klaviyo rejects the key pk_\\.\\.\\.${w.key.key.slice(-4)} \\(id ${w.key.id}; HTTP 401\\): it was disabled, revoked or deleted in Klaviyo`),
    );

    const plan = await h.tf(dir, ["plan", "-no-color"], env);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain(`private_api_key: Klaviyo rejected the key pk_...${w.key.key.slice(-4)}`);
    expect(plan.stderr).not.toMatch(/privateApiKey|retireReplacedKey|pulumi/i);
    expect(h.requestLines().filter((l) => l.startsWith("upstack PUT"))).toEqual([]);
    expectNoLeaks(dir);
  });
});
