/**
 * CORS, closed by default: no other origin may read API responses unless HEALTHFLOW_CORS_ORIGINS
 * lists it. A listed origin gets credentials (cookies) too; an unlisted one gets no CORS header at
 * all, and its preflight is refused with 403 in the usual error shape. The web app is served from
 * the API's own origin and needs no CORS.
 *
 * Local, not `hono/cors`: Hono's sends `Access-Control-Allow-Credentials` to every origin and
 * answers every preflight 204, where closed means no CORS header at all and a 403 preflight.
 */
import type { MiddlewareHandler } from "hono";
import type { AppConfig } from "../config/config.js";
import { errorBody } from "./error-handler.js";

const ALLOW_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE";
const ALLOW_HEADERS = "authorization, content-type";
const EXPOSE_HEADERS = "retry-after, x-request-id";

export function cors(config: Pick<AppConfig, "corsOrigins">): MiddlewareHandler {
  const allowed = new Set(config.corsOrigins);
  return async (c, next) => {
    const origin = c.req.header("origin");
    const preflight = c.req.method === "OPTIONS" && c.req.header("access-control-request-method") !== undefined;
    if (preflight) {
      if (!origin || !allowed.has(origin)) {
        return c.json(errorBody("cors_origin_not_allowed", "This origin may not call the API."), 403);
      }
      return c.body(null, 204, {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Allow-Methods": ALLOW_METHODS,
        "Access-Control-Allow-Headers": ALLOW_HEADERS,
        "Access-Control-Max-Age": "600",
        Vary: "Origin",
      });
    }
    await next();
    if (origin) c.res.headers.append("Vary", "Origin");
    if (origin && allowed.has(origin)) {
      c.res.headers.set("Access-Control-Allow-Origin", origin);
      c.res.headers.set("Access-Control-Allow-Credentials", "true");
      c.res.headers.set("Access-Control-Expose-Headers", EXPOSE_HEADERS);
    }
  };
}
