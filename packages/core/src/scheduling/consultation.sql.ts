import { type Insertable, type Selectable, sql } from "kysely";
import type { ConsultationsTable, Db } from "../db/database.js";
import type { Agenda } from "./interval-rules.js";
import type { Consultation } from "./scheduling.schema.js";
import type { Mode } from "./slots.js";

/**
 * What the interval rules check, in one round trip: the (enabled) doctor's profile, whether the
 * patient can be booked, the weekly rules, and time off overlapping [from, to). Undefined for an
 * unknown or disabled doctor.
 */
export async function readAgenda(
  db: Db,
  doctorId: string,
  patientId: string,
  from: Date,
  to: Date,
): Promise<Agenda | undefined> {
  const { rows } = await sql<{
    timezone: string;
    slot_minutes: number;
    doctor_name: string;
    specialty: string;
    crm: string | null;
    crm_state: string | null;
    patient_name: string | null;
    rules: [number, number, number, Mode[] | null][];
    time_off: [string, string][];
  }>`
    select dp.timezone, dp.slot_minutes, d.name as doctor_name, dp.specialty, dp.crm, dp.crm_state,
      (select p.name from users p
        where p.id = ${patientId}::uuid and p.role = 'patient' and p.disabled_at is null) as patient_name,
      coalesce((select json_agg(json_build_array(r.weekday, r.start_minute, r.end_minute, r.modes))
        from availability_rules r where r.doctor_id = dp.user_id), '[]'::json) as rules,
      coalesce((select json_agg(json_build_array(t.starts_at, t.ends_at))
        from time_off t
        where t.doctor_id = dp.user_id and t.starts_at < ${to}::timestamptz and t.ends_at > ${from}::timestamptz),
        '[]'::json) as time_off
    from doctor_profiles dp
    join users d on d.id = dp.user_id
    where dp.user_id = ${doctorId}::uuid and d.disabled_at is null`.execute(db);
  const r = rows[0];
  if (!r) return undefined;
  return {
    timezone: r.timezone,
    slotMinutes: r.slot_minutes,
    doctorName: r.doctor_name,
    specialty: r.specialty,
    crm: r.crm,
    crmState: r.crm_state,
    patientName: r.patient_name,
    rules: r.rules.map(([weekday, startMinute, endMinute, modes]) => ({
      weekday,
      startMinute,
      endMinute,
      modes: modes ?? undefined,
    })),
    // Instants inside JSON are text on every engine.
    timeOff: r.time_off.map(([s, e]) => ({ start: Date.parse(s), end: Date.parse(e) })),
  };
}

const LOCK_BUCKET_MS = 3_600_000;

/**
 * Locks the hours of the given people's agendas (a doctor's, a patient's) that the given intervals
 * touch, until the transaction ends, always in the same order. Two writers whose consultations
 * overlap share the doctor or the patient and at least one hour, so they queue here instead of
 * meeting inside the EXCLUDE constraints, where two concurrent inserts wait on each other until
 * PostgreSQL aborts one as a deadlock; writers of other hours go on in parallel.
 */
export async function lockAgendas(db: Db, ids: string[], intervals: { start: Date; end: Date }[]): Promise<void> {
  const keys = new Set<string>();
  for (const { start, end } of intervals) {
    const last = Math.floor((end.getTime() - 1) / LOCK_BUCKET_MS);
    for (let hour = Math.floor(start.getTime() / LOCK_BUCKET_MS); hour <= last; hour++) {
      for (const id of ids) keys.add(`${id}@${hour}`);
    }
  }
  if (keys.size === 0) return;
  // As text: a `void` column is nothing the Data API promises to carry.
  const locks = [...keys].sort().map((k) => sql`pg_advisory_xact_lock(hashtextextended(${k}, 0))::text`);
  await sql`select ${sql.join(locks)}`.execute(db);
}

