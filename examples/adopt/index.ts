// Adopt: bring the Klaviyo destination someone made in the Upstack dashboard under Pulumi.
//
// Pulumi's `import` does not work for dynamic resources, so the resource takes `adopt: true`:
// its first `pulumi up` takes over the pixel's existing destination (same destination id, the
// key validated first and put in place) instead of refusing it. Keys never go on a command line:
//
//   pulumi config set upstackPixelId 9b2f6c1e-0d4a-4c3e-8f57-2a1b3c4d5e6f
//   pulumi config set --secret klaviyoPrivateKey     # paste pk_... at the prompt
//   pulumi config set --secret upstack:apiKey        # paste upstack_... at the prompt
//   pulumi up
import * as pulumi from "@pulumi/pulumi";
import { UpstackKlaviyoDestination } from "pulumi-upstack-klaviyo";

const cfg = new pulumi.Config();

const dest = new UpstackKlaviyoDestination("klaviyo", {
  pixelId: cfg.require("upstackPixelId"),
  privateApiKey: cfg.requireSecret("klaviyoPrivateKey"),
  ...(cfg.get("klaviyoPublicApiKey") ? { publicApiKey: cfg.require("klaviyoPublicApiKey") } : {}),
  // Take over the destination that already exists on the pixel (made in the dashboard).
  adopt: true,
});

export const destinationId = dest.destinationId;
export const owner = dest.owner;
export const status = dest.status;
export const keyHint = dest.keyHint;
