/**
 * A router whose validation failures become our `Invalid` error (400 with the issues as details)
 * instead of @hono/zod-openapi's own body, so every route speaks one error shape.
 */
import { OpenAPIHono, z } from "@hono/zod-openapi";
import { Invalid } from "../errors.js";
import type { AppEnv } from "./context.js";

export function newRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        throw new Invalid(
          "invalid_request",
          "The request is invalid.",
          result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
        );
      }
    },
  });
}

export const errorResponseSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

/** The error responses a route may give, for the OpenAPI document. */
export function errorResponses(...statuses: number[]) {
  const descriptions: Record<number, string> = {
    400: "Malformed input",
    401: "Not signed in",
    403: "Role not allowed",
    404: "Missing, or not visible to the caller",
    409: "Conflict with the current state",
    410: "No longer available",
    422: "A rule refuses it",
    425: "Not yet open",
    429: "Too many attempts",
    503: "Unavailable (the database, or a missing setting)",
  };
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      { description: descriptions[s] ?? "Error", content: { "application/json": { schema: errorResponseSchema } } },
    ]),
  );
}

export function jsonBody<T extends z.ZodType>(schema: T) {
  return { required: true, content: { "application/json": { schema } } } as const;
}

export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } } as const;
}

export const security: Record<string, string[]>[] = [{ bearerAuth: [] }, { cookieAuth: [] }];
