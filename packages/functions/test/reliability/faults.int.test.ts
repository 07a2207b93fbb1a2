/**
 * Faults, against the real server process (src/server.ts via tsx) talking to PostgreSQL through a
 * TCP proxy this suite controls:
 *  1. the database goes away for 10 s in the middle of a booking load and comes back;
 *  2. the server starts while the database is down, waits, then serves;
 *  3. SIGTERM in the middle of a (slowed-down) booking load.
 * Every booking acknowledged with 201 must be in the database afterwards. Loopback only, bounded
 * in time (about 90 s in all). Runs when TEST_DATABASE_URL is set.
 */
import type { DatabaseHandle } from "@healthflow/core";
import {
  acknowledgedFound,
  bookOnce,
  LOAD_SEED,
  type LoadClinic,
  runClients,
  seededRandom,
  seedLoadClinic,
  send,
} from "@healthflow/test-kit/booking-load";
import {
  checkInvariants,
  cleanInvariants,
  createThrowawayDatabase,
  reportFigures,
  type ThrowawayDatabase,
  tally,
} from "@healthflow/test-kit/reliability-support";
import {
  type DbProxy,
  type ServerProcess,
  startDbProxy,
  startServer,
  viaProxy,
  waitForStatus,
} from "@healthflow/test-kit/server-process";
import { openTestDatabase } from "@healthflow/test-kit/test-clinic";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

