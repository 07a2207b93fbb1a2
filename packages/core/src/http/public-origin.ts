/**
 * The origin HealthFlow names in what it hands out (room links) and trusts for cookie-borne writes.
 * HEALTHFLOW_PUBLIC_URL when set. Otherwise the request's own origin, but only for a loopback Host:
 * the Host header is the client's choice, and `Host: evil.example` must not mint
 * `http://evil.example/room/...`. A server on a non-loopback address or on Lambda does not start
 * without the setting (config.ts `assertPublicOriginKnown`), so the refusal here is a last guard.
 */
import type { Context } from "hono";
import { isLoopbackHost } from "../config/config.js";
import { Unavailable } from "../errors.js";
import type { AppEnv } from "./context.js";

/** The request's own origin when its Host is loopback, else undefined. */
export function loopbackRequestOrigin(c: Context<AppEnv>): string | undefined {
  const url = new URL(c.req.url);
  return isLoopbackHost(url.hostname) ? url.origin : undefined;
}

export function publicOrigin(c: Context<AppEnv>): string {
  const configured = c.get("deps").config.publicUrl;
  if (configured) return configured;
  const local = loopbackRequestOrigin(c);
  if (local) return local;
  throw new Unavailable(
    "public_url_not_configured",
    "This server does not know its public address (HEALTHFLOW_PUBLIC_URL); it cannot issue links.",
  );
}
