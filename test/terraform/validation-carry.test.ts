// Validations carried between the provider processes of one Terraform run (validation-carry.ts):
// the files on their own (same run, another run, the TTL, an unsafe folder, a damaged file), then
// with the real terraform binary: one `terraform apply` of a changed key asks Klaviyo once, and a
// saved plan applied by a later command validates again and refuses a key revoked meanwhile.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fakeKlaviyoPrivateKey, keyFingerprint, keyHint } from "../../emulator";
import type { KeyValidation } from "../../provider/core";
import { CARRY_TTL_MS, parentRunId, terraformRunCarry } from "../../provider/terraform/validation-carry";
import { describeWithTerraform, useTerraformHarness } from "./support";
import type { World } from "../support/emulator-harness";

const posix = typeof process.getuid === "function";
const describePosix = posix ? describe : describe.skip;

function validation(key: string): KeyValidation {
  return {
    fingerprint: keyFingerprint(key),
    hint: keyHint(key),
    accountId: "AbC123",
    accountName: undefined,
    keyId: "key-id-1",
    keyName: "UpstackData",
    accessCheck: "Full Access (from the api-keys listing)",
    unverifiedScopes: [],
    validatedAt: "2026-12-03T00:00:00.000Z",
  };
}

describePosix("the carry's files", () => {
  let dir: string;
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "carry-test-"));
    dir = path.join(root, "carry");
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  test("kept by one process of a run, taken by the next; not by another run; no key in the file", () => {
    const key = fakeKlaviyoPrivateKey();
    const v = validation(key);
    const cacheKey = `${v.fingerprint}|AbC123|full`;
    terraformRunCarry({ dir, runId: "100-5" })!.keep(cacheKey, v);
    expect(terraformRunCarry({ dir, runId: "100-5" })!.take(cacheKey)).toEqual(v);
    expect(terraformRunCarry({ dir, runId: "100-6" })!.take(cacheKey)).toBeUndefined();
    expect(terraformRunCarry({ dir, runId: "100-5" })!.take(`${v.fingerprint}||full`)).toBeUndefined();
    const files = fs.readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(dir, files[0]!)).mode & 0o777).toBe(0o600);
    const text = fs.readFileSync(path.join(dir, files[0]!), "utf8");
    expect(text).not.toContain(key);
    expect(text).not.toContain(key.slice(3, -4));
  });

  test("stale after the TTL, and pruned by the next process's first keep", () => {
    const v = validation(fakeKlaviyoPrivateKey());
    let now = 1_000_000;
    terraformRunCarry({ dir, runId: "7", now: () => now })!.keep("a", v);
    now += CARRY_TTL_MS + 1;
    expect(terraformRunCarry({ dir, runId: "7", now: () => now })!.take("a")).toBeUndefined();
    const old = path.join(dir, fs.readdirSync(dir)[0]!);
    const past = new Date(Date.now() - CARRY_TTL_MS - 60_000);
    fs.utimesSync(old, past, past);
    const carry = terraformRunCarry({ dir, runId: "8" })!;
    carry.keep("b", v);
    expect(fs.existsSync(old)).toBe(false);
    expect(fs.readdirSync(dir)).toHaveLength(1);
    // Once per process: a file that expires after this carry's first keep waits for the next process.
    const kept = path.join(dir, fs.readdirSync(dir)[0]!);
    fs.utimesSync(kept, past, past);
    carry.keep("c", v);
    expect(fs.existsSync(kept)).toBe(true);
    terraformRunCarry({ dir, runId: "9" })!.keep("d", v);
    expect(fs.existsSync(kept)).toBe(false);
    expect(fs.readdirSync(dir)).toHaveLength(2);
  });

  test("a folder others can open, or a symbolic link, is not used; a damaged file is not a validation", () => {
    const v = validation(fakeKlaviyoPrivateKey());
    fs.mkdirSync(dir, { mode: 0o755 });
    fs.chmodSync(dir, 0o755);
    terraformRunCarry({ dir, runId: "1" })!.keep("a", v);
    expect(fs.readdirSync(dir)).toEqual([]);

    const real = path.join(root, "real");
    fs.mkdirSync(real, { mode: 0o700 });
    const link = path.join(root, "link");
    fs.symlinkSync(real, link);
    terraformRunCarry({ dir: link, runId: "1" })!.keep("a", v);
    expect(fs.readdirSync(real)).toEqual([]);

    const ok = path.join(root, "ok");
    terraformRunCarry({ dir: ok, runId: "1" })!.keep("a", v);
    const [file] = fs.readdirSync(ok);
    fs.writeFileSync(path.join(ok, file!), '{"at": 1, "validation": {"fingerprint": 3}}');
    expect(terraformRunCarry({ dir: ok, runId: "1" })!.take("a")).toBeUndefined();
    fs.writeFileSync(path.join(ok, file!), "not json");
    expect(terraformRunCarry({ dir: ok, runId: "1" })!.take("a")).toBeUndefined();
  });

  test("the run is this process's parent: its id and, on Linux, its start time", () => {
    const id = parentRunId();
    expect(id).toMatch(new RegExp(`^${process.ppid}(-\\d+)?$`));
    if (process.platform === "linux") expect(id).toMatch(/^\d+-\d+$/);
  });
});

