/**
 * The base URL a client on this machine uses to reach the emulator. A wildcard host (`0.0.0.0`,
 * `::`) is fine to listen on but is not an address a client can send to, and the provider's URL
 * policy refuses it: it becomes the loopback address of the same family (127.0.0.1, [::1]), which
 * the provider and `check-key` accept over plain http.
 */

/** IPv4 hosts that mean "every interface". */
const ANY_IPV4 = new Set(["0.0.0.0"]);
/** IPv6 hosts that mean "every interface" (with or without brackets). */
const ANY_IPV6 = new Set(["::", "[::]", "0:0:0:0:0:0:0:0"]);

/** The host as a client addresses it: wildcards → loopback, IPv6 literals in brackets. */
export function clientHost(host: string): string {
  if (ANY_IPV4.has(host)) return "127.0.0.1";
  if (ANY_IPV6.has(host)) return "[::1]";
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

/** `http://host:port` for a server listening on `host` (as given to listen) and `port`. */
export function listenUrl(host: string, port: number): string {
  return `http://${host.includes(":") && !host.startsWith("[") ? `[${host}]` : host}:${port}`;
}

/** `http://host:port` that a client on this machine can reach (see {@link clientHost}). */
export function clientUrl(host: string, port: number): string {
  return `http://${clientHost(host)}:${port}`;
}
