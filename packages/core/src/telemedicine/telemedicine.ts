/**
 * Teleconsultation as Resolução CFM nº 2.314/2022 requires: the patient's consent (per text
 * version, given once, withdrawable), check-in inside the room's window, the waiting room the
 * doctor watches, and the record of every step (who, when).
 *
 * The patient may act with their session or with their room link (the room page needs no
 * session): `Caller` carries either, and `participantIn` decides who that is for a consultation.
 */
import { sql } from "kysely";
import { recordAudit } from "../audit/audit.js";
import type { Db } from "../db/database.js";
import { isUniqueViolation } from "../db/pg-errors.js";
import { Conflict, Forbidden, Gone, NotFound, TooEarly, Unauthenticated } from "../errors.js";
import { assertHasRoom, roomWindow } from "../rooms/room.js";
import { verifyRoomToken } from "../rooms/room-token.js";
import { type ConsultationRow, findConsultation } from "../scheduling/consultation.sql.js";
import type { Actor } from "../users/user.js";
import type { ConsentText } from "./consent-text.js";
import { formatLicense } from "./crm.js";
import type { Consent, RoomStatus, WaitingRoom } from "./telemedicine.schema.js";

const CLOSED = new Set(["cancelled", "completed", "no_show"]);

export interface Caller {
  /** The signed-in user, if any. */
  user?: Actor;
  /** A room link's token, if the page sent one. */
  roomToken?: string;
  /** The HMAC secret room tokens are signed with. */
  secret?: string;
}

export interface ClientInfo {
  ip?: string;
  userAgent?: string;
}

type Participant = { role: "patient" | "doctor" | "admin"; userId: string; via: "session" | "room_link" };

/**
 * Who the caller is in this consultation. A room token must name this consultation (else 403);
 * a session must be its doctor, its patient or an admin (else 404: existence is not revealed).
 */
async function participantIn(db: Db, id: string, caller: Caller, now: Date) {
  const row = await findConsultation(db, id);
  if (caller.roomToken && caller.secret) {
    const verified = await verifyRoomToken(caller.secret, caller.roomToken, now);
    if (!verified.ok) {
      if (verified.reason === "expired") throw new Gone("room_expired", "This room link has expired.");
      throw new Unauthenticated("invalid_room_token", "This room link is not valid.");
    }
    if (!row || verified.claims.consultationId !== id) {
      throw new Forbidden("forbidden", "This room link is for another consultation.");
    }
    if (verified.claims.generation !== row.room_link_generation) {
      throw new Gone("link_revoked", "This room link was revoked; ask for a new one.");
    }
    const role = verified.claims.role;
    return {
      row,
      who: { role, userId: role === "doctor" ? row.doctor_id : row.patient_id, via: "room_link" } as Participant,
    };
  }
  const user = caller.user;
  if (!user) throw new Unauthenticated("unauthenticated", "Sign in to continue.");
  if (!row) throw new NotFound("consultation_not_found", "No such consultation.");
  let role: Participant["role"];
  if (row.patient_id === user.id) role = "patient";
  else if (row.doctor_id === user.id) role = "doctor";
  else if (user.role === "admin") role = "admin";
  else throw new NotFound("consultation_not_found", "No such consultation.");
  return { row, who: { role, userId: user.id, via: "session" } as Participant };
}

type ConsentRow = {
  id: string;
  version: string;
  text_hash: string;
  given_at: Date;
  consultation_id: string | null;
  withdrawn_at: Date | null;
};

function toConsent(r: ConsentRow): Consent {
  return {
    id: r.id,
    version: r.version,
    hash: r.text_hash,
    givenAt: r.given_at.toISOString(),
    consultationId: r.consultation_id,
    withdrawnAt: r.withdrawn_at ? r.withdrawn_at.toISOString() : null,
  };
}

const consentColumns = ["id", "version", "text_hash", "given_at", "consultation_id", "withdrawn_at"] as const;

/** The patient's agreement in force for this version of the text, if any. */
export async function activeConsent(db: Db, patientId: string, version: string): Promise<Consent | undefined> {
  const row = await db
    .selectFrom("telemedicine_consents")
    .select(consentColumns)
    .where("patient_id", "=", patientId)
    .where("version", "=", version)
    .where("withdrawn_at", "is", null)
    .executeTakeFirst();
  return row ? toConsent(row) : undefined;
}

