/**
 * The messages a consultation causes, written into the outbox inside the transaction that changes
 * it (consultation.ts calls these with its transaction):
 *
 * - booked: the patient's confirmation with the room link and a `METHOD:REQUEST` invite; a notice
 *   to the doctor unless the doctor booked it; the reminders still ahead.
 * - moved: the patient's updated invite (SEQUENCE + 1), whoever moved it; the doctor's notice when
 *   the patient or an admin did; the pending reminders replaced by ones for the new time.
 * - cancelled: the patient's `METHOD:CANCEL`; the doctor's notice when the patient or an admin did;
 *   the pending reminders dropped. Any other status change (started, completed, no-show) drops them.
 *
 * A reminder is due `offset` minutes before the start (elapsed time, so across a DST change the
 * day-before reminder lands an hour off the same wall-clock time). One whose moment has already
 * passed when the consultation is booked is not written; one the dispatcher reaches after half its
 * lead time has gone is skipped rather than sent late.
 */
import { sql } from "kysely";
import { recordAudit } from "../audit/audit.js";
import type { Db, Language } from "../db/database.js";
import { Conflict, NotFound, RateLimited } from "../errors.js";
import { assertHasRoom, assertLinkable, roomWindow } from "../rooms/room.js";
import { signRoomToken } from "../rooms/room-token.js";
import { findConsultation } from "../scheduling/consultation.sql.js";
import { canSee } from "../scheduling/consultation-access.js";
import type { Actor } from "../users/user.js";
import { buildInvite } from "./ical.js";
import {
  type ConsultationFacts,
  formatLead,
  formatWhen,
  formatWhenShort,
  renderConsultationMessage,
  renderReminder,
} from "./messages.js";
import {
  cancelPendingReminders,
  enqueue,
  mayMessage,
  type NewMessage,
  type NotifyContext,
  parseMailbox,
} from "./outbox.js";

/** Timestamps as read back (Date from pg and the Data API dialect; a string from raw JSON). */
const toDate = (v: Date | string): Date => (v instanceof Date ? v : new Date(v));

interface Parties {
  id: string;
  starts_at: Date | string;
  ends_at: Date | string;
  status: string;
  reason: string | null;
  cancel_reason: string | null;
  calendar_sequence: number;
  room_link_generation: number;
  mode: "video" | "in_person";
  doctor_id: string;
  patient_id: string;
  doctor_email: string;
  doctor_name: string;
  doctor_language: Language;
  doctor_active: boolean;
  timezone: string;
  specialty: string;
  crm: string | null;
  crm_state: string | null;
  patient_email: string;
  patient_name: string;
  patient_language: Language;
  patient_active: boolean;
}

async function loadParties(db: Db, consultationId: string): Promise<Parties | undefined> {
  const { rows } = await sql<Parties>`
    select c.id, c.starts_at, c.ends_at, c.status, c.reason, c.cancel_reason, c.calendar_sequence, c.room_link_generation,
      c.mode, c.doctor_id, c.patient_id,
      d.email as doctor_email, d.name as doctor_name, d.language as doctor_language,
      (d.disabled_at is null) as doctor_active, dp.timezone, dp.specialty, dp.crm, dp.crm_state,
      p.email as patient_email, p.name as patient_name, p.language as patient_language,
      (p.disabled_at is null) as patient_active
    from consultations c
    join users d on d.id = c.doctor_id
    join doctor_profiles dp on dp.user_id = c.doctor_id
    join users p on p.id = c.patient_id
    where c.id = ${consultationId}::uuid`.execute(db);
  return rows[0];
}

const whenOf = (start: Date, end: Date, p: Parties, lang: Language) => formatWhen(start, end, p.timezone, lang);

/** The patient's room link, signed, expiring when the room closes (as POST .../room-link would give). */
async function patientRoomUrl(p: Parties, ctx: NotifyContext): Promise<string | undefined> {
  // In person: no room, so no link (the clinic's address goes in its place).
  if (!ctx.roomSecret || p.mode === "in_person") return undefined;
  const { closesAt } = roomWindow({ starts_at: toDate(p.starts_at), ends_at: toDate(p.ends_at) });
  if (closesAt.getTime() <= ctx.now.getTime()) return undefined;
  const { token } = await signRoomToken(
    ctx.roomSecret,
    { consultationId: p.id, role: "patient", generation: p.room_link_generation },
    ctx.now,
  );
  return `${ctx.publicOrigin}/room/${token}`;
}

