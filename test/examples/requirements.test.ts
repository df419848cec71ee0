// What a newcomer is told they need agrees with what the dependencies need, and the examples never
// tell anyone to put a key on a command line.
import * as fs from "node:fs";
import * as path from "node:path";
import * as semver from "semver";
import { parse as parseYaml } from "yaml";
import { EXAMPLES_DIR, REPO_ROOT } from "./helpers";

interface Manifest {
  version: string;
  engines?: { node?: string };
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}
const read = (file: string): string => fs.readFileSync(file, "utf8");
const pkg = JSON.parse(read(path.join(REPO_ROOT, "package.json"))) as Manifest;
const pulumi = JSON.parse(read(path.join(REPO_ROOT, "node_modules", "@pulumi", "pulumi", "package.json"))) as Manifest;

/** Every file under examples/ a user reads or copies (sources, docs, workflow, stack files). */
function exampleFiles(dir = EXAMPLES_DIR): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : exampleFiles(p);
    return /\.(ts|md|ya?ml)$/.test(e.name) ? [p] : [];
  });
}

test("@pulumi/pulumi is a peer dependency over a 3.x range whose lowest version has the provider-host features used", () => {
  const range = pkg.peerDependencies?.["@pulumi/pulumi"];
  expect(range).toBeDefined();
  expect(semver.validRange(range!)).not.toBeNull();
  const lowest = semver.minVersion(range!)!.version;
  // configure(req.config) arrived in 3.139, ReadResult.inputs in 3.216 (docs: /work/shared notes).
  expect(semver.gte(lowest, "3.216.0")).toBe(true);
  expect(semver.satisfies("3.999.0", range!)).toBe(true);
  expect(semver.satisfies("4.0.0", range!)).toBe(false);
  // The version this repository develops and tests with is inside the range.
  expect(semver.satisfies(pulumi.version, range!)).toBe(true);
});

test("the GitHub Actions example runs a Node that both this package and the current @pulumi/pulumi accept", () => {
  const workflow = parseYaml(read(path.join(EXAMPLES_DIR, "github-actions", "workflow.yml"))) as {
    jobs: Record<string, { steps: Array<{ uses?: string; with?: Record<string, unknown> }> }>;
  };
  const setups = Object.values(workflow.jobs).flatMap((j) => j.steps.filter((s) => s.uses?.startsWith("actions/setup-node")));
  expect(setups.length).toBeGreaterThan(0);
  for (const s of setups) {
    const major = semver.coerce(String(s.with?.["node-version"]))!.version;
    expect(semver.satisfies(major, pkg.engines!.node!)).toBe(true);
    expect(semver.satisfies(major, pulumi.engines!.node!)).toBe(true);
  }
});

test("the README states the Node requirement the engines field and @pulumi/pulumi declare", () => {
  const readme = read(path.join(REPO_ROOT, "README.md"));
  const pulumiMajor = semver.minVersion(pulumi.engines!.node!)!.major;
  const ownMin = semver.minVersion(pkg.engines!.node!)!;
  expect(readme).toContain(`Node ${pulumiMajor} or newer`);
  expect(readme).toContain(`Node ${ownMin.major}.${ownMin.minor}`);
});

test("no example puts a key on a command line (pulumi config set --secret, esc env set)", () => {
  const offenders: string[] = [];
  for (const file of exampleFiles()) {
    for (const [i, raw] of read(file).split("\n").entries()) {
      // `pulumi config set --secret <name> <value>`: a key, a placeholder, JSON or a variable after the name.
      const m = /pulumi config set (?:--path )?--secret (?:--path )?\S+[ \t]+(pk_|upstack_|'|"|\$|<)/.exec(raw);
      if (m) offenders.push(`${path.relative(REPO_ROOT, file)}:${i + 1}: ${raw.trim()}`);
      if (/esc env set .*--secret/.test(raw) && !/--file -/.test(raw)) offenders.push(`${path.relative(REPO_ROOT, file)}:${i + 1}: ${raw.trim()}`);
      if (/\b(pk_[A-Za-z0-9]{6,}|upstack_[0-9a-f]{8,})/.test(raw)) offenders.push(`${path.relative(REPO_ROOT, file)}:${i + 1}: a key literal`);
    }
  }
  expect(offenders).toEqual([]);
});

test("examples cover adopting a dashboard destination, Pulumi ESC, and a dev (emulator) / prod (real services) split", () => {
  const adopt = read(path.join(EXAMPLES_DIR, "adopt", "index.ts"));
  expect(adopt).toMatch(/adopt: true/);
  const dev = parseYaml(read(path.join(EXAMPLES_DIR, "environments", "Pulumi.dev.yaml"))) as { config: Record<string, string> };
  expect(new URL(dev.config["upstack:klaviyoApiUrl"]!).hostname).toBe("127.0.0.1");
  const prod = parseYaml(read(path.join(EXAMPLES_DIR, "environments", "Pulumi.prod.yaml"))) as { environment: string[] };
  expect(prod.environment.length).toBe(1);
});
