// Smoke test of `npm run bench:terraform`: runs it for N=1 once and checks the JSON's rows (no
// timing assertions: the figures are read as ratios against the floors measured in the same run).
import { execFile } from "node:child_process";
import * as path from "node:path";
import type { TerraformBenchRow } from "../../bench/terraform";
import { describeWithTerraform } from "./support";

jest.setTimeout(240_000);

const ROOT = path.join(__dirname, "..", "..");

describeWithTerraform("bench/terraform.ts", () => {
  test("runs at N=1 and reports the handshake, the first answer and both no-op plans next to their floors and the echo provider", async () => {
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        [path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs"), "bench/terraform.ts", "--n", "1", "--repeat", "1", "--handshake-runs", "1", "--json"],
        { cwd: ROOT, timeout: 220_000, maxBuffer: 16 * 1024 * 1024 },
        (error, out, err) => resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout: out, stderr: err }),
      ),
    );
    expect(stderr).not.toMatch(/Error|failed/);
    expect(code).toBe(0);
    const { rows } = JSON.parse(stdout) as { rows: TerraformBenchRow[] };
    expect(rows.map((r) => `${r.what} N=${r.n}`)).toEqual([
      "no-op plan -refresh=false N=1",
      "no-op plan (refresh) N=1",
      "handshake (node + bundle) N=1",
      "first answer (node + bundle) N=1",
    ]);
    for (const r of rows) {
      expect(r.oursMs).toBeGreaterThan(0);
      expect(r.floorMs).toBeGreaterThan(0);
      expect(r.ratio).toBeCloseTo(r.oursMs / r.floorMs, 5);
      // Plans also report per-repetition ratios; with one repetition there is one pair, the ratio itself.
      if (r.what.startsWith("no-op plan")) {
        expect(r.paired).toEqual({ median: r.ratio, min: r.ratio, max: r.ratio });
        // The echo provider's plan ran beside them (a no-op making no request, or the bench fails); ours over it likewise.
        expect(r.echo?.ms).toBeGreaterThan(0);
        const overEcho = r.oursMs / r.echo!.ms;
        expect(r.echo?.paired.median).toBeCloseTo(overEcho, 5);
        expect(r.echo?.paired).toEqual({ median: r.echo!.paired.median, min: r.echo!.paired.median, max: r.echo!.paired.median });
      } else {
        expect(r.paired).toBeUndefined();
        expect(r.echo).toBeUndefined();
      }
    }
  });
});
