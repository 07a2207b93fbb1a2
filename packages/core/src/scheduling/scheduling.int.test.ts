/**
 * Scheduling through the HTTP API, on PGlite by default and on PostgreSQL with TEST_DATABASE_URL.
 * The clock stands at Monday 2030-03-04 09:00 in Sao Paulo (12:00Z).
 */

import { createTestClinic, TEST_PASSWORD, type TestClinic, type TestPerson } from "@healthflow/test-kit/test-clinic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const NOW = new Date("2030-03-04T12:00:00Z");
const weekdays = [1, 2, 3, 4, 5];
const workingWeek = weekdays.flatMap((weekday) => [
  { weekday, start: "08:00", end: "12:00" },
  { weekday, start: "14:00", end: "18:00" },
]);

let clinic: TestClinic;
let admin: TestPerson;

beforeAll(async () => {
  clinic = await createTestClinic({ now: NOW });
  admin = await clinic.person("admin");
});
afterAll(() => clinic.close());

async function doctorWithWeek(slotMinutes = 30): Promise<TestPerson> {
  const doctor = await clinic.person("doctor", { doctor: { slotMinutes } });
  const res = await clinic.call("PUT", `/api/doctors/${doctor.user.id}/availability`, {
    as: doctor,
    body: { rules: workingWeek },
  });
  expect(res.status).toBe(200);
  return doctor;
}

describe("availability", () => {
  it("round-trips weekly rules and changes zone and slot length", async () => {
    const doctor = await doctorWithWeek();
    const got = await clinic.call("GET", `/api/doctors/${doctor.user.id}/availability`, { as: admin });
    const both = ["video", "in_person"];
    expect(got.body).toEqual({
      timezone: "America/Sao_Paulo",
      slotMinutes: 30,
      rules: workingWeek.map((r) => ({ ...r, modes: both })),
    });
    const put = await clinic.call("PUT", `/api/doctors/${doctor.user.id}/availability`, {
      as: admin,
      body: { timezone: "America/Manaus", slotMinutes: 20, rules: [{ weekday: 6, start: "09:00", end: "10:00" }] },
    });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({
      timezone: "America/Manaus",
      slotMinutes: 20,
      rules: [{ weekday: 6, start: "09:00", end: "10:00", modes: both }],
    });
  });

  it("is refused to other doctors and patients, and rejects bad rules", async () => {
    const doctor = await doctorWithWeek();
    const other = await clinic.person("doctor");
    const patient = await clinic.person("patient");
    const path = `/api/doctors/${doctor.user.id}/availability`;
    expect((await clinic.call("PUT", path, { as: other, body: { rules: [] } })).status).toBe(403);
    expect((await clinic.call("PUT", path, { as: patient, body: { rules: [] } })).status).toBe(403);
    const overlapping = await clinic.call("PUT", path, {
      as: doctor,
      body: {
        rules: [
          { weekday: 1, start: "08:00", end: "10:00" },
          { weekday: 1, start: "09:00", end: "11:00" },
        ],
      },
    });
    expect(overlapping.status).toBe(400);
    expect(overlapping.body.error.code).toBe("overlapping_rules");
    const backwards = await clinic.call("PUT", path, {
      as: doctor,
      body: { rules: [{ weekday: 1, start: "10:00", end: "09:00" }] },
    });
    expect(backwards.status).toBe(400);
    const badZone = await clinic.call("PUT", path, { as: doctor, body: { timezone: "Mars/Olympus", rules: [] } });
    expect(badZone.status).toBe(400);
    expect((await clinic.call("GET", `/api/doctors/${patient.user.id}/availability`, { as: admin })).status).toBe(404);
  });
});

