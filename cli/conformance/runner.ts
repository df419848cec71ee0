/**
 * Runs the conformance checks against a server for one pixel: refuses to start unless the pixel has
 * no Klaviyo destination (the kit can never restore a destination's private key, so it only runs
 * where it can leave the pixel exactly as it found it), runs every check, then removes what it
 * created and verifies the pixel is empty again.
 * @packageDocumentation
 */
import { randomUUID } from "node:crypto";
import { ContractValidator } from "../../provider/upstack/contract-validator";
import { CheckContext, CheckFailure, fakeKlaviyoKey, type RunFixture } from "./check-context";
import { CONFORMANCE_CHECKS, type ConformanceCheck } from "./checks";
import { KitHttpClient, KitUnreachableError, type KitExchange } from "./http-client";

/** What to run against. */
export interface ConformanceOptions {
  /** The server's base URL (https, or http on loopback). */
  readonly url: string;
  /** The pixel under test: it must have no Klaviyo destination. */
  readonly pixelId: string;
  /** The Upstack API key scoped to that pixel. */
  readonly apiKey: string;
  /** Timeout of one request in ms (default 10 000). */
  readonly timeoutMs?: number;
  /** Only these checks (ids), in the usual order; default all. */
  readonly only?: readonly string[];
  /** The checks to run (default {@link CONFORMANCE_CHECKS}). */
  readonly checks?: readonly ConformanceCheck[];
}

/** The outcome of one check. */
export interface CheckResult {
  /** The check's id. */
  readonly id: string;
  /** What it checks. */
  readonly title: string;
  /** Whether every rule held. */
  readonly ok: boolean;
  /** The first rule that did not hold. */
  readonly failure?: string;
  /** Every request it sent and every answer. */
  readonly exchanges: readonly KitExchange[];
}

/** The outcome of a run. */
export interface ConformanceReport {
  /** True when the run completed and every check passed. */
  readonly ok: boolean;
  /** Why the run could not start or finish (then `checks` may be partial). */
  readonly aborted?: { readonly reason: "pixel_not_empty" | "unauthorized" | "unreachable" | "cleanup_failed"; readonly message: string };
  /** The base URL. */
  readonly url: string;
  /** The pixel. */
  readonly pixelId: string;
  /** Checks passed. */
  readonly passed: number;
  /** Checks failed. */
  readonly failed: number;
  /** Every check's result, in order. */
  readonly checks: readonly CheckResult[];
}

/** Runs the kit. Never throws for what a server answers; throws only for a bad base URL. */
export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  const http = new KitHttpClient(options.url, options.pixelId, options.apiKey, options.timeoutMs ?? 10_000);
  const runId = randomUUID().slice(0, 8);
  let idem = 0;
  const fixture: RunFixture = {
    http,
    validator: new ContractValidator(),
    pixelId: options.pixelId,
    owner: `conformance:upstack-klaviyo/${runId}/a`,
    otherOwner: `conformance:upstack-klaviyo/${runId}/b`,
    key: fakeKlaviyoKey(),
    otherKey: fakeKlaviyoKey(),
    newIdempotencyKey: () => `conformance-${runId}-${++idem}-${randomUUID()}`,
  };
  const results: CheckResult[] = [];
  const report = (aborted?: ConformanceReport["aborted"]): ConformanceReport => {
    const failed = results.filter((r) => !r.ok).length;
    return {
      ok: aborted === undefined && failed === 0,
      ...(aborted === undefined ? {} : { aborted }),
      url: options.url,
      pixelId: options.pixelId,
      passed: results.length - failed,
      failed,
      checks: results,
    };
  };

  const start = new CheckContext(fixture);
  try {
    const before = await start.probe({ method: "GET" });
    if (before.status === 401 || before.status === 403) {
      return report({
        reason: "unauthorized",
        message: `The server refused UPSTACK_API_KEY for pixel ${options.pixelId} (${before.status}). Use a key scoped to that pixel with destinations:read and destinations:write.`,
      });
    }
    if (before.status !== 404) {
      return report({
        reason: "pixel_not_empty",
        message: `Pixel ${options.pixelId} already has a Klaviyo destination (GET answered ${before.status}); nothing was changed. The kit creates, changes and deletes a destination, and can only leave a pixel as it found it when it has none: use a test pixel without one.`,
      });
    }
  } catch (e) {
    if (e instanceof KitUnreachableError) return report({ reason: "unreachable", message: e.message });
    throw e;
  }

  const checks = (options.checks ?? CONFORMANCE_CHECKS).filter((c) => options.only === undefined || options.only.includes(c.id));
  for (const check of checks) {
    const ctx = new CheckContext(fixture);
    try {
      await check.run(ctx);
      results.push({ id: check.id, title: check.title, ok: true, exchanges: ctx.exchanges });
    } catch (e) {
      if (e instanceof KitUnreachableError) {
        results.push({ id: check.id, title: check.title, ok: false, failure: e.message, exchanges: ctx.exchanges });
        break;
      }
      const failure = e instanceof CheckFailure ? e.message : `unexpected error: ${e instanceof Error ? e.message : String(e)}`;
      results.push({ id: check.id, title: check.title, ok: false, failure, exchanges: ctx.exchanges });
    }
  }

  // Leave the pixel as it was found: without a destination.
  const end = new CheckContext(fixture);
  try {
    await end.ensureAbsent();
  } catch (e) {
    return report({
      reason: "cleanup_failed",
      message: `Could not leave pixel ${options.pixelId} without a destination: ${e instanceof Error ? e.message : String(e)}. Remove the destination owned by conformance:upstack-klaviyo/${runId}/… by hand.`,
    });
  }
  return report();
}
