/**
 * Recognising PostgreSQL errors across engines: `pg` and PGlite carry the SQLSTATE in `code`; the
 * RDS Data API only returns the server's message text, so fall back to matching it.
 */
type PgLike = { code?: unknown; constraint?: unknown; message?: unknown; name?: unknown };

function sqlState(err: unknown): string | undefined {
  const e = err as PgLike | null;
  return typeof e?.code === "string" && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : undefined;
}

function message(err: unknown): string {
  const e = err as PgLike | null;
  return typeof e?.message === "string" ? e.message : "";
}

/** The constraint a violation names, from the field or from the message text. */
export function violatedConstraint(err: unknown): string | undefined {
  const e = err as PgLike | null;
  if (typeof e?.constraint === "string") return e.constraint;
  return /constraint "([^"]+)"/.exec(message(err))?.[1];
}

export function isUniqueViolation(err: unknown): boolean {
  return sqlState(err) === "23505" || /duplicate key value violates unique constraint/.test(message(err));
}

export function isExclusionViolation(err: unknown): boolean {
  return sqlState(err) === "23P01" || /conflicting key value violates exclusion constraint/.test(message(err));
}

export function isForeignKeyViolation(err: unknown): boolean {
  return sqlState(err) === "23503" || /violates foreign key constraint/.test(message(err));
}

/** Bad input that reached SQL (an invalid uuid, an out-of-range number): the caller's fault. */
export function isDataException(err: unknown): boolean {
  const state = sqlState(err);
  return state?.startsWith("22") ?? false;
}

/**
 * The database is unreachable, restarting, or too slow: a 503 to retry, never a 500. Covers socket
 * errors, `pg`'s own connection errors, server shutdown and connection classes, and timeouts.
 */
export function isUnavailable(err: unknown): boolean {
  const state = sqlState(err);
  if (state && (state.startsWith("08") || state.startsWith("57") || state === "53300")) return true;
  const e = err as PgLike | null;
  const code = typeof e?.code === "string" ? e.code : "";
  if (["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH"].includes(code))
    return true;
  const msg = message(err);
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connection is closed|Cannot use a pool after calling end|the database system is (starting up|shutting down)|Client was closed and is not queryable/i.test(
    msg,
  );
}

/**
 * Connection errors that retrying cannot fix: bad credentials (28xxx), a database that does not
 * exist (3D000), an unknown role.
 */
export function isPermanentConnectError(err: unknown): boolean {
  const state = sqlState(err);
  return state !== undefined && (state.startsWith("28") || state === "3D000");
}

/**
 * A transaction PostgreSQL aborted to break a deadlock (40P01) or a serialization conflict
 * (40001): nothing was written, and running it again is the documented answer.
 */
export function isRetryableConflict(err: unknown): boolean {
  const state = sqlState(err);
  if (state === "40P01" || state === "40001") return true;
  return /deadlock detected|could not serialize access/.test(message(err));
}

/** The server refused a new connection because every slot is taken (53300, "too many clients"). */
export function isServerFull(err: unknown): boolean {
  return (
    sqlState(err) === "53300" || /too many clients already|remaining connection slots are reserved/.test(message(err))
  );
}