describe("slots", () => {
  it("lists free slots in UTC, after the minimum notice, minus time off and bookings", async () => {
    const doctor = await doctorWithWeek();
    const patient = await clinic.person("patient");
    const q = `/api/doctors/${doctor.user.id}/slots?from=2030-03-04T00:00:00-03:00&to=2030-03-05T00:00:00-03:00`;
    const monday = await clinic.call("GET", q, { as: patient });
    expect(monday.status).toBe(200);
    // 09:00 local now + 60 min notice: the first free slot is 10:00 local = 13:00Z.
    expect(monday.body.slots[0]).toEqual({
      startsAt: "2030-03-04T13:00:00.000Z",
      endsAt: "2030-03-04T13:30:00.000Z",
      modes: ["video", "in_person"],
    });
    expect(monday.body.slots).toHaveLength(4 + 8);

    const off = await clinic.call("POST", `/api/doctors/${doctor.user.id}/time-off`, {
      as: doctor,
      body: { startsAt: "2030-03-04T14:00:00-03:00", endsAt: "2030-03-04T16:00:00-03:00", reason: "Congresso" },
    });
    expect(off.status).toBe(201);
    expect(off.body.timeOff).toMatchObject({
      startsAt: "2030-03-04T17:00:00.000Z",
      endsAt: "2030-03-04T19:00:00.000Z",
      reason: "Congresso",
    });
    const booked = await clinic.call("POST", "/api/consultations", {
      as: patient,
      body: { doctorId: doctor.user.id, startsAt: "2030-03-04T13:00:00Z" },
    });
    expect(booked.status).toBe(201);
    const after = await clinic.call("GET", q, { as: patient });
    expect(after.body.slots).toHaveLength(3 + 4);
    expect(after.body.slots.map((s: { startsAt: string }) => s.startsAt)).not.toContain("2030-03-04T13:00:00.000Z");
    expect(after.body.slots.map((s: { startsAt: string }) => s.startsAt)).not.toContain("2030-03-04T17:30:00.000Z");

    const listed = await clinic.call("GET", `/api/doctors/${doctor.user.id}/time-off?from=2030-03-01T00:00:00Z`, {
      as: patient,
    });
    expect(listed.body.timeOff).toHaveLength(1);
  });

  it("refuses ranges over 62 days, reversed ranges and bad dates with 400", async () => {
    const doctor = await doctorWithWeek();
    const base = `/api/doctors/${doctor.user.id}/slots`;
    for (const qs of [
      "?from=2030-03-01T00:00:00Z&to=2030-05-03T00:00:01Z",
      "?from=2030-03-05T00:00:00Z&to=2030-03-04T00:00:00Z",
      "?from=yesterday&to=2030-03-04T00:00:00Z",
      "?from=2030-03-01T00:00:00Z",
    ]) {
      const res = await clinic.call("GET", base + qs, { as: admin });
      expect(res.status, qs).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    }
  });
});

