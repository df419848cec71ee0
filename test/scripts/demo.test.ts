// `npm run demo` as a newcomer sees it: the script runs in its own process against its own
// emulator, and what it prints is what the product promises — user-facing changes only, a wrong
// key refused with nothing written, counts that match what it introduced.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = join(__dirname, "..", "..");

jest.setTimeout(180000);

let out = "";
beforeAll(async () => {
  const tsx = join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");
  const r = await run(process.execPath, [tsx, join(ROOT, "scripts", "demo.ts")], { cwd: ROOT, timeout: 170000, maxBuffer: 4 * 1024 * 1024 });
  out = r.stdout;
});

function step(title: string): string {
  const start = out.indexOf(`▶ ${title}`);
  expect(start).toBeGreaterThanOrEqual(0);
  const next = out.indexOf("▶", start + 1);
  return out.slice(start, next < 0 ? undefined : next);
}

test("lists only changes a user declared or reads, never the provider's bookkeeping", () => {
  for (const internal of ["__provider", "destinationStatus", "etag", "keyFingerprint,", "updatedAt"]) expect(out).not.toContain(internal);
  expect(step("pulumi up (rotate in place)").split("\n")[0]).toMatch(/— update \(privateApiKey\)$/);
  expect(step("pulumi refresh").split("\n")[0]).toMatch(/— update \(label\)$/);
});

test("putting the label back changes the label, not the key", () => {
  const first = step("pulumi up (puts the label back)").split("\n")[0];
  expect(first).toMatch(/— update \(label\)$/);
  expect(first).not.toContain("privateApiKey");
});

test("a wrong key is refused before anything is written to Upstack", () => {
  const s = step("pulumi up (wrong key");
  expect(s).toContain(": refused");
  expect(s).toContain("0 write(s) to Upstack");
  expect(s).toMatch(/belongs to Klaviyo account \w+ \(Another Store\)/);
  expect(s).toMatch(/Upstack still holds key pk_\.\.\.\w{4}: the destination was not touched/);
  // The key is named by its hint only.
  expect(s).not.toMatch(/pk_[0-9a-f]{20,}/);
});

test("the counts in its wording match what it introduced", () => {
  expect(out).toMatch(/with two Full Access keys, another store's account \w+ with one;/);
  expect(out).toContain("State file scanned for the 4 keys used (3 Klaviyo keys, 1 Upstack key): 0 in plaintext.");
  expect(out).toContain("destinations left on Upstack: 0");
});
