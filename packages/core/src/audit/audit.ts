/**
 * The audit trail: who did what to which record, when. Written in the same transaction as the
 * change it describes, so an audited change and its event stand or fall together.
 */
import type { Db } from "../db/database.js";

export interface AuditInput {
  actorId: string | null;
  action: string;
  entity: string;
  entityId?: string | null;
  details?: Record<string, unknown>;
}

export async function recordAudit(db: Db, event: AuditInput): Promise<void> {
  await db
    .insertInto("audit_events")
    .values({
      actor_id: event.actorId,
      action: event.action,
      entity: event.entity,
      entity_id: event.entityId ?? null,
      details: event.details ?? {},
    })
    .execute();
}
