/**
 * The rules a consultation's interval must satisfy, in one function for booking and
 * rescheduling alike (`checkInterval`). Pure: the agenda it checks against is read beforehand,
 * in the same transaction (see placement.ts).
 */
import { Invalid, NotFound, Unprocessable } from "../errors.js";
import type { Clock } from "./availability.js";
import { commonModes, coveredSlots, type Interval, type Mode, overlaps, type WeeklyRule } from "./slots.js";

/** What the rules look at: the doctor's profile, weekly rules and nearby time off, and the patient. */
export interface Agenda {
  timezone: string;
  slotMinutes: number;
  doctorName: string;
  specialty: string;
  /** The doctor's CRM and its state (UF); null only for a licence not yet read as one (issue 15). */
  crm: string | null;
  crmState: string | null;
  /** Null when the patient does not exist, is not a patient, or is disabled. */
  patientName: string | null;
  rules: WeeklyRule[];
  /** Time off overlapping the window that was read (at least the wanted interval). */
  timeOff: Interval[];
}

export interface WantedInterval {
  startsAt: Date;
  /** The doctor's slot length when absent. */
  durationMinutes?: number;
  /** In person or video; `video` when absent. The slots' rules must offer it. */
  mode?: Mode;
}

export interface CheckedInterval {
  start: Date;
  end: Date;
  durationMinutes: number;
}

/** The window of time off to read for a wanted interval: from its start, at least 8 hours. */
export function agendaWindow(wanted: WantedInterval): { from: Date; to: Date } {
  const minutes = Math.max(wanted.durationMinutes ?? 0, 480);
  return { from: wanted.startsAt, to: new Date(wanted.startsAt.getTime() + minutes * 60_000) };
}

/**
 * Checks a wanted interval, in this order, and throws the first rule that refuses it: the doctor
 * exists (404 `doctor_not_found`), for a new booking the patient can be booked (404
 * `patient_not_found`), the duration is the slot length or a multiple (400 `invalid_duration`),
 * the notice (422 `too_soon`), the doctor's hours on the slot grid (422 `outside_availability`),
 * the mode offered by the rules of those hours (422 `mode_not_offered`), time off (422
 * `time_off`). Overlaps with other consultations are the database's to refuse.
 */
export function checkInterval(
  agenda: Agenda | undefined,
  wanted: WantedInterval & { newBooking: boolean },
  clock: Clock,
): CheckedInterval {
  if (!agenda) throw new NotFound("doctor_not_found", "No such doctor.");
  if (wanted.newBooking && agenda.patientName === null) throw new NotFound("patient_not_found", "No such patient.");
  const start = wanted.startsAt;
  const durationMinutes = wanted.durationMinutes ?? agenda.slotMinutes;
  if (durationMinutes % agenda.slotMinutes !== 0) {
    throw new Invalid("invalid_duration", `The duration must be ${agenda.slotMinutes} minutes or a multiple of it.`, {
      slotMinutes: agenda.slotMinutes,
    });
  }
  if (start.getTime() < clock.now.getTime() + clock.minNoticeMinutes * 60_000) {
    throw new Unprocessable("too_soon", `Bookings need at least ${clock.minNoticeMinutes} minutes of notice.`, {
      minNoticeMinutes: clock.minNoticeMinutes,
    });
  }
  const grid = { zone: agenda.timezone, slotMinutes: agenda.slotMinutes, rules: agenda.rules };
  const covered = coveredSlots(grid, start.getTime(), durationMinutes);
  if (covered === null) {
    throw new Unprocessable("outside_availability", "The doctor does not see patients at that time.");
  }
  const mode = wanted.mode ?? "video";
  const offered = commonModes(covered);
  if (!offered.includes(mode)) {
    throw new Unprocessable(
      "mode_not_offered",
      mode === "in_person"
        ? "The doctor does not see patients in person at that time."
        : "The doctor does not see patients by video at that time.",
      { mode, offered },
    );
  }
  const end = new Date(start.getTime() + durationMinutes * 60_000);
  const interval = { start: start.getTime(), end: end.getTime() };
  if (agenda.timeOff.some((t) => overlaps(t, interval))) {
    throw new Unprocessable("time_off", "The doctor is away at that time.");
  }
  return { start, end, durationMinutes };
}
