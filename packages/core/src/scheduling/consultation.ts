/**
 * Consultations: booking, reading, rescheduling, status changes, cancelling.
 *
 * The database refuses overlaps (see migration 0002); this module checks the business rules
 * around them (availability, time off, notice, who may do what) and turns the database's refusal
 * into `slot_taken`. Every change is audited in the same transaction.
 */
import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { recordAudit } from "../audit/audit.js";
import { toDate } from "../db/database.js";
import { isExclusionViolation, violatedConstraint } from "../db/pg-errors.js";
import { inTransaction } from "../db/transaction.js";
import { Conflict, Forbidden, Invalid, NotFound, Unprocessable } from "../errors.js";
import { notifyBooked, notifyChanged } from "../notifications/consultation-notices.js";
import type { NotifyContext } from "../notifications/outbox.js";
import type { Actor } from "../users/user.js";
import type { Db } from "../users/user.sql.js";
import { type Clock, listSlots, requireDoctor } from "./availability.js";
import { overlapsTimeOff, selectRules } from "./availability.sql.js";
import {
  bookingContext,
  type ConsultationRow,
  findConsultation,
  lockConsultation,
  selectConsultations,
  toConsultation,
} from "./consultation.sql.js";
import type {
  BookInput,
  Consultation,
  ConsultationStatus,
  ListConsultationsQuery,
  PatchConsultationInput,
} from "./scheduling.schema.js";
import { coversGrid, type Interval, overlaps, type WeeklyRule } from "./slots.js";

/** Who may see a consultation at all. Everyone else gets 404: existence is not revealed. */
function canSee(actor: Actor, row: { doctor_id: string; patient_id: string }): boolean {
  return actor.role === "admin" || row.doctor_id === actor.id || row.patient_id === actor.id;
}

/** Clinical notes: the consultation's doctor and admins only. */
function canReadNotes(actor: Actor, row: { doctor_id: string }): boolean {
  return actor.role === "admin" || (actor.role === "doctor" && row.doctor_id === actor.id);
}

async function visible(db: Db, id: string, actor: Actor): Promise<ConsultationRow> {
  const row = await findConsultation(db, id);
  if (!row || !canSee(actor, row)) throw new NotFound("consultation_not_found", "No such consultation.");
  return row;
}

function newRoomName(): string {
  // Opaque and unguessable (128 bits); never derived from the id or any personal data.
  return `hf${randomBytes(16).toString("hex")}`;
}

type DoctorTime = { user_id: string; timezone: string; slot_minutes: number };

function assertDurationAndNotice(doctor: DoctorTime, start: Date, durationMinutes: number, clock: Clock): void {
  if (durationMinutes % doctor.slot_minutes !== 0) {
    throw new Invalid("invalid_duration", `The duration must be ${doctor.slot_minutes} minutes or a multiple of it.`, {
      slotMinutes: doctor.slot_minutes,
    });
  }
  if (start.getTime() < clock.now.getTime() + clock.minNoticeMinutes * 60_000) {
    throw new Unprocessable("too_soon", `Bookings need at least ${clock.minNoticeMinutes} minutes of notice.`, {
      minNoticeMinutes: clock.minNoticeMinutes,
    });
  }
}

function assertInsideAvailability(doctor: DoctorTime, rules: WeeklyRule[], start: Date, durationMinutes: number) {
  if (
    !coversGrid({ zone: doctor.timezone, slotMinutes: doctor.slot_minutes, rules }, start.getTime(), durationMinutes)
  ) {
    throw new Unprocessable("outside_availability", "The doctor does not see patients at that time.");
  }
}

const timeOffError = () => new Unprocessable("time_off", "The doctor is away at that time.");

/**
 * The rules a booked time must satisfy (shared by booking and rescheduling). Throws the first
 * rule that refuses it.
 */
async function checkTime(
  db: Db,
  doctor: DoctorTime,
  start: Date,
  durationMinutes: number,
  clock: Clock,
): Promise<Date> {
  assertDurationAndNotice(doctor, start, durationMinutes, clock);
  assertInsideAvailability(doctor, await selectRules(db, doctor.user_id), start, durationMinutes);
  const end = new Date(start.getTime() + durationMinutes * 60_000);
  if (await overlapsTimeOff(db, doctor.user_id, start, end)) throw timeOffError();
  return end;
}

