/**
 * A bounded soak of the real server process over loopback: 50 clients, each looping over a mix of
 * reads (doctors, slots, own consultations, one consultation, me) and bookings (3 in 10), for
 * RELIABILITY_SOAK_SECONDS (default 60, at most 180). Passes with zero errors other than the
 * expected 409s, bounded memory growth of the server (RSS from /proc), and prints p50/p99 latency.
 * Runs when TEST_DATABASE_URL is set.
 */
import type { DatabaseHandle } from "@healthflow/core";
import {
  acknowledgedFound,
  bookOnce,
  LOAD_SEED,
  type LoadClinic,
  type Outcome,
  runClients,
  seededRandom,
  seedLoadClinic,
  send,
} from "@healthflow/test-kit/booking-load";
import {
  checkInvariants,
  cleanInvariants,
  createThrowawayDatabase,
  percentile,
  reportFigures,
  type ThrowawayDatabase,
  tally,
} from "@healthflow/test-kit/reliability-support";
import { type ServerProcess, startServer, waitForStatus } from "@healthflow/test-kit/server-process";
import { openTestDatabase } from "@healthflow/test-kit/test-clinic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const url = process.env.TEST_DATABASE_URL;
const CLIENTS = 50;
const SECONDS = Math.min(180, Math.max(10, Number(process.env.RELIABILITY_SOAK_SECONDS ?? 60) || 60));

