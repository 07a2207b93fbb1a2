/**
 * The rows the FHIR API reads. Visibility is applied here, in SQL, with the same scope as
 * `Consultation.list` (a patient: their own; a doctor: their agenda; an admin: everything), so a
 * count (`Bundle.total`) never counts what the caller may not see.
 */
import type { ExpressionBuilder } from "kysely";
import type { DB, Db } from "../db/database.js";
import { selectConsultations } from "../scheduling/consultation.sql.js";
import type { ConsultationStatus } from "../scheduling/scheduling.schema.js";
import type { Actor } from "../users/user.js";

export interface DoctorRow {
  id: string;
  name: string;
  active: boolean;
  specialty: string;
  licenseNumber: string;
  timezone: string;
  slotMinutes: number;
}

/** Every doctor (a clinic has tens, not thousands): FHIR searches over them filter in memory. */
export async function selectDoctors(db: Db, id?: string): Promise<DoctorRow[]> {
  let q = db
    .selectFrom("users")
    .innerJoin("doctor_profiles as dp", "dp.user_id", "users.id")
    .select([
      "users.id",
      "users.name",
      "users.disabled_at",
      "dp.specialty",
      "dp.license_number",
      "dp.timezone",
      "dp.slot_minutes",
    ])
    .where("users.role", "=", "doctor");
  if (id) q = q.where("users.id", "=", id);
  const rows = await q.orderBy("users.name").orderBy("users.id").execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    active: r.disabled_at === null,
    specialty: r.specialty,
    licenseNumber: r.license_number,
    timezone: r.timezone,
    slotMinutes: Number(r.slot_minutes),
  }));
}

export interface PatientRow {
  id: string;
  name: string;
  email: string;
  cpf: string | null;
  active: boolean;
}

export interface PatientQuery {
  id?: string;
  cpf?: string;
  /** Lower-case; matches the start of the name or of any word in it. */
  name?: string;
  email?: string;
}

type UsersEb = ExpressionBuilder<DB & { u: DB["users"] }, "u">;

/** A patient sees themself; a doctor, the patients with a consultation in their agenda; an admin, all. */
function patientScope(actor: Actor) {
  return (eb: UsersEb) => {
    if (actor.role === "admin") return eb.lit(true);
    if (actor.role === "patient") return eb("u.id", "=", actor.id);
    return eb.exists(
      eb
        .selectFrom("consultations as c")
        .select("c.id")
        .whereRef("c.patient_id", "=", "u.id")
        .where("c.doctor_id", "=", actor.id),
    );
  };
}

function patientsQuery(db: Db, query: PatientQuery, actor: Actor) {
  let q = db.selectFrom("users as u").where("u.role", "=", "patient").where(patientScope(actor));
  if (query.id) q = q.where("u.id", "=", query.id);
  if (query.cpf) q = q.where("u.cpf", "=", query.cpf);
  if (query.email) q = q.where((eb) => eb(eb.fn("lower", ["u.email"]), "=", query.email!.toLowerCase()));
  if (query.name) {
    const escaped = query.name.replace(/[\\%_]/g, (ch) => `\\${ch}`);
    q = q.where((eb) =>
      eb.or([
        eb(eb.fn("lower", ["u.name"]), "like", `${escaped}%`),
        eb(eb.fn("lower", ["u.name"]), "like", `% ${escaped}%`),
      ]),
    );
  }
  return q;
}

export async function selectPatients(
  db: Db,
  query: PatientQuery,
  actor: Actor,
  page: { offset: number; count: number },
): Promise<{ rows: PatientRow[]; total: number }> {
  const [rows, total] = await Promise.all([
    page.count === 0
      ? Promise.resolve([])
      : patientsQuery(db, query, actor)
          .select(["u.id", "u.name", "u.email", "u.cpf", "u.disabled_at"])
          .orderBy("u.name")
          .orderBy("u.id")
          .offset(page.offset)
          .limit(page.count)
          .execute(),
    patientsQuery(db, query, actor)
      .select((eb) => eb.fn.countAll<string | number>().as("n"))
      .executeTakeFirstOrThrow(),
  ]);
  return {
    rows: rows.map((r) => ({ id: r.id, name: r.name, email: r.email, cpf: r.cpf, active: r.disabled_at === null })),
    total: Number(total.n),
  };
}

export interface AppointmentQuery {
  id?: string;
  doctorId?: string;
  patientId?: string;
  statuses?: ConsultationStatus[];
  /** Bounds on the start: `starts_at >= from` (or `>` when exclusive) and `starts_at < to` (or `<=`). */
  startFrom?: { at: Date; inclusive: boolean };
  startTo?: { at: Date; inclusive: boolean };
}

function appointmentsQuery(db: Db, query: AppointmentQuery, actor: Actor) {
  let q = selectConsultations(db);
  // The scope of Consultation.list.
  if (actor.role === "patient") q = q.where("c.patient_id", "=", actor.id);
  if (actor.role === "doctor") q = q.where("c.doctor_id", "=", actor.id);
  if (query.id) q = q.where("c.id", "=", query.id);
  if (query.doctorId) q = q.where("c.doctor_id", "=", query.doctorId);
  if (query.patientId) q = q.where("c.patient_id", "=", query.patientId);
  if (query.statuses) q = q.where("c.status", "in", query.statuses);
  if (query.startFrom) q = q.where("c.starts_at", query.startFrom.inclusive ? ">=" : ">", query.startFrom.at);
  if (query.startTo) q = q.where("c.starts_at", query.startTo.inclusive ? "<=" : "<", query.startTo.at);
  return q;
}

export async function selectAppointments(
  db: Db,
  query: AppointmentQuery,
  actor: Actor,
  page: { offset: number; count: number },
) {
  if (query.statuses && query.statuses.length === 0) return { rows: [], total: 0 };
  const [rows, total] = await Promise.all([
    page.count === 0
      ? Promise.resolve([])
      : appointmentsQuery(db, query, actor)
          .orderBy("c.starts_at")
          .orderBy("c.id")
          .offset(page.offset)
          .limit(page.count)
          .execute(),
    appointmentsQuery(db, query, actor)
      .clearSelect()
      .select((eb) => eb.fn.countAll<string | number>().as("n"))
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n) };
}