const url = process.env.TEST_DATABASE_URL;
/** Seeded choices (doctor, slot), one sequence per client, so a run can be replayed. */
const rands = new Map<number, () => number>();
const randOf = (client: number) => {
  if (!rands.has(client)) rands.set(client, seededRandom(LOAD_SEED + client));
  return rands.get(client)!;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!url)("faults", { timeout: 120_000 }, () => {
  let throwaway: ThrowawayDatabase;
  let database: DatabaseHandle;
  let clinic: LoadClinic;
  let proxy: DbProxy | undefined;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    throwaway = await createThrowawayDatabase(url!, "faults");
    database = await openTestDatabase({ kind: "postgres", url: throwaway.url, poolMax: 4 });
    clinic = await seedLoadClinic(database.db, { doctors: 6, patients: 30 });
  });
  afterEach(async () => {
    await server?.dispose();
    await proxy?.close();
    server = undefined;
    proxy = undefined;
  });
  afterAll(async () => {
    await database?.close();
    await throwaway?.drop();
  });

  async function serverBehindProxy(proxyUp = true) {
    const target = new URL(throwaway.url);
    proxy = await startDbProxy({ host: target.hostname, port: Number(target.port || 5432) }, proxyUp);
    server = await startServer(viaProxy(throwaway.url, proxy));
    return { proxy, server };
  }

  it("(1) the database stops for 10 s mid-load: the server stays up, answers 503, recovers, loses no 201", async () => {
    const { proxy, server } = await serverBehindProxy();
    expect(await waitForStatus(`${server.baseUrl}/readyz`, (s) => s === 200, 60_000), server.output()).toBe(200);

    const t0 = Date.now();
    let stop = false;
    const health: number[] = [];
    const load = runClients(
      20,
      (i) => bookOnce(server.baseUrl, clinic, i, randOf(i)),
      () => stop,
      // Back off a little on 503, as a client honouring Retry-After would (but faster, to probe).
      (o) => (o.status === 503 ? 200 : 0),
    );
    await sleep(5_000);
    const downAt = performance.now();
    await proxy.down();
    // While it is down the process keeps answering its liveness probe.
    for (let i = 0; i < 10; i++) {
      await sleep(1_000);
      health.push((await send(server.baseUrl, "read", "GET", "/healthz", "x".repeat(20))).status);
    }
    const upAt = performance.now();
    await proxy.up();
    await sleep(12_000);
    stop = true;
    const outcomes = await load;

    const during = outcomes.filter((o) => o.startedAt > downAt + 500 && o.endedAt < upAt);
    const after = outcomes.filter((o) => o.startedAt > upAt + 5_000);
    const fivexx = outcomes.filter((o) => o.status >= 500);
    const ack = await acknowledgedFound(database.db, outcomes);
    const figures = {
      requests: outcomes.length,
      acknowledged201: ack.acknowledged,
      found: ack.found,
      conflicts409: outcomes.filter((o) => o.status === 409).length,
      "5xx": fivexx.length,
      unavailable503: fivexx.filter((o) => o.status === 503).length,
      other5xx: fivexx.filter((o) => o.status !== 503).length,
      noAnswer: outcomes.filter((o) => o.status === 0).length,
      healthzDuringOutage: health.every((s) => s === 200) ? "200" : health.join(","),
      recoveredBookings201: after.filter((o) => o.status === 201).length,
      seconds: Math.round((Date.now() - t0) / 1000),
    };
    reportFigures("fault-db-outage", figures);

    expect(server.alive(), "the server process survived").toBe(true);
    expect(
      health.every((s) => s === 200),
      `healthz during the outage: ${health}`,
    ).toBe(true);
    expect(tally(during.map((o) => o.status)), "every request during the outage was a 503").toEqual({
      503: during.length,
    });
    expect(during.length).toBeGreaterThan(10);
    for (const o of fivexx) expect(["database_unavailable", "unavailable", "request_timeout"]).toContain(o.code);
    expect(figures.other5xx, server.output().slice(-3000)).toBe(0);
    expect(figures.noAnswer).toBe(0);
    expect(figures.recoveredBookings201, "bookings succeed again without a restart").toBeGreaterThan(10);
    expect(
      after.every((o) => o.status === 201 || o.status === 409),
      JSON.stringify(tally(after.map((o) => o.status))),
    ).toBe(true);
    expect(ack.missing, "every 201 is in the database").toEqual([]);
    expect(await checkInvariants(database.db)).toEqual(cleanInvariants);
  });

  it("(2) started while the database is down, it answers /healthz, 503 on /readyz and the API, then serves", async () => {
    const { proxy, server } = await serverBehindProxy(false);
    const patient = clinic.patients[0]!;
    expect(await waitForStatus(`${server.baseUrl}/healthz`, (s) => s === 200, 30_000), server.output()).toBe(200);
    const notReady = await fetch(`${server.baseUrl}/readyz`);
    expect(notReady.status).toBe(503);
    expect(notReady.headers.get("retry-after")).toBeTruthy();
    const early = await send(server.baseUrl, "read", "GET", "/api/doctors", patient.token);
    expect(early.status).toBe(503);
    expect(early.code).toBe("starting");
    await sleep(6_000);
    expect(server.alive()).toBe(true);
    const upAt = Date.now();
    await proxy.up();
    expect(await waitForStatus(`${server.baseUrl}/readyz`, (s) => s === 200, 40_000), server.output()).toBe(200);
    const readyAfterMs = Date.now() - upAt;
    const booked = await bookOnce(server.baseUrl, clinic, 1, randOf(1));
    expect([201, 409]).toContain(booked.status);
    const doctors = await send(server.baseUrl, "read", "GET", "/api/doctors", patient.token);
    expect(doctors.status).toBe(200);
    reportFigures("fault-start-db-down", {
      downSeconds: 6,
      readyAfterDatabaseUpMs: readyAfterMs,
      firstBooking: booked.status,
    });
  });

  it("(3) SIGTERM during load: in-flight requests complete, no acknowledged write is lost, exit 0", async () => {
    const { proxy, server } = await serverBehindProxy();
    expect(await waitForStatus(`${server.baseUrl}/readyz`, (s) => s === 200, 60_000), server.output()).toBe(200);
    // Slow every database answer so that many requests are in flight at the moment of SIGTERM.
    proxy.setLatency(60);
    let stop = false;
    let termAt = Number.POSITIVE_INFINITY;
    const load = runClients(
      25,
      (i) => bookOnce(server.baseUrl, clinic, i, randOf(i)),
      () => stop,
      (o) => (o.status === 0 ? 100 : 0),
    );
    await sleep(4_000);
    termAt = performance.now();
    server.kill("SIGTERM");
    const code = await Promise.race([server.exited, sleep(30_000).then(() => "still running")]);
    const exitAfterMs = Math.round(performance.now() - termAt);
    const forced = server.output().includes("grace period over");
    stop = true;
    const outcomes = await load;

    // Sent at least 100 ms before the signal: the server had them (loopback, headers are tiny).
    const inFlight = outcomes.filter((o) => o.startedAt < termAt - 100 && o.endedAt > termAt);
    const ack = await acknowledgedFound(database.db, outcomes);
    const figures = {
      requests: outcomes.length,
      inFlightAtSigterm: inFlight.length,
      inFlightCompleted: inFlight.filter((o) => o.status > 0).length,
      acknowledged201: ack.acknowledged,
      found: ack.found,
      "5xx": outcomes.filter((o) => o.status >= 500).length,
      refusedAfterSigterm: outcomes.filter((o) => o.status === 0 && o.startedAt >= termAt - 100).length,
      exitCode: String(code),
      exitAfterMs,
      forcedClose: forced,
    };
    reportFigures("fault-sigterm", figures);

    expect(code, server.output().slice(-3000)).toBe(0);
    expect(forced, "drained within the grace period, nothing cut").toBe(false);
    expect(inFlight.length, "requests were in flight at SIGTERM").toBeGreaterThan(5);
    expect(
      inFlight.filter((o) => o.status !== 201 && o.status !== 409).map((o) => `${o.status} ${o.code ?? o.error}`),
      "each in-flight request got its real answer",
    ).toEqual([]);
    expect(figures.inFlightCompleted).toBe(inFlight.length);
    expect(figures["5xx"]).toBe(0);
    expect(outcomes.filter((o) => o.status === 0 && o.startedAt < termAt - 100).map((o) => o.error)).toEqual([]);
    expect(ack.missing, "every 201 is in the database").toEqual([]);
    expect(await checkInvariants(database.db)).toEqual(cleanInvariants);
  });
});
