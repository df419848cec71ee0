// Smoke test of the benchmark: runs `tsx bench/bench.ts --n 1 --json --latency-ms 1` as a child
// process and checks the JSON's shape and that a no-op up and a preview make no HTTP requests.
// No timing assertions: the figures live in BENCHMARKS.md.
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { parseArgs, table, type BenchResult } from "../../bench/bench";

const ROOT = join(__dirname, "..", "..");

interface Row {
  op: string;
  n: number;
  wallMs: number;
  floorMs: number;
  ratio: number;
  requestsPerResource: Record<string, number>;
  requests: number;
  ok: boolean;
  floorOk: boolean;
}

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, "node_modules", "tsx", "dist", "cli.mjs"), "bench/bench.ts", ...args],
      { cwd: ROOT, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

describe("bench/bench.ts", () => {
  const out = mkdtempSync(join(tmpdir(), "bench-smoke-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("runs for N=1 and prints one JSON object of the documented shape", async () => {
    // The rate-limit check (100 destinations) is skipped and cold start measured once to keep it short.
    const r = await runBench(["--n", "1", "--json", "--latency-ms", "1", "--out", out, "--rate-check-n", "0", "--cold-start-runs", "1", "--repeat", "1"]);
    if (r.code !== 0) throw new Error(`bench exited ${String(r.code)}:\n${r.stderr.slice(-4000)}`);
    const result = JSON.parse(r.stdout) as Record<string, unknown> & { runs: Row[] };

    for (const k of ["runs", "providerBytes", "stateBytesPerResource", "peakRssMb", "coldStartMs", "naive", "machine", "targets"])
      expect(result).toHaveProperty(k);
    expect(result.runs.map((x) => x.op).sort()).toEqual(["create", "destroy", "noop-up", "preview", "refresh", "rotate"]);
    for (const row of result.runs) {
      expect(row.n).toBe(1);
      expect(row.ok).toBe(true);
      expect(row.floorOk).toBe(true);
      for (const k of ["wallMs", "floorMs", "ratio"] as const) expect(typeof row[k]).toBe("number");
      expect(typeof row.requestsPerResource).toBe("object");
    }
    for (const op of ["noop-up", "preview"]) {
      const row = result.runs.find((x) => x.op === op)!;
      expect(row.requests).toBe(0);
      expect(row.requestsPerResource).toEqual({});
    }
    // Refresh: Upstack's GET per destination, and Klaviyo's status of the one key Upstack holds.
    const refresh = result.runs.find((x) => x.op === "refresh")!;
    expect(refresh.requestsPerResource).toEqual({ "upstack GET /destinations/api/klaviyo": 1, [`klaviyo GET /api/api-keys/${"{id}"}/`]: 1 });
    const create = result.runs.find((x) => x.op === "create")!;
    expect(create.requestsPerResource["upstack PUT /destinations/api/klaviyo"]).toBe(1);
    expect(typeof result["providerBytes"]).toBe("number");
    expect(result["providerBytes"]).toBeGreaterThan(0);
    const machine = result["machine"] as Record<string, unknown>;
    expect(typeof machine["cpuModel"]).toBe("string");
    expect(typeof machine["cores"]).toBe("number");
    expect(typeof machine["node"]).toBe("string");
    // Issue 11's loading-cost targets are reported: the provider's own share of a cold start and its
    // memory over the floor at every N.
    const targetNames = (result["targets"] as Array<{ name: string }>).map((t) => t.name);
    expect(targetNames).toEqual(expect.arrayContaining(["provider's own share of a cold start ≤ 30 ms", "host peak RSS ≤ floor + 25 MB at every N"]));
    const cold = result["coldStart"] as { ours: { ownShareMs: number; configureMs: number; firstCheckMs: number }; floor: { ownShareMs: number } };
    expect(cold.ours.ownShareMs).toBeGreaterThan(0);
    expect(cold.ours.ownShareMs).toBeLessThanOrEqual(cold.ours.firstCheckMs - cold.ours.configureMs + 1);
    expect(cold.floor.ownShareMs).toBeGreaterThan(0);
    expect(result["peakRssByN"]).toEqual([{ n: 1, ours: expect.any(Number), floor: expect.any(Number), overFloor: expect.any(Number) }]);
    const naive = result["naive"] as Record<string, unknown>;
    expect(typeof naive["serialized"]).toBe("boolean");

    // The human table of the same run: every MISSED line says why, no stack trace, and it ends
    // with a one-line verdict rather than a MISSED line.
    const text = table(result as unknown as BenchResult)
      .trimEnd()
      .split("\n");
    expect(text.filter((l) => /^\s+at /.test(l))).toEqual([]);
    expect(text).toContain("Targets (BENCHMARKS.md, section Targets). MISSED means this run did not reach the target; it is not an error:");
    text.forEach((l, i) => {
      if (l.startsWith("MISSED ")) expect(text[i + 1]).toMatch(/^ {7}why: \S/);
    });
    const targets = result["targets"] as Array<{ met: boolean }>;
    expect(text[text.length - 1]).toMatch(new RegExp(`^${targets.filter((t) => t.met).length} of ${targets.length} targets met`));
    expect(text.find((l) => l.startsWith("naive docs-style provider"))).not.toMatch(/\n/);
  }, 320_000);
});

test("a run without --out writes to the git-ignored .bench/results, never the tracked bench/results", () => {
  const out = parseArgs([]).out;
  expect(out).toBe(join(ROOT, ".bench", "results"));
  // git check-ignore exits 0 when the path is ignored.
  expect(() => execFileSync("git", ["check-ignore", "-q", join(out, "results.json")], { cwd: ROOT })).not.toThrow();
  expect(() => execFileSync("git", ["check-ignore", "-q", join(ROOT, "bench", "results", "results.json")], { cwd: ROOT })).toThrow();
});
