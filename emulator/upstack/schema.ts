/**
 * Zod schema of the contract's DestinationWrite body, and issue formatting.
 * @packageDocumentation
 */
import { z } from "zod";
import { KLAVIYO_ACCOUNT_ID_PATTERN, KLAVIYO_PRIVATE_KEY_PATTERN } from "../keys";

/** `DestinationWrite` from openapi/upstack-klaviyo-destination.json. */
export const destinationWriteSchema = z.strictObject({
  privateApiKey: z.string().regex(KLAVIYO_PRIVATE_KEY_PATTERN, "must be a Klaviyo private key (pk_ followed by letters and digits, no spaces)"),
  publicApiKey: z.string().regex(KLAVIYO_ACCOUNT_ID_PATTERN, "must be 6 letters or digits").nullable().optional(),
  klaviyoAccountId: z.string().optional(),
  enabled: z.boolean(),
  label: z.string().min(1).max(100),
  owner: z.string().min(1).max(300),
  adopt: z.boolean().optional(),
  scopes: z.array(z.string()).optional(),
});

/** A valid DestinationWrite body. */
export type DestinationWrite = z.infer<typeof destinationWriteSchema>;

/** One `errors` item of a 400. */
export interface FieldError {
  path: string;
  message: string;
}

/** Contract `errors` items from zod issues (messages never echo input values). */
export function fieldErrors(error: z.ZodError): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    const base = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      for (const k of issue.keys) out.push({ path: base === "" ? k : `${base}.${k}`, message: "is not a known property" });
    } else {
      out.push({ path: base, message: issue.message });
    }
  }
  return out;
}