/** Every agreement a patient gave, withdrawn ones included (the LGPD export). */
export async function consentsOf(
  db: Db,
  patientId: string,
): Promise<(Consent & { clientIp: string | null; userAgent: string | null })[]> {
  const rows = await db
    .selectFrom("telemedicine_consents")
    .select([...consentColumns, "client_ip", "user_agent"])
    .where("patient_id", "=", patientId)
    .orderBy("given_at")
    .orderBy("id")
    .execute();
  return rows.map((r) => ({ ...toConsent(r), clientIp: r.client_ip, userAgent: r.user_agent }));
}

/** Makes sure the consultation has its record row; returns nothing (the caller updates it). */
async function ensureRecord(db: Db, consultationId: string): Promise<void> {
  await sql`insert into teleconsultation_records (consultation_id) values (${consultationId}::uuid)
    on conflict (consultation_id) do nothing`.execute(db);
}

/** Links the consultation's record to the consent it relies on (once: the first one stays). */
async function attachConsent(db: Db, consultationId: string, consentId: string, now: Date): Promise<void> {
  await ensureRecord(db, consultationId);
  await db
    .updateTable("teleconsultation_records")
    .set({ consent_id: consentId, updated_at: now })
    .where("consultation_id", "=", consultationId)
    .where("consent_id", "is", null)
    .execute();
}

function consentRequired(text: ConsentText, row: ConsultationRow) {
  return new Forbidden("consent_required", "The patient's consent to teleconsultation is needed first.", {
    version: text.version,
    hash: text.hash,
    consultationId: row.id,
    doctor: {
      name: row.doctor_name,
      crm: row.doctor_crm ?? null,
      crmState: row.doctor_crm_state ?? null,
      licenseNumber:
        row.doctor_crm && row.doctor_crm_state ? formatLicense(row.doctor_crm, row.doctor_crm_state) : null,
    },
  });
}

/**
 * The patient agrees to the text in force, for this consultation and those that follow until they
 * withdraw or the text's version changes. Agreeing again to a version already in force returns the
 * agreement in force. A stale version (the page showed an older text) is 409 with the current one.
 */
export async function giveConsent(
  db: Db,
  consultationId: string,
  version: string,
  caller: Caller,
  text: ConsentText,
  client: ClientInfo,
  now: Date,
): Promise<Consent> {
  const { row, who } = await participantIn(db, consultationId, caller, now);
  if (who.role !== "patient") throw new Forbidden("forbidden", "Only the patient gives this consent.");
  if (version !== text.version) {
    throw new Conflict("consent_version_mismatch", "The consent text has changed; read the current one.", {
      version: text.version,
    });
  }
  try {
    return await insertConsent(db, row, who.via, version, text, client, now);
  } catch (err) {
    // Two tabs agreeing at once: the unique index keeps one agreement in force; the other gets it.
    if (!isUniqueViolation(err)) throw err;
    const existing = await activeConsent(db, row.patient_id, version);
    if (!existing) throw err;
    return existing;
  }
}

async function insertConsent(
  db: Db,
  row: ConsultationRow,
  via: Participant["via"],
  version: string,
  text: ConsentText,
  client: ClientInfo,
  now: Date,
): Promise<Consent> {
  const consultationId = row.id;
  return db.transaction().execute(async (trx) => {
    const existing = await activeConsent(trx, row.patient_id, version);
    if (existing) {
      await attachConsent(trx, consultationId, existing.id, now);
      return existing;
    }
    const created = await trx
      .insertInto("telemedicine_consents")
      .values({
        patient_id: row.patient_id,
        consultation_id: consultationId,
        version,
        text_hash: text.hash,
        given_at: now,
        client_ip: client.ip?.slice(0, 64) ?? null,
        user_agent: client.userAgent?.slice(0, 512) ?? null,
      })
      .returning(consentColumns)
      .executeTakeFirstOrThrow();
    await attachConsent(trx, consultationId, created.id, now);
    await recordAudit(trx, {
      actorId: row.patient_id,
      action: "telemedicine.consent_given",
      entity: "consultation",
      entityId: consultationId,
      details: { consentId: created.id, version, hash: text.hash, via },
    });
    return toConsent(created);
  });
}

/**
 * Withdraws the patient's consent for future consultations (every version in force). Past records
 * keep the reference to the consent they relied on. Idempotent: nothing in force is not an error.
 */
