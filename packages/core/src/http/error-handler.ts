/**
 * The one place where errors become HTTP. Every error body has the same shape:
 * `{ "error": { "code", "message", "details"? } }`. Unknown errors are logged with the request id
 * and answered 500 without internals; database outages are 503 so clients and load balancers retry.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { isDataException, isUnavailable } from "../db/pg-errors.js";
import { DomainError, type DomainErrorKind, RateLimited } from "../errors.js";
import type { AppEnv } from "./context.js";

const statusOf: Record<DomainErrorKind, ContentfulStatusCode> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  unprocessable: 422,
  too_early: 425,
  rate_limited: 429,
  unavailable: 503,
};

const codeOfStatus: Record<number, string> = {
  400: "bad_request",
  401: "unauthenticated",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  408: "request_timeout",
  413: "payload_too_large",
  415: "unsupported_media_type",
  429: "rate_limited",
  503: "unavailable",
};

export function errorBody(code: string, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

export function handleError(err: Error, c: Context<AppEnv>): Response {
  // Hono middleware (hono/timeout) can only throw HTTPException: ours carries the domain error.
  if (err instanceof HTTPException && err.cause instanceof DomainError) err = err.cause;
  if (err instanceof DomainError) {
    if (err instanceof RateLimited) c.header("Retry-After", String(err.retryAfterSeconds));
    if (err.kind === "unavailable") c.header("Retry-After", "5");
    return c.json(errorBody(err.code, err.message, err.details), statusOf[err.kind]);
  }
  if (err instanceof HTTPException) {
    if (err.status === 415) {
      // @hono/zod-openapi's media-type gate says 415; the contract (and every route's OpenAPI
      // responses) promise 400 for malformed input, which a body of the wrong type is.
      return c.json(errorBody("unsupported_media_type", "Send the body as application/json."), 400);
    }
    const status = err.status as ContentfulStatusCode;
    const message = status === 400 && /JSON/i.test(err.message) ? "The request body is not valid JSON." : err.message;
    return c.json(errorBody(codeOfStatus[status] ?? "http_error", message || "Request refused."), status);
  }
  const log = c.get("log");
  if (isUnavailable(err)) {
    log?.warn("database unavailable", { err: err.message });
    c.header("Retry-After", "5");
    return c.json(errorBody("database_unavailable", "The database is unavailable; try again shortly."), 503);
  }
  if (isDataException(err)) {
    return c.json(errorBody("invalid_request", "A value in the request is out of range or malformed."), 400);
  }
  log?.error("unhandled error", { err });
  return c.json(
    errorBody("internal_error", "Something went wrong on our side.", { requestId: c.get("requestId") }),
    500,
  );
}

export function handleNotFound(c: Context<AppEnv>): Response {
  return c.json(errorBody("not_found", `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`), 404);
}
