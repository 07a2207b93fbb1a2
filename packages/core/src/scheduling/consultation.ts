/**
 * Consultations: booking, reading, rescheduling, status changes, notes, cancelling.
 *
 * Booking and rescheduling take an interval of the doctor's agenda through the one path in
 * placement.ts (locks, the interval rules, the write and its audit event in one transaction).
 * Status changes and notes lock the row and write their audit event in the same transaction.
 */
import { randomBytes } from "node:crypto";
import { sql, type Transaction } from "kysely";
import { recordAudit } from "../audit/audit.js";
import type { DB, Db } from "../db/database.js";
import { decodeCursor, keyPart, toPage } from "../db/keyset.js";
import { Conflict, Forbidden, Invalid, NotFound } from "../errors.js";
import { notifyBooked, notifyChanged } from "../notifications/consultation-notices.js";
import type { NotifyContext } from "../notifications/outbox.js";
import { recordStatusStep } from "../telemedicine/telemedicine.js";
import type { Actor } from "../users/user.js";
import type { Clock } from "./availability.js";
import {
  type ConsultationRow,
  findConsultation,
  insertConsultation,
  lockConsultation,
  selectConsultations,
  toConsultation,
} from "./consultation.sql.js";
import { canReadNotes, canSee } from "./consultation-access.js";
import { placeInAgenda } from "./placement.js";
import type {
  BookInput,
  Consultation,
  ConsultationStatus,
  ListConsultationsQuery,
  PatchConsultationInput,
} from "./scheduling.schema.js";
import { assertTransitionTime } from "./transition-time.js";

async function visible(db: Db, id: string, actor: Actor): Promise<ConsultationRow> {
  const row = await findConsultation(db, id);
  if (!row || !canSee(actor, row)) throw new NotFound("consultation_not_found", "No such consultation.");
  return row;
}

/** The row, locked until the transaction ends. */
async function lockedRow(trx: Transaction<DB>, id: string): Promise<ConsultationRow> {
  await lockConsultation(trx, id);
  const row = await findConsultation(trx, id);
  if (!row) throw new NotFound("consultation_not_found", "No such consultation.");
  return row;
}

/** In the caller's transaction when there is one, else in a new one. */
function inTransaction<T>(db: Db, work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db as Transaction<DB>) : db.transaction().execute(work);
}

function newRoomName(): string {
  // Opaque and unguessable (128 bits); never derived from the id or any personal data.
  return `hf${randomBytes(16).toString("hex")}`;
}

function snapshot(row: ConsultationRow) {
  return { startsAt: row.starts_at.toISOString(), endsAt: row.ends_at.toISOString(), status: row.status };
}

/** Whose agenda a booking goes into: patients book for themselves, staff name the patient. */
function bookingPatient(input: BookInput, actor: Actor): string {
  if (actor.role === "patient") {
    if (input.patientId && input.patientId !== actor.id) {
      throw new Forbidden("forbidden", "Patients book for themselves only.");
    }
    return actor.id;
  }
  if (!input.patientId) throw new Invalid("patient_required", "Say which patient (`patientId`) the booking is for.");
  if (actor.role === "doctor" && input.doctorId !== actor.id) {
    throw new Forbidden("forbidden", "Doctors book in their own agenda only.");
  }
  return input.patientId;
}

/**
 * `notify`: the confirmation, the doctor's notice and the reminders are written to the outbox in the
 * booking's transaction (placement.ts's EXTRA WRITES, through `write`).
 */
export async function book(
  db: Db,
  input: BookInput,
  actor: Actor,
  clock: Clock,
  notify?: NotifyContext,
): Promise<Consultation> {
  const patientId = bookingPatient(input, actor);
  const row = await placeInAgenda(
    db,
    {
      doctorId: input.doctorId,
      patientId,
      actor,
      newBooking: true,
      want: async () => ({
        startsAt: input.startsAt,
        durationMinutes: input.durationMinutes,
        mode: input.mode ?? "video",
      }),
      write: async (trx, interval, agenda) => {
        const inserted = await insertConsultation(trx, {
          doctor_id: input.doctorId,
          patient_id: patientId,
          starts_at: interval.start,
          ends_at: interval.end,
          reason: input.reason ?? null,
          mode: input.mode ?? "video",
          // Every row has a room name (the column is required); an in-person one never opens.
          room_name: newRoomName(),
          created_by: actor.id,
        });
        const row: ConsultationRow = {
          ...inserted,
          doctor_name: agenda.doctorName,
          doctor_specialty: agenda.specialty,
          patient_name: agenda.patientName ?? "",
          doctor_crm: agenda.crm,
          doctor_crm_state: agenda.crmState,
        };
        const audit = {
          actorId: actor.id,
          action: "consultation.create",
          entity: "consultation",
          entityId: row.id,
          details: { after: snapshot(row) },
        };
        if (notify) await notifyBooked(trx, row.id, actor, notify);
        return { row, audit };
      },
    },
    clock,
  );
  return toConsultation(row, { withNotes: canReadNotes(actor, row) });
}

