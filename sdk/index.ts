/**
 * pulumi-upstack-klaviyo: manage an Upstack Data Klaviyo destination as code.
 *
 * @example
 * ```ts
 * import * as pulumi from "@pulumi/pulumi";
 * import { UpstackKlaviyoDestination } from "pulumi-upstack-klaviyo";
 * const cfg = new pulumi.Config();
 * const dest = new UpstackKlaviyoDestination("klaviyo", {
 *   pixelId: cfg.require("upstackPixelId"),
 *   privateApiKey: cfg.requireSecret("klaviyoPrivateKey"),
 * });
 * export const destinationId = dest.destinationId;
 * ```
 * @packageDocumentation
 */
export { UpstackKlaviyoDestination } from "./destination";
export { UpstackKlaviyoDestinationOutputs, type UpstackKlaviyoDestinationArgs } from "./types";
export { PROVIDER_MODULE, PROVIDER_TEXT, RESOURCE_TYPE } from "./provider-shim";
