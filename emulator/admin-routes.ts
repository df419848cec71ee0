/**
 * The admin API's routes, declared once: `GET /_admin` and `GET /_admin/help` answer with this
 * table, the admin router refuses a path or method outside it (404 / 405 with `Allow`) and a query
 * parameter or body a route does not read (400), and docs/emulator.md's table is checked against it.
 * @packageDocumentation
 */

/** One admin route. */
export interface AdminRoute {
  /** HTTP method. */
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Path under the emulator URL; `{name}` marks a path parameter. */
  path: string;
  /** Query parameters the route reads (others are refused). */
  query: readonly string[];
  /** The JSON body the route reads, in words, or null when it reads none (a body is then refused). */
  body: string | null;
  /** What it does. */
  does: string;
}

/** Every admin route, in the order the help lists them. */
export const ADMIN_ROUTES: readonly AdminRoute[] = [
  { method: "GET", path: "/_admin", query: [], body: null, does: "The base URLs and this route table." },
  { method: "GET", path: "/_admin/help", query: [], body: null, does: "This route table." },
  { method: "POST", path: "/_admin/reset", query: [], body: null, does: "Forget all accounts, keys, destinations, requests, faults and rate-limit windows." },
  { method: "GET", path: "/_admin/klaviyo/accounts", query: [], body: null, does: "List Klaviyo accounts." },
  {
    method: "POST",
    path: "/_admin/klaviyo/accounts",
    query: [],
    body: "{ id?: 6 letters/digits (the public API key / Site ID), name?, testAccount? }",
    does: "Create a Klaviyo account.",
  },
  { method: "GET", path: "/_admin/klaviyo/keys", query: [], body: null, does: "List Klaviyo private keys (without their plaintext)." },
  {
    method: "POST",
    path: "/_admin/klaviyo/keys",
    query: [],
    body: "{ accountId, accessLevel?, scopes?, label?, format?, disabled? }",
    does: "Create a Klaviyo private key; the answer carries its plaintext once.",
  },
  { method: "PATCH", path: "/_admin/klaviyo/keys/{id}", query: [], body: "{ disabled: boolean }", does: "Disable or re-enable a Klaviyo key." },
  { method: "DELETE", path: "/_admin/klaviyo/keys/{id}", query: [], body: null, does: "Revoke (delete) a Klaviyo key." },
  { method: "GET", path: "/_admin/upstack/keys", query: [], body: null, does: "List Upstack API keys (without their plaintext)." },
  {
    method: "POST",
    path: "/_admin/upstack/keys",
    query: [],
    body: "{ pixelId?: UUID, scopes?: string[] (default destinations:read, destinations:write) }",
    does: "Create an Upstack API key for a pixel; the answer carries its plaintext once.",
  },
  { method: "DELETE", path: "/_admin/upstack/keys/{id}", query: [], body: null, does: "Revoke an Upstack API key." },
  { method: "GET", path: "/_admin/upstack/destinations", query: [], body: null, does: "List destinations (key hint and fingerprint, never the key)." },
  { method: "GET", path: "/_admin/upstack/destinations/{pixelId}", query: [], body: null, does: "One pixel's destination (404 when none)." },
  {
    method: "PUT",
    path: "/_admin/upstack/destinations/{pixelId}",
    query: [],
    body: "{ privateApiKey, label?, enabled?, owner?, klaviyoAccountId?, publicApiKey?, scopes? }",
    does: "Create or replace a destination as the Upstack dashboard would (no ETag or owner checks).",
  },
  {
    method: "PATCH",
    path: "/_admin/upstack/destinations/{pixelId}",
    query: [],
    body: "{ privateApiKey?, label?, enabled?, owner?, klaviyoAccountId?, publicApiKey? }",
    does: "Edit a destination as the dashboard would (always a new ETag).",
  },
  { method: "DELETE", path: "/_admin/upstack/destinations/{pixelId}", query: [], body: null, does: "Delete a destination as the dashboard would." },
  {
    method: "GET",
    path: "/_admin/requests",
    query: ["service"],
    body: null,
    does: "The request log (service=klaviyo|upstack filters it); admin calls are not logged.",
  },
  { method: "DELETE", path: "/_admin/requests", query: [], body: null, does: "Clear the request log." },
  { method: "GET", path: "/_admin/faults", query: [], body: null, does: "List fault rules with their counters." },
  {
    method: "POST",
    path: "/_admin/faults",
    query: [],
    body: "{ service?, method?, path?, nth?, times?, fault: { kind: status|latency|reset|hang|html403|commit-then-reset, ... } }",
    does: "Add a fault rule for the Klaviyo or Upstack endpoints.",
  },
  { method: "DELETE", path: "/_admin/faults", query: [], body: null, does: "Remove every fault rule." },
  { method: "DELETE", path: "/_admin/faults/{id}", query: [], body: null, does: "Remove one fault rule." },
];

function matches(pattern: string, pathname: string): boolean {
  const want = pattern.split("/");
  const got = pathname.split("/");
  return want.length === got.length && want.every((w, i) => (w.startsWith("{") && w.endsWith("}") ? (got[i] ?? "") !== "" : w === got[i]));
}

/** What the table says about a request: the route, the methods its path allows, or nothing. */
export type AdminRouteMatch = { kind: "route"; route: AdminRoute } | { kind: "method"; allow: string[] } | { kind: "none" };

/** Looks `method` and `pathname` (trailing slashes ignored) up in {@link ADMIN_ROUTES}. */
export function matchAdminRoute(method: string, pathname: string): AdminRouteMatch {
  const path = pathname.replace(/\/+$/, "");
  const onPath = ADMIN_ROUTES.filter((r) => matches(r.path, path));
  const route = onPath.find((r) => r.method === method);
  if (route) return { kind: "route", route };
  if (onPath.length > 0) return { kind: "method", allow: [...new Set(onPath.map((r) => r.method))] };
  return { kind: "none" };
}

/** The route table as Markdown (docs/emulator.md holds exactly this). */
export function adminRoutesMarkdown(): string {
  const rows = ADMIN_ROUTES.map(
    (r) =>
      `| \`${r.method}\` | \`${r.path}\` | ${r.query.length > 0 ? r.query.map((q) => `\`${q}\``).join(", ") : "—"} | ${r.body === null ? "—" : `\`${r.body}\``} | ${r.does} |`,
  );
  return ["| Method | Path | Query | Body (JSON) | What it does |", "| --- | --- | --- | --- | --- |", ...rows].join("\n");
}
