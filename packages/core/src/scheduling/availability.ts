/**
 * A doctor's working pattern: weekly wall-clock rules in the doctor's zone, time off, and the free
 * slots derived from them.
 */

import { recordAudit } from "../audit/audit.js";
import type { AppConfig } from "../config/config.js";
import type { Db } from "../db/database.js";
import { Forbidden, Invalid, NotFound } from "../errors.js";
import type { Actor } from "../users/user.js";
import { findDoctorProfile, replaceRules, selectBlocked, selectRules, selectTimeOff } from "./availability.sql.js";
import type { Availability, PutAvailabilityInput, Slot, TimeOff, TimeOffInput } from "./scheduling.schema.js";
import { ALL_MODES, freeSlots, type Mode, type WeeklyRule } from "./slots.js";
import { formatHhmm, parseHhmm } from "./zoned-time.js";

export interface Clock {
  now: Date;
  minNoticeMinutes: number;
  /** What a patient may book by themselves (booking-limits.ts); absent: no limits (seed, tools). */
  booking?: AppConfig["booking"];
}

export async function requireDoctor(db: Db, doctorId: string) {
  const profile = await findDoctorProfile(db, doctorId);
  if (!profile) throw new NotFound("doctor_not_found", "No such doctor.");
  return profile;
}

/** Only the doctor themself or an admin may change a doctor's schedule. */
export function assertMayManage(actor: Actor, doctorId: string): void {
  if (actor.role === "admin" || (actor.role === "doctor" && actor.id === doctorId)) return;
  throw new Forbidden("forbidden", "Only this doctor or an administrator may change this schedule.");
}

function toWire(timezone: string, slotMinutes: number, rules: WeeklyRule[]): Availability {
  return {
    timezone,
    slotMinutes,
    rules: rules.map((r) => ({
      weekday: r.weekday,
      start: formatHhmm(r.startMinute),
      end: formatHhmm(r.endMinute),
      modes: [...(r.modes ?? ALL_MODES)],
    })),
  };
}

export async function getAvailability(db: Db, doctorId: string): Promise<Availability> {
  const profile = await requireDoctor(db, doctorId);
  return toWire(profile.timezone, profile.slot_minutes, await selectRules(db, doctorId));
}

/** Replaces the weekly rules (and optionally zone and slot length) in one transaction. */
export async function putAvailability(
  db: Db,
  doctorId: string,
  input: PutAvailabilityInput,
  actor: Actor,
): Promise<Availability> {
  const rules: WeeklyRule[] = input.rules
    .map((r) => ({
      weekday: r.weekday,
      startMinute: parseHhmm(r.start),
      endMinute: parseHhmm(r.end),
      // Both when not said (clients written before modes keep offering both); in a fixed order.
      modes: ALL_MODES.filter((m) => (r.modes ?? ALL_MODES).includes(m)),
    }))
    .sort((a, b) => a.weekday - b.weekday || a.startMinute - b.startMinute);
  for (let i = 1; i < rules.length; i++) {
    const prev = rules[i - 1]!;
    const cur = rules[i]!;
    if (prev.weekday === cur.weekday && cur.startMinute < prev.endMinute) {
      throw new Invalid("overlapping_rules", "Two windows of the same weekday overlap.", {
        weekday: cur.weekday,
      });
    }
  }
  return db.transaction().execute(async (trx) => {
    const before = await getAvailability(trx, doctorId);
    assertMayManage(actor, doctorId);
    if (input.timezone !== undefined || input.slotMinutes !== undefined) {
      await trx
        .updateTable("doctor_profiles")
        .set({
          ...(input.timezone !== undefined ? { timezone: input.timezone } : {}),
          ...(input.slotMinutes !== undefined ? { slot_minutes: input.slotMinutes } : {}),
        })
        .where("user_id", "=", doctorId)
        .execute();
    }
    await replaceRules(trx, doctorId, rules);
    const after = await getAvailability(trx, doctorId);
    await recordAudit(trx, {
      actorId: actor.id,
      action: "availability.update",
      entity: "doctor",
      entityId: doctorId,
      details: { before, after },
    });
    return after;
  });
}

