/**
 * Values across the RDS Data API, both ways, so that the Data API engine gives the domain exactly
 * what `pg` gives it.
 *
 * Parameters. A type hint comes only from the JavaScript type of the value (Date: TIMESTAMP, a
 * plain object: JSON, bigint: DECIMAL) and never from what a string looks like: "09:30" is a
 * patient's name as often as a time, and hinting it TIME made `entity = '09:30'::time` fail
 * (issue #11). A string is sent as a string; a query that needs another type says so with a cast
 * (`${value}::jsonb`), as it would for any PostgreSQL client that types its parameters.
 *
 * The Data API sends an unhinted string as `varchar`, where `pg` sends it untyped and lets the
 * server infer the type from the context. For the strings that must meet non-text columns in
 * ordinary Kysely queries (uuid keys, all-digit bigint ids, "YYYY-MM-DD") and for safe integers,
 * the compiler writes an untyped literal instead (`inlineLiteral`): PostgreSQL types it from the
 * context exactly as it types `pg`'s untyped parameter, so the same string still matches a text
 * column. Only text made of digits, hex letters and dashes is ever inlined, checked by anchored
 * patterns; no quote and no colon (the Data API reads `:name` as a parameter) can reach the SQL.
 *
 * Results. Fields arrive with the column's PostgreSQL `typeName`; they are converted as `pg`'s
 * default type parsers convert them: timestamptz → Date, timestamp and date → Date in local
 * time, json/jsonb → parsed, int8 and numeric → string, int2/int4/float → number, bytea → Buffer.
 * Known limit: int8 above 2^53 comes back rounded (the Data API sends it as a JSON number).
 */
import type { ArrayValue, Field, SqlParameter } from "@aws-sdk/client-rds-data";

const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_SHAPE = /^\d{4}-\d{2}-\d{2}$/;
/** A bigint id in a string (keyset cursors): quoted, it stays text for a text column. */
const DIGITS_SHAPE = /^\d{1,19}$/;

/**
 * The SQL text of an untyped literal for a value whose type PostgreSQL should infer from the
 * context (as it does for `pg`'s parameters), or undefined to send the value as a parameter.
 */
export function inlineLiteral(value: unknown): string | undefined {
  if (typeof value === "string" && (UUID_SHAPE.test(value) || DATE_SHAPE.test(value) || DIGITS_SHAPE.test(value))) {
    return `'${value}'`;
  }
  if (typeof value === "number" && Number.isSafeInteger(value)) return value < 0 ? `(${value})` : String(value);
  return undefined;
}

/** One JavaScript value as a Data API parameter (without its name); the hint follows its type. */
export function toDataApiParameter(value: unknown): Omit<SqlParameter, "name"> {
  if (value === null || value === undefined) return { value: { isNull: true } };
  switch (typeof value) {
    case "string":
      return { value: { stringValue: value } };
    case "number":
      if (Number.isInteger(value)) return { value: { longValue: value } };
      return { value: { doubleValue: value } };
    case "bigint":
      return { typeHint: "DECIMAL", value: { stringValue: value.toString() } };
    case "boolean":
      return { value: { booleanValue: value } };
    case "object":
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) throw new TypeError("Data API: cannot send an invalid Date");
        return { typeHint: "TIMESTAMP", value: { stringValue: formatTimestamp(value) } };
      }
      if (value instanceof Uint8Array) return { value: { blobValue: value } };
      if (Array.isArray(value)) {
        // The Data API rejects array parameters; pg would send a PostgreSQL array. Neither is what a
        // jsonb column wants, so make the caller choose explicitly.
        throw new TypeError(
          "Data API: array parameters are not supported; JSON.stringify for jsonb, or expand the list (in (...))",
        );
      }
      return { typeHint: "JSON", value: { stringValue: JSON.stringify(value) } };
    default:
      throw new TypeError(`Data API: cannot send a ${typeof value} parameter`);
  }
}

/** "YYYY-MM-DD HH:MM:SS.mmm" in UTC, the form the TIMESTAMP hint expects (Data API sessions run in UTC). */
function formatTimestamp(date: Date): string {
  return date.toISOString().replace("T", " ").replace("Z", "");
}

const TIMESTAMP_TEXT = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]00(?::?00)?)?$/;

function timestampParts(text: string): number[] {
  const m = TIMESTAMP_TEXT.exec(text);
  if (!m) throw new TypeError(`Data API: unexpected timestamp "${text}"`);
  const [, y, mo, d, h, mi, s, frac] = m;
  const ms = frac ? Number(frac.padEnd(3, "0").slice(0, 3)) : 0;
  return [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms];
}

/**
 * A Data API timestamptz ("2026-03-01 14:30:00", optionally with up to six fractional digits): the
 * Data API's sessions run in UTC, so it is read as UTC.
 */
export function parseDataApiTimestamp(text: string): Date {
  const [y, mo, d, h, mi, s, ms] = timestampParts(text) as [number, number, number, number, number, number, number];
  return new Date(Date.UTC(y, mo, d, h, mi, s, ms));
}

/** A `timestamp without time zone`: `pg` reads it as local time, so the same here. */
function parseLocalTimestamp(text: string): Date {
  const [y, mo, d, h, mi, s, ms] = timestampParts(text) as [number, number, number, number, number, number, number];
  return new Date(y, mo, d, h, mi, s, ms);
}

/** One field as `pg` would hand it over for a column of PostgreSQL type `typeName`. */
export function fromDataApiField(field: Field, typeName: string | undefined): unknown {
  if (field.isNull) return null;
  const type = (typeName ?? "").toLowerCase().replace(/^"|"$/g, "");
  if (field.stringValue !== undefined) {
    const text = field.stringValue;
    switch (type) {
      case "timestamptz":
        return parseDataApiTimestamp(text);
      case "timestamp":
        return parseLocalTimestamp(text);
      case "date":
        // pg returns a Date at local midnight for `date`.
        return new Date(`${text}T00:00:00`);
      case "json":
      case "jsonb":
        return JSON.parse(text);
      default:
        return text;
    }
  }
  if (field.longValue !== undefined) return type === "int8" ? String(field.longValue) : field.longValue;
  if (field.doubleValue !== undefined) return field.doubleValue;
  if (field.booleanValue !== undefined) return field.booleanValue;
  if (field.blobValue !== undefined) return Buffer.from(field.blobValue);
  if (field.arrayValue !== undefined) return unmarshallArray(field.arrayValue);
  return null;
}

function unmarshallArray(a: ArrayValue | null | undefined): unknown[] {
  if (!a) return [];
  return (a.stringValues ??
    a.longValues ??
    a.doubleValues ??
    a.booleanValues ??
    a.arrayValues?.map((inner) => unmarshallArray(inner)) ??
    []) as unknown[];
}

/** The Data API only gives message text; recover what `pg` errors carry so pg-errors.ts works. */
export function toDatabaseError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const state = /SQLState: ([0-9A-Z]{5})/.exec(err.message)?.[1];
  if (!state) return err;
  const mapped = err as Error & { code?: string; constraint?: string };
  mapped.code = state;
  const constraint = /constraint "([^"]+)"/.exec(err.message)?.[1];
  if (constraint) mapped.constraint = constraint;
  return mapped;
}
