/**
 * The caller's address, for per-IP limits. The runtime knows it (the Node socket, API Gateway's
 * `sourceIp`) and hands it in as `AppDeps.clientIp`; `X-Forwarded-For` is read only when
 * HEALTHFLOW_TRUST_PROXY says how many proxies in front append to it, because any client can send
 * that header with any value.
 */
import type { Context } from "hono";
import type { AppEnv } from "./context.js";

export function clientIp(c: Context<AppEnv>): string | undefined {
  const deps = c.get("deps");
  const hops = deps.config.trustProxyHops;
  if (hops > 0) {
    const chain = (c.req.header("x-forwarded-for") ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    // Each trusted proxy appends the address it saw, so the client is `hops` from the right; what
    // lies further left was written by the client and proves nothing.
    if (chain.length >= hops) {
      const ip = normaliseIp(chain[chain.length - hops]!);
      if (ip) return ip;
    }
  }
  const raw = deps.clientIp?.(c);
  return raw ? normaliseIp(raw) : undefined;
}

/**
 * One key per client: IPv4 as is (IPv4-mapped IPv6 unwrapped), IPv6 cut to its /64, because one
 * host is routinely given a whole /64 and could otherwise rotate through it. Garbage gives undefined.
 */
export function normaliseIp(raw: string): string | undefined {
  let ip = raw.trim().toLowerCase();
  if (ip.startsWith("[")) ip = ip.slice(1, ip.indexOf("]") > 0 ? ip.indexOf("]") : undefined);
  ip = ip.replace(/%.*$/, "");
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(ip);
  if (mapped) ip = mapped[1]!;
  if (/^\d{1,3}(?:\.\d{1,3}){3}$/.test(ip)) {
    return ip.split(".").every((o) => Number(o) <= 255) ? ip : undefined;
  }
  if (!/^[0-9a-f:]+$/.test(ip) || !ip.includes(":")) return undefined;
  const halves = ip.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
  const groups = [...head, ...Array<string>(missing).fill("0"), ...tail];
  if (groups.some((g) => g.length === 0 || g.length > 4)) return undefined;
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(":")}::/64`;
}
