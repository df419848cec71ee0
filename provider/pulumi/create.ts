/** create: the core's createDestination with the checked inputs. */
import type * as pulumi from "@pulumi/pulumi";
import type { CoreContext } from "../core/context";
import { requireDesired, type RawInputs } from "../core/inputs";
import { createDestination } from "../core/lifecycle";

/** The create handler. */
export async function create(ctx: CoreContext, raw: RawInputs): Promise<pulumi.dynamic.CreateResult> {
  const { id, outputs } = await createDestination(ctx, requireDesired(raw, { defaultPixelId: ctx.settings.pixelId, words: ctx.words }));
  return { id, outs: outputs };
}