/** Turns the database's overlap refusal into a conflict that helps: the next free slots. */
async function slotTaken(db: Db, err: unknown, doctorId: string, clock: Clock): Promise<Conflict> {
  const who = violatedConstraint(err)?.includes("patient") ? "patient" : "doctor";
  const from = new Date(Math.max(clock.now.getTime(), Date.now()));
  const next = await listSlots(db, doctorId, from, new Date(from.getTime() + 14 * 86_400_000), clock).catch(() => []);
  return new Conflict(
    "slot_taken",
    who === "doctor"
      ? "This time was just taken. Pick another slot."
      : "The patient already has a consultation at this time.",
    { conflictWith: who, nextSlots: next.slice(0, 3) },
  );
}

export async function book(
  db: Db,
  input: BookInput,
  actor: Actor,
  clock: Clock,
  notify?: NotifyContext,
): Promise<Consultation> {
  let patientId: string;
  if (actor.role === "patient") {
    if (input.patientId && input.patientId !== actor.id) {
      throw new Forbidden("forbidden", "Patients book for themselves only.");
    }
    patientId = actor.id;
  } else {
    if (!input.patientId) throw new Invalid("patient_required", "Say which patient (`patientId`) the booking is for.");
    if (actor.role === "doctor" && input.doctorId !== actor.id) {
      throw new Forbidden("forbidden", "Doctors book in their own agenda only.");
    }
    patientId = input.patientId;
  }
  // Booking is the hot write path: one read for every rule's data (doctor, patient, weekly rules,
  // nearby time off), then one statement that inserts the consultation and its audit event
  // atomically. The checks and their order are those of checkTime.
  const start = input.startsAt;
  const lookAheadMinutes = Math.max(input.durationMinutes ?? 0, 480);
  const ctx = await bookingContext(
    db,
    input.doctorId,
    patientId,
    start,
    new Date(start.getTime() + lookAheadMinutes * 60_000),
  );
  if (!ctx) throw new NotFound("doctor_not_found", "No such doctor.");
  if (ctx.patientName === null) throw new NotFound("patient_not_found", "No such patient.");
  const doctor = { user_id: input.doctorId, timezone: ctx.timezone, slot_minutes: ctx.slotMinutes };
  const duration = input.durationMinutes ?? doctor.slot_minutes;
  assertDurationAndNotice(doctor, start, duration, clock);
  assertInsideAvailability(doctor, ctx.rules, start, duration);
  const end = new Date(start.getTime() + duration * 60_000);
  const wanted: Interval = { start: start.getTime(), end: end.getTime() };
  if (ctx.timeOff.some((t) => overlaps(t, wanted))) throw timeOffError();

  const details = { after: { startsAt: start.toISOString(), endsAt: end.toISOString(), status: "scheduled" } };
  try {
    const insert = (q: Db) =>
      sql<Omit<ConsultationRow, "doctor_name" | "doctor_specialty" | "patient_name">>`
      with c as (
        insert into consultations (doctor_id, patient_id, starts_at, ends_at, reason, room_name, created_by)
        values (${input.doctorId}::uuid, ${patientId}::uuid, ${start}::timestamptz, ${end}::timestamptz,
                ${input.reason ?? null}::text, ${newRoomName()}, ${actor.id}::uuid)
        returning *
      ), audit as (
        insert into audit_events (actor_id, action, entity, entity_id, details)
        select ${actor.id}::uuid, 'consultation.create', 'consultation', c.id::text, ${JSON.stringify(details)}::jsonb
        from c
      )
      select * from c`.execute(q);
    // With notifications, the confirmation, the doctor's notice and the reminders commit with the row.
    const { rows } = await retryOnDeadlock(() =>
      notify
        ? inTransaction(db, async (trx) => {
            const result = await insert(trx);
            await notifyBooked(trx, result.rows[0]!.id, actor, notify);
            return result;
          })
        : insert(db),
    );
    const row: ConsultationRow = {
      ...rows[0]!,
      doctor_name: ctx.doctorName,
      doctor_specialty: ctx.specialty,
      patient_name: ctx.patientName,
    };
    return toConsultation(row, { withNotes: canReadNotes(actor, row) });
  } catch (err) {
    if (isExclusionViolation(err)) throw await slotTaken(db, err, input.doctorId, clock);
    throw err;
  }
}

