/**
 * Consult rooms: who may get a link to which consultation's room, and what a link opens.
 *
 * A room is open from 15 minutes before the consultation until 30 minutes after its end, always
 * computed from the consultation as it is now (a reschedule moves the window, and an issued link
 * follows it). A link is refused, and an issued one stops working, once the consultation is
 * cancelled, completed or a no-show, or once its links are revoked (410 `link_revoked`).
 */

import type { z } from "zod";
import { recordAudit } from "../audit/audit.js";
import type { Db } from "../db/database.js";
import { Conflict, Forbidden, Gone, NotFound, TooEarly, Unauthenticated } from "../errors.js";
import type { ConsultationRow } from "../scheduling/consultation.sql.js";
import { findConsultation } from "../scheduling/consultation.sql.js";
import { canSee } from "../scheduling/consultation-access.js";
import type { Actor } from "../users/user.js";
import type { roomConsultationSchema, roomLinkSchema } from "./room.schema.js";
import { type RoomRole, signRoomToken, verifyRoomToken } from "./room-token.js";

export const OPENS_BEFORE_MS = 15 * 60_000;
export const CLOSES_AFTER_MS = 30 * 60_000;
const CLOSED_STATUSES = new Set(["cancelled", "completed", "no_show"]);

export function roomWindow(row: Pick<ConsultationRow, "starts_at" | "ends_at">) {
  return {
    opensAt: new Date(row.starts_at.getTime() - OPENS_BEFORE_MS),
    closesAt: new Date(row.ends_at.getTime() + CLOSES_AFTER_MS),
  };
}

/** An in-person consultation has no room (issue #13): every room route answers 409 `no_room`. */
export function assertHasRoom(row: Pick<ConsultationRow, "mode">): void {
  if (row.mode === "in_person") {
    throw new Conflict("no_room", "This consultation is in person: it has no consult room.", { mode: row.mode });
  }
}

/** A link may be issued (or mailed) until the room closes: 410 once the consultation is over. */
export function assertLinkable(row: ConsultationRow, now: Date): { closesAt: Date } {
  if (CLOSED_STATUSES.has(row.status)) {
    throw new Gone("room_closed", `The consultation is ${row.status}; its room is closed.`, { status: row.status });
  }
  const { closesAt } = roomWindow(row);
  if (closesAt.getTime() <= now.getTime()) throw new Gone("room_expired", "This consultation's room has closed.");
  return { closesAt };
}

export interface RoomSettings {
  secret: string;
  /** Origin of the web app, where /room/<token> is served. */
  publicOrigin: string;
}

export type RoomLink = z.infer<typeof roomLinkSchema>;

/**
 * Issues a link for the caller's role in the consultation (admins choose, doctor by default; the
 * consultation's doctor may ask for the patient's link to share it). Any time from booking until
 * the room closes: the link itself opens the room only in its window.
 */
export async function issueLink(
  db: Db,
  consultationId: string,
  actor: Actor,
  requested: RoomRole | undefined,
  settings: RoomSettings,
  now: Date,
): Promise<RoomLink> {
  const row = await findConsultation(db, consultationId);
  if (!row || !canSee(actor, row)) throw new NotFound("consultation_not_found", "No such consultation.");
  assertHasRoom(row);

  let role: RoomRole;
  if (actor.role === "admin") role = requested ?? "doctor";
  else if (row.doctor_id === actor.id) {
    // The consultation's doctor may also fetch the patient's link, to send it to them again.
    role = requested ?? "doctor";
  } else {
    role = "patient";
    if (requested && requested !== role) throw new Forbidden("forbidden", `You join this room as the ${role}.`);
  }
  const { closesAt } = assertLinkable(row, now);

  const { token, tokenId } = await signRoomToken(
    settings.secret,
    { consultationId, role, generation: row.room_link_generation },
    now,
  );
  await recordAudit(db, {
    actorId: actor.id,
    action: "room.link_issued",
    entity: "consultation",
    entityId: consultationId,
    details: { role, tokenId, expiresAt: closesAt.toISOString() },
  });
  return { url: `${settings.publicOrigin}/room/${token}`, expiresAt: closesAt.toISOString(), role };
}