describe.skipIf(!url)("load soak", { timeout: (SECONDS + 120) * 1000 }, () => {
  let throwaway: ThrowawayDatabase;
  let database: DatabaseHandle;
  let clinic: LoadClinic;
  let server: ServerProcess;

  beforeAll(async () => {
    throwaway = await createThrowawayDatabase(url!, "load");
    database = await openTestDatabase({ kind: "postgres", url: throwaway.url, poolMax: 4 });
    clinic = await seedLoadClinic(database.db, { doctors: 10, patients: CLIENTS });
    server = await startServer(throwaway.url);
    expect(await waitForStatus(`${server.baseUrl}/readyz`, (s) => s === 200, 60_000), server.output()).toBe(200);
  });
  afterAll(async () => {
    await server?.dispose();
    await database?.close();
    await throwaway?.drop();
  });

  it(`${CLIENTS} clients for ${SECONDS} s: no errors but 409s, stable memory, p99 reported`, async () => {
    const booked = new Map<number, string[]>();
    // Seeded: each client draws from its own sequence, so a run's choices can be replayed.
    const rands = clinic.patients.map((_, i) => seededRandom(LOAD_SEED + i));
    const step = async (i: number): Promise<Outcome> => {
      const p = clinic.patients[i]!;
      const rand = rands[i]!;
      const r = rand();
      if (r < 0.3) {
        const o = await bookOnce(server.baseUrl, clinic, i, rand);
        if (o.consultationId) booked.set(i, [...(booked.get(i) ?? []).slice(-20), o.consultationId]);
        return o;
      }
      if (r < 0.5) {
        const doctor = clinic.doctors[Math.floor(rand() * clinic.doctors.length)]!;
        const from = new Date(Math.ceil(Date.now() / 86_400_000) * 86_400_000 + Math.floor(rand() * 300) * 86_400_000);
        const to = new Date(from.getTime() + 7 * 86_400_000);
        return send(
          server.baseUrl,
          "read",
          "GET",
          `/api/doctors/${doctor}/slots?from=${from.toISOString()}&to=${to.toISOString()}`,
          p.token,
        );
      }
      if (r < 0.7) return send(server.baseUrl, "read", "GET", "/api/consultations?limit=50", p.token);
      if (r < 0.8) {
        const mine = booked.get(i);
        if (mine?.length)
          return send(server.baseUrl, "read", "GET", `/api/consultations/${mine[mine.length - 1]}`, p.token);
      }
      if (r < 0.9) return send(server.baseUrl, "read", "GET", "/api/doctors", p.token);
      return send(server.baseUrl, "read", "GET", "/api/auth/me", p.token);
    };

    const rss: Array<{ t: number; bytes: number }> = [];
    const t0 = performance.now();
    const sampler = setInterval(() => {
      try {
        rss.push({ t: (performance.now() - t0) / 1000, bytes: server.rssBytes() });
      } catch {
        // the process is gone: the assertions below report it
      }
    }, 1000);
    const deadline = Date.now() + SECONDS * 1000;
    const outcomes = await runClients(CLIENTS, step, () => Date.now() >= deadline);
    clearInterval(sampler);
    const elapsed = (performance.now() - t0) / 1000;

    const latencies = outcomes.map((o) => o.endedAt - o.startedAt);
    const bookings = outcomes.filter((o) => o.kind === "book");
    const errors = outcomes.filter((o) => !(o.status >= 200 && o.status < 300) && o.status !== 409);
    const ack = await acknowledgedFound(database.db, outcomes);
    // Memory after warm-up (the first quarter): the peak of the last quarter against the peak of
    // the second quarter. A leak of a few KB per request shows as steady growth here.
    const quarter = (k: number) => rss.filter((s) => s.t >= (k * elapsed) / 4 && s.t < ((k + 1) * elapsed) / 4);
    const peak = (xs: typeof rss) => Math.max(0, ...xs.map((s) => s.bytes));
    const mb = (b: number) => Math.round(b / 1048576);
    const figures = {
      seed: LOAD_SEED,
      clients: CLIENTS,
      seconds: Math.round(elapsed),
      requests: outcomes.length,
      rps: Math.round(outcomes.length / elapsed),
      bookings: bookings.length,
      acknowledged201: ack.acknowledged,
      found: ack.found,
      conflicts409: outcomes.filter((o) => o.status === 409).length,
      errors: errors.length,
      p50ms: percentile(latencies, 50),
      p99ms: percentile(latencies, 99),
      bookingP99ms: percentile(
        bookings.map((o) => o.endedAt - o.startedAt),
        99,
      ),
      maxMs: Math.round(Math.max(...latencies)),
      rssStartMb: mb(rss[0]?.bytes ?? 0),
      rssPeakMb: mb(peak(rss)),
      rssEndMb: mb(rss[rss.length - 1]?.bytes ?? 0),
      rssQ2PeakMb: mb(peak(quarter(1))),
      rssQ4PeakMb: mb(peak(quarter(3))),
    };
    reportFigures("load-soak", figures);
    // Issue #16's memory targets, reported (the gate is the bounded-growth assertion below): a peak
    // of at most 300 MB, and no growth from the second quarter to the last (up to 5 %, the
    // garbage collector's own swing between samples).
    const growth = peak(quarter(3)) / Math.max(1, peak(quarter(1)));
    console.log(
      `RELIABILITY target load-soak RSS peak <= 300 MB: ${figures.rssPeakMb <= 300 ? "met" : "missed"} (start ${figures.rssStartMb} MB, peak ${figures.rssPeakMb} MB, end ${figures.rssEndMb} MB)`,
    );
    console.log(
      `RELIABILITY target load-soak no RSS growth from 2nd to last quarter: ${growth <= 1.05 ? "met" : "missed"} (peaks ${figures.rssQ2PeakMb} -> ${figures.rssQ4PeakMb} MB, ${((growth - 1) * 100).toFixed(1)} %)`,
    );

    expect(server.alive()).toBe(true);
    expect(
      tally(errors.map((o) => `${o.status} ${o.code ?? o.error ?? ""}`)),
      "no errors other than 409 conflicts",
    ).toEqual({});
    for (const o of outcomes.filter((o) => o.status === 409)) expect(o.code).toBe("slot_taken");
    expect(outcomes.length).toBeGreaterThan(SECONDS * 20);
    expect(ack.missing).toEqual([]);
    expect(rss.length).toBeGreaterThan(SECONDS / 2);
    // Bounded growth: at most 25 % plus 48 MB over the second quarter's peak.
    expect(peak(quarter(3))).toBeLessThanOrEqual(peak(quarter(1)) * 1.25 + 48 * 1048576);
    expect(await checkInvariants(database.db)).toEqual(cleanInvariants);
  });
});
