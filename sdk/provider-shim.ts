/**
 * The serialized provider stored in every resource's `__provider` input. The
 * Node dynamic provider host loads this text as a module and calls its
 * `handler()` to get the provider object; this shim returns the installed
 * implementation, required by package name at that moment.
 *
 * Writing the text directly (rather than letting Pulumi serialize a closure)
 * keeps it at ~90 bytes, with no absolute path and no secret, and means
 * every operation — delete and read included, which use the text stored in
 * state — runs the provider code installed next to the program, whatever
 * checkout path the state was created from.
 */

/** The package entry the shim loads in the provider host. */
export const PROVIDER_MODULE = "pulumi-upstack-klaviyo/provider";

/** The exact text stored as `__provider`. */
export const PROVIDER_TEXT = `exports.handler = function () { return require(${JSON.stringify(PROVIDER_MODULE)}); };\n`;

/** The type token: the `pulumi-nodejs` package routes it to the Node dynamic provider host. */
export const RESOURCE_TYPE = "pulumi-nodejs:dynamic/pulumi-upstack-klaviyo:UpstackKlaviyoDestination";
