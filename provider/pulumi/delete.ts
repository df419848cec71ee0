/** delete: the core's deleteDestination with the stored outputs. */
import type { CoreContext } from "../core/context";
import type { RawInputs } from "../core/inputs";
import { deleteDestination } from "../core/lifecycle";
import { parsePrior } from "../core/prior";

/** The delete handler. */
export async function remove(ctx: CoreContext, id: string, props: RawInputs): Promise<void> {
  await deleteDestination(ctx, id, parsePrior(props));
}
