import { describe, expect, it } from "vitest";
import { MemoryRateLimiter } from "./rate-limiter.js";

function limiter(max: number, windowMs: number, maxKeys?: number) {
  let t = 1_000_000;
  const l = new MemoryRateLimiter({ max, windowMs, now: () => t, maxKeys });
  return { l, advance: (ms: number) => (t += ms) };
}

describe("MemoryRateLimiter", () => {
  it("allows `max` attempts in a burst, then refuses with the seconds until the next token", async () => {
    const { l } = limiter(3, 60_000);
    for (let i = 0; i < 3; i++) expect(await l.consume("k")).toEqual({ allowed: true });
    // One token per 20 s: the next attempt is possible in 20 s.
    expect(await l.consume("k")).toEqual({ allowed: false, retryAfterSeconds: 20 });
    expect(await l.consume("other")).toEqual({ allowed: true });
  });

  it("refills continuously: waiting Retry-After seconds is enough, waiting less is not", async () => {
    const { l, advance } = limiter(3, 60_000);
    for (let i = 0; i < 3; i++) await l.consume("k");
    const refused = await l.consume("k");
    expect(refused.allowed).toBe(false);
    advance(19_000);
    expect((await l.consume("k")).allowed).toBe(false);
    advance(20_000);
    expect((await l.consume("k")).allowed).toBe(true);
    expect((await l.consume("k")).allowed).toBe(false);
  });

  it("refused attempts do not extend the wait beyond one token's time", async () => {
    const { l, advance } = limiter(2, 10_000);
    await l.consume("k");
    await l.consume("k");
    for (let i = 0; i < 50; i++) await l.consume("k");
    advance(5_000);
    expect((await l.consume("k")).allowed).toBe(true);
  });

  it("reset forgets a key", async () => {
    const { l } = limiter(1, 60_000);
    await l.consume("k");
    expect((await l.consume("k")).allowed).toBe(false);
    await l.reset("k");
    expect((await l.consume("k")).allowed).toBe(true);
  });

  it("keeps memory bounded under a flood of distinct keys, evicting least recently used first", async () => {
    const { l } = limiter(2, 60_000, 100);
    await l.consume("victim");
    await l.consume("victim");
    for (let i = 0; i < 5_000; i++) {
      await l.consume(`flood-${i}`);
      if (i % 10 === 0) expect((await l.consume("victim")).allowed).toBe(false); // touched: stays recent
    }
    expect(l.size).toBeLessThanOrEqual(100);
    expect((await l.consume("victim")).allowed).toBe(false);
  });

  it("drops buckets that have refilled before evicting live ones", async () => {
    const { l, advance } = limiter(1, 1_000, 10);
    for (let i = 0; i < 9; i++) await l.consume(`old-${i}`);
    advance(2_000); // every old bucket is full again
    await l.consume("live");
    for (let i = 0; i < 9; i++) await l.consume(`new-${i}`);
    expect(l.size).toBeLessThanOrEqual(10);
    expect((await l.consume("live")).allowed).toBe(false);
  });
});
