/**
 * In person or video (issue #13), through the HTTP API: weekly rules say which modes they offer,
 * slots say it, a booking in a mode its slot does not offer is 422 `mode_not_offered` (a reschedule
 * keeps the mode), an in-person consultation has no room (409 `no_room`) and its mail carries the
 * clinic's address. On PGlite, PostgreSQL (TEST_DATABASE_URL) and the Data API stand-in
 * (TEST_DB_ENGINE=data-api). The clock stands at Monday 2030-03-04 09:00 in Sao Paulo (12:00Z).
 */
import { createTestClinic, type TestClinic, type TestPerson } from "@healthflow/test-kit/test-clinic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const NOW = new Date("2030-03-04T12:00:00Z");
const ADDRESS = "Rua das Flores 123 - Centro - Curitiba PR";
/** Tuesday 2030-03-05 in Sao Paulo (UTC-3): mornings both modes, 12-14 video only, afternoons in person only. */
const RULES = [
  { weekday: 2, start: "08:00", end: "12:00" },
  { weekday: 2, start: "12:00", end: "14:00", modes: ["video"] },
  { weekday: 2, start: "14:00", end: "18:00", modes: ["in_person"] },
  // Monday afternoon, the same day as the clock: for what must happen at the consultation's time
  // within the test sessions' 12 idle hours.
  { weekday: 1, start: "14:00", end: "18:00", modes: ["in_person"] },
];
const MONDAY_15H = "2030-03-04T18:00:00.000Z";
const at = (hhmm: string) =>
  `2030-03-05T${String(Number(hhmm.slice(0, 2)) + 3).padStart(2, "0")}:${hhmm.slice(3)}:00.000Z`;

let clinic: TestClinic;
let admin: TestPerson;

beforeAll(async () => {
  clinic = await createTestClinic({ now: NOW, config: { clinicAddress: ADDRESS, booking: undefined } });
  admin = await clinic.person("admin");
});
afterAll(() => clinic.close());

async function doctorWithRules(): Promise<TestPerson> {
  const doctor = await clinic.person("doctor");
  const res = await clinic.call("PUT", `/api/doctors/${doctor.user.id}/availability`, {
    as: doctor,
    body: { rules: RULES },
  });
  expect(res.status).toBe(200);
  return doctor;
}

async function book(as: TestPerson, doctor: TestPerson, hhmm: string, mode?: string, patient?: TestPerson) {
  return clinic.call("POST", "/api/consultations", {
    as,
    body: { doctorId: doctor.user.id, startsAt: at(hhmm), ...(mode ? { mode } : {}), patientId: patient?.user.id },
  });
}

describe("weekly rules say which modes they offer", () => {
  it("round-trips modes, both by default, in a fixed order", async () => {
    const doctor = await clinic.person("doctor");
    const put = await clinic.call("PUT", `/api/doctors/${doctor.user.id}/availability`, {
      as: admin,
      body: {
        rules: [
          { weekday: 1, start: "08:00", end: "12:00" },
          { weekday: 1, start: "14:00", end: "18:00", modes: ["in_person", "video"] },
          { weekday: 3, start: "08:00", end: "12:00", modes: ["in_person"] },
        ],
      },
    });
    expect(put.status).toBe(200);
    const got = await clinic.call("GET", `/api/doctors/${doctor.user.id}/availability`, { as: admin });
    expect(got.body.rules).toEqual([
      { weekday: 1, start: "08:00", end: "12:00", modes: ["video", "in_person"] },
      { weekday: 1, start: "14:00", end: "18:00", modes: ["video", "in_person"] },
      { weekday: 3, start: "08:00", end: "12:00", modes: ["in_person"] },
    ]);
  });

  it("refuses an empty, repeated or unknown mode", async () => {
    const doctor = await clinic.person("doctor");
    const path = `/api/doctors/${doctor.user.id}/availability`;
    for (const modes of [[], ["video", "video"], ["phone"]]) {
      const res = await clinic.call("PUT", path, {
        as: doctor,
        body: { rules: [{ weekday: 1, start: "08:00", end: "09:00", modes }] },
      });
      expect(res.status, JSON.stringify(modes)).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    }
  });

  it("slots carry their rule's modes, and ?mode= keeps those offering it", async () => {
    const doctor = await doctorWithRules();
    const range = `from=${at("08:00")}&to=${at("18:00")}`;
    const all = await clinic.call("GET", `/api/doctors/${doctor.user.id}/slots?${range}`, { as: admin });
    expect(all.status).toBe(200);
    expect(all.body.slots).toHaveLength(20);
    const byStart = new Map(all.body.slots.map((s: { startsAt: string; modes: string[] }) => [s.startsAt, s.modes]));
    expect(byStart.get(at("08:00"))).toEqual(["video", "in_person"]);
    expect(byStart.get(at("12:30"))).toEqual(["video"]);
    expect(byStart.get(at("15:00"))).toEqual(["in_person"]);

    const inPerson = await clinic.call("GET", `/api/doctors/${doctor.user.id}/slots?${range}&mode=in_person`, {
      as: admin,
    });
    expect(inPerson.body.slots).toHaveLength(16);
    expect(inPerson.body.slots.every((s: { modes: string[] }) => s.modes.includes("in_person"))).toBe(true);
    const video = await clinic.call("GET", `/api/doctors/${doctor.user.id}/slots?${range}&mode=video`, { as: admin });
    expect(video.body.slots).toHaveLength(12);
    expect(video.body.slots.map((s: { startsAt: string }) => s.startsAt)).not.toContain(at("14:00"));
    const bad = await clinic.call("GET", `/api/doctors/${doctor.user.id}/slots?${range}&mode=phone`, { as: admin });
    expect(bad.status).toBe(400);
  });
});

