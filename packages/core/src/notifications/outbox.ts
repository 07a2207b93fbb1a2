/**
 * The outbox: every message is a row written in the transaction of the change that causes it, so a
 * booking and its confirmation stand or fall together and no request waits on a mail server. The
 * dispatcher (dispatcher.ts) delivers the rows later.
 *
 * Messages are rendered when they are enqueued (the admin sees exactly what goes out) with one
 * exception: a link carrying an account token (verify, reset, invite) holds TOKEN_PLACEHOLDER, and
 * the dispatcher mints the token at the moment it sends. So no token exists in clear anywhere but in
 * the recipient's mail: not in this table, not in the admin's view, not in a log.
 */
import { randomUUID } from "node:crypto";
import { recordAudit } from "../audit/audit.js";
import type { Db, Language, OutboxStatus, TokenPurpose } from "../db/database.js";
import { Conflict, Invalid, NotFound } from "../errors.js";
import type { Actor } from "../users/user.js";
import { type MessageKind, type Rendered, TOKEN_PLACEHOLDER } from "./messages.js";

/** Timestamps as read back (Date from pg and the Data API dialect; a string from raw JSON). */
const toDate = (v: Date | string): Date => (v instanceof Date ? v : new Date(v));

/** What enqueueing needs from the request: the clock, where links point, the sender, reminder offsets. */
export interface NotifyContext {
  now: Date;
  /** Public origin of the web app (`HEALTHFLOW_PUBLIC_URL`, else the request's origin). */
  publicOrigin: string;
  /** Signs the room links in consultation messages; without it they carry no link. */
  roomSecret?: string;
  mailFrom: string;
  reminderOffsetsMinutes: number[];
  /** Where in-person consultations take place (HEALTHFLOW_CLINIC_ADDRESS), for their messages and invites. */
  clinicAddress?: string;
}

export interface NewMessage {
  kind: MessageKind;
  to: string;
  recipientId?: string | null;
  consultationId?: string | null;
  language: Language;
  rendered: Rendered;
  calendar?: { method: "REQUEST" | "CANCEL"; content: string };
  tokenPurpose?: TokenPurpose;
  /** Not before (default: now). */
  dueAt?: Date;
  /** Not after: a reminder that could not go out in time is skipped, not sent late. */
  notAfter?: Date;
}

/** `HealthFlow <no-reply@clinic.example>` → `{ name: "HealthFlow", address: "no-reply@clinic.example" }` */
export function parseMailbox(from: string): { name?: string; address: string } {
  const m = /^\s*"?([^"<]*?)"?\s*<([^>\s]+@[^>\s]+)>\s*$/.exec(from);
  if (m) return { name: m[1]?.trim() || undefined, address: m[2]! };
  return { address: from.trim() };
}

function messageIdFor(id: string, mailFrom: string): string {
  const domain = parseMailbox(mailFrom).address.split("@")[1] || "healthflow.local";
  return `<${id}@${domain}>`;
}

/** Writes messages into the outbox (inside the caller's transaction). */
export async function enqueue(db: Db, ctx: Pick<NotifyContext, "now" | "mailFrom">, messages: NewMessage[]) {
  if (messages.length === 0) return [];
  const rows = messages.map((m) => {
    const id = randomUUID();
    return {
      id,
      kind: m.kind,
      recipient: m.to,
      recipient_id: m.recipientId ?? null,
      consultation_id: m.consultationId ?? null,
      language: m.language,
      subject: m.rendered.subject,
      body_text: m.rendered.text,
      body_html: m.rendered.html,
      calendar: m.calendar?.content ?? null,
      calendar_method: m.calendar?.method ?? null,
      token_purpose: m.tokenPurpose ?? null,
      message_id: messageIdFor(id, ctx.mailFrom),
      due_at: m.dueAt ?? ctx.now,
      not_after: m.notAfter ?? null,
      created_at: ctx.now,
      updated_at: ctx.now,
    };
  });
  await db.insertInto("outbox").values(rows).execute();
  return rows.map((r) => r.id);
}

