/**
 * Reading the audit trail (LGPD: who saw or changed what, when). Newest first, in the order events
 * were recorded (the identity column), with keyset pagination on it: exact at any depth, unlike a
 * cursor on the microsecond `at` column, which JavaScript dates would round.
 */
import { sql } from "kysely";
import { toDate } from "../db/database.js";
import { Invalid } from "../errors.js";
import type { Db } from "../users/user.sql.js";
import type { AuditEvent, AuditQuery } from "./audit.schema.js";

function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, "base64url").toString("utf8");
  if (!/^[1-9][0-9]{0,18}$/.test(id))
    throw new Invalid("invalid_cursor", "The cursor is not one this server gave out.");
  return id;
}

function encodeCursor(id: string): string {
  return Buffer.from(id, "utf8").toString("base64url");
}

function toDetails(value: unknown): Record<string, unknown> {
  // jsonb is an object on pg and PGlite, a string through the RDS Data API.
  const parsed = typeof value === "string" ? JSON.parse(value) : value;
  return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}

export async function listAuditEvents(
  db: Db,
  query: AuditQuery,
): Promise<{ events: AuditEvent[]; nextCursor: string | null }> {
  let q = db.selectFrom("audit_events").select(["id", "at", "actor_id", "action", "entity", "entity_id", "details"]);
  if (query.entity) q = q.where("entity", "=", query.entity);
  if (query.entityId) q = q.where("entity_id", "=", query.entityId);
  if (query.actorId) q = q.where("actor_id", "=", query.actorId);
  if (query.from) q = q.where("at", ">=", query.from);
  if (query.to) q = q.where("at", "<", query.to);
  // Cast: the RDS Data API sends the parameter as text, and bigint < text does not resolve.
  if (query.cursor) q = q.where("id", "<", sql<string>`${decodeCursor(query.cursor)}::bigint`);
  const rows = await q
    .orderBy("id", "desc")
    .limit(query.limit + 1)
    .execute();
  const events = rows.slice(0, query.limit).map((r) => ({
    id: String(r.id),
    at: toDate(r.at).toISOString(),
    actorId: r.actor_id,
    action: r.action,
    entity: r.entity,
    entityId: r.entity_id,
    details: toDetails(r.details),
  }));
  const nextCursor = rows.length > query.limit ? encodeCursor(events[events.length - 1]!.id) : null;
  return { events, nextCursor };
}