describe("booking in a mode", () => {
  it("is video by default and in person when asked, with the clinic's address", async () => {
    const doctor = await doctorWithRules();
    const patient = await clinic.person("patient");
    const video = await book(patient, doctor, "08:00");
    expect(video.status).toBe(201);
    expect(video.body.consultation).toMatchObject({ mode: "video", location: null });

    const inPerson = await book(patient, doctor, "14:00", "in_person");
    expect(inPerson.status).toBe(201);
    expect(inPerson.body.consultation).toMatchObject({ mode: "in_person", location: ADDRESS });
    // No teleconsultation record for an in-person consultation.
    expect(inPerson.body.consultation.teleconsultation).toBeUndefined();

    const read = await clinic.call("GET", `/api/consultations/${inPerson.body.consultation.id}`, { as: doctor });
    expect(read.body.consultation).toMatchObject({ mode: "in_person", location: ADDRESS });
    const list = await clinic.call("GET", `/api/consultations?doctorId=${doctor.user.id}`, { as: admin });
    expect(list.body.consultations.map((c: { mode: string }) => c.mode)).toEqual(["video", "in_person"]);
  });

  it("is 422 mode_not_offered where the slot's rule does not offer the mode, and the slot stays free", async () => {
    const doctor = await doctorWithRules();
    const patient = await clinic.person("patient");
    const wrongInPerson = await book(patient, doctor, "12:30", "in_person");
    expect(wrongInPerson.status).toBe(422);
    expect(wrongInPerson.body.error).toMatchObject({
      code: "mode_not_offered",
      details: { mode: "in_person", offered: ["video"] },
    });
    const wrongVideo = await book(admin, doctor, "15:00", "video", patient);
    expect(wrongVideo.status).toBe(422);
    expect(wrongVideo.body.error).toMatchObject({ code: "mode_not_offered", details: { offered: ["in_person"] } });
    // A longer consultation across two rules gets only what both offer.
    const across = await clinic.call("POST", "/api/consultations", {
      as: doctor,
      body: {
        doctorId: doctor.user.id,
        patientId: patient.user.id,
        startsAt: at("11:30"),
        durationMinutes: 60,
        mode: "in_person",
      },
    });
    expect(across.status).toBe(422);
    expect(across.body.error.code).toBe("mode_not_offered");
    const count = await clinic.db
      .selectFrom("consultations")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("doctor_id", "=", doctor.user.id)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
    expect((await book(patient, doctor, "12:30", "video")).status).toBe(201);
  });

  it("a taken slot offers next free slots in the wanted mode", async () => {
    const doctor = await doctorWithRules();
    const first = await clinic.person("patient");
    const second = await clinic.person("patient");
    expect((await book(first, doctor, "11:30", "video")).status).toBe(201);
    const taken = await book(second, doctor, "11:30", "video");
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe("slot_taken");
    const next = taken.body.error.details.nextSlots as { startsAt: string; modes: string[] }[];
    expect(next.length).toBeGreaterThan(0);
    expect(next.every((s) => s.modes.includes("video"))).toBe(true);
    // 11:30 was the last both-modes slot before the in-person-only afternoon: in person, the next
    // ones skip 12:00-14:00 (video only).
    expect((await book(first, doctor, "14:00", "in_person")).status).toBe(201);
    const takenInPerson = await book(second, doctor, "14:00", "in_person");
    expect(takenInPerson.status).toBe(409);
    const nextInPerson = takenInPerson.body.error.details.nextSlots as { startsAt: string; modes: string[] }[];
    expect(nextInPerson.length).toBeGreaterThan(0);
    expect(nextInPerson.every((s) => s.modes.includes("in_person"))).toBe(true);
  });

  it("a reschedule keeps the mode and must land where it is offered", async () => {
    const doctor = await doctorWithRules();
    const patient = await clinic.person("patient");
    const booked = await book(patient, doctor, "14:00", "in_person");
    const id = booked.body.consultation.id;
    const toVideoOnly = await clinic.call("PATCH", `/api/consultations/${id}`, {
      as: patient,
      body: { startsAt: at("12:00") },
    });
    expect(toVideoOnly.status).toBe(422);
    expect(toVideoOnly.body.error.code).toBe("mode_not_offered");
    const toBoth = await clinic.call("PATCH", `/api/consultations/${id}`, {
      as: patient,
      body: { startsAt: at("09:00") },
    });
    expect(toBoth.status).toBe(200);
    expect(toBoth.body.consultation).toMatchObject({ mode: "in_person", startsAt: at("09:00"), location: ADDRESS });
  });
});

