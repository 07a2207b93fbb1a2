import { sql } from "kysely";
import type { Db } from "../db/database.js";
import { ALL_MODES, type Interval, type Mode, type WeeklyRule } from "./slots.js";

export async function findDoctorProfile(db: Db, doctorId: string) {
  return db
    .selectFrom("doctor_profiles")
    .innerJoin("users", "users.id", "doctor_profiles.user_id")
    .select(["user_id", "timezone", "slot_minutes", "users.name", "specialty"])
    .where("user_id", "=", doctorId)
    .where("users.disabled_at", "is", null)
    .executeTakeFirst();
}

export async function selectRules(db: Db, doctorId: string): Promise<WeeklyRule[]> {
  const rows = await db
    .selectFrom("availability_rules")
    .select(["weekday", "start_minute", "end_minute"])
    // As text: an array column is not something every engine returns as an array (the Data API).
    .select(sql<string>`array_to_string(modes, ',')`.as("modes"))
    .where("doctor_id", "=", doctorId)
    .orderBy("weekday")
    .orderBy("start_minute")
    .execute();
  return rows.map((r) => ({
    weekday: r.weekday,
    startMinute: r.start_minute,
    endMinute: r.end_minute,
    modes: r.modes.split(",") as Mode[],
  }));
}

export async function replaceRules(db: Db, doctorId: string, rules: WeeklyRule[]): Promise<void> {
  await db.deleteFrom("availability_rules").where("doctor_id", "=", doctorId).execute();
  if (rules.length === 0) return;
  await db
    .insertInto("availability_rules")
    .values(
      rules.map((r) => ({
        doctor_id: doctorId,
        weekday: r.weekday,
        start_minute: r.startMinute,
        end_minute: r.endMinute,
        // As text turned into an array by the database: the Data API carries no array parameters.
        modes: sql<Mode[]>`string_to_array(${(r.modes ?? ALL_MODES).join(",")}, ',')`,
      })),
    )
    .execute();
}

/**
 * Time off and active consultations of a doctor overlapping [from, to): what makes slots busy.
 *
 * Consultations are matched with the same range overlap, doctor and status predicate as the
 * `consultations_doctor_no_overlap` constraint, so PostgreSQL answers from that constraint's GiST
 * index. A plain `starts_at < to` on the btree index would walk every past consultation of the
 * doctor (thousands for a busy one) to find the few in the window.
 */
export async function selectBlocked(db: Db, doctorId: string, from: Date, to: Date): Promise<Interval[]> {
  const rows = await db
    .selectFrom("time_off")
    .select(["starts_at", "ends_at"])
    .where("doctor_id", "=", doctorId)
    .where("starts_at", "<", to)
    .where("ends_at", ">", from)
    .unionAll(
      db
        .selectFrom("consultations")
        .select(["starts_at", "ends_at"])
        .where("doctor_id", "=", doctorId)
        // Literal, not parameters: the planner must see it equals the partial index's predicate.
        .where(sql<boolean>`status in ('scheduled', 'in_progress')`)
        .where(
          sql<boolean>`tstzrange(starts_at, ends_at, '[)') && tstzrange(${from}::timestamptz, ${to}::timestamptz, '[)')`,
        ),
    )
    .execute();
  return rows.map((r) => ({ start: r.starts_at.getTime(), end: r.ends_at.getTime() }));
}

export async function selectTimeOff(db: Db, doctorId: string, from?: Date, to?: Date) {
  let q = db.selectFrom("time_off").select(["id", "starts_at", "ends_at", "reason"]).where("doctor_id", "=", doctorId);
  if (from) q = q.where("ends_at", ">", from);
  if (to) q = q.where("starts_at", "<", to);
  return q.orderBy("starts_at").limit(1000).execute();
}

export async function overlapsTimeOff(db: Db, doctorId: string, start: Date, end: Date): Promise<boolean> {
  const row = await db
    .selectFrom("time_off")
    .select(sql<number>`1`.as("one"))
    .where("doctor_id", "=", doctorId)
    .where("starts_at", "<", end)
    .where("ends_at", ">", start)
    .executeTakeFirst();
  return row !== undefined;
}