export interface OpenRoom {
  consultation: z.infer<typeof roomConsultationSchema>;
  role: RoomRole;
  roomName: string;
  /** The person the token admits, for the video service's own credentials. */
  participant: { id: string; name: string };
  opensAt: string;
  closesAt: string;
}

/** What the telemedicine rules add to opening a room (issue 15): a gate, and a note of who opened it. */
export interface RoomHooks {
  /** Throws to refuse (the patient's consent); runs after the link and status checks, before 425. */
  gate?: (row: ConsultationRow, role: RoomRole, now: Date) => Promise<void>;
  opened?: (row: ConsultationRow, role: RoomRole, now: Date) => Promise<void>;
}

/**
 * What a room token opens, checked against the consultation as it is now. Bad signature: 401;
 * expired or the consultation closed: 410; refused by the gate (no consent): 403; before the
 * window: 425 with the window in details.
 */
export async function openRoom(
  db: Db,
  token: string,
  secret: string,
  now: Date,
  hooks: RoomHooks = {},
): Promise<OpenRoom> {
  const verified = await verifyRoomToken(secret, token, now);
  if (!verified.ok) {
    if (verified.reason === "expired") throw new Gone("room_expired", "This room link has expired.");
    throw new Unauthenticated("invalid_room_token", "This room link is not valid.");
  }
  const { consultationId, role, tokenId, generation } = verified.claims;
  const row = await findConsultation(db, consultationId);
  if (!row) throw new Gone("room_closed", "This consultation no longer exists.");
  if (generation !== row.room_link_generation) {
    throw new Gone("link_revoked", "This room link was revoked; ask for a new one.");
  }
  assertHasRoom(row);
  const { opensAt, closesAt } = roomWindow(row);
  const room: OpenRoom = {
    consultation: {
      id: row.id,
      startsAt: row.starts_at.toISOString(),
      endsAt: row.ends_at.toISOString(),
      status: row.status,
      doctor: { name: row.doctor_name, crm: row.doctor_crm ?? null, crmState: row.doctor_crm_state ?? null },
      patient: { name: row.patient_name },
    },
    role,
    roomName: row.room_name,
    participant:
      role === "doctor" ? { id: row.doctor_id, name: row.doctor_name } : { id: row.patient_id, name: row.patient_name },
    opensAt: opensAt.toISOString(),
    closesAt: closesAt.toISOString(),
  };
  if (CLOSED_STATUSES.has(row.status)) {
    throw new Gone("room_closed", `The consultation is ${row.status}; its room is closed.`, { status: row.status });
  }
  if (now.getTime() >= closesAt.getTime()) throw new Gone("room_expired", "This consultation's room has closed.");
  await hooks.gate?.(row, role, now);
  if (now.getTime() < opensAt.getTime()) {
    const { roomName: _hidden, participant: _p, ...shell } = room;
    throw new TooEarly("room_not_open", "The room is not open yet.", shell);
  }
  await hooks.opened?.(row, role, now);
  await recordAudit(db, {
    actorId: room.participant.id,
    action: "room.open",
    entity: "consultation",
    entityId: row.id,
    details: { role, tokenId },
  });
  return room;
}

/**
 * Revokes every link of a consultation issued so far (the doctor or an admin): the generation in
 * the row moves on, so older tokens answer 410 `link_revoked`; links issued afterwards work.
 */
export async function revokeLinks(db: Db, consultationId: string, actor: Actor): Promise<void> {
  const row = await findConsultation(db, consultationId);
  if (!row || !canSee(actor, row)) throw new NotFound("consultation_not_found", "No such consultation.");
  if (actor.role !== "admin" && row.doctor_id !== actor.id) {
    throw new Forbidden("forbidden", "Only the consultation's doctor or an administrator may revoke its room links.");
  }
  assertHasRoom(row);
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable("consultations")
      .set((eb) => ({ room_link_generation: eb("room_link_generation", "+", 1) }))
      .where("id", "=", consultationId)
      .execute();
    await recordAudit(trx, {
      actorId: actor.id,
      action: "room.links_revoked",
      entity: "consultation",
      entityId: consultationId,
    });
  });
}
