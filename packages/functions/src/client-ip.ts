/**
 * Where each runtime keeps the caller's address, for the core's per-IP sign-in limits
 * (AppDeps.clientIp). Never a header: X-Forwarded-For is read by core only when
 * HEALTHFLOW_TRUST_PROXY says proxies in front write it.
 */
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";

/** The Node server (local, EKS pod): the TCP peer of the socket. */
export function nodeClientIp(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    // A request forwarded without the Node bindings (app.fetch(request) alone) has no socket.
    return undefined;
  }
}

/** Lambda behind API Gateway HTTP API (payload v2): API Gateway's own view of the client. */
export function lambdaClientIp(c: Context): string | undefined {
  const env = c.env as { requestContext?: { http?: { sourceIp?: unknown } } } | undefined;
  const ip = env?.requestContext?.http?.sourceIp;
  return typeof ip === "string" && ip ? ip : undefined;
}
