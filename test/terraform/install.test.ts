// Installing the provider the ways users do, with the real terraform binary and no dev_overrides:
// `terraform init` from a packed filesystem mirror built by the release script (the linux_amd64
// zip holds Node's single executable, so terraform runs it with no node on PATH), and from an
// implied local mirror (~/.terraform.d/plugins) that `terraform-provider-upstack mirror` writes (a
// launcher that runs Node), found by `terraform init` with no CLI configuration at all.
// Each is followed by a plan and an apply against the emulator.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { terraformPlatform } from "../../provider/terraform/mirror";
import { buildRelease } from "../../scripts/terraform/release";
import { describeWithTerraform, TerraformHarness } from "./support";

jest.setTimeout(300_000);

const h = new TerraformHarness();
const onLinuxAmd64 = process.platform === "linux" && process.arch === "x64";

beforeAll(async () => {
  await h.start();
}, 120_000);

afterAll(async () => {
  await h.close();
});

function mirrorConfig(dir: string, mirror: string): string {
  const file = path.join(dir, "mirror.tfrc");
  fs.writeFileSync(
    file,
    `provider_installation {\n  filesystem_mirror {\n    path    = "${mirror}"\n    include = ["registry.terraform.io/upstack/upstack"]\n  }\n  direct {\n    exclude = ["registry.terraform.io/upstack/upstack"]\n  }\n}\n`,
  );
  return file;
}

function resource(pixelId: string): string {
  return `resource "upstack_klaviyo_destination" "d" {\n  pixel_id                   = "${pixelId}"\n  private_api_key_wo         = var.klaviyo_private_key\n  private_api_key_wo_version = 1\n}\n`;
}

