/**
 * The patient's history for the doctor (issue #13): a patient's past consultations with this
 * clinic, with every doctor, newest first, keyset-paginated over (starts_at, id) descending.
 *
 * Past: started before now, any status; or started, completed or a no-show already (the room opens
 * 15 minutes before the start).
 *
 * Who: admins, and a doctor who has seen the patient or is booked with them (any consultation
 * that was not cancelled); any other doctor gets 404, as for a consultation they cannot see, so the
 * patient's existence is not revealed. Patients: 403 (their own consultations are GET
 * /api/consultations).
 *
 * Notes follow the one notes rule (`canReadNotes`): a doctor reads the notes of their own
 * consultations, an admin all; elsewhere `notes` is absent. Each note read is audited exactly as
 * reading one consultation's notes is (`consultation.notes_read`), in one transaction with the read.
 */
import { sql, type Transaction } from "kysely";
import { recordAudit } from "../audit/audit.js";
import type { DB, Db } from "../db/database.js";
import { decodeCursor, keyPart, toPage } from "../db/keyset.js";
import { Forbidden, NotFound } from "../errors.js";
import type { Actor } from "../users/user.js";
import { selectConsultations, toConsultation } from "./consultation.sql.js";
import { canReadNotes } from "./consultation-access.js";
import type { HistoryQuery, PatientHistory } from "./scheduling.schema.js";

/** Whether this doctor has seen the patient or is booked with them (a consultation not cancelled). */
export async function isDoctorOfPatient(db: Db, doctorId: string, patientId: string): Promise<boolean> {
  const row = await db
    .selectFrom("consultations")
    .select(sql<number>`1`.as("one"))
    .where("doctor_id", "=", doctorId)
    .where("patient_id", "=", patientId)
    .where("status", "<>", "cancelled")
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export async function patientHistory(
  db: Db,
  patientId: string,
  query: HistoryQuery,
  actor: Actor,
  now: Date,
): Promise<PatientHistory> {
  if (actor.role === "patient") {
    throw new Forbidden("forbidden", "A patient's history is for the clinic's doctors and administrators.");
  }
  const patient = await db
    .selectFrom("users")
    .select(["id", "name"])
    .where("id", "=", patientId)
    .where("role", "=", "patient")
    .executeTakeFirst();
  if (!patient || (actor.role === "doctor" && !(await isDoctorOfPatient(db, actor.id, patientId)))) {
    throw new NotFound("patient_not_found", "No such patient.");
  }
  // Past: started before now, or already seen through (a consultation may start and complete in
  // the room window, before its booked start).
  let q = selectConsultations(db)
    .where("c.patient_id", "=", patientId)
    .where((eb) => eb.or([eb("c.starts_at", "<", now), eb("c.status", "in", ["in_progress", "completed", "no_show"])]));
  if (query.cursor) {
    const [startsAt, id] = decodeCursor<[Date, string]>(query.cursor, [keyPart.instant, keyPart.uuid]);
    q = q.where((eb) =>
      eb.or([eb("c.starts_at", "<", startsAt), eb.and([eb("c.starts_at", "=", startsAt), eb("c.id", "<", id)])]),
    );
  }
  const rows = await q
    .orderBy("c.starts_at", "desc")
    .orderBy("c.id", "desc")
    .limit(query.limit + 1)
    .execute();
  const page = toPage(
    rows,
    query.limit,
    (r) => toConsultation(r, { withNotes: canReadNotes(actor, r) }),
    (c) => [c.startsAt, c.id],
  );
  const read = page.items.filter((c) => typeof c.notes === "string" && c.notes.length > 0);
  if (read.length > 0) {
    const audit = async (trx: Transaction<DB>) => {
      for (const c of read) {
        await recordAudit(trx, {
          actorId: actor.id,
          action: "consultation.notes_read",
          entity: "consultation",
          entityId: c.id,
        });
      }
    };
    await (db.isTransaction ? audit(db as Transaction<DB>) : db.transaction().execute(audit));
  }
  return { patient, consultations: page.items, nextCursor: page.nextCursor };
}