const h = useTerraformHarness();

function config(w: World, version: number): string {
  return `resource "upstack_klaviyo_destination" "d" {
  pixel_id                   = "${w.pixelId}"
  public_api_key             = "${w.account.id}"
  private_api_key_wo         = var.klaviyo_private_key
  private_api_key_wo_version = ${version}
}
`;
}

const klaviyoLines = (): string[] => h.requestLines().filter((l) => l.startsWith("klaviyo"));

describeWithTerraform("terraform: a validation is carried within one run, never to the next", () => {
  test("one apply of a changed key asks Klaviyo once; a saved plan applied later validates again", async () => {
    const w = await h.world("Carry Store");
    const dir = h.workdir(config(w, 1));
    const once = ["klaviyo GET /api/accounts/", "klaviyo GET /api/api-keys/"];

    // terraform apply: its plan validates in one provider process, its apply plans again in another and takes that validation.
    h.emu.clearRequests();
    const created = await h.tf(dir, ["apply", "-auto-approve", "-no-color"], h.envFor(w));
    expect(created.code).toBe(0);
    expect(klaviyoLines()).toEqual(once);
    expect(h.requestLines().filter((l) => l.startsWith("upstack PUT"))).toHaveLength(1);

    // A saved plan is applied by another terraform process (another run): the key is asked again, and a key revoked since
    // the plan is refused with nothing written.
    const rotated = await h.klaviyoKey(w.account.id);
    h.write(dir, config(w, 2));
    const planned = await h.tf(dir, ["plan", "-out=rotate.tfplan", "-no-color"], h.envFor(w, rotated.key));
    expect(planned.code).toBe(0);
    await h.emu.admin.revokeKlaviyoKey(rotated.id);
    h.emu.clearRequests();
    const applied = await h.tf(dir, ["apply", "-no-color", "rotate.tfplan"], h.envFor(w, rotated.key));
    expect(applied.code).toBe(1);
    expect(applied.stderr).toContain("private_api_key_wo:");
    expect(klaviyoLines()).toContain("klaviyo GET /api/accounts/");
    expect(h.requestLines().filter((l) => l.startsWith("upstack PUT"))).toEqual([]);
    expect((await h.emu.admin.getDestination(w.pixelId))!.keyHint).toBe(`pk_...${w.key.key.slice(-4)}`);
    expect(h.leaksIn(h.writtenFiles(dir))).toEqual([]);
    expect(h.leaksIn(h.outputs.join("\n"))).toEqual([]);
  });
});
