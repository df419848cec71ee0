/** The `UpstackKlaviyoDestination` resource. */
import * as pulumi from "@pulumi/pulumi";
import { PROVIDER_TEXT, RESOURCE_TYPE } from "./provider-shim";
import type { UpstackKlaviyoDestinationArgs } from "./types";

/**
 * An Upstack Data Klaviyo destination. Creating it validates the Klaviyo
 * private key against Klaviyo (format, live, account, access) and then
 * registers it with Upstack; changing the key rotates it in place. The key is
 * never stored in outputs: only {@link UpstackKlaviyoDestination.keyFingerprint}
 * and {@link UpstackKlaviyoDestination.keyHint}.
 *
 * It is a Pulumi dynamic resource (served by the Node dynamic provider host),
 * declared as a CustomResource so that its serialized provider is the small
 * shim in provider-shim.ts rather than a serialized closure.
 */
export class UpstackKlaviyoDestination extends pulumi.CustomResource {
  /** Upstack's id of the destination (`dst_…`); also the resource id. */
  declare public readonly destinationId: pulumi.Output<string>;
  /** The pixel it belongs to. */
  declare public readonly pixelId: pulumi.Output<string>;
  /** `sha256:` + hex SHA-256 of the key Upstack holds. */
  declare public readonly keyFingerprint: pulumi.Output<string>;
  /** `pk_...` + the key's last four characters. */
  declare public readonly keyHint: pulumi.Output<string>;
  /** The Klaviyo account (public key / Site ID) the key belongs to. */
  declare public readonly klaviyoAccountId: pulumi.Output<string>;
  /** The Klaviyo account's organization name, when it has one. */
  declare public readonly klaviyoAccountName: pulumi.Output<string | undefined>;
  /**
   * Klaviyo's id of the private key that was validated (from Klaviyo's api-keys
   * listing; never the key itself), when the listing identified the key.
   */
  declare public readonly klaviyoKeyId: pulumi.Output<string | undefined>;
  /** The name of that key in Klaviyo (e.g. `UpstackData`), when the listing identified the key. */
  declare public readonly klaviyoKeyName: pulumi.Output<string | undefined>;
  /** `healthy`, `unhealthy` (Klaviyo rejects the key) or `disabled`. */
  declare public readonly status: pulumi.Output<string>;
  /** Why the destination is not healthy, when it is not. */
  declare public readonly statusReason: pulumi.Output<string | undefined>;
  /** Whether events flow. */
  declare public readonly enabled: pulumi.Output<boolean>;
  /** Display name. */
  declare public readonly label: pulumi.Output<string>;
  /** Who manages the destination: `pulumi:<project>/<stack>/<name>`. */
  declare public readonly owner: pulumi.Output<string>;
  /** How the key's access was established. */
  declare public readonly accessCheck: pulumi.Output<string>;
  /** When the key was last validated against Klaviyo (ISO 8601). */
  declare public readonly validatedAt: pulumi.Output<string>;
  /** When Upstack last received a different key (ISO 8601). */
  declare public readonly rotatedAt: pulumi.Output<string>;
  /** When the destination was created (ISO 8601). */
  declare public readonly createdAt: pulumi.Output<string>;
  /** When the destination last changed (ISO 8601). */
  declare public readonly updatedAt: pulumi.Output<string>;
  /** Klaviyo's id of the key disabled after the last rotation that retired one (`retireReplacedKey`). */
  declare public readonly retiredKeyId: pulumi.Output<string | undefined>;
  /** When that key was disabled in Klaviyo (ISO 8601). */
  declare public readonly retiredAt: pulumi.Output<string | undefined>;

  /**
   * @param name - the resource name; with the project and stack it names the destination's owner.
   * @param args - see {@link UpstackKlaviyoDestinationArgs}.
   * @param opts - resource options (protect, retainOnDelete, ignoreChanges, dependsOn, aliases… all behave as usual).
   */
  constructor(name: string, args: UpstackKlaviyoDestinationArgs, opts?: pulumi.CustomResourceOptions) {
    if (typeof args.privateApiKey === "string") {
      void pulumi.log.warn(
        `UpstackKlaviyoDestination ${name}: privateApiKey was passed as a plain string; it has been made secret. Read it with cfg.requireSecret("klaviyoPrivateKey") so it is never plain text anywhere.`,
      );
    }
    const inputs: Record<string, pulumi.Input<unknown>> = {
      pixelId: args.pixelId,
      privateApiKey: pulumi.secret(args.privateApiKey),
      // Inputs that are not outputs are sent only when given: every property costs the Pulumi runtime.
      ...(args.publicApiKey === undefined ? {} : { publicApiKey: args.publicApiKey }),
      ...(args.scopes === undefined ? {} : { scopes: args.scopes }),
      ...(args.adopt === undefined ? {} : { adopt: args.adopt }),
      ...(args.upstackApiKey === undefined ? {} : { upstackApiKey: pulumi.secret(args.upstackApiKey) }),
      ...(args.retireReplacedKey === undefined ? {} : { retireReplacedKey: args.retireReplacedKey }),
      enabled: args.enabled,
      label: args.label,
      owner: `pulumi:${pulumi.getProject()}/${pulumi.getStack()}/${name}`,
      // Outputs, declared so they can be read from the resource.
      destinationId: undefined,
      keyFingerprint: undefined,
      keyHint: undefined,
      klaviyoAccountId: undefined,
      klaviyoAccountName: undefined,
      klaviyoKeyId: undefined,
      klaviyoKeyName: undefined,
      status: undefined,
      statusReason: undefined,
      accessCheck: undefined,
      validatedAt: undefined,
      rotatedAt: undefined,
      createdAt: undefined,
      updatedAt: undefined,
      retiredKeyId: undefined,
      retiredAt: undefined,
    };
    // The Node dynamic provider host serves this resource; __provider is the thin shim (see provider-shim.ts).
    inputs["__provider"] = PROVIDER_TEXT;
    super(RESOURCE_TYPE, name, inputs, opts);
  }
}
