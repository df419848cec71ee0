/**
 * Klaviyo's answers as its published OpenAPI files describe them (spec/klaviyo/*.json), written
 * as zod schemas: strict on the members the provider relies on, tolerant where Klaviyo is known
 * to differ from its own files (`links.next` / `links.prev` come as `null`; attributes are added
 * within a revision and are ignored). Any answer that does not fit is reported as an unexpected
 * answer naming the endpoint, never as a verdict on the key.
 *
 * Each schema is built on first use ({@link once}): a provider host whose first Check makes no
 * request never builds them.
 */
import * as z from "zod";
import { once } from "../once";

/** `CollectionLinks`: `self` required; `next`/`prev` strings in the files, `null` or absent live. */
export const collectionLinks = once(() =>
  z.object({
    self: z.string(),
    next: z.string().nullish(),
    prev: z.string().nullish(),
  }),
);

/** `GetAccountResponseCollection`, reduced to what the provider reads. */
export const accountsAnswer = once(() =>
  z.object({
    data: z.array(
      z.object({
        type: z.literal("account"),
        id: z.string(),
        attributes: z.object({
          test_account: z.boolean(),
          contact_information: z.object({ organization_name: z.string() }),
          public_api_key: z.string().min(1),
        }),
      }),
    ),
    links: collectionLinks().optional(),
  }),
);

/** The key statuses `ApiKeyResponseObjectResource.attributes.status` allows. */
export const API_KEY_STATUSES = ["active", "disabled"] as const;

/** `GetApiKeyResponseCollection` (beta), reduced to what the provider reads. */
export const apiKeysAnswer = once(() =>
  z.object({
    data: z.array(
      z.object({
        type: z.literal("api-key"),
        id: z.string().min(1),
        attributes: z.object({
          name: z.string(),
          status: z.enum(API_KEY_STATUSES),
          scopes: z.array(z.string()),
          created: z.string(),
          /** Only present when asked for with `additional-fields[api-key]=redacted_key`; nullable in the files. */
          redacted_key: z.string().nullish(),
        }),
      }),
    ),
    links: collectionLinks().optional(),
  }),
);

/** A collection answer of a read probe (metrics, profiles, events, lists): only its shape is checked. */
export const probeAnswer = once(() =>
  z.object({
    data: z.array(z.object({ type: z.string(), id: z.string() })),
    links: collectionLinks().optional(),
  }),
);

/** Klaviyo's JSON:API error body (`ClientError` / `ServerError` in the files). */
export const errorAnswer = once(() =>
  z.object({
    errors: z.array(
      z.object({
        id: z.string().optional(),
        code: z.string(),
        title: z.string().optional(),
        detail: z.string().optional(),
        source: z.object({ pointer: z.string().optional(), parameter: z.string().optional() }).optional(),
      }),
    ),
  }),
);

/** One error object of {@link errorAnswer}. */
export type KlaviyoErrorObject = z.infer<ReturnType<typeof errorAnswer>>["errors"][number];

/** What did not fit, in words: the paths and zod's messages, never the values. */
export function describeMisfit(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length === 0 ? "(body)" : i.path.join(".")}: ${i.message}`)
    .join("; ");
}
