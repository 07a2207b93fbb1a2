/**
 * The dispatcher: delivers the outbox's due messages through a channel, with retries.
 *
 * - **Claiming** is one statement (`FOR UPDATE SKIP LOCKED` in a CTE, then `status = 'sending'`
 *   with a lease), so any number of dispatchers (pods, Lambda invocations, the tests' three racing
 *   loops) never hold the same row at once.
 * - **Leases**: a dispatcher that dies mid-send leaves its rows `sending`; when the lease ends another
 *   one takes them over. The lease outlasts the channel's own timeouts, so a slow send is not taken
 *   over while it may still succeed. (A crash after the server accepted the mail and before the row
 *   was marked is the one case that can repeat a delivery; the stable Message-ID lets mail systems
 *   recognise it.)
 * - **Retries**: exponential backoff with jitter, at most `maxAttempts`, then `failed` with the last
 *   error. A permanent refusal (SMTP 5xx, SES MessageRejected) fails at once.
 * - **Too late**: a reminder whose `not_after` has passed is `skipped`, not sent late.
 * - **Tokens**: a message with `token_purpose` gets its account token minted now (outbox.ts).
 *
 * The Node server runs `startDispatcherLoop`; the scheduled Lambda runs `drainOutbox` every minute.
 */
import { randomBytes } from "node:crypto";
import { type Kysely, type Selectable, sql } from "kysely";
import { issueAccountToken } from "../auth/account-tokens.js";
import type { DB, OutboxTable } from "../db/database.js";
import { type Logger, silentLogger } from "../log/logger.js";
import { type MailChannel, type OutgoingMail, PermanentDeliveryError } from "./channel.js";
import { TOKEN_PLACEHOLDER } from "./messages.js";

/** Timestamps as read back (Date from pg and the Data API dialect; a string from raw JSON). */
const toDate = (v: Date | string): Date => (v instanceof Date ? v : new Date(v));

