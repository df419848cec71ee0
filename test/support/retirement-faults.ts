/**
 * Fault rules shared by the retirement suites of both engines (test/engine, test/terraform): what
 * Klaviyo answers a PATCH by a key without credentials:write, and an Upstack that has not yet
 * noticed a key disabled in Klaviyo.
 */
import type { DestinationView, FaultRule } from "../../emulator";

/** Every `PATCH /api/api-keys/{id}` answered 403 as Klaviyo does for a key missing credentials:write. */
export const PATCH_WITHOUT_CREDENTIALS_WRITE: FaultRule = {
  service: "klaviyo",
  method: "PATCH",
  path: "/api/api-keys/",
  times: 0,
  fault: {
    kind: "status",
    status: 403,
    body: {
      errors: [
        {
          id: "x",
          status: 403,
          code: "permission_denied",
          title: "You do not have permission to perform this action.",
          detail: "This API key is missing the required scope: credentials:write.",
        },
      ],
    },
  },
};

/** Upstack's GET keeps answering `seen` (what it answered while the key worked): it has not noticed yet. */
export function upstackHasNotNoticed(seen: DestinationView): FaultRule {
  return { service: "upstack", method: "GET", times: 0, fault: { kind: "status", status: 200, body: seen, headers: { etag: seen.etag } } };
}