/** Drops a consultation's reminders still waiting (reschedule, cancel, any status change). */
export async function cancelPendingReminders(db: Db, consultationId: string, now: Date): Promise<number> {
  const res = await db
    .updateTable("outbox")
    .set({ status: "cancelled", last_error: "superseded", updated_at: now })
    .where("consultation_id", "=", consultationId)
    .where("kind", "=", "reminder")
    .where("status", "=", "pending")
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/**
 * Whether another message of these kinds may go to this account now: at most one a minute and
 * `perDay` a day (resend, forgot password, "someone tried to sign up"), counted in the outbox so
 * the cap holds across processes and Lambda invocations.
 */
export async function mayMessage(
  db: Db,
  recipientId: string,
  kinds: MessageKind[],
  now: Date,
  limits: { minIntervalMs: number; perDay: number } = { minIntervalMs: 60_000, perDay: 5 },
  /** Counts only the messages about this consultation (a room link mailed again). */
  consultationId?: string,
): Promise<boolean> {
  const since = new Date(now.getTime() - 86_400_000);
  let q = db
    .selectFrom("outbox")
    .select((eb) => [eb.fn.countAll<string | number>().as("n"), eb.fn.max("created_at").as("last")])
    .where("recipient_id", "=", recipientId)
    .where("kind", "in", kinds)
    .where("created_at", ">", since);
  if (consultationId) q = q.where("consultation_id", "=", consultationId);
  const row = await q.executeTakeFirstOrThrow();
  if (Number(row.n) >= limits.perDay) return false;
  return !row.last || now.getTime() - toDate(row.last as Date | string).getTime() >= limits.minIntervalMs;
}

/**
 * LGPD anonymisation: the account's messages (and the notices that named the patient) lose who
 * they were for and what they said; pending ones are dropped, tokens deleted.
 */
export async function forgetRecipient(db: Db, userId: string, now: Date): Promise<void> {
  await db
    .updateTable("outbox")
    .set({ status: "cancelled", last_error: "recipient anonymised" })
    .where("recipient_id", "=", userId)
    .where("status", "in", ["pending", "sending"])
    .execute();
  await db
    .updateTable("outbox")
    .set({
      recipient: "anonymised@invalid",
      subject: "(anonymised)",
      body_text: "(anonymised)",
      body_html: "(anonymised)",
      calendar: null,
      updated_at: now,
    })
    // Their own messages, and the doctors' notices that named them.
    .where((eb) =>
      eb.or([
        eb("recipient_id", "=", userId),
        eb("consultation_id", "in", eb.selectFrom("consultations").select("id").where("patient_id", "=", userId)),
      ]),
    )
    .execute();
  await db.deleteFrom("account_tokens").where("user_id", "=", userId).execute();
}

// ---- the admin's view ---------------------------------------------------------------------------

export interface MessageSummary {
  id: string;
  to: string;
  subject: string;
  kind: string;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

export interface MessageDetail extends MessageSummary {
  messageId: string;
  language: Language;
  dueAt: string;
  consultationId: string | null;
  text: string;
  html: string;
  calendar: string | null;
}

type Row = {
  id: string;
  recipient: string;
  subject: string;
  kind: string;
  status: OutboxStatus;
  attempts: number;
  last_error: string | null;
  created_at: Date | string;
  sent_at: Date | string | null;
};

function toSummary(r: Row): MessageSummary {
  return {
    id: r.id,
    to: r.recipient,
    subject: r.subject,
    kind: r.kind,
    status: r.status,
    attempts: Number(r.attempts),
    lastError: r.last_error,
    createdAt: toDate(r.created_at).toISOString(),
    sentAt: r.sent_at ? toDate(r.sent_at).toISOString() : null,
  };
}

/** What an admin sees of a token link: that there is one, not the token (it is minted on sending). */
const HIDDEN_TOKEN = "[token]";
const hideToken = (s: string) => s.split(TOKEN_PLACEHOLDER).join(HIDDEN_TOKEN);

const summaryColumns = [
  "id",
  "recipient",
  "subject",
  "kind",
  "status",
  "attempts",
  "last_error",
  "created_at",
  "sent_at",
] as const;

/** Newest first, keyset-paginated over (created_at, id). */
export async function listMessages(
  db: Db,
  query: { status?: OutboxStatus; limit: number; cursor?: string },
): Promise<{ messages: MessageSummary[]; nextCursor: string | null }> {
  let q = db.selectFrom("outbox").select(summaryColumns);
  if (query.status) q = q.where("status", "=", query.status);
  if (query.cursor) {
    const after = decodeCursor(query.cursor);
    q = q.where((eb) =>
      eb.or([
        eb("created_at", "<", after.createdAt),
        eb.and([eb("created_at", "=", after.createdAt), eb("id", "<", after.id)]),
      ]),
    );
  }
  const rows = await q
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(query.limit + 1)
    .execute();
  const messages = rows.slice(0, query.limit).map(toSummary);
  const last = messages[messages.length - 1];
  const nextCursor =
    rows.length > query.limit && last
      ? Buffer.from(JSON.stringify([last.createdAt, last.id])).toString("base64url")
      : null;
  return { messages, nextCursor };
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [string, string];
    const date = new Date(createdAt);
    if (Number.isNaN(date.getTime()) || typeof id !== "string" || !/^[0-9a-f-]{36}$/.test(id)) throw new Error("bad");
    return { createdAt: date, id };
  } catch {
    throw new Invalid("invalid_cursor", "The cursor is not one this server gave out.");
  }
}

export async function getMessage(db: Db, id: string): Promise<MessageDetail> {
  const r = await db.selectFrom("outbox").selectAll().where("id", "=", id).executeTakeFirst();
  if (!r) throw new NotFound("message_not_found", "No such message.");
  return {
    ...toSummary(r),
    messageId: r.message_id,
    language: r.language,
    dueAt: toDate(r.due_at).toISOString(),
    consultationId: r.consultation_id,
    text: hideToken(r.body_text),
    html: hideToken(r.body_html),
    calendar: r.calendar,
  };
}

/** A failed message goes back to the queue, due now, with its attempts counted from zero. */
export async function retryMessage(db: Db, id: string, actor: Actor, now: Date): Promise<MessageSummary> {
  const row = await db
    .updateTable("outbox")
    .set({ status: "pending", attempts: 0, due_at: now, not_after: null, locked_until: null, updated_at: now })
    .where("id", "=", id)
    .where("status", "=", "failed")
    .returning(summaryColumns)
    .executeTakeFirst();
  if (!row) {
    const exists = await db.selectFrom("outbox").select("status").where("id", "=", id).executeTakeFirst();
    if (!exists) throw new NotFound("message_not_found", "No such message.");
    throw new Conflict("not_retryable", `Only failed messages can be retried; this one is ${exists.status}.`, {
      status: exists.status,
    });
  }
  await recordAudit(db, { actorId: actor.id, action: "message.retry", entity: "message", entityId: id });
  return toSummary(row);
}
