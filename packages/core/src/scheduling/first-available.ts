/**
 * "First available" (issue #13): the earliest free slot of each doctor of a specialty, earliest
 * first, at most `FIRST_AVAILABLE_MAX`. The slots come from the same computation as a doctor's slot
 * list (slots.ts `freeSlots`: DST-correct, minus time off and active consultations, minimum notice),
 * so whatever it offers can be booked.
 *
 * Cost: the search walks forward in growing windows (1, 2, 4, 8, 16 days, then the rest up to
 * `FIRST_AVAILABLE_DAYS`); each window costs one query for the busy intervals of the doctors still
 * without a slot, and the walk stops as soon as every doctor has one, or the ten best found start
 * before the next window. A clinic whose doctors are free tomorrow reads one day, not 62.
 * For a patient, slots past the booking horizon (HEALTHFLOW_BOOKING_HORIZON_DAYS) are not offered:
 * booking them would be refused.
 */
import { sql } from "kysely";
import type { Db } from "../db/database.js";
import { foldSearchText } from "../users/search-text.js";
import type { Actor } from "../users/user.js";
import type { Clock } from "./availability.js";
import { bookingLimitsApply } from "./booking-limits.js";
import type { FirstAvailableSlot } from "./scheduling.schema.js";
import { freeSlots, type Interval, type Mode, type WeeklyRule } from "./slots.js";

export const FIRST_AVAILABLE_MAX = 10;
/** How far ahead it looks: the slot list's own limit. */
export const FIRST_AVAILABLE_DAYS = 62;
const WINDOW_ENDS_DAYS = [1, 3, 7, 15, 31, FIRST_AVAILABLE_DAYS];
const DAY = 86_400_000;

interface DoctorRow {
  id: string;
  name: string;
  timezone: string;
  slot_minutes: number;
}

export async function firstAvailable(
  db: Db,
  query: { specialty: string; from?: Date; mode?: Mode },
  actor: Actor,
  clock: Clock,
): Promise<FirstAvailableSlot[]> {
  const doctors: DoctorRow[] = await db
    .selectFrom("doctor_profiles")
    .innerJoin("users", "users.id", "doctor_profiles.user_id")
    .select(["users.id", "users.name", "doctor_profiles.timezone", "doctor_profiles.slot_minutes"])
    .where("users.disabled_at", "is", null)
    .where(sql<boolean>`hf_search_fold(doctor_profiles.specialty) = ${foldSearchText(query.specialty.trim())}`)
    .orderBy("users.name")
    .orderBy("users.id")
    .execute();
  if (doctors.length === 0) return [];
  const rules = await rulesOf(
    db,
    doctors.map((d) => d.id),
  );
  let pending = doctors.filter((d) => (rules.get(d.id)?.length ?? 0) > 0);

  const notBefore = clock.now.getTime() + clock.minNoticeMinutes * 60_000;
  const start = Math.max(query.from?.getTime() ?? clock.now.getTime(), clock.now.getTime());
  let end = start + FIRST_AVAILABLE_DAYS * DAY;
  if (bookingLimitsApply(actor, clock.booking)) {
    end = Math.min(end, clock.now.getTime() + clock.booking.horizonDays * DAY + 1);
  }

  const found: Array<FirstAvailableSlot & { at: number }> = [];
  let windowStart = start;
  for (const days of WINDOW_ENDS_DAYS) {
    if (pending.length === 0 || windowStart >= end) break;
    found.sort((a, b) => a.at - b.at);
    // The ten best already start before this window: nothing later can displace them.
    if (found.length >= FIRST_AVAILABLE_MAX && found[FIRST_AVAILABLE_MAX - 1]!.at < windowStart) break;
    const windowEnd = Math.min(start + days * DAY, end);
    const blocked = await blockedOf(
      db,
      pending.map((d) => d.id),
      new Date(windowStart),
      new Date(windowEnd),
    );
    const stillPending: DoctorRow[] = [];
    for (const doctor of pending) {
      const slot = freeSlots({
        zone: doctor.timezone,
        slotMinutes: doctor.slot_minutes,
        rules: rules.get(doctor.id)!,
        from: windowStart,
        to: windowEnd,
        blocked: blocked.get(doctor.id) ?? [],
        notBefore,
      }).find((s) => !query.mode || s.modes.includes(query.mode));
      if (slot) {
        found.push({
          doctorId: doctor.id,
          doctorName: doctor.name,
          startsAt: new Date(slot.start).toISOString(),
          endsAt: new Date(slot.end).toISOString(),
          modes: [...slot.modes],
          at: slot.start,
        });
      } else {
        stillPending.push(doctor);
      }
    }
    pending = stillPending;
    windowStart = windowEnd;
  }
  return found
    .sort((a, b) => a.at - b.at || a.doctorName.localeCompare(b.doctorName))
    .slice(0, FIRST_AVAILABLE_MAX)
    .map(({ at: _at, ...slot }) => slot);
}

async function rulesOf(db: Db, doctorIds: string[]): Promise<Map<string, WeeklyRule[]>> {
  const rows = await db
    .selectFrom("availability_rules")
    .select(["doctor_id", "weekday", "start_minute", "end_minute"])
    // As text, as availability.sql.ts reads them: the Data API returns no arrays.
    .select(sql<string>`array_to_string(modes, ',')`.as("modes"))
    .where("doctor_id", "in", doctorIds)
    .orderBy("weekday")
    .orderBy("start_minute")
    .execute();
  const byDoctor = new Map<string, WeeklyRule[]>();
  for (const r of rows) {
    const list = byDoctor.get(r.doctor_id) ?? [];
    list.push({
      weekday: r.weekday,
      startMinute: r.start_minute,
      endMinute: r.end_minute,
      modes: r.modes.split(",") as Mode[],
    });
    byDoctor.set(r.doctor_id, list);
  }
  return byDoctor;
}

/** Time off and active consultations of several doctors overlapping [from, to) (as availability.sql.ts `selectBlocked`). */
async function blockedOf(db: Db, doctorIds: string[], from: Date, to: Date): Promise<Map<string, Interval[]>> {
  const rows = await db
    .selectFrom("time_off")
    .select(["doctor_id", "starts_at", "ends_at"])
    .where("doctor_id", "in", doctorIds)
    .where("starts_at", "<", to)
    .where("ends_at", ">", from)
    .unionAll(
      db
        .selectFrom("consultations")
        .select(["doctor_id", "starts_at", "ends_at"])
        .where("doctor_id", "in", doctorIds)
        // Literal, not parameters: the planner must see it equals the partial index's predicate.
        .where(sql<boolean>`status in ('scheduled', 'in_progress')`)
        .where(
          sql<boolean>`tstzrange(starts_at, ends_at, '[)') && tstzrange(${from}::timestamptz, ${to}::timestamptz, '[)')`,
        ),
    )
    .execute();
  const byDoctor = new Map<string, Interval[]>();
  for (const r of rows) {
    const list = byDoctor.get(r.doctor_id) ?? [];
    list.push({ start: r.starts_at.getTime(), end: r.ends_at.getTime() });
    byDoctor.set(r.doctor_id, list);
  }
  return byDoctor;
}
