/** The retirement rules (pure) and the naming advice. */
import { decideRetirement, manualSteps, type CurrentKey, type ReplacedKey, type UpstackAfterWrite } from "../../provider/klaviyo/key-retirement";
import { CONVENTIONAL_KEY_NAME, keyNameWarning, OnceWarnings } from "../../provider/klaviyo/key-conventions";

const OLD: ReplacedKey = { fingerprint: "sha256:old", hint: "pk_...aaaa", keyId: "01OLDKEY", accountId: "AbC123" };
const NEW: CurrentKey = { fingerprint: "sha256:new", hint: "pk_...bbbb", keyId: "01NEWKEY", accountId: "AbC123" };
const HEALTHY: UpstackAfterWrite = { keyFingerprint: "sha256:new", status: "healthy" };

describe("decideRetirement", () => {
  it("retires the replaced key, identified by its recorded id and last four characters", () => {
    expect(decideRetirement(true, OLD, NEW, HEALTHY)).toEqual({ kind: "retire", keyId: "01OLDKEY", last4: "aaaa" });
  });

  it("does nothing when off or when the key did not change", () => {
    expect(decideRetirement(false, OLD, NEW, HEALTHY)).toEqual({ kind: "none" });
    expect(decideRetirement(true, { ...OLD, fingerprint: "sha256:new" }, NEW, HEALTHY)).toEqual({ kind: "none" });
    expect(decideRetirement(true, { ...OLD, fingerprint: undefined }, NEW, HEALTHY)).toEqual({ kind: "none" });
  });

  it.each<[string, ReplacedKey, CurrentKey, UpstackAfterWrite, RegExp]>([
    ["Upstack holds another key", OLD, NEW, { keyFingerprint: "sha256:third", status: "healthy" }, /Upstack does not hold the new key/],
    ["Upstack still holds the old key", OLD, NEW, { keyFingerprint: "sha256:old", status: "healthy" }, /Upstack does not hold the new key/],
    ["Upstack reports unhealthy", OLD, NEW, { ...HEALTHY, status: "unhealthy" }, /unhealthy/],
    ["Upstack reports disabled", OLD, NEW, { ...HEALTHY, status: "disabled" }, /disabled/],
    ["the old key's id is unknown (ambiguous listing)", { ...OLD, keyId: undefined }, NEW, HEALTHY, /not known without doubt/],
    ["the old id is the new key's id", { ...OLD, keyId: "01NEWKEY" }, NEW, HEALTHY, /new key's id/],
    ["another account", { ...OLD, accountId: "XyZ789" }, NEW, HEALTHY, /account XyZ789, not the new key's account AbC123/],
    ["unknown account", { ...OLD, accountId: undefined }, NEW, HEALTHY, /account \(unknown\)/],
  ])("refuses when %s", (_name, replaced, current, upstack, reason) => {
    const d = decideRetirement(true, replaced, current, upstack);
    expect(d.kind).toBe("refused");
    expect(d.kind === "refused" ? d.reason : "").toMatch(reason);
  });

  it("refuses while another destination of the run still uses the replaced key", () => {
    const d = decideRetirement(true, OLD, NEW, HEALTHY, ["pulumi:shop/dev/klaviyo-tea-house"]);
    expect(d).toEqual({ kind: "refused", reason: "Upstack still holds it for another destination of this run (pulumi:shop/dev/klaviyo-tea-house)" });
  });

  it("manual steps name the key by hint and Klaviyo id, and where to disable it", () => {
    expect(manualSteps(OLD)).toMatch(/Settings → Account → API Keys.*pk_\.\.\.aaaa \(Klaviyo id 01OLDKEY\).*disable it/);
  });
});

describe("key name convention", () => {
  it("warns (never fails) when the Klaviyo name is not UpstackData, once per process", () => {
    expect(keyNameWarning(CONVENTIONAL_KEY_NAME, "pk_...aaaa")).toBeUndefined();
    expect(keyNameWarning(undefined, "pk_...aaaa")).toBeUndefined();
    const w = keyNameWarning("Shopify sync", "pk_...aaaa");
    expect(w).toMatch(/^privateApiKey: the Klaviyo key pk_\.\.\.aaaa is named "Shopify sync".*UpstackData.*convention, not a requirement/);
    const lines: string[] = [];
    const once = new OnceWarnings((m) => lines.push(m));
    once.warn(w);
    once.warn(w);
    once.warn(undefined);
    expect(lines).toEqual([w]);
  });
});
