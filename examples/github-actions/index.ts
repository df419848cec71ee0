// The program the GitHub Actions workflow (workflow.yml) deploys. It is the basic example with the
// pixel left to the provider: in CI, UPSTACK_PIXEL_ID and UPSTACK_API_KEY come from the CI secret
// store as environment variables, and the Klaviyo key is set as a Pulumi secret from
// secrets.KLAVIYO_PRIVATE_KEY before preview/up.
import * as pulumi from "@pulumi/pulumi";
import { UpstackKlaviyoDestination } from "pulumi-upstack-klaviyo";

const cfg = new pulumi.Config();

const dest = new UpstackKlaviyoDestination("klaviyo", {
  // No pixelId: the provider uses upstack:pixelId, else UPSTACK_PIXEL_ID from the environment.
  ...(cfg.get("upstackPixelId") ? { pixelId: cfg.require("upstackPixelId") } : {}),
  privateApiKey: cfg.requireSecret("klaviyoPrivateKey"),
  ...(cfg.get("klaviyoPublicApiKey") ? { publicApiKey: cfg.require("klaviyoPublicApiKey") } : {}),
  label: cfg.get("label") ?? "UpstackData",
});

export const destinationId = dest.destinationId;
export const pixelId = dest.pixelId;
export const status = dest.status;
export const keyHint = dest.keyHint;
