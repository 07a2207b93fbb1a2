/**
 * LGPD rights (Lei 13.709/2018). Art. 18 II: data subjects may obtain their data; health data
 * about themselves included, so a patient's export carries the clinical notes of their own
 * consultations, and nothing about other patients. Art. 16 / CFM Res. 1.821/2007: the clinic keeps
 * medical records, so anonymising a patient replaces who they are (name, email, password,
 * sessions) and keeps the consultations. Both are audited.
 */
import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { recordAudit } from "../audit/audit.js";
import type { Db } from "../db/database.js";
import { Conflict, NotFound } from "../errors.js";
import { forgetRecipient } from "../notifications/outbox.js";
import { selectConsultations, toConsultation } from "../scheduling/consultation.sql.js";
import { consentsOf } from "../telemedicine/telemedicine.js";
import type { Actor } from "../users/user.js";
import type { User } from "../users/user.schema.js";
import { findUserById, toUser } from "../users/user.sql.js";

export const ANONYMISED_NAME = "Paciente anonimizado";
const ANONYMISED_EMAIL = /^anonymised-[0-9a-f]{16}@invalid$/;
// Not a hash verifyPassword can ever accept: it fails the format check before any comparison.
const UNUSABLE_PASSWORD_HASH = "!anonymised";

export function isAnonymised(user: { email: string }): boolean {
  return ANONYMISED_EMAIL.test(user.email);
}

export interface DataExport {
  format: "healthflow-export/1";
  exportedAt: string;
  subject: User & { createdAt: string };
  consultations: ReturnType<typeof toConsultation>[];
  /** A patient's telemedicine consents, withdrawn ones included (CFM Res. 2.314/2022). */
  telemedicineConsents?: Awaited<ReturnType<typeof consentsOf>>;
  availability?: { weekday: number; startMinute: number; endMinute: number }[];
  timeOff?: { startsAt: string; endsAt: string; reason: string | null }[];
  sessions: { createdAt: string; lastSeenAt: string; expiresAt: string }[];
  activity: { at: string; action: string; entity: string; entityId: string | null }[];
}

/**
 * Everything HealthFlow holds about the signed-in person. For a patient: profile, every
 * consultation with its notes, sessions, and what they did. A doctor's or admin's consultations
 * are the patients' records, not their own data: they get their profile, schedule, sessions and
 * activity. Activity lists what was done, not the stored details (which name other people).
 */
export async function exportOwnData(db: Db, actor: Actor, now: Date): Promise<DataExport> {
  const row = await findUserById(db, actor.id);
  if (!row) throw new NotFound("user_not_found", "No such user.");
  const consultations =
    actor.role === "patient"
      ? (
          await selectConsultations(db)
            .where("c.patient_id", "=", actor.id)
            .orderBy("c.starts_at")
            .orderBy("c.id")
            .execute()
        ).map((r) => toConsultation(r, { withNotes: true }))
      : [];
  const sessions = await db
    .selectFrom("sessions")
    .select(["created_at", "last_seen_at", "expires_at"])
    .where("user_id", "=", actor.id)
    .orderBy("created_at")
    .execute();
  const activity = await db
    .selectFrom("audit_events")
    .select(["at", "action", "entity", "entity_id"])
    .where("actor_id", "=", actor.id)
    .orderBy("id")
    .execute();
  const result: DataExport = {
    format: "healthflow-export/1",
    exportedAt: now.toISOString(),
    subject: { ...toUser(row), createdAt: row.created_at.toISOString() },
    consultations,
    sessions: sessions.map((s) => ({
      createdAt: s.created_at.toISOString(),
      lastSeenAt: s.last_seen_at.toISOString(),
      expiresAt: s.expires_at.toISOString(),
    })),
    activity: activity.map((a) => ({
      at: a.at.toISOString(),
      action: a.action,
      entity: a.entity,
      entityId: a.entity_id,
    })),
  };
  if (actor.role === "patient") result.telemedicineConsents = await consentsOf(db, actor.id);
  if (actor.role === "doctor") {
    const rules = await db
      .selectFrom("availability_rules")
      .select(["weekday", "start_minute", "end_minute"])
      .where("doctor_id", "=", actor.id)
      .orderBy("weekday")
      .orderBy("start_minute")
      .execute();
    result.availability = rules.map((r) => ({
      weekday: r.weekday,
      startMinute: r.start_minute,
      endMinute: r.end_minute,
    }));
    const timeOff = await db
      .selectFrom("time_off")
      .select(["starts_at", "ends_at", "reason"])
      .where("doctor_id", "=", actor.id)
      .orderBy("starts_at")
      .execute();
    result.timeOff = timeOff.map((t) => ({
      startsAt: t.starts_at.toISOString(),
      endsAt: t.ends_at.toISOString(),
      reason: t.reason,
    }));
  }
  // Recorded after reading, so the export does not list itself.
  await recordAudit(db, {
    actorId: actor.id,
    action: "user.export",
    entity: "user",
    entityId: actor.id,
    details: { consultations: consultations.length },
  });
  // The notes handed over are notes reads like any other (consultation.notes_read, one per
  // consultation with notes), so the notes' audit trail is complete whatever the route.
  for (const c of consultations.filter((c) => c.notes)) {
    await recordAudit(db, {
      actorId: actor.id,
      action: "consultation.notes_read",
      entity: "consultation",
      entityId: c.id,
      details: { via: "export" },
    });
  }
  return result;
}

/**
 * Replaces a patient's identity for good: name and email, an unusable password, every session
 * ended, the account disabled; the email is also removed from the audit details that recorded it.
 * Consultations (and their notes) stay, attached to the anonymous account.
 */
export async function anonymisePatient(db: Db, userId: string, actor: Actor, now: Date): Promise<User> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom("users")
      .select(["id", "role", "email", "disabled_at"])
      .where("id", "=", userId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw new NotFound("user_not_found", "No such user.");
    if (row.role !== "patient") throw new Conflict("not_a_patient", "Only patient accounts can be anonymised.");
    if (isAnonymised(row)) throw new Conflict("already_anonymised", "This patient is already anonymised.");
    await trx
      .updateTable("users")
      .set({
        name: ANONYMISED_NAME,
        email: `anonymised-${randomBytes(8).toString("hex")}@invalid`,
        password_hash: UNUSABLE_PASSWORD_HASH,
        cpf: null,
        phone: null,
        disabled_at: row.disabled_at ?? now,
      })
      .where("id", "=", userId)
      .execute();
    await trx.deleteFrom("sessions").where("user_id", "=", userId).execute();
    // The calendar feed (issue 14) would already be dead with the account disabled: gone outright.
    await trx.deleteFrom("calendar_feeds").where("user_id", "=", userId).execute();
    await forgetRecipient(trx, userId, now);
    await sql`update audit_events set details = details - 'email' where entity = 'user' and entity_id = ${userId}`.execute(
      trx,
    );
    await recordAudit(trx, { actorId: actor.id, action: "user.anonymise", entity: "user", entityId: userId });
    return toUser((await findUserById(trx, userId))!);
  });
}
