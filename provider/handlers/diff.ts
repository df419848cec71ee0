/**
 * diff: local only, no network. Compares the new checked inputs with the old
 * outputs (which hold the key's fingerprint, never the key). A new key is an
 * in-place update; a new pixel is a replacement (create-before-delete: the
 * new pixel's destination exists before the old one is removed). A destination
 * last seen unhealthy is updated, so that `up` repairs it once the key works.
 */
import type * as pulumi from "@pulumi/pulumi";
import { keyFingerprint } from "../fingerprint";
import { isUnknown, type RawInputs } from "../schema";

/** Inputs whose change updates the destination in place. */
const UPDATABLE = ["enabled", "label", "publicApiKey", "owner"] as const;

/** The diff handler. */
export async function diff(_id: string, olds: RawInputs, news: RawInputs): Promise<pulumi.dynamic.DiffResult> {
  const replaces: string[] = [];
  const changes: string[] = [];
  const pixel = news["pixelId"];
  if (isUnknown(pixel) || pixel !== olds["pixelId"]) replaces.push("pixelId");

  const key = news["privateApiKey"];
  if (isUnknown(key) || typeof key !== "string" || keyFingerprint(key.trim()) !== olds["keyFingerprint"]) changes.push("privateApiKey");

  for (const name of UPDATABLE) {
    const value = news[name];
    if (isUnknown(value) || (value ?? null) !== (olds[name] ?? null)) changes.push(name);
  }
  if (isUnknown(news["scopes"]) || scopeText(news["scopes"]) !== scopeText(olds["scopes"])) changes.push("scopes");
  // Last seen unhealthy (Klaviyo rejected the key Upstack holds): an update re-registers the key,
  // validated first, and reads the status again.
  if (olds["status"] === "unhealthy") changes.push("status");
  return { changes: changes.length > 0 || replaces.length > 0, replaces, deleteBeforeReplace: false };
}

function scopeText(value: unknown): string {
  return Array.isArray(value) ? [...(value as string[])].sort().join(",") : "";
}
