// Many stores: one Upstack Data Klaviyo destination per store, each on its own pixel.
//
//   pulumi config set --path 'stores["Outdoor Co"].pixelId' 9b2f6c1e-0d4a-4c3e-8f57-2a1b3c4d5e6f
//   pulumi config set --path 'stores["Outdoor Co"].publicApiKey' AbC123
//   pulumi config set --secret klaviyoKeys        # paste {"Outdoor Co": "pk_..."} at the prompt
//   pulumi config set --secret upstack:apiKeys    # paste {"9b2f6c1e-0d4a-4c3e-8f57-2a1b3c4d5e6f": "upstack_..."}
// (Keys never go on the command line, where they would stay in the shell history.)
//   pulumi up
//
// See README.md for why the Upstack keys live in the provider config `upstack:apiKeys` rather than
// in each resource's `upstackApiKey`.
import * as pulumi from "@pulumi/pulumi";
import { UpstackKlaviyoDestination } from "pulumi-upstack-klaviyo";

/** One store, as configured under `stores`. */
interface Store {
  /** The store's Upstack pixel (a UUID). One pixel holds one Klaviyo destination. */
  pixelId: string;
  /** Optional: the Klaviyo Site ID (public key) the store's private key must belong to. */
  publicApiKey?: string;
  /** Optional display name in Upstack; default "UpstackData". */
  label?: string;
  /** Optional: names this store had before (so renaming a store is an update, not a replacement). */
  previousNames?: string[];
  /** Optional: after this store's key is rotated, disable the replaced key in Klaviyo (see the README's Rotation). */
  retireReplacedKey?: boolean;
}

const cfg = new pulumi.Config();
const stores = cfg.requireObject<Record<string, Store>>("stores");
// Secret: store name -> Klaviyo private key (pk_...). Stays secret through every apply below.
const klaviyoKeys = cfg.requireSecretObject<Record<string, string>>("klaviyoKeys");

// Catch configuration mistakes before anything is registered.
const seenPixels = new Map<string, string>();
for (const [store, s] of Object.entries(stores)) {
  if (typeof s?.pixelId !== "string" || s.pixelId.trim() === "") {
    throw new Error(`stores["${store}"] has no pixelId. Set it with: pulumi config set --path 'stores["${store}"].pixelId' <pixel id>`);
  }
  const pixel = s.pixelId.trim().toLowerCase();
  const other = seenPixels.get(pixel);
  if (other !== undefined) {
    throw new Error(`stores["${store}"] and stores["${other}"] both use pixel ${pixel}; a pixel holds one Klaviyo destination.`);
  }
  seenPixels.set(pixel, store);
}

/** A resource name from a store name: "Outdoor Co" -> "klaviyo-outdoor-co". */
function resourceName(store: string): string {
  const slug = store
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return `klaviyo-${slug || "store"}`;
}

const resources: Record<string, UpstackKlaviyoDestination> = {};
for (const [store, s] of Object.entries(stores)) {
  const privateApiKey = klaviyoKeys.apply((keys) => {
    const key = keys[store];
    if (typeof key !== "string" || key.trim() === "") {
      throw new Error(
        `klaviyoKeys has no key for store "${store}". Set every store's key: run \`pulumi config set --secret klaviyoKeys\` and paste {"${store}": "pk_...", ...} at the prompt.`,
      );
    }
    return key;
  });
  resources[store] = new UpstackKlaviyoDestination(
    resourceName(store),
    {
      pixelId: s.pixelId,
      privateApiKey,
      ...(s.publicApiKey ? { publicApiKey: s.publicApiKey } : {}),
      label: s.label ?? "UpstackData",
      ...(s.retireReplacedKey === undefined ? {} : { retireReplacedKey: s.retireReplacedKey }),
    },
    s.previousNames && s.previousNames.length > 0 ? { aliases: s.previousNames.map((n) => ({ name: resourceName(n) })) } : {},
  );
}

/** Store name -> its destination's id, status and key hint (never the key). */
export const destinations = pulumi.all(
  Object.fromEntries(
    Object.entries(resources).map(([store, d]) => [store, pulumi.all({ destinationId: d.destinationId, status: d.status, keyHint: d.keyHint })]),
  ),
);
