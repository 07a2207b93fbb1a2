/**
 * Keyset pagination, written once for every list (consultations, users, audit): a page is the
 * rows after the sort key of the last row handed out, so pages stay exact under inserts and cost
 * the same at any depth. The cursor is that key, opaque to clients (base64url of a JSON array); a
 * cursor this server did not give out is `invalid_cursor` (400).
 */
import { Invalid } from "../errors.js";

export function encodeCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

/** The key parts of a cursor, each checked by its own parser (which throws on a bad part). */
export function decodeCursor<T extends unknown[]>(cursor: string, parts: { [K in keyof T]: (raw: string) => T[K] }): T {
  try {
    const raw: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (!Array.isArray(raw) || raw.length !== parts.length || !raw.every((p) => typeof p === "string")) {
      throw new Error("bad cursor");
    }
    return parts.map((parse, i) => parse(raw[i] as string)) as T;
  } catch {
    throw new Invalid("invalid_cursor", "The cursor is not one this server gave out.");
  }
}

/** Cursor part parsers. */
export const keyPart = {
  text: (raw: string) => raw,
  uuid: (raw: string) => {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(raw)) throw new Error("bad uuid");
    return raw;
  },
  instant: (raw: string) => {
    const date = new Date(raw);
    if (Number.isNaN(date.getTime())) throw new Error("bad instant");
    return date;
  },
  /** A bigint identity, kept as its decimal string (as `pg` returns int8). */
  serial: (raw: string) => {
    if (!/^[1-9][0-9]{0,18}$/.test(raw)) throw new Error("bad id");
    return raw;
  },
};

/**
 * One page from `limit + 1` rows fetched after the cursor: the first `limit`, and the cursor of
 * the last of them when more follow.
 */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  map: (row: R) => T,
  keyOf: (item: T) => readonly string[],
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit).map(map);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
}
