/**
 * Fair booking (issue #11): a patient books one slot of the doctor's length, at most
 * HEALTHFLOW_BOOKING_HORIZON_DAYS ahead, at most HEALTHFLOW_MAX_ACTIVE_BOOKINGS upcoming
 * consultations in all and 2 with one doctor, cannot cancel once started; staff are not limited.
 * The race at the end needs a real PostgreSQL server (TEST_DATABASE_URL).
 */

import { createTestClinic, openTestDatabase, type TestClinic, type TestPerson } from "@healthflow/test-kit/test-clinic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSession } from "../auth/session.js";

const NOW = new Date("2031-06-02T12:00:00Z"); // a Monday, 09:00 in Sao Paulo
const DAY = 86_400_000;

let clinic: TestClinic;
let admin: TestPerson;

beforeAll(async () => {
  clinic = await createTestClinic({ now: NOW });
  admin = await clinic.person("admin");
});
afterAll(async () => {
  await clinic.close();
});

/** A doctor seeing patients every day, all day (local time), in 30-minute slots. */
async function doctor(c: TestClinic = clinic): Promise<TestPerson> {
  const d = await c.person("doctor", { doctor: { slotMinutes: 30, timezone: "America/Sao_Paulo" } });
  const put = await c.call("PUT", `/api/doctors/${d.user.id}/availability`, {
    as: d,
    body: { rules: [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start: "00:00", end: "24:00" })) },
  });
  expect(put.status).toBe(200);
  return d;
}
const at = (daysAhead: number, hourUtc = 12) => new Date(Date.UTC(2031, 5, 2 + daysAhead, hourUtc, 0, 0)).toISOString();

/** A fresh bearer token for `person` on `c`'s clock (sessions go idle when the clock jumps). */
async function signIn(c: TestClinic, person: TestPerson): Promise<string> {
  return (await startSession(c.db, person.user.id, c.clock.now(), { idleMinutes: 720, maxHours: 168 })).token;
}

const book = (as: TestPerson, body: Record<string, unknown>) => clinic.call("POST", "/api/consultations", { as, body });

