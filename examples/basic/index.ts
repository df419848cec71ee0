// The basic example: one Upstack Data Klaviyo destination.
//
//   pulumi config set upstackPixelId 9b2f6c1e-0d4a-4c3e-8f57-2a1b3c4d5e6f
//   pulumi config set --secret klaviyoPrivateKey   # paste pk_... at the prompt (never on the command line)
//   pulumi config set --secret upstack:apiKey      # paste upstack_... at the prompt
//   pulumi up
//
// Rotating the key is a config change: set the new secret and run `pulumi up` again.
import * as pulumi from "@pulumi/pulumi";
import { UpstackKlaviyoDestination } from "pulumi-upstack-klaviyo";

const cfg = new pulumi.Config();

const dest = new UpstackKlaviyoDestination("klaviyo", {
  pixelId: cfg.require("upstackPixelId"),
  privateApiKey: cfg.requireSecret("klaviyoPrivateKey"),
  // Optional: the Klaviyo Site ID (public key) the private key must belong to.
  ...(cfg.get("klaviyoPublicApiKey") ? { publicApiKey: cfg.require("klaviyoPublicApiKey") } : {}),
  label: cfg.get("label") ?? "UpstackData",
});

export const destinationId = dest.destinationId;
export const status = dest.status;
export const keyHint = dest.keyHint;
export const klaviyoAccountId = dest.klaviyoAccountId;
