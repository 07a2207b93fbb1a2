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

/**
 * Lambda behind API Gateway HTTP API (payload v2). Behind CloudFront (the Web stack routes /api/*
 * there), API Gateway's `sourceIp` is the edge's address, shared by every viewer of that edge: the
 * viewer's own is in `CloudFront-Viewer-Address` ("ip:port", IPv6 as written by CloudFront), which
 * CloudFront sets itself (replacing any sent by the viewer) and forwards under the
 * AllViewerExceptHostHeader origin request policy. Without it, API Gateway's view of the client.
 */
export function lambdaClientIp(c: Context): string | undefined {
  const viewer = viewerAddress(c.req.header("cloudfront-viewer-address"));
  if (viewer) return viewer;
  const env = c.env as { requestContext?: { http?: { sourceIp?: unknown } } } | undefined;
  const ip = env?.requestContext?.http?.sourceIp;
  return typeof ip === "string" && ip ? ip : undefined;
}

/** "198.51.100.10:46532" → "198.51.100.10"; "2001:db8::1:46532" or "[2001:db8::1]:46532" → "2001:db8::1". */
export function viewerAddress(header: string | undefined): string | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  const bracketed = /^\[([0-9a-fA-F:.]+)\]:\d+$/.exec(value);
  if (bracketed) return bracketed[1];
  const cut = value.lastIndexOf(":");
  if (cut <= 0 || !/^\d+$/.test(value.slice(cut + 1))) return undefined;
  const ip = value.slice(0, cut);
  return /^[0-9a-fA-F:.]+$/.test(ip) ? ip : undefined;
}
