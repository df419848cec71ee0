/**
 * What `require("pulumi-upstack-klaviyo/provider")` loads (the package's `./provider` export), and
 * so what the serialized shim loads in the Pulumi provider host on every cold start: the provider
 * ({@link ./index}) as one bundled file, `host-bundle.js` beside this module (written by
 * `scripts/provider-bundle.ts` as part of `npm run build`), compiled through V8's code cache
 * ({@link ./bundle-loader}; the cache lives in the temporary folder).
 *
 * Loading ~150 separate modules (zod alone is ~90) cost the host 100–140 ms of CPU before the
 * first Check could answer; one file whose compiled code comes from the cache costs a third of
 * that. A build without the bundle (`tsc` alone) loads {@link ./index} as before.
 * @packageDocumentation
 */
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadBundle } from "./bundle-loader";
import type * as Provider from "./index";

/** The bundle, beside this module in `dist/provider`. */
const bundle = join(__dirname, "host-bundle.js");

const provider = (existsSync(bundle) ? loadBundle(bundle, { cacheDir: tmpdir(), writeDelayMs: 1000 }).exports : require("./index")) as typeof Provider;

// Named one by one (not `module.exports = provider`) so that Node can see them when an ES module
// imports this CommonJS one; test/provider/bundle-loader.test.ts checks the list is ./index's.
/** See {@link ./index}. */
export const {
  configure,
  check,
  diff,
  create,
  update,
  read,
  ERROR_CATALOGUE,
  UpstackKlaviyoError,
  UPSTACK_MINIMUM_SCOPES,
  KLAVIYO_REVISION,
  KLAVIYO_BETA_REVISION,
} = provider;
const remove = provider.delete;
export { remove as delete };
/** The provider object, typed as Pulumi's `ResourceProvider` of the shape's types (see {@link ./index}). */
const providerObject = provider.provider;
export { providerObject as provider };
export type { ErrorCode, ErrorCatalogueEntry, RawInputs, DestinationInputs, DestinationOutputs } from "./index";
