/**
 * The write shared by create and update: validate the key (cached when check
 * already did), then upsert the destination on Upstack. Nothing is written to
 * Upstack unless validation passed.
 */
import { randomUUID } from "node:crypto";
import { upstackCredentials } from "../config";
import { context } from "../context";
import { UpstackApiError } from "../errors";
import { accessRequirement } from "../klaviyo/access";
import type { KeyValidation } from "../klaviyo/key-validator";
import type { DestinationInputs } from "../schema";
import type { DestinationWrite, UpstackDestination } from "../upstack/client";

/** Validates the key for `inputs`. */
export function validateKey(inputs: DestinationInputs): Promise<KeyValidation> {
  return context().validator.validate(inputs.privateApiKey, {
    publicApiKey: inputs.publicApiKey,
    requirement: accessRequirement(inputs.scopes),
  });
}

/**
 * Upserts the destination. With `ifMatch`, a 412 is followed by one read: if
 * what Upstack holds is already what this write wanted (an earlier attempt
 * of ours committed but its answer was lost), that is success; otherwise the
 * destination was changed outside Pulumi and the error says what to do.
 */
export async function writeDestination(
  inputs: DestinationInputs,
  validation: Pick<KeyValidation, "accountId" | "fingerprint">,
  options: { adopt: boolean; ifMatch?: string },
): Promise<UpstackDestination> {
  const { settings, upstack } = context();
  const creds = upstackCredentials(settings, inputs.pixelId, inputs.upstackApiKey);
  const write: DestinationWrite = {
    privateApiKey: inputs.privateApiKey,
    publicApiKey: inputs.publicApiKey ?? null,
    klaviyoAccountId: validation.accountId,
    enabled: inputs.enabled,
    label: inputs.label,
    owner: inputs.owner,
    adopt: options.adopt,
    scopes: inputs.scopes ?? [],
  };
  try {
    return await upstack.upsert(creds, write, { idempotencyKey: randomUUID(), ...(options.ifMatch ? { ifMatch: options.ifMatch } : {}) });
  } catch (error) {
    if (!(error instanceof UpstackApiError && error.code === "upstack_changed_outside_pulumi")) throw error;
    const current = await upstack.get(creds);
    if (current !== undefined && matches(current, write, validation.fingerprint)) return current;
    throw error;
  }
}

function matches(dest: UpstackDestination, write: DestinationWrite, fingerprint: string): boolean {
  return (
    dest.owner === write.owner &&
    dest.keyFingerprint === fingerprint &&
    dest.enabled === write.enabled &&
    dest.label === write.label &&
    (dest.publicApiKey ?? null) === write.publicApiKey &&
    [...dest.scopes].sort().join(",") === [...write.scopes].sort().join(",")
  );
}
