/** Which base URLs the transport will send credentials to. */
import { HttpError } from "../errors";

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

/** True for a loopback host name (localhost, 127.0.0.0/8, ::1). */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/**
 * Parses `base` and refuses plain http for any host that is not loopback, so
 * a credential is never sent in clear text over a network.
 */
export function checkBaseUrl(service: string, base: string): URL {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new HttpError({
      code: "http_insecure_url",
      service,
      attempts: 0,
      message: `${service} base URL "${base}" is not a valid URL; use https://host[:port].`,
    });
  }
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:" && isLoopbackHost(url.hostname)) return url;
  throw new HttpError({
    code: "http_insecure_url",
    service,
    attempts: 0,
    message: `${service} base URL ${url.origin} is refused: plain http is allowed only for loopback hosts (the emulator). Use https://.`,
  });
}