/**
 * Moves a scheduled consultation (a new start, a new duration, or both; the other stays), through
 * the same rules as a booking. If the new time is refused or taken, nothing changes.
 */
export async function reschedule(
  db: Db,
  id: string,
  change: { startsAt?: Date; durationMinutes?: number },
  actor: Actor,
  clock: Clock,
  notify?: NotifyContext,
): Promise<Consultation> {
  const current = await visible(db, id, actor);
  let before: ConsultationRow | undefined;
  const row = await placeInAgenda(
    db,
    {
      doctorId: current.doctor_id,
      patientId: current.patient_id,
      actor,
      newBooking: false,
      moves: { consultationId: id, keepsLength: change.durationMinutes === undefined },
      want: async (trx) => {
        before = await lockedRow(trx, id);
        if (before.status !== "scheduled") {
          throw new Conflict("invalid_transition", `A ${before.status} consultation cannot be rescheduled.`, {
            from: before.status,
          });
        }
        const minutes = Math.round((before.ends_at.getTime() - before.starts_at.getTime()) / 60_000);
        return {
          startsAt: change.startsAt ?? before.starts_at,
          durationMinutes: change.durationMinutes ?? minutes,
          // The mode stays: the new time must be one whose hours offer it.
          mode: before.mode,
          holds: { start: before.starts_at, end: before.ends_at },
        };
      },
      write: async (trx, interval) => {
        await trx
          .updateTable("consultations")
          .set({ starts_at: interval.start, ends_at: interval.end, updated_at: clock.now })
          .where("id", "=", id)
          .execute();
        const after = (await findConsultation(trx, id))!;
        const audit = {
          actorId: actor.id,
          action: "consultation.reschedule",
          entity: "consultation",
          entityId: id,
          details: { before: snapshot(before!), after: snapshot(after) },
        };
        // The updated invite and the moved reminders commit with the new time.
        if (notify) await notifyChanged(trx, id, before!, actor, notify);
        return { row: after, audit };
      },
    },
    clock,
  );
  return toConsultation(row, { withNotes: canReadNotes(actor, row) });
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

/** Keyset-paginated over (starts_at, id). */
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
  // The same window as a range overlap, so the period GiST indexes (migration 0007) bound the scan
  // on both sides: otherwise it walks every earlier consultation, and grows with history.
  if (query.from && query.to && query.from < query.to) {
    const { from, to } = query;
    q = q.where(
      sql<boolean>`tstzrange(c.starts_at, c.ends_at, '[)') && tstzrange(${from}::timestamptz, ${to}::timestamptz, '[)')`,
    );
  }
  if (query.status) q = q.where("c.status", "in", query.status);
  if (query.cursor) {
    const [startsAt, id] = decodeCursor<[Date, string]>(query.cursor, [keyPart.instant, keyPart.uuid]);
    q = q.where((eb) =>
      eb.or([eb("c.starts_at", ">", startsAt), eb.and([eb("c.starts_at", "=", startsAt), eb("c.id", ">", id)])]),
    );
  }
  const rows = await q
    .orderBy("c.starts_at")
    .orderBy("c.id")
    .limit(query.limit + 1)
    .execute();
  // Lists never carry clinical notes: they are read (and audited) one consultation at a time.
  const page = toPage(
    rows,
    query.limit,
    (r) => toConsultation(r, { withNotes: false }),
    (c) => [c.startsAt, c.id],
  );
  return { consultations: page.items, nextCursor: page.nextCursor };
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
    // Where a timing rule is the reason ("start it before completing it"), say that rule.
    assertTransitionTime(row.status, to, row.starts_at, clock.now);
    throw new Conflict("invalid_transition", `A ${row.status} consultation cannot become ${to}.`, {
      from: row.status,
      to,
      allowed: TRANSITIONS[row.status].map((t) => t.to),
    });
  }
  if (!edge.roles.includes(actor.role)) throw new Forbidden("forbidden", "Your role may not make this change.");
  if (to === "cancelled" && actor.role === "patient" && clock.now.getTime() >= row.starts_at.getTime()) {
    throw new Conflict("too_late", "The consultation has started; it can no longer be cancelled by the patient.", {
      startsAt: row.starts_at.toISOString(),
    });
  }
  assertTransitionTime(row.status, to, row.starts_at, clock.now);
}

