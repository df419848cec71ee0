/** The one rule that reads a key's access from its scopes (provider/klaviyo/access.ts). */
import { accessLevelOf, accessRequirement, judgeAccess } from "../../provider/klaviyo/access";
import { loadKlaviyoSpec } from "../../spec/klaviyo";

const all = loadKlaviyoSpec().scopes;
const reads = all.filter((s) => s.endsWith(":read"));

test("Full Access: every scope of the spec's list; Read-Only: only :read scopes; Custom: anything else", () => {
  expect(accessLevelOf(all, all)).toBe("full");
  expect(accessLevelOf([...all, "brand-new:read"], all)).toBe("full"); // scopes newer than the files change nothing
  expect(accessLevelOf(reads, all)).toBe("read_only");
  expect(accessLevelOf(["accounts:read"], all)).toBe("read_only");
  expect(accessLevelOf(["accounts:read", "events:write"], all)).toBe("custom");
  expect(
    accessLevelOf(
      all.filter((s) => s !== "webhooks:write"),
      all,
    ),
  ).toBe("custom");
});

test("a Read-Only key (it holds credentials:read) is not Full Access: the missing write scopes are named", () => {
  expect(reads).toContain("credentials:read");
  const v = judgeAccess({ kind: "full" }, reads, all);
  expect(v.level).toBe("read_only");
  expect(v.missing).toEqual(all.filter((s) => s.endsWith(":write")));
});

test("a Read-Only key does not pass declared write scopes", () => {
  const v = judgeAccess(accessRequirement(["events:write", "profiles:write"]), reads, all);
  expect(v).toEqual({ level: "read_only", missing: ["events:write", "profiles:write"] });
});

test("a Full Access key passes Full Access and any declared scopes; a custom key passes exactly what it holds", () => {
  expect(judgeAccess({ kind: "full" }, all, all).missing).toEqual([]);
  expect(judgeAccess(accessRequirement(["events:write"]), all, all).missing).toEqual([]);
  const custom = ["accounts:read", "events:write", "metrics:read"];
  expect(judgeAccess(accessRequirement(["events:write", "metrics:read"]), custom, all)).toEqual({ level: "custom", missing: [] });
  expect(judgeAccess(accessRequirement(["profiles:write"]), custom, all)).toEqual({ level: "custom", missing: ["profiles:write"] });
  // accounts:read is always required.
  expect(judgeAccess(accessRequirement(["events:write"]), ["events:write"], all).missing).toEqual(["accounts:read"]);
});
