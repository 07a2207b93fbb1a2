/**
 * "Send the room link again by mail" (issue #13): `POST /api/consultations/:id/room-link/email`.
 * The patient gets their booking confirmation again, with a working room link and the same
 * calendar invite (same UID and SEQUENCE); the patient, the doctor or an admin asks; the outbox
 * caps it (one a minute, five a day per consultation). On PGlite, PostgreSQL (TEST_DATABASE_URL) and
 * the Data API stand-in (TEST_DB_ENGINE=data-api). The clock stands at Monday 2030-03-04 09:00 in
 * Sao Paulo (12:00Z).
 */
import { createTestClinic, type TestClinic, type TestPerson } from "@healthflow/test-kit/test-clinic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyRoomToken } from "./room-token.js";

const NOW = new Date("2030-03-04T12:00:00Z");
const TUESDAY_10H = "2030-03-05T13:00:00.000Z";

let clinic: TestClinic;
let admin: TestPerson;

beforeAll(async () => {
  clinic = await createTestClinic({
    now: NOW,
    config: { clinicAddress: "Rua das Flores 123", booking: undefined, requireEmailVerification: false },
  });
  admin = await clinic.person("admin");
});
afterAll(() => clinic.close());

async function booked(mode: "video" | "in_person" = "video") {
  const doctor = await clinic.person("doctor");
  const patient = await clinic.person("patient");
  const rules = await clinic.call("PUT", `/api/doctors/${doctor.user.id}/availability`, {
    as: doctor,
    body: { rules: [{ weekday: 2, start: "08:00", end: "12:00" }] },
  });
  expect(rules.status).toBe(200);
  const res = await clinic.call("POST", "/api/consultations", {
    as: admin,
    body: { doctorId: doctor.user.id, patientId: patient.user.id, startsAt: TUESDAY_10H, mode },
  });
  expect(res.status).toBe(201);
  return { doctor, patient, id: res.body.consultation.id as string };
}

const confirmations = (consultationId: string) =>
  clinic.db
    .selectFrom("outbox")
    .select(["recipient_id", "body_text", "calendar", "created_at"])
    .where("consultation_id", "=", consultationId)
    .where("kind", "=", "booking_confirmation")
    .orderBy("created_at")
    .execute();

const emailLink = (id: string, as?: TestPerson) =>
  clinic.call("POST", `/api/consultations/${id}/room-link/email`, as ? { as } : {});

describe("POST /api/consultations/:id/room-link/email", () => {
  it("mails the patient a working room link and the same invite again, at most once a minute", async () => {
    const { doctor, patient, id } = await booked();
    clinic.clock.advance(61_000); // the booking's own confirmation went out just now
    try {
      const res = await emailLink(id, doctor);
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ status: "queued" });

      const [first, again] = await confirmations(id);
      expect(again!.recipient_id).toBe(patient.user.id);
      // The same calendar event: UID and SEQUENCE unchanged.
      const line = (ics: string | null, name: string) => ics?.split("\r\n").find((l) => l.startsWith(`${name}:`));
      expect(line(again!.calendar, "UID")).toBe(`UID:${id}@healthflow`);
      expect(line(again!.calendar, "SEQUENCE")).toBe(line(first!.calendar, "SEQUENCE"));
      // The link in the mail is a valid, current token for this consultation's room, as the patient
      // (the room service, packages/video, is what opens it; it checks exactly this).
      const token = /\/room\/([A-Za-z0-9._~-]+)/.exec(again!.body_text)?.[1];
      const verified = await verifyRoomToken(clinic.deps.config.secret!, token ?? "", clinic.clock.now());
      expect(verified).toMatchObject({ ok: true, claims: { consultationId: id, role: "patient", generation: 0 } });

      // A second request within the minute: 429, and no second mail.
      const soon = await emailLink(id, patient);
      expect(soon.status).toBe(429);
      expect(soon.body.error.code).toBe("rate_limited");
      expect(Number(soon.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(await confirmations(id)).toHaveLength(2);

      // A minute later the patient may ask for it themself; the audit trail names who asked.
      clinic.clock.advance(61_000);
      expect((await emailLink(id, patient)).status).toBe(202);
      expect(await confirmations(id)).toHaveLength(3);
      const audit = await clinic.db
        .selectFrom("audit_events")
        .select("actor_id")
        .where("entity_id", "=", id)
        .where("action", "=", "room.link_emailed")
        .orderBy("at")
        .execute();
      expect(audit.map((a) => a.actor_id)).toEqual([doctor.user.id, patient.user.id]);
    } finally {
      clinic.clock.set(NOW);
    }
  });

  it("caps it at five confirmations a day per consultation", async () => {
    const { id } = await booked();
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        clinic.clock.advance(61_000);
        statuses.push((await emailLink(id, admin)).status);
      }
      // The booking's confirmation plus four resends make five.
      expect(statuses).toEqual([202, 202, 202, 202, 429]);
      expect(await confirmations(id)).toHaveLength(5);
    } finally {
      clinic.clock.set(NOW);
    }
  });

  it("is for the consultation's patient, doctor and admins only: others get 404, anonymous 401", async () => {
    const { id } = await booked();
    const stranger = await clinic.person("patient");
    const otherDoctor = await clinic.person("doctor");
    expect((await emailLink(id, stranger)).status).toBe(404);
    expect((await emailLink(id, otherDoctor)).status).toBe(404);
    expect((await emailLink(id)).status).toBe(401);
    expect((await emailLink("00000000-0000-4000-8000-000000000000", admin)).status).toBe(404);
    expect((await emailLink("not-a-uuid", admin)).status).toBe(400);
    expect(await confirmations(id)).toHaveLength(1);
  });

  it("refuses an in-person consultation (409 no_room) and a cancelled one (410 room_closed)", async () => {
    const inPerson = await booked("in_person");
    const res = await emailLink(inPerson.id, admin);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("no_room");

    const video = await booked();
    const cancel = await clinic.call("POST", `/api/consultations/${video.id}/cancel`, { as: admin, body: {} });
    expect(cancel.status).toBe(200);
    const closed = await emailLink(video.id, video.patient);
    expect(closed.status).toBe(410);
    expect(closed.body.error.code).toBe("room_closed");
  });

  it("sends nothing to a disabled patient (409 recipient_disabled)", async () => {
    const { patient, id } = await booked();
    clinic.clock.advance(61_000);
    try {
      expect((await clinic.call("POST", `/api/users/${patient.user.id}/disable`, { as: admin })).status).toBe(200);
      const res = await emailLink(id, admin);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe("recipient_disabled");
      expect(await confirmations(id)).toHaveLength(1);
    } finally {
      clinic.clock.set(NOW);
    }
  });
});
