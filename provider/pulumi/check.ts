/**
 * check: validates every input and, when the key must be validated again
 * (core planChanges), the key itself, so `pulumi preview` on a pull request
 * already fails on a revoked or wrong key. Unknown values pass through.
 */
import type * as pulumi from "@pulumi/pulumi";
import { checkDesired } from "../core/lifecycle";
import type { CoreContext } from "../core/context";
import type { RawInputs } from "../core/inputs";
import { parsePrior } from "../core/prior";

/** The check handler. */
export async function check(ctx: CoreContext, olds: RawInputs, news: RawInputs): Promise<pulumi.dynamic.CheckResult> {
  const { values, failures } = await checkDesired(ctx, parsePrior(olds), news);
  return failures.length > 0 ? { inputs: { ...values }, failures: [...failures] } : { inputs: { ...values } };
}
