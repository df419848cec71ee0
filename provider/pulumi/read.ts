/**
 * read (`pulumi refresh`): the core's readDestination. Gone, or managed by
 * someone else now → an empty id (the engine drops it from state).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { CoreContext } from "../core/context";
import type { RawInputs } from "../core/inputs";
import { readDestination } from "../core/lifecycle";
import { parsePrior } from "../core/prior";

/** The read handler. */
export async function read(ctx: CoreContext, id: string, props: RawInputs): Promise<pulumi.dynamic.ReadResult> {
  const found = await readDestination(ctx, id, parsePrior(props));
  return found === undefined ? { id: "", props: {} } : { id, props: { ...found.outputs }, inputs: { ...found.inputs } };
}
