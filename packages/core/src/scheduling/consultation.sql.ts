import { type Selectable, sql } from "kysely";
import type { ConsultationsTable } from "../db/database.js";
import { toDate } from "../db/database.js";
import type { Db } from "../users/user.sql.js";
import type { Consultation } from "./scheduling.schema.js";
import type { Interval, WeeklyRule } from "./slots.js";

export interface BookingContext {
  timezone: string;
  slotMinutes: number;
  doctorName: string;
  specialty: string;
  crm: string | null;
  crmState: string | null;
  /** Null when the patient does not exist, is not a patient, or is disabled. */
  patientName: string | null;
  rules: WeeklyRule[];
  /** Time off overlapping [from, to). */
  timeOff: Interval[];
}

const parseJson = (v: unknown) => (typeof v === "string" ? JSON.parse(v) : v);

/**
 * What booking checks, in one round trip: the (enabled) doctor's profile, whether the patient can
 * be booked, the weekly rules, and time off near the wanted time. Undefined for an unknown doctor.
 */
export async function bookingContext(
  db: Db,
  doctorId: string,
  patientId: string,
  from: Date,
  to: Date,
): Promise<BookingContext | undefined> {
  const { rows } = await sql<{
    timezone: string;
    slot_minutes: number;
    doctor_name: string;
    specialty: string;
    crm: string | null;
    crm_state: string | null;
    patient_name: string | null;
    rules: unknown;
    time_off: unknown;
  }>`
    select dp.timezone, dp.slot_minutes, d.name as doctor_name, dp.specialty, dp.crm, dp.crm_state,
      (select p.name from users p
        where p.id = ${patientId}::uuid and p.role = 'patient' and p.disabled_at is null) as patient_name,
      coalesce((select json_agg(json_build_array(r.weekday, r.start_minute, r.end_minute))
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
    slotMinutes: Number(r.slot_minutes),
    doctorName: r.doctor_name,
    specialty: r.specialty,
    crm: r.crm,
    crmState: r.crm_state,
    patientName: r.patient_name,
    rules: (parseJson(r.rules) as [number, number, number][]).map(([weekday, startMinute, endMinute]) => ({
      weekday: Number(weekday),
      startMinute: Number(startMinute),
      endMinute: Number(endMinute),
    })),
    timeOff: (parseJson(r.time_off) as [string, string][]).map(([s, e]) => ({
      start: new Date(s).getTime(),
      end: new Date(e).getTime(),
    })),
  };
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
  consent_given_at: Date | string | null;
  consent_withdrawn_at: Date | string | null;
  patient_checked_in_at: Date | string | null;
  doctor_checked_in_at: Date | string | null;
  patient_opened_at: Date | string | null;
  doctor_opened_at: Date | string | null;
  started_at: Date | string | null;
  started_by: string | null;
  completed_at: Date | string | null;
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
    startsAt: toDate(row.starts_at).toISOString(),
    endsAt: toDate(row.ends_at).toISOString(),
    status: row.status,
    reason: row.reason,
    cancelReason: row.cancel_reason,
    createdAt: toDate(row.created_at).toISOString(),
    updatedAt: toDate(row.updated_at).toISOString(),
    ...teleconsultationFields(row),
  };
  if (options.withNotes) c.notes = row.notes;
  return c;
}

const iso = (v: Date | string | null | undefined) => (v ? toDate(v).toISOString() : null);

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
