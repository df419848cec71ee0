// Generated from provider/core/shape.ts by scripts/sdk-types.ts (npm run gen:sdk). Do not edit by hand.
/** The resource's arguments and declared outputs, generated from its shape. */
import * as pulumi from "@pulumi/pulumi";

/** Arguments of {@link UpstackKlaviyoDestination}. */
export interface UpstackKlaviyoDestinationArgs {
  /**
   * The Upstack pixel (a UUID) the destination belongs to. A pixel has at most one Klaviyo
   * destination. Changing it replaces the resource (the new destination is created before the old
   * one is deleted). Default: the provider's default pixel setting (`upstack:pixelId`,
   * `UPSTACK_PIXEL_ID`).
   * @example "9b2f6c1e-0d4a-4c3e-8f57-2a1b3c4d5e6f"
   */
  pixelId?: pulumi.Input<string>;
  /**
   * The Klaviyo private API key (`pk_…`, Full Access unless scopes are declared). Whitespace around
   * it is trimmed. Changing it rotates the key in place after validating the new one. Made secret:
   * pass `cfg.requireSecret(...)`; a plain string is made secret, with a warning.
   * @example cfg.requireSecret("klaviyoPrivateKey")
   */
  privateApiKey: pulumi.Input<string>;
  /**
   * The Klaviyo Site ID (public key, 6 characters) the private key must belong to. When set, a key
   * from another account is refused. Default: not checked.
   * @example "AbC123"
   */
  publicApiKey?: pulumi.Input<string>;
  /**
   * Whether Upstack forwards events to Klaviyo. Changing it updates the destination in place.
   * Default: true.
   * @example false // pause forwarding without deleting the destination
   */
  enabled?: pulumi.Input<boolean>;
  /**
   * The destination's display name in Upstack, 1 to 100 characters. Default: "UpstackData" (the name
   * Upstack's guide gives the key).
   * @example "Klaviyo – EU store"
   */
  label?: pulumi.Input<string>;
  /**
   * The Klaviyo scopes you rely on, instead of Upstack's default requirement of Full Access.
   * `accounts:read` is always required. Write scopes cannot be verified without side effects unless
   * the key may list API keys. Default: Full Access required.
   * @example ["events:write", "profiles:write", "metrics:read", "profiles:read"]
   */
  scopes?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Take over a Klaviyo destination that already exists on the pixel (made in the dashboard or by
   * another stack). Without it such a destination is refused. Default: false.
   * @example true // take over the destination made by hand in the dashboard
   */
  adopt?: pulumi.Input<boolean>;
  /**
   * The Upstack API key for this pixel (`upstack_…`), for stacks spanning many pixels. Refresh and
   * delete read keys from the provider settings only, so set the per-pixel map there too. Made
   * secret: pass `cfg.requireSecret(...)`; a plain string is made secret, with a warning. Default:
   * the provider's per-pixel key map, then its default key.
   * @example cfg.requireSecret("upstackApiKeyStoreA")
   */
  upstackApiKey?: pulumi.Input<string>;
  /**
   * After a rotation is written to Upstack and Upstack reports the destination healthy with the new
   * key, disable the key it replaced in Klaviyo (beta `PATCH /api/api-keys/{id}`, with the new key's
   * credentials; the new key needs `credentials:write`, which Full Access has). Only a key
   * identified without doubt, of the same Klaviyo account, never the key Upstack holds; if disabling
   * fails the rotation stands and a warning gives the manual steps. Risk: any other integration
   * still using the old key stops working. Outputs `retiredKeyId` and `retiredAt` record what was
   * disabled. Default: false.
   * @example true // the old key is disabled once the new one is live
   */
  retireReplacedKey?: pulumi.Input<boolean>;
}

/**
 * The outputs every {@link UpstackKlaviyoDestination} declares (none of them ever holds a key).
 * The base of the resource class; not meant to be used on its own.
 */
export abstract class UpstackKlaviyoDestinationOutputs extends pulumi.CustomResource {
  /**
   * Upstack's id of the destination (`dst_…`); also the resource id.
   */
  declare public readonly destinationId: pulumi.Output<string>;
  /**
   * The pixel it belongs to.
   */
  declare public readonly pixelId: pulumi.Output<string>;
  /**
   * `sha256:` + hex SHA-256 of the key Upstack holds.
   */
  declare public readonly keyFingerprint: pulumi.Output<string>;
  /**
   * `pk_...` + the key's last four characters.
   */
  declare public readonly keyHint: pulumi.Output<string>;
  /**
   * The Klaviyo account (public key / Site ID) the key belongs to.
   */
  declare public readonly klaviyoAccountId: pulumi.Output<string>;
  /**
   * The Klaviyo account's organization name, when it has one.
   */
  declare public readonly klaviyoAccountName: pulumi.Output<string | undefined>;
  /**
   * Klaviyo's id of the private key that was validated (from Klaviyo's api-keys listing; never the
   * key itself), when the listing identified the key.
   */
  declare public readonly klaviyoKeyId: pulumi.Output<string | undefined>;
  /**
   * The name of that key in Klaviyo (e.g. `UpstackData`), when the listing identified the key.
   */
  declare public readonly klaviyoKeyName: pulumi.Output<string | undefined>;
  /**
   * `healthy`, `unhealthy` (Klaviyo rejects the key) or `disabled`.
   */
  declare public readonly status: pulumi.Output<string>;
  /**
   * Why the destination is not healthy, when it is not.
   */
  declare public readonly statusReason: pulumi.Output<string | undefined>;
  /**
   * Whether events flow.
   */
  declare public readonly enabled: pulumi.Output<boolean>;
  /**
   * Display name.
   */
  declare public readonly label: pulumi.Output<string>;
  /**
   * Who manages the destination: `pulumi:<project>/<stack>/<name>`.
   */
  declare public readonly owner: pulumi.Output<string>;
  /**
   * How the key's access was established.
   */
  declare public readonly accessCheck: pulumi.Output<string>;
  /**
   * When the key was last validated against Klaviyo (ISO 8601).
   */
  declare public readonly validatedAt: pulumi.Output<string>;
  /**
   * When Upstack last received a different key (ISO 8601).
   */
  declare public readonly rotatedAt: pulumi.Output<string>;
  /**
   * When the destination was created (ISO 8601).
   */
  declare public readonly createdAt: pulumi.Output<string>;
  /**
   * When the destination last changed (ISO 8601).
   */
  declare public readonly updatedAt: pulumi.Output<string>;
  /**
   * Klaviyo's id of the key disabled after the last rotation that retired one (`retireReplacedKey`).
   */
  declare public readonly retiredKeyId: pulumi.Output<string | undefined>;
  /**
   * When that key was disabled in Klaviyo (ISO 8601).
   */
  declare public readonly retiredAt: pulumi.Output<string | undefined>;
}
