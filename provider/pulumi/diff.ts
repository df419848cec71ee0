/**
 * diff: local only, no network. The core's planChanges compares the checked
 * inputs with the old outputs (which hold the key's fingerprint, never the
 * key). A new key is an in-place update; a new pixel is a replacement
 * (create-before-delete).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { RawInputs } from "../core/inputs";
import { planChanges } from "../core/plan";
import { parsePrior } from "../core/prior";

/** The diff handler. */
export async function diff(_id: string, olds: RawInputs, news: RawInputs): Promise<pulumi.dynamic.DiffResult> {
  const plan = planChanges(parsePrior(olds), news);
  return { changes: plan.hasChanges, replaces: [...plan.replaces], deleteBeforeReplace: false };
}