describe("what a patient may book", () => {
  it("only the doctor's slot length; the doctor or an admin may book longer", async () => {
    const d = await doctor();
    const p = await clinic.person("patient");
    const long = await book(p, { doctorId: d.user.id, startsAt: at(1), durationMinutes: 240 });
    expect([long.status, long.body.error.code]).toEqual([400, "invalid_duration"]);
    expect(long.body.error.details).toEqual({ slotMinutes: 30 });
    expect((await book(p, { doctorId: d.user.id, startsAt: at(1), durationMinutes: 30 })).status).toBe(201);
    const byDoctor = await book(d, {
      doctorId: d.user.id,
      patientId: p.user.id,
      startsAt: at(2),
      durationMinutes: 240,
    });
    expect(byDoctor.status).toBe(201);
    const byAdmin = await book(admin, {
      doctorId: d.user.id,
      patientId: p.user.id,
      startsAt: at(3),
      durationMinutes: 120,
    });
    expect(byAdmin.status).toBe(201);
    // Nor can a patient stretch a consultation by rescheduling it.
    const mine = (await clinic.call("GET", "/api/consultations", { as: p })).body.consultations.find(
      (c: { startsAt: string }) => c.startsAt === at(1).replace(".000Z", ".000Z"),
    );
    const stretched = await clinic.call("PATCH", `/api/consultations/${mine.id}`, {
      as: p,
      body: { durationMinutes: 120 },
    });
    expect([stretched.status, stretched.body.error.code]).toEqual([400, "invalid_duration"]);
  });

  it("at most 90 days ahead by default (422 too_far_ahead), also when rescheduling; staff further", async () => {
    const d = await doctor();
    const p = await clinic.person("patient");
    const far = await book(p, { doctorId: d.user.id, startsAt: "2199-01-05T12:00:00Z" });
    expect([far.status, far.body.error.code]).toEqual([422, "too_far_ahead"]);
    expect(far.body.error.details.horizonDays).toBe(90);
    expect((await book(p, { doctorId: d.user.id, startsAt: at(91) })).body.error.code).toBe("too_far_ahead");
    const inside = await book(p, { doctorId: d.user.id, startsAt: at(89) });
    expect(inside.status).toBe(201);
    const moved = await clinic.call("PATCH", `/api/consultations/${inside.body.consultation.id}`, {
      as: p,
      body: { startsAt: at(200) },
    });
    expect([moved.status, moved.body.error.code]).toEqual([422, "too_far_ahead"]);
    const staff = await book(d, { doctorId: d.user.id, patientId: p.user.id, startsAt: at(200) });
    expect(staff.status).toBe(201);
  });

  it("at most 2 upcoming with one doctor and 4 in all (422 booking_limit); cancelling frees a place", async () => {
    const [d1, d2, d3] = [await doctor(), await doctor(), await doctor()];
    const p = await clinic.person("patient");
    expect((await book(p, { doctorId: d1.user.id, startsAt: at(1) })).status).toBe(201);
    expect((await book(p, { doctorId: d1.user.id, startsAt: at(2) })).status).toBe(201);
    const third = await book(p, { doctorId: d1.user.id, startsAt: at(3) });
    expect([third.status, third.body.error.code]).toEqual([422, "booking_limit"]);
    expect(third.body.error.details).toMatchObject({ scope: "doctor", maxActivePerDoctor: 2 });

    expect((await book(p, { doctorId: d2.user.id, startsAt: at(1, 15) })).status).toBe(201);
    const fourth = await book(p, { doctorId: d2.user.id, startsAt: at(2, 15) });
    expect(fourth.status).toBe(201);
    const fifth = await book(p, { doctorId: d3.user.id, startsAt: at(4) });
    expect([fifth.status, fifth.body.error.code]).toEqual([422, "booking_limit"]);
    expect(fifth.body.error.details).toMatchObject({ scope: "total", maxActive: 4, active: 4 });

    // Staff are not limited, and what they book does not count against the patient's own limit.
    expect((await book(admin, { doctorId: d3.user.id, patientId: p.user.id, startsAt: at(5) })).status).toBe(201);

    const cancelled = await clinic.call("POST", `/api/consultations/${fourth.body.consultation.id}/cancel`, { as: p });
    expect(cancelled.status).toBe(200);
    expect((await book(p, { doctorId: d3.user.id, startsAt: at(4) })).status).toBe(201);
  });

  it("past consultations do not count", async () => {
    const d = await doctor();
    const p = await clinic.person("patient");
    for (const day of [1, 2]) expect((await book(p, { doctorId: d.user.id, startsAt: at(day) })).status).toBe(201);
    expect((await book(p, { doctorId: d.user.id, startsAt: at(3) })).body.error.code).toBe("booking_limit");
    // Three days later, both are in the past.
    const later = await createTestClinic({ now: new Date(NOW.getTime() + 3 * DAY), database: clinic.database });
    try {
      const res = await later.call("POST", "/api/consultations", {
        as: await signIn(later, p),
        body: { doctorId: d.user.id, startsAt: at(4) },
      });
      expect(res.status).toBe(201);
    } finally {
      await later.close();
    }
  });

  it("the limits follow the settings", async () => {
    const tight = await createTestClinic({
      now: NOW,
      database: clinic.database,
      config: { booking: { horizonDays: 7, maxActive: 1, maxActivePerDoctor: 1 } },
    });
    try {
      const d = await doctor(tight);
      const p = await tight.person("patient");
      const far = await tight.call("POST", "/api/consultations", {
        as: p,
        body: { doctorId: d.user.id, startsAt: at(8) },
      });
      expect([far.status, far.body.error.code]).toEqual([422, "too_far_ahead"]);
      const first = await tight.call("POST", "/api/consultations", {
        as: p,
        body: { doctorId: d.user.id, startsAt: at(6) },
      });
      expect(first.status).toBe(201);
      const second = await tight.call("POST", "/api/consultations", {
        as: p,
        body: { doctorId: d.user.id, startsAt: at(5) },
      });
      expect(second.body.error.code).toBe("booking_limit");
    } finally {
      await tight.close();
    }
  });
});

describe("GET /api/booking-rules", () => {
  it("says the limits to any signed-in user (the dashboard shows them before a refusal)", async () => {
    const p = await clinic.person("patient");
    const res = await clinic.call("GET", "/api/booking-rules", { as: p });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ horizonDays: 90, maxActive: 4, maxActivePerDoctor: 2, minNoticeMinutes: 60 });
    expect((await clinic.call("GET", "/api/booking-rules")).status).toBe(401);
  });
});