export async function withdrawConsent(db: Db, consultationId: string, caller: Caller, now: Date): Promise<number> {
  const { row, who } = await participantIn(db, consultationId, caller, now);
  if (who.role !== "patient") throw new Forbidden("forbidden", "Only the patient withdraws this consent.");
  return db.transaction().execute(async (trx) => {
    const withdrawn = await trx
      .updateTable("telemedicine_consents")
      .set({ withdrawn_at: now })
      .where("patient_id", "=", row.patient_id)
      .where("withdrawn_at", "is", null)
      .returning(["id", "version"])
      .execute();
    if (withdrawn.length > 0) {
      await recordAudit(trx, {
        actorId: row.patient_id,
        action: "telemedicine.consent_withdrawn",
        entity: "consultation",
        entityId: consultationId,
        details: { consentIds: withdrawn.map((w) => w.id), versions: withdrawn.map((w) => w.version) },
      });
    }
    return withdrawn.length;
  });
}

/**
 * The room's consent gate (rooms/room.ts calls it before opening a room): the patient needs an
 * agreement in force for the current text, which the consultation's record then references. The
 * doctor is never blocked.
 */
export function consentGate(db: Db, text: ConsentText) {
  return async (row: ConsultationRow, role: "doctor" | "patient", now: Date): Promise<void> => {
    if (role !== "patient") return;
    const consent = await activeConsent(db, row.patient_id, text.version);
    if (!consent) throw consentRequired(text, row);
    await attachConsent(db, row.id, consent.id, now);
  };
}

/** Records that a participant opened the room (the first time counts). */
export async function roomOpened(db: Db, consultationId: string, role: "doctor" | "patient", now: Date) {
  await ensureRecord(db, consultationId);
  const column = role === "doctor" ? "doctor_opened_at" : "patient_opened_at";
  await db
    .updateTable("teleconsultation_records")
    .set({ [column]: now, updated_at: now })
    .where("consultation_id", "=", consultationId)
    .where(column, "is", null)
    .execute();
}

/**
 * "I'm ready": the patient (or the doctor) checks in, from the room's opening (15 minutes before
 * the start) until it closes. Before: 425 with the opening time. The patient needs consent in force.
 * The first check-in counts; checking in again answers the same time.
 */
export async function checkIn(
  db: Db,
  consultationId: string,
  caller: Caller,
  text: ConsentText,
  now: Date,
): Promise<{ checkedInAt: string; role: "doctor" | "patient" }> {
  const { row, who } = await participantIn(db, consultationId, caller, now);
  if (who.role === "admin") throw new Forbidden("forbidden", "Only the consultation's patient or doctor checks in.");
  // Check-in is to the consult room's waiting room: an in-person consultation has none.
  assertHasRoom(row);
  if (CLOSED.has(row.status)) {
    throw new Gone("room_closed", `The consultation is ${row.status}; its room is closed.`, { status: row.status });
  }
  if (who.role === "patient" && !(await activeConsent(db, row.patient_id, text.version))) {
    throw consentRequired(text, row);
  }
  const { opensAt, closesAt } = roomWindow(row);
  if (now.getTime() < opensAt.getTime()) {
    throw new TooEarly("check_in_not_open", "Check-in opens 15 minutes before the consultation.", {
      opensAt: opensAt.toISOString(),
      startsAt: row.starts_at.toISOString(),
    });
  }
  if (now.getTime() >= closesAt.getTime()) throw new Gone("room_expired", "This consultation's room has closed.");
  const column = who.role === "doctor" ? "doctor_checked_in_at" : "patient_checked_in_at";
  return db.transaction().execute(async (trx) => {
    if (who.role === "patient") await consentGate(trx, text)(row, "patient", now);
    await ensureRecord(trx, consultationId);
    const updated = await trx
      .updateTable("teleconsultation_records")
      .set({ [column]: now, updated_at: now })
      .where("consultation_id", "=", consultationId)
      .where(column, "is", null)
      .returning(column)
      .executeTakeFirst();
    if (updated) {
      await recordAudit(trx, {
        actorId: who.userId,
        action: "telemedicine.check_in",
        entity: "consultation",
        entityId: consultationId,
        details: { role: who.role, via: who.via },
      });
    }
    const record = await trx
      .selectFrom("teleconsultation_records")
      .select(column)
      .where("consultation_id", "=", consultationId)
      .executeTakeFirstOrThrow();
    const at = (record as Record<string, Date | null>)[column]!;
    return { checkedInAt: at.toISOString(), role: who.role as "doctor" | "patient" };
  });
}

/**
 * Called in the transaction that changes a consultation's status: the record keeps when it started
 * and completed, and who did it.
 */
