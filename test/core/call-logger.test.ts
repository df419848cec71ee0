/**
 * withLogger: one engine call's view of a context. The Terraform provider answers a call's warnings
 * as that call's diagnostics, so a warning the rules give during a call must reach that call's
 * logger, and advice given once in the context must not be given again in a later call.
 */
import { checkDesired, parsePrior, withLogger, type Logger } from "../../provider/core";
import { accountsBody, apiKeysBody, fakeContext, fakeKey, res } from "../support/fake-context";

const pixelId = "9b2f6c1e-0d4a-4c3e-8f57-2a1b3c4d5e6f";

function collecting(): { log: Logger; warnings: string[] } {
  const warnings: string[] = [];
  return { log: { info: () => undefined, warn: (m) => warnings.push(m) }, warnings };
}

test("a call's warnings reach that call's logger; advice given in one call is not repeated in the next", async () => {
  const key = fakeKey("a1b2");
  // The key is named against the convention: the rules advise once per context.
  const { ctx, lines } = fakeContext((req) =>
    req.path === "/api/accounts/" ? res(200, accountsBody("AbC123")) : res(200, apiKeysBody([["a1b2", "full", "Shopify sync"]])),
  );
  const first = collecting();
  const second = collecting();
  const one = await checkDesired(withLogger(ctx, first.log), parsePrior({}), { pixelId, privateApiKey: key, owner: "terraform:t1" });
  expect(one.failures).toEqual([]);
  expect(first.warnings).toHaveLength(1);
  expect(first.warnings[0]).toMatch(/named "Shopify sync".*UpstackData/);
  // The view's logger replaced the context's: nothing went to the context's own logger.
  expect(lines).toEqual([]);

  await checkDesired(withLogger(ctx, second.log), parsePrior({}), { pixelId, privateApiKey: fakeKey("a1b2"), owner: "terraform:t2" });
  expect(second.warnings).toEqual([]);
});