function invite(p: Parties, method: "REQUEST" | "CANCEL", roomUrl: string | undefined, ctx: NotifyContext) {
  const en = p.patient_language === "en";
  const organizer = parseMailbox(ctx.mailFrom);
  const start = toDate(p.starts_at);
  const content = buildInvite({
    method,
    uid: `${p.id}@healthflow`,
    sequence: Number(p.calendar_sequence),
    start,
    end: toDate(p.ends_at),
    stamp: ctx.now,
    summary: en
      ? `Consultation with ${p.doctor_name} (${p.specialty})`
      : `Consulta com ${p.doctor_name} (${p.specialty})`,
    description: (p.mode === "in_person"
      ? [
          en ? `In-person consultation with ${p.doctor_name}.` : `Consulta presencial com ${p.doctor_name}.`,
          ...(ctx.clinicAddress ? [en ? `Address: ${ctx.clinicAddress}` : `Endereço: ${ctx.clinicAddress}`] : []),
        ]
      : [
          en ? `Teleconsultation with ${p.doctor_name}.` : `Teleconsulta com ${p.doctor_name}.`,
          ...(roomUrl ? [en ? `Room: ${roomUrl}` : `Sala: ${roomUrl}`] : []),
        ]
    ).join("\n"),
    url: roomUrl,
    location: p.mode === "in_person" ? ctx.clinicAddress : undefined,
    organizer: { name: `${p.doctor_name} (HealthFlow)`, email: organizer.address },
    attendee: { name: p.patient_name, email: p.patient_email },
  });
  return { method, content };
}

function reminders(p: Parties, roomUrl: string | undefined, ctx: NotifyContext): NewMessage[] {
  const start = toDate(p.starts_at);
  const end = toDate(p.ends_at);
  const out: NewMessage[] = [];
  for (const offset of ctx.reminderOffsetsMinutes) {
    const dueAt = new Date(start.getTime() - offset * 60_000);
    if (dueAt.getTime() <= ctx.now.getTime()) continue; // its moment has passed: not sent late
    const lang = p.patient_language;
    out.push({
      kind: "reminder",
      to: p.patient_email,
      recipientId: p.patient_id,
      consultationId: p.id,
      language: lang,
      rendered: renderReminder(lang, { ...facts(p, lang, start, end, ctx), roomUrl, lead: formatLead(offset, lang) }),
      dueAt,
      notAfter: new Date(start.getTime() - (offset * 60_000) / 2),
    });
  }
  return out;
}

function facts(p: Parties, lang: Language, start: Date, end: Date, ctx: NotifyContext): ConsultationFacts {
  return {
    inPerson: p.mode === "in_person" ? { address: ctx.clinicAddress ?? null } : undefined,
    patientName: p.patient_name,
    doctorName: p.doctor_name,
    // Resolução CFM 2.314/2022: the patient is told who will see them, with the council registration.
    doctorCrm: p.crm && p.crm_state ? `CRM-${p.crm_state} ${p.crm}` : null,
    specialty: p.specialty,
    when: whenOf(start, end, p, lang),
    whenShort: formatWhenShort(start, p.timezone, lang),
    reason: p.reason,
    cancelReason: p.cancel_reason,
  };
}

/** The patient's confirmation: the room link (or the clinic's address) and the calendar invite. */
function confirmation(p: Parties, roomUrl: string | undefined, ctx: NotifyContext): NewMessage {
  const lang = p.patient_language;
  return {
    kind: "booking_confirmation",
    to: p.patient_email,
    recipientId: p.patient_id,
    consultationId: p.id,
    language: lang,
    rendered: renderConsultationMessage("booking_confirmation", lang, {
      ...facts(p, lang, toDate(p.starts_at), toDate(p.ends_at), ctx),
      roomUrl,
    }),
    calendar: invite(p, "REQUEST", roomUrl, ctx),
  };
}

/**
 * The patient's confirmation again, with a fresh room link and the same invite (same UID and
 * SEQUENCE, so a calendar keeps one event): "send the link again" (issue #13). False when the
 * patient's account is disabled, so nothing was sent.
 */
export async function resendConfirmation(db: Db, consultationId: string, ctx: NotifyContext): Promise<boolean> {
  const p = await loadParties(db, consultationId);
  if (!p?.patient_active) return false;
  await enqueue(db, ctx, [confirmation(p, await patientRoomUrl(p, ctx), ctx)]);
  return true;
}

/** A new booking (call inside the booking's transaction, after the insert). */
export async function notifyBooked(db: Db, consultationId: string, actor: Actor, ctx: NotifyContext): Promise<void> {
  const p = await loadParties(db, consultationId);
  if (!p) return;
  const start = toDate(p.starts_at);
  const end = toDate(p.ends_at);
  const messages: NewMessage[] = [];
  if (p.patient_active) {
    const roomUrl = await patientRoomUrl(p, ctx);
    messages.push(confirmation(p, roomUrl, ctx));
    messages.push(...reminders(p, roomUrl, ctx));
  }
  if (p.doctor_active && actor.id !== p.doctor_id) {
    const lang = p.doctor_language;
    messages.push({
      kind: "doctor_booked",
      to: p.doctor_email,
      recipientId: p.doctor_id,
      consultationId: p.id,
      language: lang,
      rendered: renderConsultationMessage("doctor_booked", lang, facts(p, lang, start, end, ctx)),
    });
  }
  await enqueue(db, ctx, messages);
}

