/**
 * Fair booking: what a patient may book by themselves, so that one self-registered account cannot
 * fill a doctor's agenda (issue #11). Staff (doctors, admins) are not limited.
 *
 * - one slot of the doctor's length (longer consultations are booked by the doctor or an admin);
 * - at most `horizonDays` ahead (422 `too_far_ahead`);
 * - at most `maxActive` future active consultations booked by the patient in all, and
 *   `maxActivePerDoctor` with one doctor (422 `booking_limit`).
 *
 * Called inside the booking (or rescheduling) transaction. The count is made after locking the
 * patient's row (`SELECT ... FOR UPDATE`), so two concurrent bookings by one patient run one after
 * the other and the second counts the first: N racing requests cannot overshoot the limit.
 * Counted are the consultations the patient booked themselves (`created_by`): appointments the
 * clinic makes for them are the clinic's decision.
 */
import { sql } from "kysely";
import type { AppConfig } from "../config/config.js";
import type { Db } from "../db/database.js";
import { Invalid, Unprocessable } from "../errors.js";
import type { Actor } from "../users/user.js";
import type { Clock } from "./availability.js";

export type BookingLimits = AppConfig["booking"];

export interface WantedBooking {
  doctorId: string;
  patientId: string;
  start: Date;
  end: Date;
  /** The doctor's slot length in minutes. */
  slotMinutes: number;
  /** A reschedule: the consultation being moved does not count against its own limit. */
  consultationId?: string;
}

/** Whether `actor` is held to limits at all (patients, when limits are configured). */
export function bookingLimitsApply(actor: Actor, limits: BookingLimits | undefined): limits is BookingLimits {
  return limits !== undefined && actor.role === "patient";
}

/**
 * Throws when a patient may not book `wanted`; does nothing for staff or without limits.
 * `trx` must be the transaction that then inserts (or moves) the consultation.
 */
export async function enforceBookingLimits(
  trx: Db,
  actor: Actor,
  wanted: WantedBooking,
  limits: BookingLimits | undefined,
  clock: Pick<Clock, "now">,
): Promise<void> {
  if (!bookingLimitsApply(actor, limits)) return;
  const minutes = Math.round((wanted.end.getTime() - wanted.start.getTime()) / 60_000);
  if (minutes !== wanted.slotMinutes) {
    throw new Invalid(
      "invalid_duration",
      `Patients book one slot of ${wanted.slotMinutes} minutes; longer consultations are booked by the clinic.`,
      { slotMinutes: wanted.slotMinutes },
    );
  }
  const horizon = clock.now.getTime() + limits.horizonDays * 86_400_000;
  if (wanted.start.getTime() > horizon) {
    throw new Unprocessable("too_far_ahead", `Bookings can be made at most ${limits.horizonDays} days ahead.`, {
      horizonDays: limits.horizonDays,
      latestStart: new Date(horizon).toISOString(),
    });
  }
  // Serialises this patient's bookings: the lock is held until the caller's transaction ends.
  await sql`select id from users where id = ${wanted.patientId}::uuid for update`.execute(trx);
  const { rows } = await sql<{ total: number; with_doctor: number }>`
    select count(*)::int as total,
           (count(*) filter (where doctor_id = ${wanted.doctorId}::uuid))::int as with_doctor
    from consultations
    where patient_id = ${wanted.patientId}::uuid
      and created_by = ${wanted.patientId}::uuid
      and status in ('scheduled', 'in_progress')
      and ends_at > ${clock.now}::timestamptz
      ${wanted.consultationId ? sql`and id <> ${wanted.consultationId}::uuid` : sql``}`.execute(trx);
  const total = Number(rows[0]?.total ?? 0);
  const withDoctor = Number(rows[0]?.with_doctor ?? 0);
  if (total >= limits.maxActive || withDoctor >= limits.maxActivePerDoctor) {
    const perDoctor = withDoctor >= limits.maxActivePerDoctor;
    throw new Unprocessable(
      "booking_limit",
      perDoctor
        ? `You already have ${withDoctor} upcoming consultations with this doctor (at most ${limits.maxActivePerDoctor}).`
        : `You already have ${total} upcoming consultations (at most ${limits.maxActive}).`,
      {
        scope: perDoctor ? "doctor" : "total",
        maxActive: limits.maxActive,
        maxActivePerDoctor: limits.maxActivePerDoctor,
        active: total,
        activeWithDoctor: withDoctor,
      },
    );
  }
}
