// Rotation: the basic example, exporting what shows that a rotation happened.
//
//   pulumi config set upstackPixelId 9b2f6c1e-0d4a-4c3e-8f57-2a1b3c4d5e6f
//   pulumi config set --secret klaviyoPrivateKey   # paste pk_OLD... at the prompt (never on the command line)
//   pulumi config set --secret upstack:apiKey      # paste upstack_... at the prompt
//   pulumi up
//
// To rotate (see README.md): create the new Full Access key in Klaviyo, then
//   pulumi config set --secret klaviyoPrivateKey   # paste pk_NEW... at the prompt
//   pulumi preview   # validates the new key against Klaviyo
//   pulumi up        # same destinationId, new keyFingerprint and rotatedAt
//
// Optional: `pulumi config set retireReplacedKey true` makes that `up` also disable the replaced
// key in Klaviyo once Upstack reports the new one healthy (outputs retiredKeyId / retiredAt).
import * as pulumi from "@pulumi/pulumi";
import { UpstackKlaviyoDestination } from "pulumi-upstack-klaviyo";

const cfg = new pulumi.Config();

const dest = new UpstackKlaviyoDestination("klaviyo", {
  pixelId: cfg.require("upstackPixelId"),
  privateApiKey: cfg.requireSecret("klaviyoPrivateKey"),
  // Optional: the Klaviyo Site ID (public key) the private key must belong to.
  ...(cfg.get("klaviyoPublicApiKey") ? { publicApiKey: cfg.require("klaviyoPublicApiKey") } : {}),
  label: cfg.get("label") ?? "UpstackData",
  // Optional: disable the replaced key in Klaviyo after a rotation (risk: other integrations using it stop).
  retireReplacedKey: cfg.getBoolean("retireReplacedKey") ?? false,
});

export const destinationId = dest.destinationId;
export const status = dest.status;
export const keyHint = dest.keyHint;
export const klaviyoAccountId = dest.klaviyoAccountId;
/** `sha256:` + hex SHA-256 of the key Upstack holds: changes on every rotation. */
export const keyFingerprint = dest.keyFingerprint;
/** When Upstack last received a different key. */
export const rotatedAt = dest.rotatedAt;
/** Klaviyo's id of the key disabled after the last rotation (with retireReplacedKey). */
export const retiredKeyId = dest.retiredKeyId;