describeWithTerraform("terraform: installing from a filesystem mirror", () => {
  (onLinuxAmd64 ? test : test.skip)("the release's single executable installs with terraform init and runs without Node on PATH", async () => {
    const out = h.tempDir("upstack-tf-release-");
    const release = await buildRelease({ out, platforms: ["linux_amd64", "darwin_arm64"] });
    expect(release.zips.map((z) => [z.platform, z.kind])).toEqual([
      ["linux_amd64", "single-executable"],
      ["darwin_arm64", "node-launcher"],
    ]);
    const sums = fs.readFileSync(release.sums, "utf8");
    expect(sums).toMatch(/^[0-9a-f]{64} {2}terraform-provider-upstack_\d+\.\d+\.\d+_linux_amd64\.zip$/m);
    expect(sums).toMatch(/_manifest\.json$/m);

    // PATH holds terraform and nothing else: no node for the provider to lean on.
    const onlyTerraform = h.tempDir("upstack-tf-path-");
    fs.symlinkSync(fs.realpathSync(await which("terraform")), path.join(onlyTerraform, "terraform"));
    const w = await h.world("Release Store");
    const dir = h.workdir(resource(w.pixelId));
    const env = { ...h.envFor(w), TF_CLI_CONFIG_FILE: mirrorConfig(dir, release.mirror), PATH: onlyTerraform };
    const init = await h.tf(dir, ["init", "-no-color"], env);
    expect(init.stderr).toBe("");
    expect(init.code).toBe(0);
    expect(init.stdout).toContain(`Installed upstack/upstack v${release.version} (unauthenticated)`);
    expect(fs.readFileSync(path.join(dir, ".terraform.lock.hcl"), "utf8")).toContain('provider "registry.terraform.io/upstack/upstack"');
    const plan = await h.tf(dir, ["plan", "-no-color"], env);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain("1 to add");
    const apply = await h.tf(dir, ["apply", "-auto-approve", "-no-color"], env);
    expect(apply.code).toBe(0);
    expect((await h.emu.admin.getDestination(w.pixelId))!.owner).toMatch(/^terraform:/);
  });

  (process.platform === "win32" ? test.skip : test)(
    "a launcher zip (what the platforms without a single executable get) installs with terraform init and runs the code-cached bundles with Node",
    async () => {
      const out = h.tempDir("upstack-tf-release-launcher-");
      const here = terraformPlatform();
      const release = await buildRelease({ out, platforms: [here], sea: false });
      expect(release.zips.map((z) => [z.platform, z.kind])).toEqual([[here, "node-launcher"]]);
      const unzipped = h.tempDir("upstack-tf-unzipped-");
      await new Promise<void>((resolve, reject) => execFile("unzip", ["-q", release.zips[0]!.file, "-d", unzipped], (e) => (e ? reject(e) : resolve())));
      expect(fs.readdirSync(path.join(unzipped, "lib")).sort()).toEqual([
        "terraform-provider-upstack",
        "upstack-provider-runtime.bundle.js",
        "upstack-provider.bundle.js",
      ]);
      const w = await h.world("Launcher Store");
      const dir = h.workdir(resource(w.pixelId));
      const env = { ...h.envFor(w), TF_CLI_CONFIG_FILE: mirrorConfig(dir, release.mirror) };
      const init = await h.tf(dir, ["init", "-no-color"], env);
      expect(init.code).toBe(0);
      const apply = await h.tf(dir, ["apply", "-auto-approve", "-no-color"], env);
      expect(apply.code).toBe(0);
      expect((await h.emu.admin.getDestination(w.pixelId))!.owner).toMatch(/^terraform:/);
      expect(h.leaksIn(h.writtenFiles(dir) + h.outputs.join("\n"))).toEqual([]);
    },
  );

  test("`terraform-provider-upstack mirror` writes Terraform's implied local mirror; init finds it with no CLI configuration", async () => {
    // The package's bin as npm installs it (dist/, built by `npm run build`), run with a fresh HOME:
    // the bundled provider and its code-cache loader, the executable the benchmark measures.
    const home = h.tempDir("upstack-tf-home-");
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")) as { bin: Record<string, string> };
    const bin = path.join(__dirname, "..", "..", pkg.bin["terraform-provider-upstack"]!);
    expect(fs.existsSync(bin)).toBe(true);
    expect(fs.readFileSync(bin, "utf8")).toContain("cachedData");
    const wrote = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [bin, "mirror"], { env: { PATH: process.env["PATH"] ?? "", HOME: home } }, (e, out) => (e ? reject(e) : resolve(out))),
    );
    expect(wrote).toMatch(
      /^Wrote .*\.terraform\.d\/plugins\/registry\.terraform\.io\/upstack\/upstack\/\d+\.\d+\.\d+\/[a-z0-9]+_[a-z0-9]+\/terraform-provider-upstack_v\d+\.\d+\.\d+\n/,
    );
    // The launcher runs that same executable (not the unbundled modules, ~2x slower to start).
    const launcher = fs.readFileSync(/^Wrote (.*)$/m.exec(wrote)![1]!, "utf8");
    expect(launcher).toContain(`'${fs.realpathSync(bin)}'`);
    const w = await h.world("Mirror Store");
    const dir = h.workdir(resource(w.pixelId));
    const env = { ...h.envFor(w), HOME: home, TF_CLI_CONFIG_FILE: "" };
    const init = await h.tf(dir, ["init", "-no-color"], env);
    expect(init.code).toBe(0);
    expect(init.stdout).toMatch(/Installed upstack\/upstack v\d+\.\d+\.\d+ \(unauthenticated\)/);
    const apply = await h.tf(dir, ["apply", "-auto-approve", "-no-color"], env);
    expect(apply.code).toBe(0);
    expect(await h.emu.admin.getDestination(w.pixelId)).not.toBeNull();
    expect(h.leaksIn(h.writtenFiles(dir) + h.outputs.join("\n"))).toEqual([]);
  });
});

async function which(name: string): Promise<string> {
  for (const dir of (process.env["PATH"] ?? "").split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error(`${name} is not on PATH`);
}
