/**
 * The rate limiter that ships: a token bucket per key kept in the database, so every process on
 * it (three pods, a hundred Lambda containers) enforces one limit, not one each. Same semantics
 * as MemoryRateLimiter (`max` tokens, refilled continuously at `max / windowMs`), and one
 * statement per attempt: an `INSERT ... ON CONFLICT DO UPDATE ... RETURNING` on
 * `rate_limit_counters` (migration 0003), which serialises concurrent attempts on the row. Works
 * on PostgreSQL, PGlite and the Data API alike.
 *
 * Keys are stored as `<prefix>:<sha256>`: no email or address sits in the table. Rows of buckets
 * that have refilled carry no information and are swept now and then.
 */
import { createHash } from "node:crypto";
import { type Kysely, sql } from "kysely";
import type { DB } from "../db/database.js";
import type { RateDecision, RateLimiter } from "./rate-limiter.js";

export interface DbRateLimiterOptions {
  db: Kysely<DB>;
  /** Names the family of keys (`login-ip`, `budget-session`...), kept readable in the table. */
  prefix: string;
  max: number;
  windowMs: number;
  /** The clock (milliseconds since the epoch); injectable so tests can move time. */
  now?: () => number;
  /** Chance per attempt of sweeping this family's refilled rows (default 1/200). */
  sweepProbability?: number;
}

export class DbRateLimiter implements RateLimiter {
  private readonly rate: number;
  private readonly now: () => number;

  constructor(private readonly options: DbRateLimiterOptions) {
    if (!(options.max >= 1) || !(options.windowMs > 0)) throw new RangeError("max >= 1 and windowMs > 0");
    if (!/^[a-z0-9-]+$/.test(options.prefix)) throw new RangeError("prefix: lowercase letters, digits, dashes");
    this.rate = options.max / options.windowMs;
    this.now = options.now ?? Date.now;
  }

  private keyOf(key: string): string {
    return `${this.options.prefix}:${createHash("sha256").update(key).digest("base64url")}`;
  }

  async consume(key: string): Promise<RateDecision> {
    const { granted, ...decision } = await this.take(key, 1);
    return granted >= 1 ? { allowed: true } : decision;
  }

  /**
   * Takes up to `want` tokens in one statement: as many as the bucket holds (whole tokens), at
   * least one or the attempt is refused. `granted` says how many were taken.
   */
  async take(key: string, want: number): Promise<RateDecision & { granted: number }> {
    if (!(Number.isInteger(want) && want >= 1)) throw new RangeError("want: a whole number >= 1");
    const now = new Date(this.now());
    const { max } = this.options;
    const refill = sql`least(${max}::float8, r.tokens
      + greatest(0, extract(epoch from (${now}::timestamptz - r.at))::float8) * 1000 * ${this.rate}::float8)`;
    const grant = sql`least(${want}::float8, floor(${refill}))`;
    const first = Math.min(want, Math.floor(max));
    const { rows } = await sql<{ tokens: number; granted: number }>`
      insert into rate_limit_counters as r (key, at, tokens, allowed, granted)
      values (${this.keyOf(key)}, ${now}::timestamptz, ${max - first}::float8, true, ${first})
      on conflict (key) do update set
        tokens = ${refill} - ${grant},
        allowed = ${grant} >= 1,
        granted = ${grant}::integer,
        at = greatest(r.at, ${now}::timestamptz)
      returning tokens, granted`.execute(this.options.db);
    if (Math.random() < (this.options.sweepProbability ?? 1 / 200)) void this.sweep(now).catch(() => {});
    const row = rows[0]!;
    const granted = Number(row.granted);
    if (granted >= 1) return { allowed: true, granted };
    const tokens = Number(row.tokens);
    return { allowed: false, granted: 0, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / this.rate / 1000)) };
  }

  async reset(key: string): Promise<void> {
    await sql`delete from rate_limit_counters where key = ${this.keyOf(key)}`.execute(this.options.db);
  }

  /** A bucket untouched for a whole window is full again: its row changes no decision. */
  async sweep(now = new Date(this.now())): Promise<void> {
    const before = new Date(now.getTime() - this.options.windowMs);
    // SKIP LOCKED: the sweep never waits on (or deadlocks with) a bucket being counted right now.
    await sql`delete from rate_limit_counters where key in (
      select key from rate_limit_counters
      where key like ${`${this.options.prefix}:%`} and at < ${before}::timestamptz
      limit 1000 for update skip locked)`.execute(this.options.db);
  }
}
