/**
 * `upstack_klaviyo_key`: an ephemeral resource (Terraform ≥ 1.10) that
 * validates a Klaviyo private key exactly like the destination and
 * `upstack-klaviyo check-key` do, and exposes account, access and hint.
 * Ephemeral results are never written to plan or state, so the key it takes
 * stays out of both (a data source's arguments would be stored).
 */
import * as adapter from "./destination-adapter";
import type { RulesCall } from "./destination-adapter";
import type { Problem } from "./destination-resource";
import { ResourceError } from "./destination-resource";
import { UNKNOWN, type TfObject, type TfValue } from "./values";

const COMPUTED = ["key_hint", "key_fingerprint", "account_id", "account_name", "access_check", "unverified_scopes", "validated_at"] as const;

/** OpenEphemeralResource: validates the key; throws {@link ResourceError} naming the attribute. */
export async function openKeyCheck(call: RulesCall, config: TfObject): Promise<TfObject> {
  const key = config["private_api_key"] ?? null;
  const publicApiKey = config["public_api_key"] ?? null;
  const scopes = config["scopes"] ?? null;
  const result: Record<string, TfValue> = { ...config };
  if (key === UNKNOWN || publicApiKey === UNKNOWN || scopes === UNKNOWN || (Array.isArray(scopes) && scopes.includes(UNKNOWN))) {
    for (const name of COMPUTED) result[name] = UNKNOWN;
    return result;
  }
  if (typeof key !== "string") {
    throw new ResourceError([{ attribute: "private_api_key", message: "private_api_key is required: the Klaviyo private API key to validate (pk_...)." }]);
  }
  try {
    const check = await adapter.validateKey(call, key, {
      publicApiKey: typeof publicApiKey === "string" ? publicApiKey : undefined,
      scopes: Array.isArray(scopes) ? (scopes as string[]) : undefined,
    });
    result["key_hint"] = check.keyHint;
    result["key_fingerprint"] = check.keyFingerprint;
    result["account_id"] = check.accountId;
    result["account_name"] = check.accountName ?? null;
    result["access_check"] = check.accessCheck;
    result["unverified_scopes"] = [...check.unverifiedScopes];
    result["validated_at"] = check.validatedAt;
    return result;
  } catch (error) {
    const problem: Problem = adapter.describeError(error);
    throw new ResourceError([problem]);
  }
}
