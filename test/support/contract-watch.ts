/**
 * Watches the emulated Upstack API's traffic (the emulator's `observe` hook) and validates every
 * request the provider sends and every answer the emulator gives against
 * openapi/upstack-klaviyo-destination.json with the ajv-based {@link ContractValidator}.
 * Suites that use it call {@link ContractWatch.assertClean} when they end.
 */
import type { UpstackExchange } from "../../emulator/types";
import { redact } from "../../provider/redact";
import { ContractValidator } from "../../provider/upstack/contract-validator";

let shared: ContractValidator | undefined;

/** Collects contract violations seen in one emulator's Upstack traffic. */
export class ContractWatch {
  /** Problems found, each naming the exchange (credentials redacted). */
  readonly violations: string[] = [];
  /** Exchanges validated. */
  exchanges = 0;
  private readonly validator: ContractValidator;

  /** @param checkRequests - also validate requests (false when a test sends deliberately bad ones). */
  constructor(private readonly checkRequests = true) {
    shared ??= new ContractValidator();
    this.validator = shared;
  }

  /** The hook to pass as `upstack.observe`. */
  readonly observe = (x: UpstackExchange): void => {
    // A test probing the emulator's answers to paths and methods outside the contract: nothing to check.
    if (!this.checkRequests && !this.validator.hasOperation(x.method, x.path)) return;
    this.exchanges += 1;
    const problems = [
      ...(this.checkRequests
        ? this.validator.validateRequest({ method: x.method, path: x.path, query: x.query, headers: x.requestHeaders, body: x.requestBody })
        : []),
      ...this.validator.validateResponse(x.method, x.path, { status: x.status, headers: x.responseHeaders, body: x.responseBody }),
    ];
    for (const p of problems) this.violations.push(redact(p));
  };

  /** Throws, listing them, when anything violated the contract. */
  assertClean(): void {
    if (this.violations.length > 0) {
      throw new Error(`Upstack traffic that violates openapi/upstack-klaviyo-destination.json:\n${[...new Set(this.violations)].join("\n")}`);
    }
  }
}
