/**
 * The one path by which a consultation takes an interval of a doctor's agenda: booking and
 * rescheduling both come through `placeInAgenda`. In one transaction it
 *
 *   1. asks the change what it wants (`want`: a reschedule locks and reads its row here);
 *   2. reads the agenda and checks the wanted interval (`checkInterval`, the one rule check);
 *   3. locks the hours of the doctor's and the patient's agendas that the change touches
 *      (`lockAgendas`), so conflicting writers queue instead of deadlocking inside the EXCLUDE
 *      constraints;
 *   4. runs further checks of the same booking (see EXTRA CHECKS below);
 *   5. writes the consultation (`write`) and records its audit event (`recordAudit`);
 *   6. makes further writes of the same change (see EXTRA WRITES below).
 *
 * The database still has the last word on overlaps: its refusal becomes 409 `slot_taken` with the
 * next free slots.
 */
import { type Kysely, sql, type Transaction } from "kysely";
import { type AuditInput, recordAudit } from "../audit/audit.js";
import type { DB, Db } from "../db/database.js";
import { isExclusionViolation, isRetryableConflict, violatedConstraint } from "../db/pg-errors.js";
import { Conflict } from "../errors.js";
import type { Actor } from "../users/user.js";
import { type Clock, listSlots } from "./availability.js";
import { enforceBookingLimits } from "./booking-limits.js";
import { type ConsultationRow, lockAgendas, readAgenda } from "./consultation.sql.js";
import {
  type Agenda,
  agendaWindow,
  type CheckedInterval,
  checkInterval,
  type WantedInterval,
} from "./interval-rules.js";

export interface Placement {
  doctorId: string;
  patientId: string;
  actor: Actor;
  /** A new booking: the patient must be bookable (an unknown or disabled patient is 404). */
  newBooking: boolean;
  /**
   * A reschedule: the consultation moved does not count against the patient's own limits, and one
   * that keeps its length is not held to the doctor's slot length (booking-limits.ts).
   */
  moves?: { consultationId: string; keepsLength: boolean };
  /**
   * Reads what the change starts from and names the interval it wants, and the one it holds now
   * (a reschedule's): both are locked.
   */
  want(trx: Transaction<DB>): Promise<WantedInterval & { holds?: { start: Date; end: Date } }>;
  /** Writes the consultation at the checked interval; returns its row and the audit event to record. */
  write(
    trx: Transaction<DB>,
    interval: CheckedInterval,
    agenda: Agenda,
  ): Promise<{ row: ConsultationRow; audit: AuditInput }>;
}

export async function placeInAgenda(db: Db, placement: Placement, clock: Clock): Promise<ConsultationRow> {
  let mode: WantedInterval["mode"];
  try {
    return await inTransaction(db, async (trx) => {
      const wanted = await placement.want(trx);
      mode = wanted.mode;
      const { from, to } = agendaWindow(wanted);
      const agenda = await readAgenda(trx, placement.doctorId, placement.patientId, from, to);
      const interval = checkInterval(agenda, { ...wanted, newBooking: placement.newBooking }, clock);
      const parties = [placement.doctorId, placement.patientId];
      await lockAgendas(trx, parties, wanted.holds ? [interval, wanted.holds] : [interval]);
      // EXTRA CHECKS of a booking go here, after the locks. A check that counts across a whole
      // agenda (limits per patient, ...) takes its own lock on it first, so concurrent bookings
      // cannot both pass it.
      await enforceBookingLimits(
        trx,
        placement.actor,
        {
          doctorId: placement.doctorId,
          patientId: placement.patientId,
          start: interval.start,
          end: interval.end,
          slotMinutes: placement.moves?.keepsLength ? interval.durationMinutes : agenda!.slotMinutes,
          consultationId: placement.moves?.consultationId,
        },
        clock.booking,
        clock,
      );
      const { row, audit } = await placement.write(trx, interval, agenda!);
      await recordAudit(trx, audit);
      // EXTRA WRITES of the same change (an outbox event, ...) go here: they commit or roll back
      // with it.
      return row;
    });
  } catch (err) {
    if (isExclusionViolation(err)) throw await slotTaken(db, err, placement.doctorId, clock, mode);
    throw err;
  }
}

const ATTEMPTS = 3;

/**
 * Runs `work` in a transaction of its own, again (at most ATTEMPTS times) when PostgreSQL aborts it
 * as a deadlock or serialization victim; or, inside the caller's transaction, under a savepoint, so
 * that a refusal leaves the caller's transaction usable (for `slotTaken`) and theirs to end.
 */
async function inTransaction<T>(db: Db, work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  if (db.isTransaction) {
    const trx = db as Transaction<DB>;
    await sql`savepoint place_in_agenda`.execute(trx);
    try {
      const result = await work(trx);
      await sql`release savepoint place_in_agenda`.execute(trx);
      return result;
    } catch (err) {
      await sql`rollback to savepoint place_in_agenda`.execute(trx);
      throw err;
    }
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await (db as Kysely<DB>).transaction().execute(work);
    } catch (err) {
      if (!isRetryableConflict(err) || attempt >= ATTEMPTS) throw err;
    }
  }
}

/** Turns the database's overlap refusal into a conflict that helps: the next free slots (in the wanted mode). */
async function slotTaken(
  db: Db,
  err: unknown,
  doctorId: string,
  clock: Clock,
  mode: WantedInterval["mode"],
): Promise<Conflict> {
  const who = violatedConstraint(err)?.includes("patient") ? "patient" : "doctor";
  const from = clock.now;
  const to = new Date(from.getTime() + 14 * 86_400_000);
  const next = await listSlots(db, doctorId, from, to, clock, mode ?? "video").catch(() => []);
  return new Conflict(
    "slot_taken",
    who === "doctor"
      ? "This time was just taken. Pick another slot."
      : "The patient already has a consultation at this time.",
    { conflictWith: who, nextSlots: next.slice(0, 3) },
  );
}
