/**
 * Leases over the shared bucket, on the real database engine of the run: two limiters on one
 * database stand for two processes. What must hold is the shared bucket's bound, not per-process
 * counts, and far fewer statements than requests.
 */
import { randomUUID } from "node:crypto";
import { createTestClinic, type TestClinic } from "@healthflow/test-kit/test-clinic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DbRateLimiter } from "./db-rate-limiter.js";
import { LeasedRateLimiter, type LeaseSource } from "./leased-rate-limiter.js";

let clinic: TestClinic;
let now = Date.parse("2032-05-01T12:00:00Z");

beforeAll(async () => {
  clinic = await createTestClinic();
});
afterAll(async () => {
  await clinic?.close();
});

/** One process: a leased limiter over the shared table, counting the statements it sends. */
function process_(max: number, lease: number) {
  const bucket = new DbRateLimiter({ db: clinic.db, prefix: "lease-test", max, windowMs: 60_000, now: () => now });
  let statements = 0;
  const source: LeaseSource = {
    take: (key, want) => {
      statements++;
      return bucket.take(key, want);
    },
    reset: (key) => bucket.reset(key),
  };
  const limiter = new LeasedRateLimiter(source, { lease, ttlMs: 10_000, now: () => now });
  return { limiter, statements: () => statements };
}

describe("LeasedRateLimiter over DbRateLimiter", () => {
  it("two processes together allow exactly the bucket, with one statement per lease", async () => {
    const key = randomUUID();
    const a = process_(100, 10);
    const b = process_(100, 10);
    let allowed = 0;
    for (let i = 0; i < 120; i++) {
      const decision = await (i % 2 ? b : a).limiter.consume(key);
      if (decision.allowed) allowed++;
      else expect(decision.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    }
    expect(allowed).toBe(100);
    // 100 tokens in leases of 10, plus the refused attempts (each asks the bucket again).
    expect(a.statements() + b.statements()).toBe(10 + 20);
  });

  it("a short bucket hands out what it has, then refuses", async () => {
    const key = randomUUID();
    const bucket = new DbRateLimiter({ db: clinic.db, prefix: "lease-test", max: 7, windowMs: 60_000, now: () => now });
    expect(await bucket.take(key, 5)).toEqual({ allowed: true, granted: 5 });
    expect(await bucket.take(key, 5)).toEqual({ allowed: true, granted: 2 });
    const refused = await bucket.take(key, 5);
    expect(refused.allowed).toBe(false);
    expect(refused.granted).toBe(0);
  });

  it("held tokens lapse after the lease's time; the bucket's refill is what counts", async () => {
    const key = randomUUID();
    const p = process_(60, 30); // one token per second
    expect((await p.limiter.consume(key)).allowed).toBe(true); // takes 30, holds 29
    now += 11_000; // the 29 held lapse unspent; the bucket (30 left) refilled 11: 41
    expect((await p.limiter.consume(key)).allowed).toBe(true);
    expect(p.statements()).toBe(2);
    // From here exactly the bucket's 41: the second lease's 30, then the 11 left in one last take.
    let allowed = 1; // the consume above
    while ((await p.limiter.consume(key)).allowed) allowed++;
    expect(allowed).toBe(41);
    expect(p.statements()).toBe(4); // the take of 11 and the refused one
  });

  it("reset empties the held lease and the shared bucket", async () => {
    const key = randomUUID();
    const p = process_(3, 3);
    for (let i = 0; i < 3; i++) expect((await p.limiter.consume(key)).allowed).toBe(true);
    expect((await p.limiter.consume(key)).allowed).toBe(false);
    await p.limiter.reset(key);
    expect((await p.limiter.consume(key)).allowed).toBe(true);
  });
});
