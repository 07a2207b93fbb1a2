/**
 * Sessions: an opaque random token for the client, only its SHA-256 kept in the database, so a
 * leaked table cannot be replayed and deleting the row really revokes it. Sessions end after an
 * idle period and, regardless of use, after a maximum lifetime.
 */
import { createHash, randomBytes } from "node:crypto";
import type { CompiledQuery } from "kysely";
import type { Db } from "../db/database.js";
import type { User } from "../users/user.schema.js";
import { selectUsers, toUser } from "../users/user.sql.js";

export interface SessionPolicy {
  idleMinutes: number;
  maxHours: number;
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

export async function startSession(
  db: Db,
  userId: string,
  now: Date,
  policy: SessionPolicy,
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + policy.maxHours * 3_600_000);
  await db
    .insertInto("sessions")
    .values({
      user_id: userId,
      token_hash: hashToken(token),
      created_at: now,
      last_seen_at: now,
      expires_at: expiresAt,
    })
    .execute();
  return { token, expiresAt };
}

// One round trip for the session and its user: every authenticated request pays for this.
function sessionQuery(db: Db, tokenHash: string) {
  return selectUsers(db)
    .innerJoin("sessions", "sessions.user_id", "users.id")
    .select([
      "sessions.id as session_id",
      "sessions.last_seen_at as session_last_seen_at",
      "sessions.expires_at as session_expires_at",
    ])
    .where("sessions.token_hash", "=", tokenHash);
}
type SessionRow = Awaited<ReturnType<ReturnType<typeof sessionQuery>["executeTakeFirstOrThrow"]>>;

// Building and compiling that query (a join and fourteen columns) was the largest single CPU cost
// of a booking after the statements themselves (profile in docs/benchmarks.md). It is compiled
// once per database handle, with a placeholder where the token's hash goes; each request runs it
// with its own hash. Same SQL, same parameters, same row as building it afresh.
const PLACEHOLDER = "\u0000token-hash";
const compiledLookups = new WeakMap<Db, { query: CompiledQuery<SessionRow>; at: number }>();

async function lookUpSession(db: Db, tokenHash: string): Promise<SessionRow | undefined> {
  let compiled = compiledLookups.get(db);
  if (!compiled) {
    const query = sessionQuery(db, PLACEHOLDER).compile();
    compiled = { query, at: query.parameters.indexOf(PLACEHOLDER) };
    compiledLookups.set(db, compiled);
  }
  // A dialect that did not keep the hash as one parameter: build the query as usual.
  if (compiled.at < 0) return sessionQuery(db, tokenHash).executeTakeFirst();
  const parameters = [...compiled.query.parameters];
  parameters[compiled.at] = tokenHash;
  const { rows } = await db.executeQuery<SessionRow>({ ...compiled.query, parameters });
  return rows[0];
}

// Touching last_seen_at on every request would turn every read into a write.
const TOUCH_EVERY_MS = 60_000;

/** The user behind a token, or undefined when it is unknown, expired, idle too long or disabled. */
export async function resolveSession(
  db: Db,
  token: string,
  now: Date,
  policy: SessionPolicy,
): Promise<{ user: User; sessionId: string } | undefined> {
  if (token.length < 20 || token.length > 100) return undefined;
  const row = await lookUpSession(db, hashToken(token));
  if (!row) return undefined;
  const session = { id: row.session_id, last_seen_at: row.session_last_seen_at, expires_at: row.session_expires_at };
  const lastSeen = session.last_seen_at.getTime();
  if (session.expires_at.getTime() <= now.getTime() || now.getTime() - lastSeen > policy.idleMinutes * 60_000) {
    await db.deleteFrom("sessions").where("id", "=", session.id).execute();
    return undefined;
  }
  if (row.disabled_at) return undefined;
  if (now.getTime() - lastSeen > TOUCH_EVERY_MS) {
    await db.updateTable("sessions").set({ last_seen_at: now }).where("id", "=", session.id).execute();
  }
  return { user: toUser(row), sessionId: session.id };
}

export async function endSession(db: Db, sessionId: string): Promise<void> {
  await db.deleteFrom("sessions").where("id", "=", sessionId).execute();
}
