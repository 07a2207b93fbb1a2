/**
 * Form validation with the server's own zod schemas (imported by the screens that have forms, so
 * zod loads with them and not with the first page). Returns the first message per field path.
 */
import { createSignal } from "solid-js";
import type { ApiError } from "./api";
import { fieldErrors } from "./api";

interface SafeParser<T> {
  safeParse(
    value: unknown,
  ): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
}

export type Validated<T> = { ok: true; data: T } | { ok: false; errors: Record<string, string> };

function validate<T>(schema: SafeParser<T>, value: unknown): Validated<T> {
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
function serverFieldErrors(err: unknown): Record<string, string> {
  return fieldErrors(err as ApiError);
}

/**
 * The state every form screen has (field errors, the request error, busy) and the one way to
 * submit: validate locally with the server's schema, then run the request, showing what fails and
 * keeping everything typed. `serverFields` maps a 400's details back onto the fields.
 */
export function createForm() {
  const [errors, setErrors] = createSignal<Record<string, string>>({});
  const [error, setError] = createSignal<unknown>();
  const [busy, setBusy] = createSignal(false);
  const run = async <T>(
    schema: SafeParser<T>,
    value: unknown,
    action: (data: T) => Promise<void>,
    options: { serverFields?: boolean } = {},
  ) => {
    setError(undefined);
    const v = validate(schema, value);
    if (!v.ok) {
      setErrors(v.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      await action(v.data);
    } catch (err) {
      if (options.serverFields) setErrors(serverFieldErrors(err));
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return { errors, error, busy, run };
}
