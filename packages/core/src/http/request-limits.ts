/**
 * Bounds on a single request: its body size (413) and its duration (503 `request_timeout`, so
 * clients retry). The timeout is shorter than the shutdown drain (SHUTDOWN_GRACE_MS) so a draining
 * pod always answers, and longer than the database statement timeout so a slow query reports
 * itself first. A timed-out handler is not cancelled; the statement timeout bounds its query.
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { timeout } from "hono/timeout";
import { Unavailable } from "../errors.js";
import { errorBody } from "./error-handler.js";

export function bodySizeLimit(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: (c) => {
      // The rest of the body will not be read: the connection is not reusable (node-server.ts).
      c.header("Connection", "close");
      return c.json(
        errorBody("payload_too_large", `The request body is larger than ${maxBytes} bytes.`, { maxBytes }),
        413,
      );
    },
  });
}

/** Hono's timeout, whose exception carries our `Unavailable` for the error handler. */
export function requestTimeout(ms: number): MiddlewareHandler {
  return timeout(
    ms,
    () =>
      new HTTPException(503, {
        cause: new Unavailable("request_timeout", "The request took too long; try again.", { timeoutMs: ms }),
      }),
  );
}
