/**
 * The Pulumi dynamic provider: the object the serialized shim requires by
 * package name at call time (`require("pulumi-upstack-klaviyo/provider")`).
 * Its handlers (provider/pulumi/) are thin: they parse what the engine sends
 * and call the engine-neutral core (provider/core/) with this host
 * process's one context, made from the stack configuration `configure`
 * receives. Every error leaving here is redacted.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { DestinationInputs, DestinationOutputs } from "./core/shape";
import { redactError } from "./redact";
import { check as checkHandler } from "./pulumi/check";
import { create as createHandler } from "./pulumi/create";
import { remove as deleteHandler } from "./pulumi/delete";
import { diff as diffHandler } from "./pulumi/diff";
import { pulumiProcess } from "./pulumi/process";
import { read as readHandler } from "./pulumi/read";
import { update as updateHandler } from "./pulumi/update";

export { ERROR_CATALOGUE, UpstackKlaviyoError, type ErrorCode, type ErrorCatalogueEntry } from "./errors";
import type { RawInputs } from "./core/inputs";
export type { RawInputs } from "./core/inputs";
export type { DestinationInputs, DestinationOutputs } from "./core/shape";
export { UPSTACK_MINIMUM_SCOPES } from "./klaviyo/access";
export { KLAVIYO_REVISION, KLAVIYO_BETA_REVISION } from "./klaviyo/client";

/** This host process's context holder. */
const host = pulumiProcess();

async function guarded<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw error instanceof Error ? redactError(error) : new Error(String(error));
  }
}

/** Receives the stack configuration (`upstack:*`) once per host process. */
export async function configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
  host.configure((key) => {
    try {
      const value: unknown = req.config.get(key);
      return typeof value === "string" ? value : undefined;
    } catch {
      return undefined;
    }
  });
}

/** Validates inputs (and, for a new or changed key, the key itself). */
export function check(olds: RawInputs, news: RawInputs): Promise<pulumi.dynamic.CheckResult<DestinationInputs>> {
  return guarded(async () => (await checkHandler(host.context(), olds, news)) as pulumi.dynamic.CheckResult<DestinationInputs>);
}

/** Compares old outputs with new inputs; no network. */
export function diff(id: string, olds: RawInputs, news: RawInputs): Promise<pulumi.dynamic.DiffResult> {
  return guarded(() => diffHandler(id, olds, news));
}

/** Creates (or idempotently re-creates) the destination. */
export function create(inputs: RawInputs): Promise<pulumi.dynamic.CreateResult<DestinationOutputs>> {
  return guarded(() => createHandler(host.context(), inputs));
}

/** Updates the destination in place (rotation included). */
export function update(_id: string, olds: RawInputs, news: RawInputs): Promise<pulumi.dynamic.UpdateResult<DestinationOutputs>> {
  return guarded(() => updateHandler(host.context(), olds, news));
}

/** Reads the destination back for refresh. */
export function read(id: string, props?: RawInputs): Promise<pulumi.dynamic.ReadResult<DestinationOutputs>> {
  // Pulumi types a read's `inputs` as the outputs' type; they are the inputs that reproduce the destination.
  return guarded(async () => (await readHandler(host.context(), id, props ?? {})) as pulumi.dynamic.ReadResult<DestinationOutputs>);
}

/** Deletes the destination. */
function remove(id: string, props: RawInputs): Promise<void> {
  return guarded(() => deleteHandler(host.context(), id, props));
}
export { remove as delete };

/**
 * The provider object, checked against Pulumi's interface with the shape's
 * types. The handlers accept what the engine actually sends (raw, unchecked
 * values) and return the shape's types.
 */
export const provider: pulumi.dynamic.ResourceProvider<DestinationInputs, DestinationOutputs> = {
  configure,
  check,
  diff,
  create,
  update,
  read,
  delete: remove,
};
