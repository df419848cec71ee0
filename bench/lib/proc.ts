// Measures the provider host from outside the engine driver: peak RSS (VmHWM from
// /proc/<pid>/status, read after every gRPC call via the driver's afterCall hook) and how many calls
// were in flight at once (beforeCall/afterCall), which shows whether the driver runs steps in
// parallel.
import { readFileSync } from "node:fs";
import type { EngineHooks } from "@upstack-klaviyo/engine-driver";

/** VmHWM (peak resident set) of a process in kB, or undefined when it cannot be read. */
export function vmHwmKb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) a process has used so far, in ms, or undefined when it cannot be read. */
export function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // After "pid (comm) ", field 3 (state) is index 0: utime is field 14, stime field 15 (clock ticks of 10 ms).
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10 : undefined;
  } catch {
    return undefined;
  }
}

export interface HostProbe {
  hooks: EngineHooks;
  /** Peak RSS of the run's host in MB (max VmHWM seen), 0 if never read. */
  peakRssMb(): number;
  /** CPU time the run's host used (max sampled after each call), in ms. */
  hostCpuMs(): number;
  /** Most gRPC calls in flight at once. */
  maxInFlight(): number;
  /** Per-method in-flight maximum (Create/Update/Read/Delete/Check/Diff). */
  maxInFlightByMethod(): Record<string, number>;
  /** ms from the probe's reset to the first completed call (Configure). */
  firstCallMs(): number | undefined;
  reset(): void;
}

export function hostProbe(): HostProbe {
  let peakKb = 0;
  let inFlight = 0;
  let maxIn = 0;
  const byMethod = new Map<string, { now: number; max: number }>();
  let t0 = performance.now();
  let first: number | undefined;
  let cpu = 0;
  const sample = (pid: number | undefined): void => {
    const kb = vmHwmKb(pid);
    if (kb !== undefined && kb > peakKb) peakKb = kb;
    const ms = cpuMs(pid);
    if (ms !== undefined && ms > cpu) cpu = ms;
  };
  return {
    hooks: {
      beforeCall(ctx) {
        inFlight++;
        maxIn = Math.max(maxIn, inFlight);
        const m = byMethod.get(ctx.method) ?? { now: 0, max: 0 };
        m.now++;
        m.max = Math.max(m.max, m.now);
        byMethod.set(ctx.method, m);
      },
      afterCall(ctx) {
        inFlight--;
        const m = byMethod.get(ctx.method);
        if (m) m.now--;
        first ??= performance.now() - t0;
        sample(ctx.hostPid);
      },
    },
    peakRssMb: () => Math.round((peakKb / 1024) * 10) / 10,
    hostCpuMs: () => cpu,
    maxInFlight: () => maxIn,
    maxInFlightByMethod: () => Object.fromEntries([...byMethod].map(([k, v]) => [k, v.max])),
    firstCallMs: () => first,
    reset() {
      peakKb = 0;
      cpu = 0;
      inFlight = 0;
      maxIn = 0;
      byMethod.clear();
      first = undefined;
      t0 = performance.now();
    },
  };
}
