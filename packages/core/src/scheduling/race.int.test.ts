/**
 * The double-booking guarantee under real concurrency. Needs a PostgreSQL server (PGlite has one
 * connection, so nothing can race there): runs when TEST_DATABASE_URL is set, as in CI.
 */

import { createTestClinic, openTestDatabase, type TestClinic, type TestPerson } from "@healthflow/test-kit/test-clinic";
import { Kysely, type LogEvent, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DB } from "../db/database.js";

const url = process.env.TEST_DATABASE_URL;
const NOW = new Date("2031-06-02T12:00:00Z"); // a Monday

describe.skipIf(!url)("concurrent booking on PostgreSQL", () => {
  let clinic: TestClinic;
  let doctor: TestPerson;
  let patients: TestPerson[];
  const databaseErrors: { code?: string; message?: string }[] = [];

  beforeAll(async () => {
    await (await openTestDatabase({ kind: "postgres", url: url! })).close(); // migrated
    // A pool as wide as the race, so all 50 requests really reach the server at once, whose driver
    // reports every statement error the database raises (see the last test).
    const pool = new pg.Pool({ connectionString: url!, max: 50, statement_timeout: 10_000 });
    const db = new Kysely<DB>({
      dialect: new PostgresDialect({ pool }),
      log: (event: LogEvent) => {
        if (event.level === "error") databaseErrors.push(event.error as { code?: string; message?: string });
      },
    });
    const database = {
      kind: "postgres" as const,
      db,
      ping: async () => void (await sql`select 1`.execute(db)),
      close: () => db.destroy(),
    };
    // These races test the database's overlap guarantee, with patients booking many and longer
    // consultations: the fair-booking limits (booking-limits.int.test.ts has their own race) are off.
    clinic = await createTestClinic({ now: NOW, database, config: { booking: undefined } });
    doctor = await clinic.person("doctor", { doctor: { slotMinutes: 30, timezone: "America/Sao_Paulo" } });
    await clinic.call("PUT", `/api/doctors/${doctor.user.id}/availability`, {
      as: doctor,
      body: { rules: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: "08:00", end: "18:00" })) },
    });
    patients = await Promise.all(Array.from({ length: 50 }, () => clinic.person("patient")));
  });
  afterAll(async () => {
    await clinic?.close();
    await clinic?.database.close();
  });

  const tally = (statuses: number[]) => {
    const t: Record<number, number> = {};
    for (const s of statuses) t[s] = (t[s] ?? 0) + 1;
    return t;
  };

  async function activeOverlaps(doctorId: string): Promise<number> {
    const rows = await clinic.db
      .selectFrom("consultations as a")
      .innerJoin("consultations as b", (j) => j.onRef("a.doctor_id", "=", "b.doctor_id").onRef("a.id", "<", "b.id"))
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("a.doctor_id", "=", doctorId)
      .where("a.status", "in", ["scheduled", "in_progress"])
      .where("b.status", "in", ["scheduled", "in_progress"])
      .whereRef("a.starts_at", "<", "b.ends_at")
      .whereRef("b.starts_at", "<", "a.ends_at")
      .executeTakeFirstOrThrow();
    return Number(rows.n);
  }

  it("50 patients racing for one slot: exactly one 201, 49 409 slot_taken, no 5xx", async () => {
    const startsAt = "2031-06-03T12:00:00Z";
    const results = await Promise.all(
      patients.map((p) =>
        clinic.call("POST", "/api/consultations", { as: p, body: { doctorId: doctor.user.id, startsAt } }),
      ),
    );
    expect(tally(results.map((r) => r.status))).toEqual({ 201: 1, 409: 49 });
    for (const r of results.filter((r) => r.status === 409)) expect(r.body.error.code).toBe("slot_taken");
    expect(await activeOverlaps(doctor.user.id)).toBe(0);
  });

  it("overlapping but different intervals (30 and 60 minutes) still admit exactly one", async () => {
    // 09:00-09:30, 09:00-10:00 and 09:30-10:00 local on Wednesday: every pair of the first two overlaps.
    const bodies = patients.map((p, i) => ({
      as: p,
      body: {
        doctorId: doctor.user.id,
        startsAt: i % 3 === 2 ? "2031-06-04T12:30:00Z" : "2031-06-04T12:00:00Z",
        durationMinutes: i % 3 === 1 ? 60 : 30,
      },
    }));
    const results = await Promise.all(bodies.map((b) => clinic.call("POST", "/api/consultations", b)));
    const statuses = tally(results.map((r) => r.status));
    expect(Object.keys(statuses).sort()).toEqual(["201", "409"]);
    // Either one 60-minute booking won, or one 09:00 and one 09:30 half-hour booking did.
    expect(statuses[201]).toBeLessThanOrEqual(2);
    expect(statuses[201]! + statuses[409]!).toBe(50);
    expect(await activeOverlaps(doctor.user.id)).toBe(0);
    const won = results.filter((r) => r.status === 201).map((r) => r.body.consultation);
    if (won.length === 2) {
      expect(won.map((c) => c.endsAt.slice(11, 16)).sort()).toEqual(["12:30", "13:00"]);
    } else {
      expect(Date.parse(won[0].endsAt) - Date.parse(won[0].startsAt)).toBe(60 * 60_000);
    }
  });

  it("one patient booking two doctors at the same time from parallel requests: one wins", async () => {
    const other = await clinic.person("doctor", { doctor: { slotMinutes: 30, timezone: "America/Sao_Paulo" } });
    await clinic.call("PUT", `/api/doctors/${other.user.id}/availability`, {
      as: other,
      body: { rules: [{ weekday: 4, start: "08:00", end: "18:00" }] },
    });
    const patient = patients[0]!;
    const startsAt = "2031-06-05T12:00:00Z";
    for (let round = 0; round < 5; round++) {
      const at = new Date(Date.parse(startsAt) + round * 30 * 60_000).toISOString();
      const results = await Promise.all(
        [doctor, other, doctor, other].map((d) =>
          clinic.call("POST", "/api/consultations", { as: patient, body: { doctorId: d.user.id, startsAt: at } }),
        ),
      );
      expect(tally(results.map((r) => r.status))).toEqual({ 201: 1, 409: 3 });
    }
    const mine = await clinic.call("GET", "/api/consultations?from=2031-06-05T00:00:00Z&to=2031-06-06T00:00:00Z", {
      as: patient,
    });
    expect(mine.body.consultations).toHaveLength(5);
  });

  it("concurrent reschedules onto one free slot: one succeeds, the others keep their old times", async () => {
    const startsAt = (i: number) => new Date(Date.parse("2031-06-06T11:00:00Z") + i * 30 * 60_000).toISOString();
    const booked = await Promise.all(
      patients.slice(0, 10).map((p, i) =>
        clinic.call("POST", "/api/consultations", {
          as: p,
          body: { doctorId: doctor.user.id, startsAt: startsAt(i) },
        }),
      ),
    );
    expect(booked.every((r) => r.status === 201)).toBe(true);
    const target = "2031-06-06T20:00:00Z"; // 17:00 local, free
    const moves = await Promise.all(
      booked.map((r, i) =>
        clinic.call("PATCH", `/api/consultations/${r.body.consultation.id}`, {
          as: patients[i]!,
          body: { startsAt: target },
        }),
      ),
    );
    expect(tally(moves.map((m) => m.status))).toEqual({ 200: 1, 409: 9 });
    for (const [i, m] of moves.entries()) {
      if (m.status === 409) {
        const still = await clinic.call("GET", `/api/consultations/${booked[i]!.body.consultation.id}`, {
          as: patients[i]!,
        });
        expect(still.body.consultation.startsAt).toBe(new Date(startsAt(i)).toISOString());
      }
    }
    expect(await activeOverlaps(doctor.user.id)).toBe(0);
  });

  it("conflicting bookings queue on the agendas instead of deadlocking in the EXCLUDE constraints", async () => {
    // A deadlock (40P01) or serialization failure (40001) here is what once surfaced as a 503 (its
    // retries and lock waits ran into the statement timeout, 57014) or a 500 (three in a row).
    databaseErrors.length = 0;
    const statuses: number[] = [];
    // Three mornings, each raced by all 50 patients with 30- and 60-minute bookings that overlap.
    for (const day of ["2031-06-09", "2031-06-10", "2031-06-11"]) {
      const results = await Promise.all(
        patients.map((p, i) =>
          clinic.call("POST", "/api/consultations", {
            as: p,
            body: {
              doctorId: doctor.user.id,
              startsAt: `${day}T${i % 3 === 2 ? "12:30" : "12:00"}:00Z`,
              durationMinutes: i % 3 === 1 ? 60 : 30,
            },
          }),
        ),
      );
      statuses.push(...results.map((r) => r.status));
    }
    expect(tally(statuses)[201]).toBeGreaterThanOrEqual(3);
    expect(Object.keys(tally(statuses)).sort()).toEqual(["201", "409"]);
    const aborted = databaseErrors.filter((e) => e.code === "40P01" || e.code === "40001" || e.code === "57014");
    expect(aborted.map((e) => `${e.code} ${e.message}`)).toEqual([]);
    expect(await activeOverlaps(doctor.user.id)).toBe(0);
  });
});
