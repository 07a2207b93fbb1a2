/**
 * Calendar subscription feeds (issue 14): a private URL, `GET /cal/<token>.ics`, that Google
 * Calendar, Outlook or Apple Calendar poll. The token is the only credential, so it is treated as
 * a password: 32 random bytes, only its SHA-256 stored, one per user (creating replaces, and the old
 * URL stops at once), deleted on revoke, dead when the account is disabled, redacted in logs.
 *
 * What a feed shows: the user's consultations (a doctor's agenda, a patient's own) that start from
 * FEED_PAST_DAYS ago to FEED_FUTURE_DAYS ahead; cancelled ones stay (STATUS:CANCELLED) for
 * CANCELLED_KEPT_DAYS after they were cancelled, so clients that poll remove them, then drop out.
 * Nothing clinical: never notes; the reason only on the patient's own feed, and on a doctor's feed
 * only when the doctor opted in (`includeReason`).
 *
 * Links: a patient's event carries the patient's room link (the same kind of link the e-mailed
 * invite carries, signed without side effects and with a token id derived from the feed, so the
 * body, and its ETag, stay the same between polls); a doctor's carries the dashboard's agenda URL:
 * a doctor's room link admits as the moderator without a sign-in, which a calendar (often shared
 * with assistants, synced to many devices) should not hold.
 */
import { createHash, createHmac, randomBytes } from "node:crypto";
import { sql } from "kysely";
import { recordAudit } from "../audit/audit.js";
import type { Db, Language } from "../db/database.js";
import { buildFeed, type FeedEvent } from "../notifications/ical.js";
import { signRoomToken } from "../rooms/room-token.js";
import type { User } from "../users/user.schema.js";
import type { CalendarFeedStatus } from "./calendar-feed.schema.js";

export const FEED_PAST_DAYS = 30;
export const FEED_FUTURE_DAYS = 365;
export const CANCELLED_KEPT_DAYS = 30;
/**
 * A feed lists at most this many events, the earliest first: a full-time agenda of 15-minute
 * consultations (32 a day) fills it with 30 days back and about six weeks ahead. The bound keeps one
 * query's rows under the RDS Data API's 1 MiB response cap and a feed's body around 1 MB.
 */
export const FEED_MAX_EVENTS = 2_000;
export const FEED_REFRESH_MINUTES = 60;
const DAY_MS = 86_400_000;

/** 32 random bytes, base64url: 43 characters. */
export const FEED_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function feedTokenHash(token: string): string {
  return createHash("sha256").update(`healthflow/calendar-feed/v1:${token}`).digest("base64url");
}

/** Path of a feed under the public origin. */
export function feedPath(token: string): string {
  return `/cal/${token}.ics`;
}

/**
 * Creates the user's feed, replacing the previous one (its URL stops working at once). Returns the
 * raw token: the only time it exists outside the caller's calendar.
 */
export async function createFeed(
  db: Db,
  user: Pick<User, "id" | "role">,
  options: { includeReason?: boolean },
  now: Date,
): Promise<{ token: string }> {
  const token = randomBytes(32).toString("base64url");
  // Only a doctor's feed has the choice: a patient's feed always shows the reason they gave.
  const includeReason = user.role === "doctor" && options.includeReason === true;
  const row = await db
    .insertInto("calendar_feeds")
    .values({ user_id: user.id, token_hash: feedTokenHash(token), include_reason: includeReason, created_at: now })
    .onConflict((oc) =>
      oc.column("user_id").doUpdateSet({
        // A new row id too: room links in the old feed were derived from it.
        id: sql`gen_random_uuid()`,
        token_hash: (eb) => eb.ref("excluded.token_hash"),
        include_reason: (eb) => eb.ref("excluded.include_reason"),
        created_at: (eb) => eb.ref("excluded.created_at"),
      }),
    )
    .returning("id")
    .executeTakeFirstOrThrow();
  await recordAudit(db, {
    actorId: user.id,
    action: "calendar_feed.created",
    entity: "calendar_feed",
    entityId: row.id,
    details: { includeReason },
  });
  return { token };
}

export async function feedStatus(db: Db, userId: string): Promise<CalendarFeedStatus> {
  const row = await db
    .selectFrom("calendar_feeds")
    .select(["created_at", "include_reason"])
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return {
    active: row !== undefined,
    createdAt: row ? row.created_at.toISOString() : null,
    includeReason: row?.include_reason ?? false,
  };
}

/** Revokes the user's feed (idempotent). */
export async function revokeFeed(db: Db, userId: string): Promise<void> {
  const gone = await db.deleteFrom("calendar_feeds").where("user_id", "=", userId).returning("id").execute();
  for (const { id } of gone) {
    await recordAudit(db, { actorId: userId, action: "calendar_feed.revoked", entity: "calendar_feed", entityId: id });
  }
}

export interface FeedOwner {
  feedId: string;
  includeReason: boolean;
  createdAt: Date;
  userId: string;
  role: "doctor" | "patient";
  language: Language;
}

