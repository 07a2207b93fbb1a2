/**
 * Form validation with the server's own zod schemas (imported by the screens that have forms, so
 * zod loads with them and not with the first page). Returns the first message per field path.
 */
import type { ApiError } from "./api";
import { fieldErrors } from "./api";

interface SafeParser<T> {
  safeParse(
    value: unknown,
  ): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
}

export type Validated<T> = { ok: true; data: T } | { ok: false; errors: Record<string, string> };

export function validate<T>(schema: SafeParser<T>, value: unknown): Validated<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, data: parsed.data };
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const path = issue.path.map(String).join(".");
    if (!(path in errors)) errors[path] = issue.message;
  }
  return { ok: false, errors };
}

/** Field errors from a 400 answer, for the same display as local validation. */
export function serverFieldErrors(err: unknown): Record<string, string> {
  return fieldErrors(err as ApiError);
}