describe("an in-person consultation has no room", () => {
  it("is 409 no_room for every room-link route and check-in; a video one still has its room", async () => {
    const doctor = await doctorWithRules();
    const patient = await clinic.person("patient");
    const inPerson = (
      await clinic.call("POST", "/api/consultations", {
        as: patient,
        body: { doctorId: doctor.user.id, startsAt: MONDAY_15H, mode: "in_person" },
      })
    ).body.consultation.id;
    const video = (await book(patient, doctor, "08:00", "video")).body.consultation.id;
    for (const as of [patient, doctor, admin]) {
      const link = await clinic.call("POST", `/api/consultations/${inPerson}/room-link`, { as });
      expect(link.status).toBe(409);
      expect(link.body.error.code).toBe("no_room");
    }
    const shared = await clinic.call("POST", `/api/consultations/${inPerson}/room-link`, {
      as: doctor,
      body: { for: "patient" },
    });
    expect(shared.body.error.code).toBe("no_room");
    const revoke = await clinic.call("DELETE", `/api/consultations/${inPerson}/room-links`, { as: doctor });
    expect(revoke.status).toBe(409);
    expect(revoke.body.error.code).toBe("no_room");
    clinic.clock.set(new Date(new Date(MONDAY_15H).getTime() - 10 * 60_000));
    try {
      const checkIn = await clinic.call("POST", `/api/consultations/${inPerson}/check-in`, { as: doctor });
      expect(checkIn.status).toBe(409);
      expect(checkIn.body.error.code).toBe("no_room");
    } finally {
      clinic.clock.set(NOW);
    }
    // Its own doctor still sees it through: started and completed, with no teleconsultation record.
    // Strangers still get 404 first.
    const stranger = await clinic.person("patient");
    expect((await clinic.call("POST", `/api/consultations/${inPerson}/room-link`, { as: stranger })).status).toBe(404);
    expect((await clinic.call("POST", `/api/consultations/${video}/room-link`, { as: patient })).status).toBe(200);
  });

  it("starts and completes without a teleconsultation record", async () => {
    const doctor = await doctorWithRules();
    const patient = await clinic.person("patient");
    const id = (
      await clinic.call("POST", "/api/consultations", {
        as: patient,
        body: { doctorId: doctor.user.id, startsAt: MONDAY_15H, mode: "in_person" },
      })
    ).body.consultation.id;
    expect(id).toBeTypeOf("string");
    clinic.clock.set(new Date(MONDAY_15H));
    try {
      const started = await clinic.call("PATCH", `/api/consultations/${id}`, {
        as: doctor,
        body: { status: "in_progress" },
      });
      expect(started.status).toBe(200);
      const done = await clinic.call("PATCH", `/api/consultations/${id}`, {
        as: doctor,
        body: { status: "completed" },
      });
      expect(done.status).toBe(200);
      expect(done.body.consultation).toMatchObject({ status: "completed", mode: "in_person" });
      const records = await clinic.db
        .selectFrom("teleconsultation_records")
        .selectAll()
        .where("consultation_id", "=", id)
        .execute();
      expect(records).toEqual([]);
    } finally {
      clinic.clock.set(NOW);
    }
  });

  it("mail and invite carry the clinic's address, not a room link", async () => {
    const doctor = await doctorWithRules();
    const patient = await clinic.person("patient");
    const inPerson = (await book(admin, doctor, "16:00", "in_person", patient)).body.consultation.id;
    const video = (await book(admin, doctor, "10:00", "video", patient)).body.consultation.id;
    const mail = async (id: string, kind: string) =>
      clinic.db
        .selectFrom("outbox")
        .select(["body_text", "body_html", "calendar"])
        .where("consultation_id", "=", id)
        .where("kind", "=", kind)
        .executeTakeFirstOrThrow();
    const confirmation = await mail(inPerson, "booking_confirmation");
    expect(confirmation.body_text).toContain(ADDRESS);
    expect(confirmation.body_text).toContain("Presencial");
    expect(confirmation.body_text).not.toContain("/room/");
    expect(confirmation.body_html).not.toContain("/room/");
    expect(confirmation.calendar).toContain(`LOCATION:${ADDRESS}`);
    expect(confirmation.calendar).not.toContain("URL:");
    const reminder = await mail(inPerson, "reminder");
    expect(reminder.body_text).toContain(ADDRESS);
    expect(reminder.body_text).not.toContain("/room/");
    const doctorNotice = await mail(inPerson, "doctor_booked");
    expect(doctorNotice.body_text).toContain("Presencial");

    const videoConfirmation = await mail(video, "booking_confirmation");
    expect(videoConfirmation.body_text).toContain("/room/");
    expect(videoConfirmation.body_text).not.toContain(ADDRESS);
    expect(videoConfirmation.calendar).toMatch(/LOCATION:http/);
  });
});