/**
 * Changes the status along TRANSITIONS (cancelling records its reason). Asking for the status it
 * already has is `invalid_transition`, unless `unchangedIsFine` (a PATCH that also writes notes).
 */
export async function transition(
  db: Db,
  id: string,
  to: ConsultationStatus,
  actor: Actor,
  clock: Clock,
  options: { cancelReason?: string; unchangedIsFine?: boolean; notify?: NotifyContext } = {},
): Promise<Consultation> {
  await visible(db, id, actor);
  return inTransaction(db, async (trx) => {
    const row = await lockedRow(trx, id);
    if (to === row.status) {
      if (options.unchangedIsFine) return toConsultation(row, { withNotes: canReadNotes(actor, row) });
      throw new Conflict("invalid_transition", `The consultation is already ${row.status}.`, { from: row.status });
    }
    assertTransition(row, to, actor, clock);
    const cancelReason = to === "cancelled" ? (options.cancelReason ?? null) : undefined;
    await trx
      .updateTable("consultations")
      .set({
        status: to,
        ...(cancelReason !== undefined ? { cancel_reason: cancelReason } : {}),
        updated_at: clock.now,
      })
      .where("id", "=", id)
      .execute();
    // The teleconsultation record: when it was started or completed, and by whom (issue 15). An
    // in-person consultation is no teleconsultation: it has no such record.
    if (row.mode !== "in_person") await recordStatusStep(trx, id, to, actor.id, clock.now);
    const after = (await findConsultation(trx, id))!;
    await recordAudit(trx, {
      actorId: actor.id,
      action: to === "cancelled" ? "consultation.cancel" : "consultation.status",
      entity: "consultation",
      entityId: id,
      details: { before: snapshot(row), after: snapshot(after), ...(cancelReason ? { cancelReason } : {}) },
    });
    // A cancel sends the cancellation and drops the reminders; other changes drop pending reminders.
    if (options.notify) await notifyChanged(trx, id, row, actor, options.notify);
    return toConsultation(after, { withNotes: canReadNotes(actor, after) });
  });
}

/** Writes the clinical notes: the consultation's doctor and admins only. */
export async function writeNotes(db: Db, id: string, notes: string, actor: Actor, clock: Clock): Promise<Consultation> {
  const current = await visible(db, id, actor);
  if (!canReadNotes(actor, current)) {
    throw new Forbidden("forbidden", "Only the consultation's doctor or an administrator may write notes.");
  }
  return inTransaction(db, async (trx) => {
    const row = await lockedRow(trx, id);
    await trx.updateTable("consultations").set({ notes, updated_at: clock.now }).where("id", "=", id).execute();
    const after = (await findConsultation(trx, id))!;
    await recordAudit(trx, {
      actorId: actor.id,
      action: "consultation.notes",
      entity: "consultation",
      entityId: id,
      details: { before: snapshot(row), after: snapshot(after), notesChanged: true },
    });
    return toConsultation(after, { withNotes: true });
  });
}

export function cancel(
  db: Db,
  id: string,
  reason: string | undefined,
  actor: Actor,
  clock: Clock,
  notify?: NotifyContext,
) {
  return transition(db, id, "cancelled", actor, clock, { cancelReason: reason, notify });
}

/**
 * A PATCH of a consultation (the JSON API's and FHIR's): notes, a new time and a status change,
 * each through its own function above. Several run in one transaction, notes first, so a caller
 * who may not write notes changes nothing.
 */
export async function change(
  db: Db,
  id: string,
  input: PatchConsultationInput & { cancelReason?: string },
  actor: Actor,
  clock: Clock,
  notify?: NotifyContext,
): Promise<Consultation> {
  const { startsAt, durationMinutes, status, notes, cancelReason } = input;
  const changes: ((d: Db) => Promise<Consultation>)[] = [];
  if (notes !== undefined) changes.push((d) => writeNotes(d, id, notes, actor, clock));
  if (startsAt !== undefined || durationMinutes !== undefined) {
    changes.push((d) => reschedule(d, id, { startsAt, durationMinutes }, actor, clock, notify));
  }
  if (status !== undefined) {
    changes.push((d) =>
      transition(d, id, status, actor, clock, { cancelReason, unchangedIsFine: notes !== undefined, notify }),
    );
  }
  if (changes.length === 0) return get(db, id, actor);
  if (changes.length === 1) return changes[0]!(db);
  return inTransaction(db, async (trx) => {
    let last: Consultation | undefined;
    for (const step of changes) last = await step(trx);
    return last!;
  });
}
