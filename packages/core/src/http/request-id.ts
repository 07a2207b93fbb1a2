/**
 * A request id on every log line and on the response (`X-Request-Id`). A client-supplied id is
 * taken only behind a trusted proxy (HEALTHFLOW_TRUST_PROXY > 0: the load balancer or ingress
 * sets it, so one id follows the request through every hop); otherwise anyone could make their
 * log lines pass for another request's, and the server assigns its own.
 */
import type { MiddlewareHandler } from "hono";
import type { AppConfig } from "../config/config.js";
import type { AppEnv } from "./context.js";

const HEADER = "X-Request-Id";

export function requestId(config: Pick<AppConfig, "trustProxyHops">): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const offered = config.trustProxyHops > 0 ? c.req.header(HEADER) : undefined;
    const id = offered && offered.length <= 200 && /^[\w\-=.:]+$/.test(offered) ? offered : crypto.randomUUID();
    c.set("requestId", id);
    c.header(HEADER, id);
    await next();
  };
}
