/**
 * Reading the audit trail (LGPD: who saw or changed what, when). Newest first, in the order events
 * were recorded (the identity column), with keyset pagination on it: exact at any depth, unlike a
 * cursor on the microsecond `at` column, which JavaScript dates would round.
 */

import type { Db } from "../db/database.js";
import { decodeCursor, keyPart, toPage } from "../db/keyset.js";
import type { AuditEvent, AuditQuery } from "./audit.schema.js";

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
  if (query.cursor) {
    const [before] = decodeCursor<[string]>(query.cursor, [keyPart.serial]);
    q = q.where("id", "<", before);
  }
  const rows = await q
    .orderBy("id", "desc")
    .limit(query.limit + 1)
    .execute();
  const page = toPage(
    rows,
    query.limit,
    (r): AuditEvent => ({
      id: String(r.id),
      at: r.at.toISOString(),
      actorId: r.actor_id,
      action: r.action,
      entity: r.entity,
      entityId: r.entity_id,
      details: r.details,
    }),
    (e) => [e.id],
  );
  return { events: page.items, nextCursor: page.nextCursor };
}
