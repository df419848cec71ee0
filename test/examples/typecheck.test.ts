// Every example with an index.ts type-checks on its own, with its own tsconfig.json (as a user
// copying the directory would compile it). Needs the package built (dist/*.d.ts): npm test builds.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { EXAMPLES_DIR, REPO_ROOT } from "./helpers";

const examples = fs
  .readdirSync(EXAMPLES_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory() && fs.existsSync(path.join(EXAMPLES_DIR, d.name, "index.ts")))
  .map((d) => d.name)
  .sort();

const TSC = path.join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");

function tsc(project: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [TSC, "--noEmit", "-p", project], { cwd: REPO_ROOT, timeout: 90_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

test("the examples this suite covers", () => {
  expect(examples).toEqual(expect.arrayContaining(["basic", "github-actions", "many-stores", "rotation"]));
});

test.each(examples)("examples/%s type-checks with its own tsconfig.json", async (name) => {
  const dir = path.join(EXAMPLES_DIR, name);
  for (const f of ["Pulumi.yaml", "package.json", "tsconfig.json"]) expect(fs.existsSync(path.join(dir, f))).toBe(true);
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { name: string; private: boolean; dependencies: Record<string, string> };
  expect(pkg).toMatchObject({
    name: `upstack-klaviyo-example-${name}`,
    private: true,
    dependencies: { "@pulumi/pulumi": "~3.270.0", "pulumi-upstack-klaviyo": "file:../.." },
  });
  const r = await tsc(path.join("examples", name, "tsconfig.json"));
  expect(r.output).toBe("");
  expect(r.code).toBe(0);
});
