/**
 * The handler object the serialized shim requires by package name at call
 * time: `require("pulumi-upstack-klaviyo/provider")`. Each handler is thin;
 * the logic lives in the modules it calls. Every error leaving here is
 * redacted.
 */
import type * as pulumi from "@pulumi/pulumi";
import { setConfigReader } from "./context";
import { redactError } from "./redact";
import { check as checkHandler } from "./handlers/check";
import { create as createHandler } from "./handlers/create";
import { deleteDestination } from "./handlers/delete";
import { diff as diffHandler } from "./handlers/diff";
import { read as readHandler } from "./handlers/read";
import { update as updateHandler } from "./handlers/update";
import type { RawInputs } from "./schema";

export { ERROR_CATALOGUE, UpstackKlaviyoError, type ErrorCode, type ErrorCatalogueEntry } from "./errors";
export type { RawInputs } from "./schema";
export { UPSTACK_MINIMUM_SCOPES } from "./klaviyo/access";
export { KLAVIYO_REVISION, KLAVIYO_BETA_REVISION } from "./klaviyo/client";

async function guarded<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw error instanceof Error ? redactError(error) : new Error(String(error));
  }
}

/** Receives the stack configuration (`upstack:*`) once per host process. */
export async function configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
  setConfigReader((key) => {
    try {
      const value: unknown = req.config.get(key);
      return typeof value === "string" ? value : undefined;
    } catch {
      return undefined;
    }
  });
}

/** Validates inputs (and, for a new or changed key, the key itself). */
export function check(olds: RawInputs, news: RawInputs): Promise<pulumi.dynamic.CheckResult> {
  return guarded(() => checkHandler(olds, news));
}

/** Compares old outputs with new inputs; no network. */
export function diff(id: string, olds: RawInputs, news: RawInputs): Promise<pulumi.dynamic.DiffResult> {
  return guarded(() => diffHandler(id, olds, news));
}

/** Creates (or idempotently re-creates) the destination. */
export function create(inputs: RawInputs): Promise<pulumi.dynamic.CreateResult> {
  return guarded(() => createHandler(inputs));
}

/** Updates the destination in place (rotation included). */
export function update(id: string, olds: RawInputs, news: RawInputs): Promise<pulumi.dynamic.UpdateResult> {
  return guarded(() => updateHandler(id, olds, news));
}

/** Reads the destination back for refresh. */
export function read(id: string, props: RawInputs): Promise<pulumi.dynamic.ReadResult> {
  return guarded(() => readHandler(id, props));
}

/** Deletes the destination. */
function remove(id: string, props: RawInputs): Promise<void> {
  return guarded(() => deleteDestination(id, props));
}
export { remove as delete };
