// examples/github-actions/workflow.yml, checked by scanning its lines (no YAML dependency): the
// triggers, the preview and up commands, and that no key is written in it.
import * as fs from "node:fs";
import * as path from "node:path";
import { EXAMPLES_DIR } from "./helpers";

const FILE = path.join(EXAMPLES_DIR, "github-actions", "workflow.yml");
const text = fs.readFileSync(FILE, "utf8");
/** Lines without comments and trailing blanks (a `#` inside quotes does not occur in this file). */
const lines = text.split("\n").map((l) => l.replace(/(^|\s)#.*$/, "").trimEnd());
const code = lines.join("\n");

/** The block of lines under a top-level key (`on:` ...), up to the next top-level key. */
function topLevelBlock(key: string): string[] {
  const start = lines.findIndex((l) => l === `${key}:`);
  if (start < 0) return [];
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => /^\S/.test(l));
  return (end < 0 ? rest : rest.slice(0, end)).filter((l) => l.trim() !== "");
}

/** The steps, each as its lines (a step starts at `- ` under `steps:`). */
function steps(): string[][] {
  const out: string[][] = [];
  let inSteps = false;
  let indent = -1;
  for (const l of lines) {
    if (/^\s+steps:\s*$/.test(l)) {
      inSteps = true;
      continue;
    }
    if (!inSteps || l.trim() === "") continue;
    const m = /^(\s*)- /.exec(l);
    if (m && (indent < 0 || m[1]!.length === indent)) {
      indent = m[1]!.length;
      out.push([l]);
    } else if (out.length > 0) out[out.length - 1]!.push(l);
  }
  return out;
}

test("it is indented with spaces only and has a name", () => {
  expect(text).not.toMatch(/\t/);
  expect(code).toMatch(/^name: \S+/m);
});

test("triggers: pull_request and push to main", () => {
  const on = topLevelBlock("on");
  expect(on).toContain("  pull_request:");
  expect(on).toContain("  push:");
  const push = on.slice(on.indexOf("  push:") + 1);
  expect(push[0]).toMatch(/^\s{4}branches:\s*\[\s*main\s*\]$/);
});

test("pull requests run `pulumi preview --diff` through pulumi/actions and comment on the PR", () => {
  const preview = steps().find((s) => s.some((l) => /^\s+command:\s*preview\s*$/.test(l)));
  expect(preview).toBeDefined();
  const body = preview!.join("\n");
  expect(body).toMatch(/uses:\s*pulumi\/actions@v\d+/);
  expect(body).toMatch(/if:\s*github\.event_name == 'pull_request'/);
  expect(body).toMatch(/^\s+diff:\s*true\s*$/m);
  expect(body).toMatch(/^\s+comment-on-pr:\s*true\s*$/m);
  expect(body).toMatch(/github-token:\s*\$\{\{\s*secrets\.GITHUB_TOKEN\s*\}\}/);
  expect(code).toMatch(/pull-requests:\s*write/);
});

test("pushes to main run `pulumi up --yes`", () => {
  const up = steps().find((s) => s.some((l) => /pulumi up --yes/.test(l) && /run:/.test(l)));
  expect(up).toBeDefined();
  expect(up!.join("\n")).toMatch(/if:\s*github\.event_name == 'push' && github\.ref == 'refs\/heads\/main'/);
});

test("the Klaviyo key comes from the CI secret store, is set with `pulumi config set --secret` via stdin, and is checked before up", () => {
  expect(code).toMatch(/KLAVIYO_PRIVATE_KEY:\s*\$\{\{\s*secrets\.KLAVIYO_PRIVATE_KEY\s*\}\}/);
  expect(code).toMatch(/printf '%s' "\$KLAVIYO_PRIVATE_KEY" \| pulumi config set --secret klaviyoPrivateKey\s*$/m);
  expect(code).toMatch(/UPSTACK_API_KEY:\s*\$\{\{\s*secrets\.UPSTACK_API_KEY\s*\}\}/);
  expect(code).toMatch(/UPSTACK_PIXEL_ID:\s*\$\{\{\s*(vars|secrets)\.UPSTACK_PIXEL_ID\s*\}\}/);
  const all = steps();
  const checkIdx = all.findIndex((s) => s.some((l) => /run:.*upstack-klaviyo check-key/.test(l)));
  const upIdx = all.findIndex((s) => s.some((l) => /run:.*pulumi up --yes/.test(l)));
  expect(checkIdx).toBeGreaterThanOrEqual(0);
  expect(checkIdx).toBeLessThan(upIdx);
  // The CLI takes the key from the environment only: never on a command line.
  for (const l of lines) if (/\bpulumi config set\b|check-key/.test(l)) expect(l).not.toMatch(/secrets\.|pk_/);
});

test("no literal key appears anywhere in the file (comments included)", () => {
  expect(text).not.toMatch(/pk_[A-Za-z0-9]/);
  expect(text).not.toMatch(/upstack_[A-Za-z0-9]/);
  // Every secret reference goes through the secret store.
  for (const m of text.matchAll(/\$\{\{\s*([^}]+?)\s*\}\}/g)) expect(m[1]).toMatch(/^(secrets|vars|env|github)\.[A-Za-z_.]+( == .*)?$/);
});
