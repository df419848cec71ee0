/**
 * Fault rules: match requests by service, method and path prefix, and fault the nth.. calls.
 * @packageDocumentation
 */
import { z } from "zod";
import type { Fault, FaultRule, FaultRuleCreated, FaultRuleView, ServiceName } from "./types";

/** Zod schema of a fault rule (used by the admin API). */
export const faultRuleSchema = z.strictObject({
  service: z.enum(["klaviyo", "upstack"]).optional(),
  method: z.string().min(1).optional(),
  path: z.string().min(1).optional(),
  nth: z.number().int().min(1).optional(),
  times: z.number().int().min(0).optional(),
  fault: z.discriminatedUnion("kind", [
    z.strictObject({
      kind: z.literal("status"),
      status: z.number().int().min(100).max(599),
      retryAfter: z.number().int().min(0).nullable().optional(),
      body: z.unknown().optional(),
      headers: z.record(z.string(), z.string()).optional(),
    }),
    z.strictObject({ kind: z.literal("latency"), ms: z.number().int().min(0).max(600_000) }),
    z.strictObject({ kind: z.literal("reset") }),
    z.strictObject({ kind: z.literal("hang") }),
    z.strictObject({ kind: z.literal("html403") }),
    z.strictObject({ kind: z.literal("commit-then-reset") }),
  ]),
});

interface StoredRule {
  id: string;
  rule: FaultRule;
  matched: number;
  fired: number;
}

/** The fault rules of one emulator, usable from code (`emulator.faults`) and the admin API. */
export class FaultRegistry {
  private rules: StoredRule[] = [];
  private nextId = 1;

  /** Registers a rule; returns its id. */
  add(rule: FaultRule): FaultRuleCreated {
    const parsed = faultRuleSchema.safeParse(rule);
    if (!parsed.success) throw new Error(`Invalid fault rule: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    const id = `fault_${this.nextId++}`;
    this.rules.push({ id, rule: { ...rule, fault: { ...rule.fault } }, matched: 0, fired: 0 });
    return { id };
  }

  /** Removes one rule; true when it existed. */
  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length !== before;
  }

  /** Removes every rule. */
  clear(): void {
    this.rules = [];
  }

  /** The rules with their counters. */
  list(): FaultRuleView[] {
    return this.rules.map((r) => ({ ...r.rule, id: r.id, matched: r.matched, fired: r.fired }));
  }

  /**
   * Counts the call against every matching rule and returns the fault of the first rule whose
   * window (nth, times) includes it.
   */
  match(service: ServiceName, method: string, path: string): Fault | undefined {
    let hit: Fault | undefined;
    for (const r of this.rules) {
      const { rule } = r;
      if (rule.service !== undefined && rule.service !== service) continue;
      if (rule.method !== undefined && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (rule.path !== undefined && !path.startsWith(rule.path)) continue;
      r.matched += 1;
      const nth = rule.nth ?? 1;
      const times = rule.times ?? 1;
      const inWindow = r.matched >= nth && (times === 0 || r.matched < nth + times);
      if (inWindow && hit === undefined) {
        r.fired += 1;
        hit = rule.fault;
      }
    }
    return hit;
  }
}
