// Whether a real `pulumi` CLI is available (Automation API suites run only then).
import * as fs from "node:fs";
import * as path from "node:path";

/** True when an executable `pulumi` binary is on PATH. */
export function pulumiCliAvailable(): boolean {
  const exts = process.platform === "win32" ? (process.env["PATHEXT"] ?? ".EXE;.CMD").split(";") : [""];
  for (const dir of (process.env["PATH"] ?? "").split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const p = path.join(dir, `pulumi${ext}`);
      try {
        fs.accessSync(p, fs.constants.X_OK);
        if (fs.statSync(p).isFile()) return true;
      } catch {
        // not here
      }
    }
  }
  return false;
}

/**
 * For scenario suites: `describeIfPulumi(describe)("...", ...)` runs the suite when the CLI exists,
 * otherwise prints why and skips it.
 */
export function skipReasonWithoutPulumi(): string | undefined {
  return pulumiCliAvailable()
    ? undefined
    : "pulumi CLI not on PATH (the npm `pulumi` launcher needs the internet): Automation API (LocalWorkspace) scenarios skipped";
}
