/**
 * The runtime of the benchmark's *echo provider*: this provider's own runtime (the gRPC server, the
 * protocol, the schema, the provider block's calls) with the five calls a no-op plan makes per
 * resource instance or per process answered by handing Terraform back what it sent, with no rules,
 * no HTTP and no decoding. It is a floor, not a provider: it answers a plan only when nothing
 * changed (PlanResourceChange plans the prior state).
 *
 * Built by bench/terraform.ts into an executable of its own (same loader, same start bundle, this
 * file in place of provider/terraform/plugin-runtime.ts) and timed on the same workspace and state
 * as the real provider, so that the plan's time splits into what any provider with this schema
 * costs on Node (the echo's) and what the rules and their Upstack GETs add (ours over the echo's).
 * @packageDocumentation
 */
import type { ServiceImplementation, UnaryHandler } from "../provider/terraform/grpc-server";
import { loadPlugin as loadProviderPlugin } from "../provider/terraform/plugin-runtime";
import type { LoadedPlugin } from "../provider/terraform/plugin-server";

/** A handler that answers with `answer(request)` at once. */
const echo =
  (answer: (request: Record<string, unknown>) => Record<string, unknown>): UnaryHandler =>
  (call, callback) =>
    callback(null, answer(call.request));

/** The calls answered without the rules: state back as it came (Terraform reads a DynamicValue's JSON), prior state as the plan. */
const ECHO_CALLS: Readonly<
  Record<"ConfigureProvider" | "UpgradeResourceState" | "ReadResource" | "ValidateResourceConfig" | "PlanResourceChange", UnaryHandler>
> = {
  ConfigureProvider: echo(() => ({})),
  UpgradeResourceState: echo((request) => ({ upgraded_state: { json: (request["raw_state"] as { json?: Buffer } | undefined)?.json } })),
  ReadResource: echo((request) => ({ new_state: request["current_state"], private: request["private"] })),
  ValidateResourceConfig: echo(() => ({})),
  PlanResourceChange: echo((request) => ({ planned_state: request["prior_state"], planned_private: request["prior_private"] })),
};

/** The provider's runtime with {@link ECHO_CALLS} in place of the real handlers of those calls. */
export function loadPlugin(): LoadedPlugin {
  const plugin = loadProviderPlugin();
  const provider: ServiceImplementation = { ...plugin.provider, ...ECHO_CALLS };
  return { ...plugin, provider };
}
