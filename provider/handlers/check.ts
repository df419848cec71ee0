/**
 * check: validates every input, and — when the key is new or changed, or the
 * destination was last seen unhealthy — validates the key live against
 * Klaviyo, so `pulumi preview` on a pull request already fails on a revoked
 * or wrong key. Unknown values pass through.
 */
import type * as pulumi from "@pulumi/pulumi";
import { context } from "../context";
import { UpstackKlaviyoError } from "../errors";
import { keyFingerprint } from "../fingerprint";
import { accessRequirement } from "../klaviyo/access";
import { adviseOnKeyName, noteDesiredKey } from "../klaviyo/closed-loop";
import { redact, registerSecret } from "../redact";
import { isUnknown, parseInputs, type InputFailure, type RawInputs } from "../schema";

/** Provider-managed inputs: the fingerprint of the key last validated or read, and the status last read. */
export const MANAGED_INPUTS = ["keyFingerprint", "destinationStatus"] as const;

/** The check handler. */
export async function check(olds: RawInputs, news: RawInputs): Promise<pulumi.dynamic.CheckResult> {
  if (typeof news["privateApiKey"] === "string") registerSecret(news["privateApiKey"]);
  if (typeof news["upstackApiKey"] === "string") registerSecret(news["upstackApiKey"]);
  const ctx = context();
  const { settings, validator } = ctx;
  const { inputs, failures } = parseInputs(news, { pixelId: settings.pixelId });
  if (failures.length > 0) return { inputs: sanitized(news), failures };

  const key = inputs["privateApiKey"];
  if (typeof key !== "string" || isUnknown(key)) return { inputs };
  const fingerprint = keyFingerprint(key);
  inputs["keyFingerprint"] = fingerprint;
  noteDesiredKey(ctx, fingerprint, inputs["owner"]);
  if (!needsLiveValidation(olds, inputs, fingerprint)) return { inputs };

  const publicApiKey = inputs["publicApiKey"];
  const scopes = inputs["scopes"];
  if (isUnknown(publicApiKey) || isUnknown(scopes)) return { inputs };
  try {
    const validation = await validator.validate(key, {
      publicApiKey: typeof publicApiKey === "string" ? publicApiKey : undefined,
      requirement: accessRequirement(Array.isArray(scopes) ? (scopes as string[]) : undefined),
    });
    adviseOnKeyName(ctx, validation);
  } catch (error) {
    return { inputs: sanitized(news), failures: [toFailure(error)] };
  }
  return { inputs };
}

/**
 * Live validation is needed when nothing was validated for this key before
 * (new resource, rotated key), when what it is checked against changed, or
 * when the destination was last read as unhealthy (a key disabled in Klaviyo).
 */
function needsLiveValidation(olds: RawInputs, inputs: Record<string, unknown>, fingerprint: string): boolean {
  const oldKey = olds["privateApiKey"];
  const oldFingerprint =
    typeof olds["keyFingerprint"] === "string" ? olds["keyFingerprint"] : typeof oldKey === "string" ? keyFingerprint(oldKey.trim()) : undefined;
  if (oldFingerprint !== fingerprint) return true;
  if (olds["destinationStatus"] === "unhealthy") return true;
  if ((olds["publicApiKey"] ?? undefined) !== inputs["publicApiKey"]) return true;
  const oldScopes = Array.isArray(olds["scopes"]) ? [...(olds["scopes"] as string[])].sort().join(",") : undefined;
  const newScopes = Array.isArray(inputs["scopes"]) ? (inputs["scopes"] as string[]).join(",") : undefined;
  return oldScopes !== newScopes;
}

function toFailure(error: unknown): InputFailure {
  if (UpstackKlaviyoError.isInstance(error)) {
    return { property: error.property ?? "privateApiKey", reason: error.message };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { property: "privateApiKey", reason: redact(`could not validate the key: ${message}`) };
}

/** The inputs as given, minus managed ones: what the host sends back alongside failures. */
function sanitized(news: RawInputs): Record<string, unknown> {
  const out: Record<string, unknown> = { ...news };
  for (const k of MANAGED_INPUTS) delete out[k];
  return out;
}
