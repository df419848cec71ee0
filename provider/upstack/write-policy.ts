/**
 * When a write to Upstack may take a destination over, and which version it is conditional on —
 * decided once here from what the stack last recorded (its outputs), for update and delete alike.
 * @packageDocumentation
 */

/** The conditions of a write made on behalf of an existing resource. */
export interface RecordedWriteConditions {
  /** Send `adopt: true`. */
  readonly adopt: boolean;
  /** The ETag last recorded, for If-Match; absent when the state holds none (written before ETags were kept). */
  readonly ifMatch?: string;
}

/** The ETag the stack last recorded for the destination, if any. */
export function recordedEtag(olds: Readonly<Record<string, unknown>>): string | undefined {
  const etag = olds["etag"];
  return typeof etag === "string" && etag !== "" ? etag : undefined;
}

/**
 * The conditions of an update. It adopts only when the user asked (`adopt: true` on the resource),
 * or when the resource's own owner name changed (a rename through `aliases`) — and then only
 * together with If-Match on the recorded ETag, so what is taken over is exactly the version this
 * resource last wrote or read under its old name. A state without an ETag never adopts on its own:
 * the server refuses with `owned_by_other` and the message says how to proceed.
 */
export function updateConditions(
  olds: Readonly<Record<string, unknown>>,
  inputs: { readonly owner: string; readonly adopt: boolean },
): RecordedWriteConditions {
  const ifMatch = recordedEtag(olds);
  const renamed = typeof olds["owner"] === "string" && olds["owner"] !== inputs.owner;
  const adopt = inputs.adopt || (renamed && ifMatch !== undefined);
  return ifMatch === undefined ? { adopt } : { adopt, ifMatch };
}
