import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "../log/logger.js";
import { waitForDatabase } from "./wait-for-database.js";

/**
 * The wall clock is faked (Date only) and the injected sleep advances it, so the test runs in
 * microseconds yet exercises the real deadline arithmetic.
 */
function harness(failures: number, error = new Error("connect ECONNREFUSED 127.0.0.1:5432")) {
  const sleeps: number[] = [];
  const lines: Record<string, unknown>[] = [];
  let calls = 0;
  const ping = async () => {
    calls++;
    if (calls <= failures) throw error;
  };
  const sleep = async (ms: number) => {
    sleeps.push(ms);
    vi.setSystemTime(Date.now() + ms);
  };
  const logger = createLogger({ level: "debug", write: (l) => lines.push(JSON.parse(l)) });
  return { ping, sleep, sleeps, lines, logger, calls: () => calls };
}

describe("waitForDatabase", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2030-01-01T00:00:00Z"));
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it("returns at once when the database answers, without sleeping or logging", async () => {
    const h = harness(0);
    await waitForDatabase(h.ping, h.logger, { timeoutMs: 10_000, sleep: h.sleep });
    expect(h.calls()).toBe(1);
    expect(h.sleeps).toEqual([]);
    expect(h.lines).toEqual([]);
  });

  it("retries with doubling delays from 250 ms, capped at 10 s, then succeeds and says so", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0.5); // jitter factor exactly 1
    const h = harness(9);
    await waitForDatabase(h.ping, h.logger, { timeoutMs: 300_000, sleep: h.sleep });
    expect(h.calls()).toBe(10);
    expect(h.sleeps).toEqual([250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
    const warns = h.lines.filter((l) => l.level === "warn");
    expect(warns).toHaveLength(9);
    expect(warns[0]).toMatchObject({ attempt: 1, retryInMs: 250, err: "connect ECONNREFUSED 127.0.0.1:5432" });
    expect(h.lines.at(-1)).toMatchObject({ level: "info", msg: "database is up", attempt: 10 });
  });

  it("keeps jitter within ±20% of the nominal delay", async () => {
    const nominal = [250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000];
    for (const r of [0, 0.999_999]) {
      vi.spyOn(Math, "random").mockReturnValue(r);
      const h = harness(nominal.length);
      await waitForDatabase(h.ping, h.logger, { timeoutMs: 600_000, sleep: h.sleep });
      h.sleeps.forEach((ms, i) => {
        expect(ms).toBeGreaterThanOrEqual(nominal[i]! * 0.8 - 1e-6);
        expect(ms).toBeLessThanOrEqual(nominal[i]! * 1.2 + 1e-6);
      });
    }
  });

  it("never sleeps past the deadline and gives up with a clear message naming the cause", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    const h = harness(Number.POSITIVE_INFINITY);
    const started = Date.now();
    await expect(waitForDatabase(h.ping, h.logger, { timeoutMs: 5_000, sleep: h.sleep })).rejects.toThrow(
      "database not reachable after 5 s: connect ECONNREFUSED 127.0.0.1:5432",
    );
    // 250 + 500 + 1000 + 2000 = 3750, then only the 1250 ms left, then one last try.
    expect(h.sleeps).toEqual([250, 500, 1000, 2000, 1250]);
    expect(h.calls()).toBe(6);
    expect(Date.now() - started).toBe(5_000);
  });

  it("is bounded in attempts for a long timeout too", async () => {
    const h = harness(Number.POSITIVE_INFINITY);
    await expect(waitForDatabase(h.ping, h.logger, { timeoutMs: 300_000, sleep: h.sleep })).rejects.toThrow(
      /after 300 s/,
    );
    // With delays capped near 10 s, 300 s allows roughly 30-40 attempts, never an endless loop.
    expect(h.calls()).toBeGreaterThan(25);
    expect(h.calls()).toBeLessThan(45);
    // The faked Date.now() keeps whole milliseconds, so allow 1 ms of rounding per sleep.
    expect(h.sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(300_000 + h.sleeps.length);
  });
  it("gives up at once on errors that waiting cannot fix (bad password, missing database)", async () => {
    for (const code of ["28P01", "3D000"]) {
      const err = Object.assign(new Error(`refused (${code})`), { code });
      const h = harness(100, err);
      await expect(waitForDatabase(h.ping, h.logger, { timeoutMs: 60_000, sleep: h.sleep })).rejects.toThrow(
        /refused the connection/,
      );
      expect(h.calls()).toBe(1);
      expect(h.sleeps).toEqual([]);
    }
  });

  it("stops waiting when start-up is cancelled", async () => {
    const h = harness(100);
    const controller = new AbortController();
    controller.abort();
    await expect(
      waitForDatabase(h.ping, h.logger, { timeoutMs: 60_000, sleep: h.sleep, signal: controller.signal }),
    ).rejects.toThrow(/cancelled/);
    expect(h.calls()).toBe(1);
  });
});