export interface DispatcherOptions {
  db: Kysely<DB>;
  channel: MailChannel;
  /** The From header of every message. */
  mailFrom: string;
  now?: () => Date;
  logger?: Logger;
  /** Names this dispatcher in `locked_by` (default: random). */
  workerId?: string;
  /** Rows claimed per round (default 20). */
  batchSize?: number;
  /** Sends in flight at once (default 4). */
  concurrency?: number;
  /** How long a claim holds before another dispatcher may take the row over (default 5 min). */
  leaseMs?: number;
  /** Attempts before `failed` (default 8: about an hour of retries with the default backoff). */
  maxAttempts?: number;
  /** First retry delay; doubles each attempt (default 30 s), capped at `backoffMaxMs` (1 h). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
}

export interface DispatchReport {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
  skipped: number;
}

type OutboxRow = Selectable<OutboxTable>;

const DEFAULTS = {
  batchSize: 20,
  concurrency: 4,
  leaseMs: 5 * 60_000,
  maxAttempts: 8,
  backoffBaseMs: 30_000,
  backoffMaxMs: 60 * 60_000,
};

/** The delay before attempt `attempts + 1`: base × 2^(attempts-1), ±20 % jitter, capped. */
export function backoffMs(attempts: number, base: number, max: number, random = Math.random): number {
  const raw = Math.min(max, base * 2 ** Math.max(0, attempts - 1));
  return Math.round(raw * (0.8 + 0.4 * random()));
}

function settings(o: DispatcherOptions) {
  return {
    now: o.now ?? (() => new Date()),
    logger: o.logger ?? silentLogger,
    workerId: o.workerId ?? `dispatcher-${randomBytes(6).toString("hex")}`,
    batchSize: o.batchSize ?? DEFAULTS.batchSize,
    concurrency: o.concurrency ?? DEFAULTS.concurrency,
    leaseMs: o.leaseMs ?? DEFAULTS.leaseMs,
    maxAttempts: o.maxAttempts ?? DEFAULTS.maxAttempts,
    backoffBaseMs: o.backoffBaseMs ?? DEFAULTS.backoffBaseMs,
    backoffMaxMs: o.backoffMaxMs ?? DEFAULTS.backoffMaxMs,
  };
}

/** Claims due rows for this worker: pending ones whose time has come, and expired leases. */
async function claim(db: Kysely<DB>, workerId: string, now: Date, leaseMs: number, limit: number) {
  const { rows } = await sql<OutboxRow>`
    with picked as (
      select id from outbox
      where (status = 'pending' and due_at <= ${now}::timestamptz)
         or (status = 'sending' and locked_until <= ${now}::timestamptz)
      order by due_at, id
      limit ${limit}
      for update skip locked
    )
    update outbox o
    set status = 'sending', attempts = o.attempts + 1, locked_by = ${workerId},
        locked_until = ${new Date(now.getTime() + leaseMs)}::timestamptz, updated_at = ${now}::timestamptz
    from picked
    where o.id = picked.id
    returning o.*`.execute(db);
  return rows;
}

type Outcome = "sent" | "retried" | "failed" | "skipped";

/** Ends this worker's claim on a row; a row another worker has taken over meanwhile is left alone. */
async function settle(
  db: Kysely<DB>,
  row: OutboxRow,
  workerId: string,
  change: Partial<{
    status: "pending" | "sent" | "failed" | "skipped" | "cancelled";
    due_at: Date;
    sent_at: Date;
    last_error: string | null;
  }>,
  now: Date,
) {
  await db
    .updateTable("outbox")
    .set({ ...change, locked_until: null, locked_by: null, updated_at: now })
    .where("id", "=", row.id)
    .where("status", "=", "sending")
    .where("locked_by", "=", workerId)
    .execute();
}

/** The link token of a verify/reset/invite message, minted now for the account it was meant for. */
async function mintToken(db: Kysely<DB>, row: OutboxRow, now: Date): Promise<string | undefined> {
  if (!row.token_purpose || !row.recipient_id) return undefined;
  const user = await db
    .selectFrom("users")
    .select(["id", "email", "disabled_at"])
    .where("id", "=", row.recipient_id)
    .executeTakeFirst();
  // The account is gone, disabled or has another address now: the link would not be theirs.
  if (!user || user.disabled_at || user.email.toLowerCase() !== row.recipient.toLowerCase()) return "";
  const { token } = await issueAccountToken(db, {
    userId: user.id,
    email: user.email,
    purpose: row.token_purpose,
    now,
  });
  return token;
}

async function deliver(
  db: Kysely<DB>,
  channel: MailChannel,
  row: OutboxRow,
  o: ReturnType<typeof settings>,
  mailFrom: string,
): Promise<Outcome> {
  const now = o.now();
  const log = o.logger.child({ messageId: row.id, kind: row.kind, attempt: row.attempts });
  if (row.attempts > o.maxAttempts) {
    await settle(db, row, o.workerId, { status: "failed", last_error: row.last_error ?? "gave up" }, now);
    return "failed";
  }
  if (row.not_after && toDate(row.not_after).getTime() < now.getTime()) {
    await settle(db, row, o.workerId, { status: "skipped", last_error: "too late to be useful" }, now);
    log.info("message skipped: its moment has passed");
    return "skipped";
  }
  try {
    let text = row.body_text;
    let html = row.body_html;
    if (row.token_purpose) {
      const token = await mintToken(db, row, now);
      if (!token) {
        await settle(db, row, o.workerId, { status: "cancelled", last_error: "the account changed" }, now);
        return "skipped";
      }
      text = text.split(TOKEN_PLACEHOLDER).join(token);
      html = html.split(TOKEN_PLACEHOLDER).join(token);
    }
    const mail: OutgoingMail = {
      id: row.id,
      messageId: row.message_id,
      from: mailFrom,
      to: row.recipient,
      subject: row.subject,
      text,
      html,
      calendar:
        row.calendar && row.calendar_method ? { method: row.calendar_method, content: row.calendar } : undefined,
      date: toDate(row.created_at),
    };
    await channel.send(mail);
    await settle(db, row, o.workerId, { status: "sent", sent_at: o.now(), last_error: null }, o.now());
    return "sent";
  } catch (err) {
    const message = (err as Error)?.message?.slice(0, 1000) || String(err);
    const permanent = err instanceof PermanentDeliveryError;
    const at = o.now();
    if (permanent || row.attempts >= o.maxAttempts) {
      await settle(db, row, o.workerId, { status: "failed", last_error: message }, at);
      log.warn("message failed", { err: message, permanent });
      return "failed";
    }
    const delay = backoffMs(row.attempts, o.backoffBaseMs, o.backoffMaxMs);
    await settle(
      db,
      row,
      o.workerId,
      { status: "pending", due_at: new Date(at.getTime() + delay), last_error: message },
      at,
    );
    log.info("message delivery will be retried", { err: message, inMs: delay });
    return "retried";
  }
}

/** One round: claim up to a batch of due messages and deliver them. */
export async function dispatchOnce(options: DispatcherOptions): Promise<DispatchReport> {
  const o = settings(options);
  const rows = await claim(options.db, o.workerId, o.now(), o.leaseMs, o.batchSize);
  const report: DispatchReport = { claimed: rows.length, sent: 0, retried: 0, failed: 0, skipped: 0 };
  let next = 0;
  const worker = async () => {
    while (next < rows.length) {
      const row = rows[next++]!;
      report[await deliver(options.db, options.channel, row, o, options.mailFrom)]++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency, rows.length) }, worker));
  return report;
}

