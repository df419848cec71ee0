/** update: the core's updateDestination with the old outputs and the checked inputs. */
import type * as pulumi from "@pulumi/pulumi";
import type { CoreContext } from "../core/context";
import { requireDesired, type RawInputs } from "../core/inputs";
import { updateDestination } from "../core/lifecycle";
import { parsePrior } from "../core/prior";

/** The update handler. */
export async function update(ctx: CoreContext, olds: RawInputs, news: RawInputs): Promise<pulumi.dynamic.UpdateResult> {
  const desired = requireDesired(news, { defaultPixelId: ctx.settings.pixelId, words: ctx.words });
  return { outs: await updateDestination(ctx, parsePrior(olds), desired) };
}