/**
 * Two inserts for one patient with two doctors at once can each wait on the other inside the two
 * EXCLUDE constraints; PostgreSQL breaks the cycle by aborting one (40P01). Run again, the loser
 * sees the winner's committed row and gets the ordinary overlap refusal (409), never a 500.
 */
async function retryOnDeadlock<T>(run: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await run();
    } catch (err) {
      const e = err as { code?: unknown; message?: unknown };
      const deadlock = e?.code === "40P01" || (typeof e?.message === "string" && /deadlock detected/.test(e.message));
      if (!deadlock || i >= attempts) throw err;
    }
  }
}

function snapshot(row: ConsultationRow) {
  return {
    startsAt: toDate(row.starts_at).toISOString(),
    endsAt: toDate(row.ends_at).toISOString(),
    status: row.status,
  };
}

export async function get(db: Db, id: string, actor: Actor): Promise<Consultation> {
  const row = await visible(db, id, actor);
  const withNotes = canReadNotes(actor, row);
  if (withNotes && row.notes) {
    await recordAudit(db, {
      actorId: actor.id,
      action: "consultation.notes_read",
      entity: "consultation",
      entityId: id,
    });
  }
  return toConsultation(row, { withNotes });
}

/** Keyset pagination over (starts_at, id): stable under inserts, cheap at any depth. */
function decodeCursor(cursor: string): { startsAt: Date; id: string } {
  try {
    const [startsAt, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [string, string];
    const date = new Date(startsAt);
    if (Number.isNaN(date.getTime()) || !/^[0-9a-f-]{36}$/.test(id)) throw new Error("bad cursor");
    return { startsAt: date, id };
  } catch {
    throw new Invalid("invalid_cursor", "The cursor is not one this server gave out.");
  }
}

function encodeCursor(c: Consultation): string {
  return Buffer.from(JSON.stringify([c.startsAt, c.id])).toString("base64url");
}

export async function list(
  db: Db,
  query: ListConsultationsQuery,
  actor: Actor,
): Promise<{ consultations: Consultation[]; nextCursor: string | null }> {
  let q = selectConsultations(db);
  if (actor.role === "patient") q = q.where("c.patient_id", "=", actor.id);
  if (actor.role === "doctor") q = q.where("c.doctor_id", "=", actor.id);
  if (query.doctorId) q = q.where("c.doctor_id", "=", query.doctorId);
  if (query.patientId) q = q.where("c.patient_id", "=", query.patientId);
  if (query.from) q = q.where("c.ends_at", ">", query.from);
  if (query.to) q = q.where("c.starts_at", "<", query.to);
  if (query.status) q = q.where("c.status", "in", query.status);
  if (query.cursor) {
    const after = decodeCursor(query.cursor);
    q = q.where((eb) =>
      eb.or([
        eb("c.starts_at", ">", after.startsAt),
        eb.and([eb("c.starts_at", "=", after.startsAt), eb("c.id", ">", after.id)]),
      ]),
    );
  }
  const rows = await q
    .orderBy("c.starts_at")
    .orderBy("c.id")
    .limit(query.limit + 1)
    .execute();
  // Lists never carry clinical notes: they are read (and audited) one consultation at a time.
  const consultations = rows.slice(0, query.limit).map((r) => toConsultation(r, { withNotes: false }));
  const nextCursor = rows.length > query.limit ? encodeCursor(consultations[consultations.length - 1]!) : null;
  return { consultations, nextCursor };
}

type Transition = { to: ConsultationStatus; roles: Actor["role"][]; owner?: boolean };
/** The allowed status changes. Anything else is `invalid_transition`. */
const TRANSITIONS: Record<ConsultationStatus, Transition[]> = {
  scheduled: [
    { to: "in_progress", roles: ["doctor", "admin"] },
    { to: "cancelled", roles: ["patient", "doctor", "admin"] },
    { to: "no_show", roles: ["doctor", "admin"] },
  ],
  in_progress: [{ to: "completed", roles: ["doctor", "admin"] }],
  completed: [],
  cancelled: [],
  no_show: [],
};

function assertTransition(row: ConsultationRow, to: ConsultationStatus, actor: Actor, clock: Clock): void {
  const edge = TRANSITIONS[row.status].find((t) => t.to === to);
  if (!edge) {
    throw new Conflict("invalid_transition", `A ${row.status} consultation cannot become ${to}.`, {
      from: row.status,
      to,
      allowed: TRANSITIONS[row.status].map((t) => t.to),
    });
  }
  if (!edge.roles.includes(actor.role)) throw new Forbidden("forbidden", "Your role may not make this change.");
  if (to === "no_show" && clock.now.getTime() < toDate(row.starts_at).getTime()) {
    throw new Conflict("invalid_transition", "A no-show can only be recorded once the start time has passed.", {
      from: row.status,
      to,
    });
  }
}

/**
 * Reschedules, changes status or writes notes, atomically: the row is locked, every rule is
 * checked, and if the new time is taken the transaction rolls back leaving the original as it was.
 */
export async function update(
  db: Db,
  id: string,
  input: PatchConsultationInput & { cancelReason?: string },
  actor: Actor,
  clock: Clock,
  notify?: NotifyContext,
): Promise<Consultation> {
  const current = await visible(db, id, actor);
  if (input.notes !== undefined && !canReadNotes(actor, current)) {
    throw new Forbidden("forbidden", "Only the consultation's doctor or an administrator may write notes.");
  }
  const reschedule = input.startsAt !== undefined || input.durationMinutes !== undefined;
  try {
    return await db.transaction().execute(async (trx) => {
      await lockConsultation(trx, id);
      const row = (await findConsultation(trx, id))!;
      const changes: Partial<{
        starts_at: Date;
        ends_at: Date;
        status: ConsultationStatus;
        notes: string;
        cancel_reason: string | null;
      }> = {};
      if (reschedule) {
        if (row.status !== "scheduled") {
          throw new Conflict("invalid_transition", `A ${row.status} consultation cannot be rescheduled.`, {
            from: row.status,
          });
        }
        const doctor = await requireDoctor(trx, row.doctor_id);
        const start = input.startsAt ?? toDate(row.starts_at);
        const duration =
          input.durationMinutes ??
          Math.round((toDate(row.ends_at).getTime() - toDate(row.starts_at).getTime()) / 60_000);
        changes.starts_at = start;
        changes.ends_at = await checkTime(trx, doctor, start, duration, clock);
      }
      if (input.status !== undefined && input.status !== row.status) {
        assertTransition(row, input.status, actor, clock);
        changes.status = input.status;
        if (input.status === "cancelled") changes.cancel_reason = input.cancelReason ?? null;
      } else if (
        input.status !== undefined &&
        input.status === row.status &&
        !reschedule &&
        input.notes === undefined
      ) {
        throw new Conflict("invalid_transition", `The consultation is already ${row.status}.`, { from: row.status });
      }
      if (input.notes !== undefined) changes.notes = input.notes;

      await trx
        .updateTable("consultations")
        .set({ ...changes, updated_at: clock.now })
        .where("id", "=", id)
        .execute();
      const after = (await findConsultation(trx, id))!;
      const action = reschedule
        ? "consultation.reschedule"
        : changes.status === "cancelled"
          ? "consultation.cancel"
          : changes.status
            ? "consultation.status"
            : "consultation.notes";
      await recordAudit(trx, {
        actorId: actor.id,
        action,
        entity: "consultation",
        entityId: id,
        details: {
          before: snapshot(row),
          after: snapshot(after),
          ...(changes.cancel_reason ? { cancelReason: changes.cancel_reason } : {}),
          ...(input.notes !== undefined ? { notesChanged: true } : {}),
        },
      });
      if (notify) await notifyChanged(trx, id, row, actor, notify);
      return toConsultation(after, { withNotes: canReadNotes(actor, after) });
    });
  } catch (err) {
    if (isExclusionViolation(err)) throw await slotTaken(db, err, current.doctor_id, clock);
    throw err;
  }
}

export function cancel(
  db: Db,
  id: string,
  reason: string | undefined,
  actor: Actor,
  clock: Clock,
  notify?: NotifyContext,
) {
  return update(db, id, { status: "cancelled", cancelReason: reason }, actor, clock, notify);
}

/** For the room service: the consultation as it stands, with no visibility filter. */
export async function findForRoom(db: Db, id: string): Promise<ConsultationRow | undefined> {
  return findConsultation(db, id);
}
