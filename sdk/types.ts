/** The resource's arguments. */
import type * as pulumi from "@pulumi/pulumi";

/** Arguments of {@link UpstackKlaviyoDestination}. */
export interface UpstackKlaviyoDestinationArgs {
  /**
   * The Upstack pixel (a UUID) the destination belongs to. A pixel has at most
   * one Klaviyo destination. Changing it replaces the resource (the new
   * pixel's destination is created before the old one is deleted).
   * Default: the stack config `upstack:pixelId`, else `UPSTACK_PIXEL_ID`.
   * @example "9b2f6c1e-0d4a-4c3e-8f57-2a1b3c4d5e6f"
   */
  pixelId?: pulumi.Input<string>;
  /**
   * The Klaviyo private API key (`pk_…`, Full Access unless {@link scopes} is
   * set). Pass a secret (`cfg.requireSecret(...)`); a plain string is made
   * secret, with a warning. Whitespace around it is trimmed. Changing it
   * rotates the key in place after validating the new one.
   * @example cfg.requireSecret("klaviyoPrivateKey")
   */
  privateApiKey: pulumi.Input<string>;
  /**
   * The Klaviyo Site ID (public key, 6 characters) the private key must belong
   * to. When set, a key from another account is refused. Default: not checked.
   * @example "AbC123"
   */
  publicApiKey?: pulumi.Input<string>;
  /**
   * Whether Upstack forwards events to Klaviyo. Changing it updates the
   * destination in place. Default `true`.
   * @example false // pause forwarding without deleting the destination
   */
  enabled?: pulumi.Input<boolean>;
  /**
   * The destination's display name in Upstack, 1 to 100 characters. Default
   * `"UpstackData"` (the name Upstack's guide gives the key).
   * @example "Klaviyo – EU store"
   */
  label?: pulumi.Input<string>;
  /**
   * The Klaviyo scopes you rely on, instead of Upstack's default requirement
   * of Full Access. `accounts:read` is always required. Write scopes cannot
   * be verified without side effects unless the key may list API keys; see
   * the README. Default: Full Access required.
   * @example ["events:write", "profiles:write", "metrics:read", "profiles:read"]
   */
  scopes?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Take over a Klaviyo destination that already exists on the pixel (made in
   * the dashboard or by another stack). Without it such a destination is
   * refused. Pulumi's `import` does not work for dynamic resources; this does.
   * Default `false`.
   * @example true // take over the destination made by hand in the dashboard
   */
  adopt?: pulumi.Input<boolean>;
  /**
   * The Upstack API key for this pixel (`upstack_…`), for stacks spanning
   * many pixels. Made secret. Refresh and delete read keys from
   * configuration only (`upstack:apiKeys`, a map from pixel id to key, or
   * `upstack:apiKey`), so set the map too. Default: `upstack:apiKeys[pixelId]`,
   * then `upstack:apiKey`, then `UPSTACK_API_KEYS` / `UPSTACK_API_KEY`.
   * @example cfg.requireSecret("upstackApiKeyStoreA")
   */
  upstackApiKey?: pulumi.Input<string>;
  /**
   * After a rotation is written to Upstack and Upstack reports the destination
   * healthy with the new key, disable the key it replaced in Klaviyo (beta
   * `PATCH /api/api-keys/{id}`, with the new key's credentials; the new key
   * needs `credentials:write`, which Full Access has). Only a key identified
   * without doubt, of the same Klaviyo account, never the key Upstack holds; if
   * disabling fails the rotation stands and a warning gives the manual steps.
   * Risk: any other integration still using the old key stops working.
   * Outputs `retiredKeyId` and `retiredAt` record what was disabled. Default `false`.
   * @example true // the old key is disabled once the new one is live
   */
  retireReplacedKey?: pulumi.Input<boolean>;
}
