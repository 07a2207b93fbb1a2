/** Whether a request is addressed to this machine (local use): no HSTS, no `Secure` cookies there. */
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

export function isLocalHostname(hostname: string): boolean {
  return LOCAL_HOSTS.has(hostname) || hostname.endsWith(".localhost");
}

export function isLocalRequest(url: string): boolean {
  return isLocalHostname(new URL(url).hostname);
}
