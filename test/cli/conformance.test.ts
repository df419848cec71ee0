/**
 * `upstack-klaviyo conformance` against the emulator (in-process `main()`): every check passes
 * against the emulator as it is, and against an emulator switched into each wrong reading of the
 * contract the kit reports exactly the checks that reading breaks — which proves each check can
 * fail. Also: the key only from UPSTACK_API_KEY, never echoed; the pixel left as found.
 */
import { randomUUID } from "node:crypto";
import { startEmulator, UPSTACK_WRONG_READINGS, type RunningEmulator, type UpstackWrongReading } from "../../emulator";
import { EXIT_CODES, main, type CliIo } from "../../cli";
import { CONFORMANCE_CHECKS, type ConformanceReport } from "../../cli/conformance";

/** The checks that fail for each wrong reading. Most break one rule that one check owns. */
const EXPECTED_FAILURES: Record<UpstackWrongReading, string[]> = {
  "accept-any-key": ["authentication"],
  "ignore-pixel-scope": ["pixel-scoping"],
  "no-code-on-404": ["not-found"],
  "lenient-media-type": ["request-validation"],
  "if-match-on-missing-creates": ["conditional-create"],
  "created-as-200": ["create"],
  // Every answer that carries a destination body violates the document's etag pattern.
  "unquoted-etag-in-body": [
    "create",
    "read",
    "idempotent-replay",
    "no-op-write",
    "conditional-update",
    "omitted-fields",
    "key-rotation",
    "stale-update",
    "adopt",
  ],
  // The read itself violates the ETag header's schema; every check that verifies a version with a read cannot.
  "weak-etag-on-read": ["read", "idempotent-replay", "conditional-update", "stale-update", "ownership", "delete-ownership", "delete-precondition"],
  "read-body-without-etag": ["read"],
  "no-replay": ["idempotent-replay"],
  "replay-after-preconditions": ["idempotent-replay"],
  "key-reuse-applied": ["idempotent-replay"],
  "etag-changes-on-noop": ["no-op-write"],
  "new-id-on-replace": ["conditional-update"],
  "omitted-fields-kept": ["omitted-fields"],
  "rotated-at-on-every-write": ["key-rotation"],
  "weak-if-match-matches": ["stale-update"],
  "conflict-before-precondition": ["precedence"],
  "adopt-not-required": ["ownership"],
  "adopt-ignored": ["adopt"],
  "delete-ignores-owner": ["delete-ownership"],
  "delete-ignores-if-match": ["delete-precondition"],
  "delete-answers-200": ["delete"],
};

interface Run {
  exitCode: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[], env: Record<string, string>): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env, handleSignals: false };
  const r = await main(argv, io);
  return { exitCode: r.exitCode, stdout, stderr };
}

async function pixelWithKey(emu: RunningEmulator): Promise<{ pixelId: string; apiKey: string }> {
  const pixelId = randomUUID();
  const { apiKey } = await emu.admin.createUpstackKey({ pixelId });
  return { pixelId, apiKey };
}

async function conformance(emu: RunningEmulator, extra: string[] = ["--json"]): Promise<{ run: Run; pixelId: string; apiKey: string }> {
  const { pixelId, apiKey } = await pixelWithKey(emu);
  const r = await run(["conformance", "--url", emu.url, "--pixel-id", pixelId, ...extra], { UPSTACK_API_KEY: apiKey });
  expect(r.stdout + r.stderr).not.toContain(apiKey);
  expect(r.stdout + r.stderr).not.toMatch(/pk_[A-Za-z0-9]{8}/);
  return { run: r, pixelId, apiKey };
}