export async function insertConsultation(
  db: Db,
  values: Insertable<ConsultationsTable>,
): Promise<Selectable<ConsultationsTable>> {
  return db.insertInto("consultations").values(values).returningAll().executeTakeFirstOrThrow();
}

export type ConsultationRow = Selectable<ConsultationsTable> & {
  doctor_name: string;
  doctor_specialty: string;
  patient_name: string;
} & Partial<TeleconsultationColumns>;

/** The teleconsultation record and the doctor's CRM (issue 15); absent on a freshly booked row. */
type TeleconsultationColumns = {
  doctor_crm: string | null;
  doctor_crm_state: string | null;
  consent_version: string | null;
  consent_given_at: Date | null;
  consent_withdrawn_at: Date | null;
  patient_checked_in_at: Date | null;
  doctor_checked_in_at: Date | null;
  patient_opened_at: Date | null;
  doctor_opened_at: Date | null;
  started_at: Date | null;
  started_by: string | null;
  completed_at: Date | null;
  completed_by: string | null;
};

export function selectConsultations(db: Db) {
  return db
    .selectFrom("consultations as c")
    .innerJoin("users as d", "d.id", "c.doctor_id")
    .innerJoin("doctor_profiles as dp", "dp.user_id", "c.doctor_id")
    .innerJoin("users as p", "p.id", "c.patient_id")
    .leftJoin("teleconsultation_records as tr", "tr.consultation_id", "c.id")
    .leftJoin("telemedicine_consents as tc", "tc.id", "tr.consent_id")
    .selectAll("c")
    .select(["d.name as doctor_name", "dp.specialty as doctor_specialty", "p.name as patient_name"])
    .select([
      "dp.crm as doctor_crm",
      "dp.crm_state as doctor_crm_state",
      "tc.version as consent_version",
      "tc.given_at as consent_given_at",
      "tc.withdrawn_at as consent_withdrawn_at",
      "tr.patient_checked_in_at",
      "tr.doctor_checked_in_at",
      "tr.patient_opened_at",
      "tr.doctor_opened_at",
      "tr.started_at",
      "tr.started_by",
      "tr.completed_at",
      "tr.completed_by",
    ]);
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
    doctor: {
      id: row.doctor_id,
      name: row.doctor_name,
      specialty: row.doctor_specialty,
      crm: row.doctor_crm ?? null,
      crmState: row.doctor_crm_state ?? null,
    },
    patient: { id: row.patient_id, name: row.patient_name },
    startsAt: row.starts_at.toISOString(),
    endsAt: row.ends_at.toISOString(),
    status: row.status,
    mode: row.mode,
    // The clinic's address is a setting: the HTTP layer fills it in (consultation-location.ts).
    location: null,
    reason: row.reason,
    cancelReason: row.cancel_reason,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    ...(row.mode === "in_person" ? { consent: null } : teleconsultationFields(row)),
  };
  if (options.withNotes) c.notes = row.notes;
  return c;
}

const iso = (v: Date | null | undefined) => (v ? v.toISOString() : null);

/** The record's fields on a consultation: consent relied on, check-in, start, completion, who. */
function teleconsultationFields(row: ConsultationRow) {
  return {
    consent: row.consent_version
      ? {
          version: row.consent_version,
          givenAt: iso(row.consent_given_at)!,
          withdrawnAt: iso(row.consent_withdrawn_at),
        }
      : null,
    checkedInAt: iso(row.patient_checked_in_at),
    startedAt: iso(row.started_at),
    completedAt: iso(row.completed_at),
    teleconsultation: {
      modality: "teleconsulta" as const,
      patientCheckedInAt: iso(row.patient_checked_in_at),
      doctorCheckedInAt: iso(row.doctor_checked_in_at),
      patientOpenedAt: iso(row.patient_opened_at),
      doctorOpenedAt: iso(row.doctor_opened_at),
      startedAt: iso(row.started_at),
      startedBy: row.started_by ?? null,
      completedAt: iso(row.completed_at),
      completedBy: row.completed_by ?? null,
    },
  };
}
