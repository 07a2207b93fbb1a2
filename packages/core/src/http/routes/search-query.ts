import { z } from "@hono/zod-openapi";

/**
 * A search box's text (issue #13): up to 100 characters of any script; control characters (NUL
 * cannot even be stored in PostgreSQL text) are refused with 400.
 */
export const searchQuerySchema = z
  .string()
  .max(100)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point
  .refine((q) => !/[\u0000-\u001f\u007f]/.test(q), "no control characters");