describe("against the emulator as it is", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator({});
  });
  afterAll(async () => {
    await emu.close();
  });

  test("every check passes, exit 0; the pixel is left without a destination", async () => {
    const { run: r, pixelId } = await conformance(emu);
    const report = JSON.parse(r.stdout) as ConformanceReport;
    expect(report.checks.filter((c) => !c.ok).map((c) => `${c.id}: ${c.failure ?? ""}`)).toEqual([]);
    expect(report.checks.map((c) => c.id)).toEqual(CONFORMANCE_CHECKS.map((c) => c.id));
    expect(report).toMatchObject({ ok: true, failed: 0, passed: CONFORMANCE_CHECKS.length });
    expect(r.exitCode).toBe(EXIT_CODES.ok);
    expect(await emu.admin.getDestination(pixelId)).toBeNull();
    // Each check shows its requests and answers, the key redacted.
    for (const c of report.checks) expect(c.exchanges.length).toBeGreaterThan(0);
    expect(report.checks[0]!.exchanges.some((x) => x.request.headers["x-api-key"] === "[REDACTED]")).toBe(true);
  });

  test("text mode: PASS per check with each request and answer; no key in it", async () => {
    const { run: r } = await conformance(emu, []);
    for (const c of CONFORMANCE_CHECKS) expect(r.stdout).toContain(`PASS ${c.id} — `);
    expect(r.stdout).toMatch(/→ PUT \/destinations\/api\/klaviyo {2}\[x-api-key: \[REDACTED\]/);
    expect(r.stdout).toMatch(/← 201 {2}\[etag: "/);
    expect(r.stdout).toContain(`${CONFORMANCE_CHECKS.length} passed, 0 failed.`);
  });

  test("a pixel that already has a destination is refused before anything is written (exit 2), and left unchanged", async () => {
    const { pixelId, apiKey } = await pixelWithKey(emu);
    const { key } = await emu.admin.createKlaviyoAccountWithKey();
    await emu.admin.putDestination(pixelId, { privateApiKey: key.key, label: "Dashboard" });
    const before = await emu.admin.getDestination(pixelId);
    const r = await run(["conformance", "--url", emu.url, "--pixel-id", pixelId], { UPSTACK_API_KEY: apiKey });
    expect(r.exitCode).toBe(EXIT_CODES.usage);
    expect(r.stdout).toContain("already has a Klaviyo destination");
    expect(await emu.admin.getDestination(pixelId)).toEqual(before);
  });

  test("the key comes only from UPSTACK_API_KEY: a key in argv is refused without echoing it; none at all is a usage error", async () => {
    const { pixelId, apiKey } = await pixelWithKey(emu);
    for (const argv of [
      ["conformance", "--url", emu.url, "--pixel-id", pixelId, apiKey],
      ["conformance", "--url", emu.url, "--pixel-id", pixelId, "--api-key", apiKey],
      ["conformance", "--url", emu.url, "--pixel-id", pixelId, `--upstack-api-key=${apiKey}`],
    ]) {
      const r = await run(argv, {});
      expect(r.exitCode).toBe(EXIT_CODES.usage);
      expect(r.stderr).toContain("UPSTACK_API_KEY");
      expect(r.stdout + r.stderr).not.toContain(apiKey);
      expect(r.stdout + r.stderr).not.toContain(apiKey.slice(8, 20));
    }
    const none = await run(["conformance", "--url", emu.url, "--pixel-id", pixelId, "--json"], {});
    expect(none.exitCode).toBe(EXIT_CODES.usage);
    expect(JSON.parse(none.stdout)).toMatchObject({ ok: false, code: "usage_error", property: "UPSTACK_API_KEY" });
    const badPixel = await run(["conformance", "--url", emu.url, "--pixel-id", "not-a-uuid"], { UPSTACK_API_KEY: apiKey });
    expect(badPixel.exitCode).toBe(EXIT_CODES.usage);
    expect(badPixel.stderr).toContain("--pixel-id");
    const missingUrl = await run(["conformance", "--pixel-id", pixelId], { UPSTACK_API_KEY: apiKey });
    expect(missingUrl.exitCode).toBe(EXIT_CODES.usage);
    expect(missingUrl.stderr).toContain("--url");
    const insecure = await run(["conformance", "--url", "http://api.example.com", "--pixel-id", pixelId], { UPSTACK_API_KEY: apiKey });
    expect(insecure.exitCode).toBe(EXIT_CODES.usage);
    expect(insecure.stderr).toContain("https://");
  });

  test("a key refused for the pixel stops the run (exit 2); a server that does not answer is exit 3", async () => {
    const { pixelId } = await pixelWithKey(emu);
    const other = await pixelWithKey(emu);
    const refused = await run(["conformance", "--url", emu.url, "--pixel-id", pixelId], { UPSTACK_API_KEY: other.apiKey });
    expect(refused.exitCode).toBe(EXIT_CODES.usage);
    expect(refused.stdout).toContain("refused UPSTACK_API_KEY");
    const closed = await startEmulator({});
    const url = closed.url;
    await closed.close();
    const down = await run(["conformance", "--url", url, "--pixel-id", pixelId, "--timeout-ms", "2000"], { UPSTACK_API_KEY: other.apiKey });
    expect(down.exitCode).toBe(EXIT_CODES.inconclusive);
    expect(down.stdout).toContain("No answer");
  });
});

describe("against an emulator switched into each wrong reading, the kit reports exactly the checks it breaks", () => {
  test("every check fails alone against at least one reading", () => {
    const alone = new Set(
      Object.values(EXPECTED_FAILURES)
        .filter((ids) => ids.length === 1)
        .map((ids) => ids[0]),
    );
    expect(CONFORMANCE_CHECKS.map((c) => c.id).filter((id) => !alone.has(id))).toEqual([]);
    expect(Object.keys(EXPECTED_FAILURES).sort()).toEqual(Object.keys(UPSTACK_WRONG_READINGS).sort());
  });

  test.each(Object.keys(UPSTACK_WRONG_READINGS) as UpstackWrongReading[])("%s", async (reading) => {
    const emu = await startEmulator({ upstack: { wrongReadings: [reading] } });
    try {
      const { run: r, pixelId } = await conformance(emu);
      const report = JSON.parse(r.stdout) as ConformanceReport;
      expect(report.aborted).toBeUndefined();
      expect(report.checks.filter((c) => !c.ok).map((c) => c.id)).toEqual(EXPECTED_FAILURES[reading]);
      expect(r.exitCode).toBe(EXIT_CODES.keyRejected);
      // Whatever the server got wrong, the pixel is left as the kit found it.
      expect(await emu.admin.getDestination(pixelId)).toBeNull();
    } finally {
      await emu.close();
    }
  });
});
