/**
 * delete: removes the destination if this resource still manages it and it is
 * still at the ETag last recorded. Already gone (404) is success; managed by
 * someone else now is left alone, with a warning; changed outside Pulumi since
 * the last read fails with `upstack_changed_outside_pulumi` (refresh, then
 * destroy again) — see `UpstackClient.delete`.
 */
import { upstackCredentials } from "../config";
import { context } from "../context";
import { logger } from "../log";
import type { RawInputs } from "../schema";
import { recordedEtag } from "../upstack/write-policy";

/** The delete handler. */
export async function deleteDestination(id: string, props: RawInputs): Promise<void> {
  const { settings, upstack } = context();
  const pixelId = String(props["pixelId"] ?? "");
  const owner = String(props["owner"] ?? "");
  const result = await upstack.delete(upstackCredentials(settings, pixelId), owner, recordedEtag(props));
  if (result === "not-owned") {
    logger.warn(`Klaviyo destination ${id} on pixel ${pixelId} is now managed by someone else; it was left in place and removed from this stack only.`);
  }
}