export interface ConsultationState {
  starts_at: Date | string;
  ends_at: Date | string;
  status: string;
}

/**
 * A consultation changed (call inside the change's transaction, after the update): what the
 * patient and the doctor are told depends on what changed and who changed it.
 */
export async function notifyChanged(
  db: Db,
  consultationId: string,
  before: ConsultationState,
  actor: Actor,
  ctx: NotifyContext,
): Promise<void> {
  let p = await loadParties(db, consultationId);
  if (!p) return;
  const moved =
    toDate(before.starts_at).getTime() !== toDate(p.starts_at).getTime() ||
    toDate(before.ends_at).getTime() !== toDate(p.ends_at).getTime();
  const cancelled = p.status === "cancelled" && before.status !== "cancelled";
  const leftScheduled = before.status === "scheduled" && p.status !== "scheduled";
  if (leftScheduled || moved) await cancelPendingReminders(db, p.id, ctx.now);
  if (!moved && !cancelled) return;

  const { rows } = await sql<{ calendar_sequence: number }>`
    update consultations set calendar_sequence = calendar_sequence + 1
    where id = ${p.id}::uuid returning calendar_sequence`.execute(db);
  p = { ...p, calendar_sequence: Number(rows[0]!.calendar_sequence) };

  const start = toDate(p.starts_at);
  const end = toDate(p.ends_at);
  const previous = (lang: Language) => whenOf(toDate(before.starts_at), toDate(before.ends_at), p!, lang);
  const changedBy = actor.role === "admin" ? "admin" : "patient";
  const messages: NewMessage[] = [];
  if (p.patient_active) {
    const lang = p.patient_language;
    if (cancelled) {
      messages.push({
        kind: "booking_cancelled",
        to: p.patient_email,
        recipientId: p.patient_id,
        consultationId: p.id,
        language: lang,
        rendered: renderConsultationMessage("booking_cancelled", lang, facts(p, lang, start, end, ctx)),
        calendar: invite(p, "CANCEL", undefined, ctx),
      });
    } else {
      const roomUrl = await patientRoomUrl(p, ctx);
      messages.push({
        kind: "booking_rescheduled",
        to: p.patient_email,
        recipientId: p.patient_id,
        consultationId: p.id,
        language: lang,
        rendered: renderConsultationMessage("booking_rescheduled", lang, {
          ...facts(p, lang, start, end, ctx),
          previousWhen: previous(lang),
          roomUrl,
        }),
        calendar: invite(p, "REQUEST", roomUrl, ctx),
      });
      messages.push(...reminders(p, roomUrl, ctx));
    }
  }
  if (p.doctor_active && actor.id !== p.doctor_id) {
    const lang = p.doctor_language;
    const kind = cancelled ? "doctor_cancelled" : "doctor_rescheduled";
    messages.push({
      kind,
      to: p.doctor_email,
      recipientId: p.doctor_id,
      consultationId: p.id,
      language: lang,
      rendered: renderConsultationMessage(kind, lang, {
        ...facts(p, lang, start, end, ctx),
        previousWhen: cancelled ? undefined : previous(lang),
        changedBy,
      }),
    });
  }
  await enqueue(db, ctx, messages);
}

/**
 * Mails the patient their room link again (issue #13), with the booking confirmation and its
 * calendar invite: asked by the patient, the consultation's doctor or an admin. At most one a
 * minute and five a day per consultation (its first confirmation included), counted in the outbox
 * so the cap holds across processes: 429 `rate_limited` beyond.
 */
export async function emailLink(db: Db, consultationId: string, actor: Actor, ctx: NotifyContext): Promise<void> {
  const row = await findConsultation(db, consultationId);
  if (!row || !canSee(actor, row)) throw new NotFound("consultation_not_found", "No such consultation.");
  assertHasRoom(row);
  assertLinkable(row, ctx.now);
  const limits = { minIntervalMs: 60_000, perDay: 5 };
  if (!(await mayMessage(db, row.patient_id, ["booking_confirmation"], ctx.now, limits, consultationId))) {
    throw new RateLimited("rate_limited", "The patient was just sent this link. Wait a minute and try again.", 60);
  }
  if (!(await resendConfirmation(db, consultationId, ctx))) {
    throw new Conflict("recipient_disabled", "The patient's account is disabled: no mail is sent to it.");
  }
  await recordAudit(db, {
    actorId: actor.id,
    action: "room.link_emailed",
    entity: "consultation",
    entityId: consultationId,
  });
}
