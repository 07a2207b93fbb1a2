import type { Selectable } from "kysely";
import type { ConsultationsTable } from "../db/database.js";
import { toDate } from "../db/database.js";
import type { Db } from "../users/user.sql.js";
import type { Consultation } from "./scheduling.schema.js";

export type ConsultationRow = Selectable<ConsultationsTable> & {
  doctor_name: string;
  doctor_specialty: string;
  patient_name: string;
};

export function selectConsultations(db: Db) {
  return db
    .selectFrom("consultations as c")
    .innerJoin("users as d", "d.id", "c.doctor_id")
    .innerJoin("doctor_profiles as dp", "dp.user_id", "c.doctor_id")
    .innerJoin("users as p", "p.id", "c.patient_id")
    .selectAll("c")
    .select(["d.name as doctor_name", "dp.specialty as doctor_specialty", "p.name as patient_name"]);
}

export async function findConsultation(db: Db, id: string): Promise<ConsultationRow | undefined> {
  return selectConsultations(db).where("c.id", "=", id).executeTakeFirst();
}

/** Locks the row for the rest of the caller's transaction (reschedule, status change). */
export async function lockConsultation(db: Db, id: string): Promise<void> {
  await db.selectFrom("consultations").select("id").where("id", "=", id).forUpdate().executeTakeFirst();
}

export function toConsultation(row: ConsultationRow, options: { withNotes: boolean }): Consultation {
  const c: Consultation = {
    id: row.id,
    doctorId: row.doctor_id,
    patientId: row.patient_id,
    doctor: { id: row.doctor_id, name: row.doctor_name, specialty: row.doctor_specialty },
    patient: { id: row.patient_id, name: row.patient_name },
    startsAt: toDate(row.starts_at).toISOString(),
    endsAt: toDate(row.ends_at).toISOString(),
    status: row.status,
    reason: row.reason,
    cancelReason: row.cancel_reason,
    createdAt: toDate(row.created_at).toISOString(),
    updatedAt: toDate(row.updated_at).toISOString(),
  };
  if (options.withNotes) c.notes = row.notes;
  return c;
}
