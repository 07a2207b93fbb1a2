/**
 * User management (issue 13): disabling and re-enabling accounts, and a doctor's upcoming load.
 *
 * Disabling keeps everything the account owns (consultations, notes, audit) and only stops the
 * person: every session ends in the same transaction (their next request is 401), sign-in and
 * account links refuse the account, and a disabled doctor leaves the directory and booking. Their
 * future consultations stay where they are: the admin sees how many (the load) and cancels or
 * rebooks them, or re-enables the account.
 */
import { sql } from "kysely";
import { recordAudit } from "../audit/audit.js";
import type { Db } from "../db/database.js";
import { inTransaction } from "../db/transaction.js";
import { Conflict, NotFound } from "../errors.js";
import { isAnonymised } from "../privacy/privacy.js";
import type { Actor } from "./user.js";
import type { DoctorLoad, User } from "./user.schema.js";
import { findUserById, toUser } from "./user.sql.js";

const DAY_MS = 86_400_000;

/**
 * Disables an account and ends its sessions. Refused for oneself (409 `cannot_disable_self`) and
 * for the last active admin (409 `last_admin`). Disabling a disabled account changes nothing.
 */
export async function disableUser(db: Db, id: string, actor: Actor, now: Date): Promise<User> {
  if (id === actor.id) {
    throw new Conflict("cannot_disable_self", "You cannot disable your own account: ask another admin.");
  }
  return inTransaction(db, async (trx) => {
    const row = await trx
      .selectFrom("users")
      .select(["id", "role", "disabled_at"])
      .where("id", "=", id)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw new NotFound("user_not_found", "No such user.");
    if (row.disabled_at) return toUser((await findUserById(trx, id))!);
    if (row.role === "admin") {
      // Lock every active admin (one order for everyone): two admins disabling each other at once
      // are serialised, and the second sees the first's change, so one admin always remains.
      const admins = await trx
        .selectFrom("users")
        .select("id")
        .where("role", "=", "admin")
        .where("disabled_at", "is", null)
        .orderBy("id")
        .forUpdate()
        .execute();
      if (admins.filter((a) => a.id !== id).length === 0) {
        throw new Conflict("last_admin", "This is the last active admin account: it cannot be disabled.");
      }
    }
    await trx.updateTable("users").set({ disabled_at: now }).where("id", "=", id).execute();
    const ended = await trx.deleteFrom("sessions").where("user_id", "=", id).executeTakeFirst();
    await recordAudit(trx, {
      actorId: actor.id,
      action: "user.disable",
      entity: "user",
      entityId: id,
      details: { role: row.role, sessionsEnded: Number(ended.numDeletedRows) },
    });
    return toUser((await findUserById(trx, id))!);
  });
}

/**
 * Re-enables a disabled account (the person signs in again with their password). An anonymised
 * patient stays disabled (409 `anonymised`). Enabling an active account changes nothing.
 */
export async function enableUser(db: Db, id: string, actor: Actor): Promise<User> {
  return inTransaction(db, async (trx) => {
    const row = await trx
      .selectFrom("users")
      .select(["id", "role", "email", "disabled_at"])
      .where("id", "=", id)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw new NotFound("user_not_found", "No such user.");
    if (!row.disabled_at) return toUser((await findUserById(trx, id))!);
    if (isAnonymised(row)) {
      throw new Conflict("anonymised", "This patient was anonymised: the account cannot be enabled again.");
    }
    await trx.updateTable("users").set({ disabled_at: null }).where("id", "=", id).execute();
    await recordAudit(trx, {
      actorId: actor.id,
      action: "user.enable",
      entity: "user",
      entityId: id,
      details: { role: row.role },
    });
    return toUser((await findUserById(trx, id))!);
  });
}

/**
 * A doctor's upcoming load: consultations still `scheduled` that have not ended yet (one whose start
 * has passed but was never started still needs the doctor), counted in all, within 7 and within 30
 * days of `now`, and the next start. Disabled doctors have a load too (the admin moves it).
 */
export async function doctorLoad(db: Db, doctorId: string, now: Date): Promise<DoctorLoad> {
  const doctor = await db
    .selectFrom("doctor_profiles")
    .select("user_id")
    .where("user_id", "=", doctorId)
    .executeTakeFirst();
  if (!doctor) throw new NotFound("doctor_not_found", "No such doctor.");
  const in7 = new Date(now.getTime() + 7 * DAY_MS);
  const in30 = new Date(now.getTime() + 30 * DAY_MS);
  const row = await db
    .selectFrom("consultations")
    .select((eb) => [
      eb.fn.countAll<string | number>().as("upcoming"),
      sql<string | number>`count(*) filter (where ${eb.ref("starts_at")} < ${in7}::timestamptz)`.as("next7"),
      sql<string | number>`count(*) filter (where ${eb.ref("starts_at")} < ${in30}::timestamptz)`.as("next30"),
      eb.fn.min("starts_at").as("next"),
    ])
    .where("doctor_id", "=", doctorId)
    .where("status", "=", "scheduled")
    .where("ends_at", ">", now)
    .executeTakeFirstOrThrow();
  const next = row.next as Date | string | null;
  return {
    doctorId,
    upcoming: Number(row.upcoming),
    next7Days: Number(row.next7),
    next30Days: Number(row.next30),
    nextConsultationAt: next == null ? null : new Date(next).toISOString(),
  };
}