/** Rounds until nothing is due (or the deadline passes): the scheduled Lambda's whole job. */
export async function drainOutbox(
  options: DispatcherOptions & { deadline?: number },
): Promise<DispatchReport & { rounds: number }> {
  const total = { claimed: 0, sent: 0, retried: 0, failed: 0, skipped: 0, rounds: 0 };
  const workerId = options.workerId ?? `dispatcher-${randomBytes(6).toString("hex")}`;
  while (options.deadline === undefined || Date.now() < options.deadline) {
    const r = await dispatchOnce({ ...options, workerId });
    total.rounds++;
    for (const k of ["claimed", "sent", "retried", "failed", "skipped"] as const) total[k] += r[k];
    if (r.claimed === 0) break;
  }
  return total;
}

export interface DispatcherLoop {
  /** Runs a round now instead of at the next tick. */
  nudge(): void;
  /** Stops after the round in flight (its sends finish), then closes the channel. */
  stop(): Promise<void>;
}

/**
 * The background loop of the Node server: a round every `intervalMs`, at once again while rounds
 * come back full, and a growing pause while the database is unreachable.
 */
export function startDispatcherLoop(
  options: DispatcherOptions & {
    intervalMs?: number;
    /**
     * Pause after a full round before the next (default 0: at once). A server that also answers
     * requests sets one, so a backlog drains at a bounded pace instead of competing for memory
     * and CPU with the requests that are filling it.
     */
    busyPauseMs?: number;
  },
): DispatcherLoop {
  const intervalMs = options.intervalMs ?? 2_000;
  const logger = options.logger ?? silentLogger;
  const workerId = options.workerId ?? `dispatcher-${randomBytes(6).toString("hex")}`;
  const batchSize = options.batchSize ?? DEFAULTS.batchSize;
  let stopped = false;
  let wake: (() => void) | undefined;
  let errors = 0;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });
  const running = (async () => {
    while (!stopped) {
      let pause = intervalMs;
      try {
        const r = await dispatchOnce({ ...options, workerId });
        errors = 0;
        if (r.claimed >= batchSize) pause = options.busyPauseMs ?? 0;
      } catch (err) {
        errors++;
        pause = Math.min(30_000, intervalMs * 2 ** Math.min(errors, 5));
        if (errors === 1 || errors % 10 === 0) {
          logger.warn("outbox dispatcher: round failed; will try again", { err: (err as Error).message, errors });
        }
      }
      if (!stopped && pause > 0) await sleep(pause);
    }
  })();
  return {
    nudge: () => wake?.(),
    stop: async () => {
      stopped = true;
      wake?.();
      await running;
      await options.channel.close?.();
    },
  };
}