/** The feed behind a token, or undefined: unknown, revoked, replaced, or its account disabled. */
export async function findFeed(db: Db, token: string): Promise<FeedOwner | undefined> {
  if (!FEED_TOKEN_PATTERN.test(token)) return undefined;
  const row = await db
    .selectFrom("calendar_feeds as f")
    .innerJoin("users as u", "u.id", "f.user_id")
    .select(["f.id", "f.include_reason", "f.created_at", "u.id as user_id", "u.role", "u.language"])
    .where("f.token_hash", "=", feedTokenHash(token))
    .where("u.disabled_at", "is", null)
    .executeTakeFirst();
  if (!row || row.role === "admin") return undefined;
  return {
    feedId: row.id,
    includeReason: row.include_reason,
    createdAt: row.created_at,
    userId: row.user_id,
    role: row.role,
    language: row.language,
  };
}

export interface FeedSettings {
  /** The web app's origin (HEALTHFLOW_PUBLIC_URL), for room and dashboard links. */
  publicOrigin: string;
  /** HEALTHFLOW_SECRET; without it, patients' events link to the dashboard instead of the room. */
  roomSecret?: string;
}

const TEXT = {
  "pt-BR": {
    calendar: { doctor: "HealthFlow — minha agenda", patient: "HealthFlow — minhas consultas" },
    summary: (other: string) => `Consulta com ${other}`,
    about: (other: string) => `Teleconsulta com ${other}.`,
    cancelled: "Cancelada.",
    room: "Sala",
    dashboard: "Painel",
    reason: "Motivo",
  },
  en: {
    calendar: { doctor: "HealthFlow — my agenda", patient: "HealthFlow — my consultations" },
    summary: (other: string) => `Consultation with ${other}`,
    about: (other: string) => `Teleconsultation with ${other}.`,
    cancelled: "Cancelled.",
    room: "Room",
    dashboard: "Dashboard",
    reason: "Reason",
  },
} as const;

const ROOM_STATUSES = new Set(["scheduled", "in_progress"]);

/** The feed's consultations, in the window described at the top. */
async function feedRows(db: Db, owner: FeedOwner, now: Date) {
  const from = new Date(now.getTime() - FEED_PAST_DAYS * DAY_MS);
  const to = new Date(now.getTime() + FEED_FUTURE_DAYS * DAY_MS);
  const cancelledSince = new Date(now.getTime() - CANCELLED_KEPT_DAYS * DAY_MS);
  return db
    .selectFrom("consultations as c")
    .innerJoin("users as d", "d.id", "c.doctor_id")
    .innerJoin("users as p", "p.id", "c.patient_id")
    .select([
      "c.id",
      "c.starts_at",
      "c.ends_at",
      "c.status",
      "c.reason",
      "c.calendar_sequence",
      "c.room_link_generation",
      "c.updated_at",
      "d.name as doctor_name",
      "p.name as patient_name",
    ])
    .where(owner.role === "doctor" ? "c.doctor_id" : "c.patient_id", "=", owner.userId)
    .where("c.starts_at", ">=", from)
    .where("c.starts_at", "<", to)
    .where((eb) => eb.or([eb("c.status", "!=", "cancelled"), eb("c.updated_at", ">=", cancelledSince)]))
    .orderBy("c.starts_at")
    .orderBy("c.id")
    .limit(FEED_MAX_EVENTS)
    .execute();
}

/** A room token id derived from the feed: stable between polls, different for every feed. */
function roomTokenId(secret: string, feedId: string, consultationId: string, generation: number): string {
  return createHmac("sha256", `healthflow/calendar-feed-room/v1:${secret}`)
    .update(`${feedId}:${consultationId}:${generation}`)
    .digest("base64url")
    .slice(0, 16);
}

/** The feed's iCalendar body. */
export async function renderFeed(db: Db, owner: FeedOwner, settings: FeedSettings, now: Date): Promise<string> {
  const text = TEXT[owner.language] ?? TEXT["pt-BR"];
  const rows = await feedRows(db, owner, now);
  const dashboard = `${settings.publicOrigin}${owner.role === "doctor" ? "/agenda" : "/consultations"}`;
  const events: FeedEvent[] = [];
  for (const row of rows) {
    const other = owner.role === "doctor" ? row.patient_name : row.doctor_name;
    const cancelled = row.status === "cancelled";
    let url = dashboard;
    let urlLabel: string = text.dashboard;
    if (owner.role === "patient" && settings.roomSecret && ROOM_STATUSES.has(row.status)) {
      const { token } = await signRoomToken(
        settings.roomSecret,
        { consultationId: row.id, role: "patient", generation: row.room_link_generation },
        owner.createdAt,
        roomTokenId(settings.roomSecret, owner.feedId, row.id, row.room_link_generation),
      );
      url = `${settings.publicOrigin}/room/${token}`;
      urlLabel = text.room;
    }
    const showReason = owner.role === "patient" || owner.includeReason;
    const description = [
      text.about(other),
      ...(cancelled ? [text.cancelled] : []),
      ...(showReason && row.reason ? [`${text.reason}: ${row.reason}`] : []),
      `${urlLabel}: ${url}`,
    ].join("\n");
    events.push({
      uid: `${row.id}@healthflow`,
      sequence: row.calendar_sequence,
      start: row.starts_at,
      end: row.ends_at,
      stamp: row.updated_at,
      summary: text.summary(other),
      description,
      url,
      status: cancelled ? "CANCELLED" : "CONFIRMED",
    });
  }
  return buildFeed({ name: text.calendar[owner.role], refreshMinutes: FEED_REFRESH_MINUTES, events });
}
