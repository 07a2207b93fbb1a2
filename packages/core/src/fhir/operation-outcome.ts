/**
 * Every error under /fhir/R4 is an OperationOutcome (the FHIR API's one error shape, as
 * `{error:{code,message}}` is the rest of the API's). The statuses are those of http/error-handler.ts;
 * our error code travels in `issue.details.coding` so clients can still branch on `slot_taken`.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { isDataException, isUnavailable } from "../db/pg-errors.js";
import { DomainError, type DomainErrorKind, RateLimited } from "../errors.js";
import type { AppEnv } from "../http/context.js";
import { ERROR_CODE_SYSTEM } from "./mapping.js";

export const FHIR_JSON = "application/fhir+json; charset=utf-8";

/** Status and OperationOutcome issue type (value set issue-type) per kind of domain error. */
const BY_KIND: Record<DomainErrorKind, [ContentfulStatusCode, string]> = {
  invalid: [400, "invalid"],
  unauthenticated: [401, "login"],
  forbidden: [403, "forbidden"],
  not_found: [404, "not-found"],
  conflict: [409, "conflict"],
  gone: [410, "deleted"],
  unprocessable: [422, "business-rule"],
  too_early: [425, "processing"],
  rate_limited: [429, "throttled"],
  unavailable: [503, "transient"],
};

export interface Issue {
  code: string;
  message: string;
  errorCode?: string;
  expression?: string[];
  diagnostics?: string;
}

export function operationOutcome(issues: Issue[]) {
  return {
    resourceType: "OperationOutcome",
    issue: issues.map((i) => ({
      severity: "error",
      code: i.code,
      details: {
        ...(i.errorCode ? { coding: [{ system: ERROR_CODE_SYSTEM, code: i.errorCode }] } : {}),
        text: i.message,
      },
      ...(i.diagnostics ? { diagnostics: i.diagnostics } : {}),
      ...(i.expression?.length ? { expression: i.expression } : {}),
    })),
  };
}

export function fhirJson(c: Context<AppEnv>, body: unknown, status: ContentfulStatusCode = 200): Response {
  return c.body(JSON.stringify(body), status, { "Content-Type": FHIR_JSON });
}

export function outcomeResponse(c: Context<AppEnv>, status: ContentfulStatusCode, issues: Issue[]): Response {
  if (status === 401) c.header("WWW-Authenticate", 'Bearer realm="HealthFlow FHIR"');
  return fhirJson(c, operationOutcome(issues), status);
}

/** The issues of an Invalid error whose details list zod issues ({path, message}). */
function issuesOf(err: DomainError, code: string): Issue[] {
  if (Array.isArray(err.details) && err.details.length > 0) {
    return err.details.map((d) => {
      const detail = d as { path?: string; message?: string };
      return {
        code,
        errorCode: err.code,
        message: `${err.message} ${detail.message ?? ""}`.trim(),
        ...(detail.path ? { expression: [detail.path] } : {}),
      };
    });
  }
  return [
    {
      code,
      errorCode: err.code,
      message: err.message,
      ...(err.details ? { diagnostics: JSON.stringify(err.details) } : {}),
    },
  ];
}

export function handleFhirError(err: Error, c: Context<AppEnv>): Response {
  if (err instanceof DomainError) {
    const [status, code] = BY_KIND[err.kind];
    if (err instanceof RateLimited) c.header("Retry-After", String(err.retryAfterSeconds));
    if (err.kind === "unavailable") c.header("Retry-After", "5");
    return outcomeResponse(c, status, issuesOf(err, code));
  }
  if (err instanceof HTTPException) {
    const status = (err.status === 415 ? 415 : err.status) as ContentfulStatusCode;
    const code = status === 413 ? "too-costly" : status === 400 ? "structure" : "processing";
    const message = status === 400 && /JSON/i.test(err.message) ? "The request body is not valid JSON." : err.message;
    return outcomeResponse(c, status, [{ code, message: message || "Request refused." }]);
  }
  const log = c.get("log");
  if (isUnavailable(err)) {
    log?.warn("database unavailable", { err: err.message });
    c.header("Retry-After", "5");
    return outcomeResponse(c, 503, [
      { code: "transient", errorCode: "database_unavailable", message: "The database is unavailable; try again." },
    ]);
  }
  if (isDataException(err)) {
    return outcomeResponse(c, 400, [
      {
        code: "invalid",
        errorCode: "invalid_request",
        message: "A value in the request is out of range or malformed.",
      },
    ]);
  }
  log?.error("unhandled error", { err });
  return outcomeResponse(c, 500, [
    {
      code: "exception",
      errorCode: "internal_error",
      message: "Something went wrong on our side.",
      diagnostics: `requestId ${c.get("requestId")}`,
    },
  ]);
}
