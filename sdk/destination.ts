/** The `UpstackKlaviyoDestination` resource. */
import * as pulumi from "@pulumi/pulumi";
import { PROVIDER_TEXT, RESOURCE_TYPE } from "./provider-shim";
import { DESTINATION_INPUTS, PUBLIC_OUTPUT_NAMES, SECRET_INPUT_NAMES } from "../provider/core/shape";
import { UpstackKlaviyoDestinationOutputs, type UpstackKlaviyoDestinationArgs } from "./types";

/** Outputs that are not also inputs: declared to the engine as `undefined` so they can be read from the resource. */
const COMPUTED_OUTPUTS = PUBLIC_OUTPUT_NAMES.filter((name) => !(name in DESTINATION_INPUTS));

/**
 * An Upstack Data Klaviyo destination. Creating it validates the Klaviyo
 * private key against Klaviyo (format, live, account, access) and then
 * registers it with Upstack; changing the key rotates it in place. The key is
 * never stored in outputs: only {@link UpstackKlaviyoDestination.keyFingerprint}
 * and {@link UpstackKlaviyoDestination.keyHint}.
 *
 * It is a Pulumi dynamic resource (served by the Node dynamic provider host),
 * declared as a CustomResource so that its serialized provider is the small
 * shim in provider-shim.ts rather than a serialized closure. Its arguments and
 * outputs are generated from the resource's shape (provider/core/shape.ts).
 */
export class UpstackKlaviyoDestination extends UpstackKlaviyoDestinationOutputs {
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
      privateApiKey: args.privateApiKey,
      // Inputs that are not outputs are sent only when given: every property costs the Pulumi runtime.
      ...(args.publicApiKey === undefined ? {} : { publicApiKey: args.publicApiKey }),
      ...(args.scopes === undefined ? {} : { scopes: args.scopes }),
      ...(args.adopt === undefined ? {} : { adopt: args.adopt }),
      ...(args.upstackApiKey === undefined ? {} : { upstackApiKey: args.upstackApiKey }),
      ...(args.retireReplacedKey === undefined ? {} : { retireReplacedKey: args.retireReplacedKey }),
      enabled: args.enabled,
      label: args.label,
      owner: `pulumi:${pulumi.getProject()}/${pulumi.getStack()}/${name}`,
    };
    // Credentials (the shape's secret inputs) are always secret, whatever the program passed.
    for (const secret of SECRET_INPUT_NAMES) if (inputs[secret] !== undefined) inputs[secret] = pulumi.secret(inputs[secret]);
    for (const output of COMPUTED_OUTPUTS) inputs[output] = undefined;
    // The Node dynamic provider host serves this resource; __provider is the thin shim (see provider-shim.ts).
    inputs["__provider"] = PROVIDER_TEXT;
    super(RESOURCE_TYPE, name, inputs, opts);
  }
}