describe("booking rules", () => {
  it("refuses too soon, outside availability, time off and bad durations", async () => {
    const doctor = await doctorWithWeek();
    const patient = await clinic.person("patient");
    const book = (startsAt: string, durationMinutes?: number) =>
      clinic.call("POST", "/api/consultations", {
        as: patient,
        body: { doctorId: doctor.user.id, startsAt, durationMinutes },
      });

    const tooSoon = await book("2030-03-04T12:30:00Z");
    expect([tooSoon.status, tooSoon.body.error.code]).toEqual([422, "too_soon"]);
    const lunch = await book("2030-03-05T15:00:00Z"); // 12:00 local, between windows
    expect([lunch.status, lunch.body.error.code]).toEqual([422, "outside_availability"]);
    const offGrid = await book("2030-03-05T12:10:00Z");
    expect([offGrid.status, offGrid.body.error.code]).toEqual([422, "outside_availability"]);
    const sunday = await book("2030-03-10T12:00:00Z");
    expect(sunday.status).toBe(422);
    const overrun = await book("2030-03-05T14:30:00Z", 60); // 11:30-12:30 local
    expect([overrun.status, overrun.body.error.code]).toEqual([422, "outside_availability"]);
    const badDuration = await book("2030-03-05T12:00:00Z", 45);
    expect([badDuration.status, badDuration.body.error.code]).toEqual([400, "invalid_duration"]);

    await clinic.call("POST", `/api/doctors/${doctor.user.id}/time-off`, {
      as: admin,
      body: { startsAt: "2030-03-06T00:00:00-03:00", endsAt: "2030-03-07T00:00:00-03:00" },
    });
    const away = await book("2030-03-06T12:00:00Z");
    expect([away.status, away.body.error.code]).toEqual([422, "time_off"]);

    // A multiple of the slot length is fine; longer than one slot is booked by staff (fair booking).
    const ok = await clinic.call("POST", "/api/consultations", {
      as: admin,
      body: {
        doctorId: doctor.user.id,
        patientId: patient.user.id,
        startsAt: "2030-03-05T12:00:00Z",
        durationMinutes: 60,
      },
    });
    expect(ok.status).toBe(201);
    expect(ok.body.consultation).toMatchObject({
      doctorId: doctor.user.id,
      patientId: patient.user.id,
      startsAt: "2030-03-05T12:00:00.000Z",
      endsAt: "2030-03-05T13:00:00.000Z",
      status: "scheduled",
      doctor: { id: doctor.user.id, name: doctor.user.name },
      patient: { id: patient.user.id, name: patient.user.name },
    });
    const asPatient = await clinic.call("GET", `/api/consultations/${ok.body.consultation.id}`, { as: patient });
    expect(asPatient.body.consultation).not.toHaveProperty("notes");
    expect(JSON.stringify(ok.body)).not.toMatch(/room/i);
  });

  it("a patient books only for themself; doctors and admins name the patient", async () => {
    const doctor = await doctorWithWeek();
    const [a, b] = [await clinic.person("patient"), await clinic.person("patient")];
    const forOther = await clinic.call("POST", "/api/consultations", {
      as: a,
      body: { doctorId: doctor.user.id, startsAt: "2030-03-05T12:00:00Z", patientId: b.user.id },
    });
    expect(forOther.status).toBe(403);
    const noPatient = await clinic.call("POST", "/api/consultations", {
      as: admin,
      body: { doctorId: doctor.user.id, startsAt: "2030-03-05T12:00:00Z" },
    });
    expect([noPatient.status, noPatient.body.error.code]).toEqual([400, "patient_required"]);
    const byAdmin = await clinic.call("POST", "/api/consultations", {
      as: admin,
      body: { doctorId: doctor.user.id, startsAt: "2030-03-05T12:00:00Z", patientId: b.user.id, reason: "Retorno" },
    });
    expect(byAdmin.status).toBe(201);
    const otherDoctor = await doctorWithWeek();
    const wrongAgenda = await clinic.call("POST", "/api/consultations", {
      as: otherDoctor,
      body: { doctorId: doctor.user.id, startsAt: "2030-03-05T13:00:00Z", patientId: b.user.id },
    });
    expect(wrongAgenda.status).toBe(403);
    const unknownDoctor = await clinic.call("POST", "/api/consultations", {
      as: a,
      body: { doctorId: a.user.id, startsAt: "2030-03-05T13:00:00Z" },
    });
    expect(unknownDoctor.status).toBe(404);
  });

  it("a taken slot is a 409 slot_taken with the next free slots; cancelling frees it at once", async () => {
    const doctor = await doctorWithWeek();
    const [a, b] = [await clinic.person("patient"), await clinic.person("patient")];
    const body = { doctorId: doctor.user.id, startsAt: "2030-03-05T12:00:00Z" };
    const first = await clinic.call("POST", "/api/consultations", { as: a, body });
    expect(first.status).toBe(201);
    const second = await clinic.call("POST", "/api/consultations", { as: b, body });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe("slot_taken");
    expect(second.body.error.details.nextSlots[0].startsAt).toBe("2030-03-04T13:00:00.000Z");
    const overlapping = await clinic.call("POST", "/api/consultations", {
      as: admin,
      body: { ...body, patientId: b.user.id, startsAt: "2030-03-05T11:30:00Z", durationMinutes: 60 },
    });
    expect(overlapping.status).toBe(409);

    const cancelled = await clinic.call("POST", `/api/consultations/${first.body.consultation.id}/cancel`, {
      as: a,
      body: { reason: "Viagem" },
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.consultation).toMatchObject({ status: "cancelled", cancelReason: "Viagem" });
    const again = await clinic.call("POST", "/api/consultations", { as: b, body });
    expect(again.status).toBe(201);
  });

  it("a patient cannot be in two consultations at once, with different doctors", async () => {
    const [d1, d2] = [await doctorWithWeek(), await doctorWithWeek()];
    const p = await clinic.person("patient");
    const startsAt = "2030-03-05T12:00:00Z";
    expect(
      (await clinic.call("POST", "/api/consultations", { as: p, body: { doctorId: d1.user.id, startsAt } })).status,
    ).toBe(201);
    const clash = await clinic.call("POST", "/api/consultations", { as: p, body: { doctorId: d2.user.id, startsAt } });
    expect([clash.status, clash.body.error.code, clash.body.error.details.conflictWith]).toEqual([
      409,
      "slot_taken",
      "patient",
    ]);
  });
});

describe("rescheduling", () => {
  it("moves a consultation atomically; onto a taken slot it leaves the original untouched", async () => {
    const doctor = await doctorWithWeek();
    const [a, b] = [await clinic.person("patient"), await clinic.person("patient")];
    const mine = await clinic.call("POST", "/api/consultations", {
      as: a,
      body: { doctorId: doctor.user.id, startsAt: "2030-03-05T12:00:00Z" },
    });
    await clinic.call("POST", "/api/consultations", {
      as: b,
      body: { doctorId: doctor.user.id, startsAt: "2030-03-05T13:00:00Z" },
    });
    const id = mine.body.consultation.id;

    const moved = await clinic.call("PATCH", `/api/consultations/${id}`, {
      as: a,
      body: { startsAt: "2030-03-05T12:30:00Z" },
    });
    expect(moved.status).toBe(200);
    expect(moved.body.consultation).toMatchObject({
      startsAt: "2030-03-05T12:30:00.000Z",
      endsAt: "2030-03-05T13:00:00.000Z",
    });

    const onto = await clinic.call("PATCH", `/api/consultations/${id}`, {
      as: a,
      body: { startsAt: "2030-03-05T13:00:00Z" },
    });
    expect([onto.status, onto.body.error.code]).toEqual([409, "slot_taken"]);
    const longer = await clinic.call("PATCH", `/api/consultations/${id}`, { as: admin, body: { durationMinutes: 60 } });
    expect(longer.status).toBe(409);
    const outside = await clinic.call("PATCH", `/api/consultations/${id}`, {
      as: a,
      body: { startsAt: "2030-03-05T15:00:00Z" },
    });
    expect([outside.status, outside.body.error.code]).toEqual([422, "outside_availability"]);
    const unchanged = await clinic.call("GET", `/api/consultations/${id}`, { as: a });
    expect(unchanged.body.consultation).toMatchObject({
      startsAt: "2030-03-05T12:30:00.000Z",
      endsAt: "2030-03-05T13:00:00.000Z",
      status: "scheduled",
    });

    const audit = await clinic.db
      .selectFrom("audit_events")
      .select(["action", "details"])
      .where("entity_id", "=", id)
      .orderBy("id")
      .execute();
    expect(audit.map((e) => e.action)).toEqual(["consultation.create", "consultation.reschedule"]);
    expect(audit[1]!.details).toMatchObject({
      before: { startsAt: "2030-03-05T12:00:00.000Z" },
      after: { startsAt: "2030-03-05T12:30:00.000Z" },
    });
  });
});

describe("status transitions", () => {
  // A short clock move keeps the test sessions alive (their idle timeout counts on this clock).
  async function booked(startsAt = "2030-03-05T12:00:00Z") {
    const doctor = await doctorWithWeek();
    const patient = await clinic.person("patient");
    const res = await clinic.call("POST", "/api/consultations", {
      as: patient,
      body: { doctorId: doctor.user.id, startsAt },
    });
    return { doctor, patient, id: res.body.consultation.id as string };
  }
  const patch = (id: string, as: TestPerson, body: object) =>
    clinic.call("PATCH", `/api/consultations/${id}`, { as, body });

  it("starting opens with the room, 15 minutes before the start; earlier is 409 too_early", async () => {
    const far = await booked(); // a day after NOW
    const tomorrow = await patch(far.id, far.doctor, { status: "in_progress" });
    expect([tomorrow.status, tomorrow.body.error.code]).toEqual([409, "too_early"]);
    expect(tomorrow.body.error.details).toMatchObject({ opensAt: "2030-03-05T11:45:00.000Z" });
    expect(tomorrow.body.error.message).toMatch(/15 minutes before/);
    const { doctor, id } = await booked("2030-03-04T13:00:00Z"); // an hour after NOW
    clinic.clock.set(new Date("2030-03-04T12:44:59Z"));
    try {
      expect((await patch(id, doctor, { status: "in_progress" })).body.error.code).toBe("too_early");
      clinic.clock.set(new Date("2030-03-04T12:45:00Z"));
      expect((await patch(id, doctor, { status: "in_progress" })).body.consultation.status).toBe("in_progress");
    } finally {
      clinic.clock.set(NOW);
    }
  });

  it("completing needs a start, and the error says so", async () => {
    const { doctor, id } = await booked("2030-03-04T13:00:00Z");
    clinic.clock.set(new Date("2030-03-04T13:10:00Z"));
    try {
      const res = await patch(id, doctor, { status: "completed" });
      expect([res.status, res.body.error.code]).toEqual([409, "invalid_transition"]);
      expect(res.body.error.message).toMatch(/Start the consultation before completing it/);
      expect(res.body.error.details).toMatchObject({ from: "scheduled", to: "completed", needs: "in_progress" });
      const row = await clinic.call("GET", `/api/consultations/${id}`, { as: doctor });
      expect(row.body.consultation.status).toBe("scheduled");
    } finally {
      clinic.clock.set(NOW);
    }
  });

  it("scheduled → in_progress → completed by the doctor; nothing after completed", async () => {
    const { doctor, patient, id } = await booked("2030-03-04T13:00:00Z");
    clinic.clock.set(new Date("2030-03-04T12:50:00Z"));
    expect((await patch(id, patient, { status: "in_progress" })).status).toBe(403);
    expect((await patch(id, doctor, { status: "completed" })).body.error.code).toBe("invalid_transition");
    expect((await patch(id, doctor, { status: "in_progress" })).body.consultation.status).toBe("in_progress");
    clinic.clock.set(NOW);
    expect((await patch(id, doctor, { status: "cancelled" })).status).toBe(409);
    expect((await patch(id, doctor, { status: "completed" })).body.consultation.status).toBe("completed");
    for (const status of ["scheduled", "in_progress", "cancelled", "no_show"]) {
      const res = await patch(id, admin, { status });
      expect([res.status, res.body.error.code], status).toEqual([409, "invalid_transition"]);
    }
    const resched = await patch(id, doctor, { startsAt: "2030-03-05T14:00:00Z" });
    expect([resched.status, resched.body.error.code]).toEqual([409, "invalid_transition"]);
  });

  it("no-show only after the start time, by the doctor or an admin", async () => {
    const doctor = await doctorWithWeek();
    const patient = await clinic.person("patient");
    const res = await clinic.call("POST", "/api/consultations", {
      as: patient,
      body: { doctorId: doctor.user.id, startsAt: "2030-03-04T13:00:00Z" },
    });
    const id = res.body.consultation.id as string;
    expect((await patch(id, doctor, { status: "no_show" })).status).toBe(409);
    clinic.clock.set(new Date("2030-03-04T13:10:00Z"));
    try {
      expect((await patch(id, patient, { status: "no_show" })).status).toBe(403);
      expect((await patch(id, admin, { status: "no_show" })).body.consultation.status).toBe("no_show");
    } finally {
      clinic.clock.set(NOW);
    }
  });

  it("cancel by the owner, the doctor or an admin; never twice; a stranger sees 404", async () => {
    for (const who of ["patient", "doctor", "admin"] as const) {
      const { doctor, patient, id } = await booked();
      const actor = who === "patient" ? patient : who === "doctor" ? doctor : admin;
      const res = await clinic.call("POST", `/api/consultations/${id}/cancel`, { as: actor });
      expect(res.status, who).toBe(200);
      expect((await clinic.call("POST", `/api/consultations/${id}/cancel`, { as: actor })).status).toBe(409);
    }
    const { id } = await booked();
    const stranger = await clinic.person("patient");
    expect((await clinic.call("POST", `/api/consultations/${id}/cancel`, { as: stranger })).status).toBe(404);
  });

  it("notes alongside a status change or a reschedule: both or nothing, one audit event each", async () => {
    const { doctor, patient, id } = await booked();
    const refused = await patch(id, patient, { status: "cancelled", notes: "x" });
    expect(refused.status).toBe(403);
    expect((await clinic.call("GET", `/api/consultations/${id}`, { as: patient })).body.consultation.status).toBe(
      "scheduled",
    );

    // A reschedule onto a taken slot with notes: 409 with the next free slots, notes untouched.
    const other = await clinic.person("patient");
    const taken = await clinic.call("POST", "/api/consultations", {
      as: doctor,
      body: { doctorId: doctor.user.id, patientId: other.user.id, startsAt: "2030-03-05T12:30:00Z" },
    });
    expect(taken.status).toBe(201);
    const clash = await patch(id, doctor, { startsAt: "2030-03-05T12:30:00Z", notes: "moved" });
    expect([clash.status, clash.body.error.code]).toEqual([409, "slot_taken"]);
    expect(clash.body.error.details.nextSlots.length).toBeGreaterThan(0);
    const still = await clinic.call("GET", `/api/consultations/${id}`, { as: doctor });
    expect(still.body.consultation).toMatchObject({ startsAt: "2030-03-05T12:00:00.000Z", notes: null });

    // Starting opens with the room (15 minutes before the start).
    clinic.clock.set(new Date("2030-03-05T11:50:00Z"));
    try {
      // A day later the test session has idled out: the doctor signs in again.
      const login = await clinic.call("POST", "/api/auth/login", {
        body: { email: doctor.user.email, password: TEST_PASSWORD },
      });
      const doc: TestPerson = { ...doctor, token: login.body.token };
      const both = await patch(id, doc, { status: "in_progress", notes: "PA 12/8." });
      expect(both.status).toBe(200);
      expect(both.body.consultation).toMatchObject({ status: "in_progress", notes: "PA 12/8." });
      // The same status again, with notes: only the notes change.
      const again = await patch(id, doc, { status: "in_progress", notes: "PA 13/8." });
      expect(again.body.consultation).toMatchObject({ status: "in_progress", notes: "PA 13/8." });
    } finally {
      clinic.clock.set(NOW);
    }
    const audit = await clinic.db
      .selectFrom("audit_events")
      .select("action")
      .where("entity_id", "=", id)
      .orderBy("id")
      .execute();
    expect(audit.map((e) => e.action)).toEqual([
      "consultation.create",
      "consultation.notes",
      "consultation.status",
      "consultation.notes",
    ]);
  });

  it("notes: written and read by the doctor and admins only; reads are audited", async () => {
    const { doctor, patient, id } = await booked();
    expect((await patch(id, patient, { notes: "self-diagnosis" })).status).toBe(403);
    const written = await patch(id, doctor, { notes: "PA 12/8. Retorno em 30 dias." });
    expect(written.body.consultation.notes).toBe("PA 12/8. Retorno em 30 dias.");
    const asPatient = await clinic.call("GET", `/api/consultations/${id}`, { as: patient });
    expect(asPatient.body.consultation).not.toHaveProperty("notes");
    expect(JSON.stringify(asPatient.body)).not.toContain("Retorno em 30");
    const asAdmin = await clinic.call("GET", `/api/consultations/${id}`, { as: admin });
    expect(asAdmin.body.consultation.notes).toBe("PA 12/8. Retorno em 30 dias.");
    const reads = await clinic.db
      .selectFrom("audit_events")
      .select(["actor_id"])
      .where("entity_id", "=", id)
      .where("action", "=", "consultation.notes_read")
      .execute();
    expect(reads.map((r) => r.actor_id)).toEqual([admin.user.id]);
  });
});

describe("visibility", () => {
  it("patients see their own, doctors their agenda, admins everything; others get 404", async () => {
    const [d1, d2] = [await doctorWithWeek(), await doctorWithWeek()];
    const [p1, p2] = [await clinic.person("patient"), await clinic.person("patient")];
    const c1 = await clinic.call("POST", "/api/consultations", {
      as: p1,
      body: { doctorId: d1.user.id, startsAt: "2030-03-05T12:00:00Z" },
    });
    const c2 = await clinic.call("POST", "/api/consultations", {
      as: p2,
      body: { doctorId: d2.user.id, startsAt: "2030-03-05T12:00:00Z" },
    });
    const ids = (r: { body: { consultations: { id: string }[] } }) => r.body.consultations.map((c) => c.id);
    const range = "from=2030-03-01T00:00:00Z&to=2030-03-10T00:00:00Z";

    expect(ids(await clinic.call("GET", `/api/consultations?${range}`, { as: p1 }))).toEqual([c1.body.consultation.id]);
    expect(ids(await clinic.call("GET", `/api/consultations?${range}`, { as: d2 }))).toEqual([c2.body.consultation.id]);
    const adminView = ids(
      await clinic.call("GET", `/api/consultations?${range}&doctorId=${d1.user.id}`, { as: admin }),
    );
    expect(adminView).toEqual([c1.body.consultation.id]);
    // Asking for someone else's data through filters yields nothing, not their data.
    expect(ids(await clinic.call("GET", `/api/consultations?${range}&patientId=${p2.user.id}`, { as: p1 }))).toEqual(
      [],
    );

    for (const [who, id] of [
      [p2, c1.body.consultation.id],
      [d2, c1.body.consultation.id],
      [p1, c2.body.consultation.id],
    ] as const) {
      const res = await clinic.call("GET", `/api/consultations/${id}`, { as: who });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("consultation_not_found");
      const patched = await clinic.call("PATCH", `/api/consultations/${id}`, {
        as: who,
        body: { status: "cancelled" },
      });
      expect(patched.status).toBe(404);
    }
  });

  it("paginates with a cursor and filters by status", async () => {
    const doctor = await doctorWithWeek();
    const patients = await Promise.all([0, 1, 2, 3, 4].map(() => clinic.person("patient")));
    for (const [i, p] of patients.entries()) {
      const startsAt = new Date(Date.parse("2030-03-05T11:00:00Z") + i * 30 * 60_000).toISOString();
      expect(
        (await clinic.call("POST", "/api/consultations", { as: p, body: { doctorId: doctor.user.id, startsAt } }))
          .status,
      ).toBe(201);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await clinic.call("GET", `/api/consultations?limit=2${cursor ? `&cursor=${cursor}` : ""}`, {
        as: doctor,
      });
      expect(res.status).toBe(200);
      seen.push(...res.body.consultations.map((c: { startsAt: string }) => c.startsAt));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...seen].sort());
    expect(seen).toHaveLength(5);
    expect((await clinic.call("GET", "/api/consultations?cursor=garbage", { as: doctor })).status).toBe(400);
    expect(
      (await clinic.call("GET", "/api/consultations?status=cancelled", { as: doctor })).body.consultations,
    ).toEqual([]);
    expect((await clinic.call("GET", "/api/consultations?status=bogus", { as: doctor })).status).toBe(400);
    expect((await clinic.call("GET", "/api/consultations?limit=100000", { as: doctor })).status).toBe(400);
  });
});
