/**
 * Rate limiting behind an interface: what ships is an in-memory token bucket per key, which limits
 * per process (per pod, per warm Lambda). A deployment that needs one limit across pods implements
 * `RateLimiter` on a shared store (Redis, DynamoDB, a PostgreSQL table) and passes it in AppDeps.
 */

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface RateLimiter {
  /** Counts one attempt against `key`: allowed, or refused with the seconds until one is allowed. */
  consume(key: string): Promise<RateDecision>;
  /** Forgets the key's attempts (a successful sign-in clears its account's count). */
  reset(key: string): Promise<void>;
}

/** The general request budget's two families of buckets (http/request-budget.ts). */
export interface RequestBudget {
  session: RateLimiter;
  anonymous: RateLimiter;
}

export interface MemoryRateLimiterOptions {
  /** Attempts allowed in a burst, and per window on average. */
  max: number;
  windowMs: number;
  /** Milliseconds since the epoch; injectable so tests can move time. */
  now?: () => number;
  /** Bound on remembered keys, so a flood of distinct keys cannot exhaust memory. */
  maxKeys?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per key: `max` tokens, refilled continuously at `max / windowMs`. Unlike a fixed
 * window it has no boundary at which an attacker gets two bursts back to back, and it needs two
 * numbers per key. Keys whose bucket has refilled are dropped; past `maxKeys` the least recently
 * used go first.
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly rate: number;
  private readonly now: () => number;
  private readonly maxKeys: number;

  constructor(private readonly options: MemoryRateLimiterOptions) {
    if (!(options.max >= 1) || !(options.windowMs > 0)) throw new RangeError("max >= 1 and windowMs > 0");
    this.rate = options.max / options.windowMs;
    this.now = options.now ?? Date.now;
    this.maxKeys = options.maxKeys ?? 100_000;
  }

  get size(): number {
    return this.buckets.size;
  }

  async consume(key: string): Promise<RateDecision> {
    const now = this.now();
    const bucket = this.buckets.get(key);
    const tokens = bucket
      ? Math.min(this.options.max, bucket.tokens + (now - bucket.at) * this.rate)
      : this.options.max;
    // Re-insert so Map order is least recently used first.
    this.buckets.delete(key);
    if (tokens < 1) {
      this.buckets.set(key, { tokens, at: now });
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / this.rate / 1000)) };
    }
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    if (this.buckets.size > this.maxKeys) this.evict(now);
    return { allowed: true };
  }

  async reset(key: string): Promise<void> {
    this.buckets.delete(key);
  }

  private evict(now: number): void {
    // Full buckets carry no information: forgetting them changes no decision.
    for (const [key, b] of this.buckets) {
      if (b.tokens + (now - b.at) * this.rate >= this.options.max) this.buckets.delete(key);
    }
    // Evict down to 90% so that a flood of new keys costs one sweep per 10% of the cap, not per key.
    const target = Math.floor(this.maxKeys * 0.9);
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= target) break;
      this.buckets.delete(key);
    }
  }
}

/** The sign-in limiters: per client IP and per account (the email); see http/sign-in-guard.ts. */
export interface SignInLimiters {
  ip: RateLimiter;
  account: RateLimiter;
}