describe("cancelling once started", () => {
  it("the patient cannot (409 too_late); the doctor can still mark a no-show", async () => {
    const d = await doctor();
    const p = await clinic.person("patient");
    const booked = await book(p, { doctorId: d.user.id, startsAt: at(1) });
    const id = booked.body.consultation.id;
    const started = await createTestClinic({ now: new Date(at(1)), database: clinic.database });
    try {
      const [pToken, dToken] = [await signIn(started, p), await signIn(started, d)];
      const late = await started.call("POST", `/api/consultations/${id}/cancel`, { as: pToken });
      expect([late.status, late.body.error.code]).toEqual([409, "too_late"]);
      const patched = await started.call("PATCH", `/api/consultations/${id}`, {
        as: pToken,
        body: { status: "cancelled" },
      });
      expect(patched.body.error?.code).toBe("too_late");
      const noShow = await started.call("PATCH", `/api/consultations/${id}`, {
        as: dToken,
        body: { status: "no_show" },
      });
      expect([noShow.status, noShow.body.consultation?.status ?? noShow.body.status]).toEqual([200, "no_show"]);
    } finally {
      await started.close();
    }
    // Before the start the patient still cancels.
    const other = await book(p, { doctorId: d.user.id, startsAt: at(2) });
    expect(
      (await clinic.call("POST", `/api/consultations/${other.body.consultation.id}/cancel`, { as: p })).status,
    ).toBe(200);
  });
});

describe("time-off reasons", () => {
  it("are for the doctor and admins only", async () => {
    const d = await doctor();
    const made = await clinic.call("POST", `/api/doctors/${d.user.id}/time-off`, {
      as: d,
      body: { startsAt: at(10), endsAt: at(11), reason: "Cirurgia bariátrica (licença médica)" },
    });
    expect(made.status).toBe(201);
    const path = `/api/doctors/${d.user.id}/time-off`;
    for (const reader of [d, admin]) {
      const res = await clinic.call("GET", path, { as: reader });
      expect(res.body.timeOff.map((t: { reason: string }) => t.reason)).toEqual([
        "Cirurgia bariátrica (licença médica)",
      ]);
    }
    for (const reader of [await clinic.person("patient"), await doctor()]) {
      const res = await clinic.call("GET", path, { as: reader });
      expect(res.status).toBe(200);
      expect(res.body.timeOff).toHaveLength(1);
      expect(res.body.timeOff[0].reason).toBeNull();
      expect(JSON.stringify(res.body)).not.toContain("bariátrica");
    }
  });
});

const url = process.env.TEST_DATABASE_URL;
describe.skipIf(!url || process.env.TEST_DB_ENGINE === "data-api")("concurrent bookings by one patient", () => {
  it("20 at once by each of 3 patients over 5 doctors: exactly 4 accepted each, 2 at most per doctor, no 5xx", async () => {
    const database = await openTestDatabase({ kind: "postgres", url: url!, poolMax: 30, connectTimeoutMs: 60_000 });
    const racing = await createTestClinic({ now: NOW, database });
    try {
      const doctors = await Promise.all(Array.from({ length: 5 }, () => doctor(racing)));
      // Three patients, each sending 20 at once (60 in flight): each must end with exactly 4.
      const patients = await Promise.all([1, 2, 3].map(() => racing.person("patient")));
      const rounds = await Promise.all(
        patients.map((p, k) =>
          Promise.all(
            Array.from({ length: 20 }, (_, i) =>
              racing.call("POST", "/api/consultations", {
                as: p,
                // Different doctors and times, none overlapping: only the limits can refuse them.
                body: { doctorId: doctors[i % 5]!.user.id, startsAt: at(1 + i, 10 + 3 * k) },
              }),
            ),
          ),
        ),
      );
      for (const [k, results] of rounds.entries()) {
        const p = patients[k]!;
        const statuses = results.map((r) => r.status);
        expect(statuses.filter((s) => s >= 500)).toEqual([]);
        expect(statuses.filter((s) => s === 201)).toHaveLength(4);
        for (const r of results.filter((r) => r.status !== 201)) {
          expect([r.status, r.body.error.code]).toEqual([422, "booking_limit"]);
        }
        const rows = await racing.db
          .selectFrom("consultations")
          .select(["doctor_id"])
          .where("patient_id", "=", p.user.id)
          .where("status", "=", "scheduled")
          .execute();
        expect(rows).toHaveLength(4);
        const perDoctor = new Map<string, number>();
        for (const r of rows) perDoctor.set(r.doctor_id, (perDoctor.get(r.doctor_id) ?? 0) + 1);
        expect(Math.max(...perDoctor.values())).toBeLessThanOrEqual(2);
      }
    } finally {
      await racing.close();
      await database.close();
    }
  });
});
