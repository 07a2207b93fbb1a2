/**
 * A shared bucket spent in leases. Counting every request with its own upsert made the request
 * budget a second commit per API call (issue #16: database time per booking). Here a process
 * takes up to `lease` tokens from the shared bucket in one statement and hands them out from
 * memory, so the database sees one statement per `lease` requests of a key.
 *
 * What stays true: no key ever gets more than the shared bucket holds, across every process,
 * because every token handed out was taken from it first. What it costs: tokens a process holds
 * for a key are not available to the same key on another process until they lapse (`ttlMs`),
 * so a client spread over N processes may be refused up to (N - 1) leases early. A lease is a
 * small fraction of the budget for that reason.
 */
import type { RateDecision, RateLimiter } from "./rate-limiter.js";

export interface LeaseSource {
  take(key: string, want: number): Promise<RateDecision & { granted: number }>;
  reset(key: string): Promise<void>;
}

export interface LeasedRateLimiterOptions {
  /** Tokens taken from the shared bucket per statement. */
  lease: number;
  /** How long held tokens may be spent; after that they lapse (refilled time is not lost twice). */
  ttlMs: number;
  now?: () => number;
  /** Bound on keys held in memory; past it the oldest leases are dropped (their tokens lapse). */
  maxKeys?: number;
}

interface Lease {
  tokens: number;
  until: number;
}

export class LeasedRateLimiter implements RateLimiter {
  private readonly leases = new Map<string, Lease>();
  private readonly now: () => number;
  private readonly maxKeys: number;

  constructor(
    private readonly source: LeaseSource,
    private readonly options: LeasedRateLimiterOptions,
  ) {
    if (!(Number.isInteger(options.lease) && options.lease >= 1)) throw new RangeError("lease: a whole number >= 1");
    this.now = options.now ?? Date.now;
    this.maxKeys = options.maxKeys ?? 50_000;
  }

  async consume(key: string): Promise<RateDecision> {
    const now = this.now();
    const held = this.leases.get(key);
    if (held && held.until > now && held.tokens >= 1) {
      held.tokens -= 1;
      return { allowed: true };
    }
    const taken = await this.source.take(key, this.options.lease);
    if (taken.granted < 1) {
      this.leases.delete(key);
      return taken.allowed ? { allowed: true } : { allowed: false, retryAfterSeconds: taken.retryAfterSeconds };
    }
    // This request spends one; the rest is held. Concurrent takes for one key add up, never
    // overwrite (tokens taken from the bucket are never thrown away early).
    const current = this.leases.get(key);
    const spare = taken.granted - 1 + (current && current.until > now ? current.tokens : 0);
    this.leases.delete(key); // re-insert: Map order is oldest lease first
    if (spare > 0) this.leases.set(key, { tokens: spare, until: now + this.options.ttlMs });
    if (this.leases.size > this.maxKeys) this.evict(now);
    return { allowed: true };
  }

  async reset(key: string): Promise<void> {
    this.leases.delete(key);
    await this.source.reset(key);
  }

  private evict(now: number): void {
    for (const [key, lease] of this.leases) {
      if (this.leases.size <= this.maxKeys && lease.until > now) break;
      this.leases.delete(key);
    }
  }
}