function timeOffToWire(row: { id: string; starts_at: Date; ends_at: Date; reason: string | null }): TimeOff {
  return {
    id: row.id,
    startsAt: row.starts_at.toISOString(),
    endsAt: row.ends_at.toISOString(),
    reason: row.reason,
  };
}

/**
 * Blocks an interval. Consultations already booked inside it are left alone (the doctor decides
 * whom to reschedule); new bookings there are refused with `time_off`.
 */
export async function addTimeOff(db: Db, doctorId: string, input: TimeOffInput, actor: Actor): Promise<TimeOff> {
  await requireDoctor(db, doctorId);
  assertMayManage(actor, doctorId);
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto("time_off")
      .values({
        doctor_id: doctorId,
        starts_at: input.startsAt,
        ends_at: input.endsAt,
        reason: input.reason ?? null,
        created_by: actor.id,
      })
      .returning(["id", "starts_at", "ends_at", "reason"])
      .executeTakeFirstOrThrow();
    const timeOff = timeOffToWire(row);
    await recordAudit(trx, {
      actorId: actor.id,
      action: "time_off.create",
      entity: "doctor",
      entityId: doctorId,
      details: { timeOff },
    });
    return timeOff;
  });
}

/**
 * Everyone signed in sees when a doctor is away (to book around it); why is private (it can be a
 * health matter): the reason goes to the doctor themself and admins only, others get `null`.
 */
export async function listTimeOff(
  db: Db,
  doctorId: string,
  range: { from?: Date; to?: Date },
  actor: Actor,
): Promise<TimeOff[]> {
  await requireDoctor(db, doctorId);
  const mayReadReasons = actor.role === "admin" || actor.id === doctorId;
  return (await selectTimeOff(db, doctorId, range.from, range.to))
    .map(timeOffToWire)
    .map((t) => (mayReadReasons ? t : { ...t, reason: null }));
}

export async function deleteTimeOff(db: Db, doctorId: string, timeOffId: string, actor: Actor): Promise<void> {
  await requireDoctor(db, doctorId);
  assertMayManage(actor, doctorId);
  await db.transaction().execute(async (trx) => {
    const row = await trx
      .deleteFrom("time_off")
      .where("id", "=", timeOffId)
      .where("doctor_id", "=", doctorId)
      .returning(["id", "starts_at", "ends_at", "reason"])
      .executeTakeFirst();
    if (!row) throw new NotFound("time_off_not_found", "No such time off.");
    await recordAudit(trx, {
      actorId: actor.id,
      action: "time_off.delete",
      entity: "doctor",
      entityId: doctorId,
      details: { timeOff: timeOffToWire(row) },
    });
  });
}

/** Free slots of a doctor in [from, to), in UTC, each with its modes; only those offering `mode` if given. */
export async function listSlots(
  db: Db,
  doctorId: string,
  from: Date,
  to: Date,
  clock: Clock,
  mode?: Mode,
): Promise<Slot[]> {
  // In parallel: for an unknown doctor the other two simply come back empty.
  const [profile, rules, blocked] = await Promise.all([
    requireDoctor(db, doctorId),
    selectRules(db, doctorId),
    selectBlocked(db, doctorId, from, to),
  ]);
  return freeSlots({
    zone: profile.timezone,
    slotMinutes: profile.slot_minutes,
    rules,
    from: from.getTime(),
    to: to.getTime(),
    blocked,
    notBefore: clock.now.getTime() + clock.minNoticeMinutes * 60_000,
  })
    .filter((s) => mode === undefined || s.modes.includes(mode))
    .map((s) => ({
      startsAt: new Date(s.start).toISOString(),
      endsAt: new Date(s.end).toISOString(),
      modes: [...s.modes],
    }));
}
