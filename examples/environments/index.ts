// One program, two stacks (see README.md):
//   dev  -> the local emulator (Pulumi.dev.yaml points upstack:apiUrl and upstack:klaviyoApiUrl at it)
//   prod -> the real Klaviyo and Upstack, its settings and secrets from the Pulumi ESC environment
//           upstack-klaviyo/prod (Pulumi.prod.yaml imports it; esc/prod.yaml is its definition).
// The program itself does not know which: the provider reads its base URLs and the Upstack key
// from the stack configuration.
import * as pulumi from "@pulumi/pulumi";
import { UpstackKlaviyoDestination } from "pulumi-upstack-klaviyo";

const cfg = new pulumi.Config();

const dest = new UpstackKlaviyoDestination("klaviyo", {
  pixelId: cfg.require("upstackPixelId"),
  privateApiKey: cfg.requireSecret("klaviyoPrivateKey"),
  ...(cfg.get("klaviyoPublicApiKey") ? { publicApiKey: cfg.require("klaviyoPublicApiKey") } : {}),
});

export const stack = pulumi.getStack();
export const destinationId = dest.destinationId;
export const status = dest.status;
export const keyHint = dest.keyHint;