export async function recordStatusStep(
  db: Db,
  consultationId: string,
  status: string,
  actorId: string,
  now: Date,
): Promise<void> {
  if (status !== "in_progress" && status !== "completed") return;
  await ensureRecord(db, consultationId);
  await db
    .updateTable("teleconsultation_records")
    .set(
      status === "in_progress"
        ? { started_at: now, started_by: actorId, updated_at: now }
        : { completed_at: now, completed_by: actorId, updated_at: now },
    )
    .where("consultation_id", "=", consultationId)
    .execute();
}

/** What the patient's room page polls while waiting: no audit, nothing personal. */
export async function roomStatus(db: Db, consultationId: string): Promise<RoomStatus> {
  const r = await db
    .selectFrom("consultations as c")
    .leftJoin("teleconsultation_records as r", "r.consultation_id", "c.id")
    .select(["c.status", "r.patient_checked_in_at", "r.started_at", "r.completed_at", "r.doctor_opened_at"])
    .where("c.id", "=", consultationId)
    .executeTakeFirst();
  if (!r) throw new Gone("room_closed", "This consultation no longer exists.");
  const iso = (v: Date | null) => (v ? v.toISOString() : null);
  return {
    status: r.status,
    checkedInAt: iso(r.patient_checked_in_at),
    startedAt: iso(r.started_at),
    completedAt: iso(r.completed_at),
    doctorOpenedAt: iso(r.doctor_opened_at),
  };
}

/**
 * The room status a room link may read (`GET /api/rooms/{token}/status`): a forged link is 401, an
 * expired or revoked one 410, like opening the room.
 */
export async function roomStatusForLink(db: Db, token: string, secret: string, now: Date): Promise<RoomStatus> {
  const verified = await verifyRoomToken(secret, token, now);
  if (!verified.ok) {
    if (verified.reason === "expired") throw new Gone("room_expired", "This room link has expired.");
    throw new Unauthenticated("invalid_room_token", "This room link is not valid.");
  }
  const row = await db
    .selectFrom("consultations")
    .select("room_link_generation")
    .where("id", "=", verified.claims.consultationId)
    .executeTakeFirst();
  if (!row) throw new Gone("room_closed", "This consultation no longer exists.");
  if (verified.claims.generation !== row.room_link_generation) {
    throw new Gone("link_revoked", "This room link was revoked; ask for a new one.");
  }
  return roomStatus(db, verified.claims.consultationId);
}

/**
 * The waiting room: the consultations whose room is open now (15 minutes before the start to 30
 * after the end) and still scheduled or in progress, each with its patient's check-in time. A
 * doctor sees their own; an admin every doctor's, or one doctor's with `doctorId`.
 */
export async function waitingRoom(db: Db, actor: Actor, query: { doctorId?: string }, now: Date): Promise<WaitingRoom> {
  if (actor.role === "patient") throw new Forbidden("forbidden", "The waiting room is the doctors' view.");
  let q = db
    .selectFrom("consultations as c")
    .innerJoin("users as p", "p.id", "c.patient_id")
    .leftJoin("teleconsultation_records as r", "r.consultation_id", "c.id")
    .select([
      "c.id",
      "c.doctor_id",
      "c.patient_id",
      "p.name as patient_name",
      "c.starts_at",
      "c.ends_at",
      "c.status",
      "r.patient_checked_in_at",
      "r.started_at",
    ])
    .where("c.status", "in", ["scheduled", "in_progress"])
    .where("c.starts_at", "<=", new Date(now.getTime() + 15 * 60_000))
    .where("c.ends_at", ">", new Date(now.getTime() - 30 * 60_000));
  if (actor.role === "doctor") q = q.where("c.doctor_id", "=", actor.id);
  else if (query.doctorId) q = q.where("c.doctor_id", "=", query.doctorId);
  const rows = await q.orderBy("c.starts_at").orderBy("c.id").limit(200).execute();
  return {
    serverTime: now.toISOString(),
    consultations: rows.map((r) => ({
      consultationId: r.id,
      doctorId: r.doctor_id,
      patient: { id: r.patient_id, name: r.patient_name },
      startsAt: r.starts_at.toISOString(),
      endsAt: r.ends_at.toISOString(),
      status: r.status as "scheduled" | "in_progress",
      checkedInAt: r.patient_checked_in_at ? r.patient_checked_in_at.toISOString() : null,
      startedAt: r.started_at ? r.started_at.toISOString() : null,
    })),
  };
}
