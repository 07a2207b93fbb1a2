/**
 * Room links after issue #11: a link follows its consultation through reschedules (its validity is
 * the consultation's current window), the doctor or an admin can revoke every link of a
 * consultation (410 `link_revoked`), and a link never names an origin taken from the Host header.
 */
import { createTestClinic, type TestClinic, type TestPerson } from "@healthflow/test-kit/test-clinic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { roomRoutes } from "./routes.js";

const NOW = new Date("2030-09-02T12:00:00Z"); // Monday 09:00 in Sao Paulo
const START = "2030-09-03T12:00:00Z"; // Tuesday 09:00 local

let clinic: TestClinic;
let admin: TestPerson;

beforeAll(async () => {
  clinic = await createTestClinic({ now: NOW, modules: [roomRoutes], config: { publicUrl: "https://clinic.example" } });
  admin = await clinic.person("admin");
});
afterAll(async () => {
  await clinic.close();
});

async function consultation() {
  const doctor = await clinic.person("doctor");
  await clinic.call("PUT", `/api/doctors/${doctor.user.id}/availability`, {
    as: doctor,
    body: { rules: [2, 3, 4, 5].map((weekday) => ({ weekday, start: "08:00", end: "12:00" })) },
  });
  const patient = await clinic.person("patient");
  const booked = await clinic.call("POST", "/api/consultations", {
    as: patient,
    body: { doctorId: doctor.user.id, startsAt: START },
  });
  expect(booked.status).toBe(201);
  return { doctor, patient, id: booked.body.consultation.id as string };
}

const tokenOf = (url: string) => url.split("/room/")[1]!;

describe("a room link follows its consultation", () => {
  it("a link issued before a reschedule to a later day opens in the new window, not the old one", async () => {
    clinic.clock.set(NOW);
    const { patient, id } = await consultation();
    const link = await clinic.call("POST", `/api/consultations/${id}/room-link`, { as: patient });
    expect(link.status).toBe(200);
    const token = tokenOf(link.body.url);
    // Two days later, Thursday 09:00 local.
    const moved = await clinic.call("PATCH", `/api/consultations/${id}`, {
      as: patient,
      body: { startsAt: "2030-09-05T12:00:00Z" },
    });
    expect(moved.status).toBe(200);

    // The old window: the consultation is not then any more.
    clinic.clock.set(new Date("2030-09-03T12:05:00Z"));
    const old = await clinic.call("GET", `/api/rooms/${token}`);
    expect([old.status, old.body.error.code]).toEqual([425, "room_not_open"]);
    expect(old.body.error.details.opensAt).toBe("2030-09-05T11:45:00.000Z");
    // Inside the new window (after the old one closed): open.
    clinic.clock.set(new Date("2030-09-05T12:10:00Z"));
    const open = await clinic.call("GET", `/api/rooms/${token}`);
    expect(open.status).toBe(200);
    expect(open.body.consultation.startsAt).toBe("2030-09-05T12:00:00.000Z");
    // After the new window: gone.
    clinic.clock.set(new Date("2030-09-05T13:01:00Z"));
    const late = await clinic.call("GET", `/api/rooms/${token}`);
    expect([late.status, late.body.error.code]).toEqual([410, "room_expired"]);
  });
});

describe("revoking a consultation's room links", () => {
  it("the doctor revokes: every earlier link answers 410 link_revoked; a new link works", async () => {
    clinic.clock.set(NOW);
    const { doctor, patient, id } = await consultation();
    const forPatient = tokenOf(
      (await clinic.call("POST", `/api/consultations/${id}/room-link`, { as: patient })).body.url,
    );
    const forDoctor = tokenOf(
      (await clinic.call("POST", `/api/consultations/${id}/room-link`, { as: doctor })).body.url,
    );
    clinic.clock.set(new Date("2030-09-03T12:00:00Z"));
    expect((await clinic.call("GET", `/api/rooms/${forPatient}`)).status).toBe(200);

    // (Back to the day before to act, so the test sessions have not gone idle.)
    clinic.clock.set(NOW);
    const revoked = await clinic.call("DELETE", `/api/consultations/${id}/room-links`, { as: doctor });
    expect(revoked.status).toBe(204);
    clinic.clock.set(new Date("2030-09-03T12:00:00Z"));
    for (const token of [forPatient, forDoctor]) {
      const res = await clinic.call("GET", `/api/rooms/${token}`);
      expect([res.status, res.body.error.code]).toEqual([410, "link_revoked"]);
    }
    clinic.clock.set(NOW);
    const fresh = tokenOf((await clinic.call("POST", `/api/consultations/${id}/room-link`, { as: patient })).body.url);
    clinic.clock.set(new Date("2030-09-03T12:00:00Z"));
    expect((await clinic.call("GET", `/api/rooms/${fresh}`)).status).toBe(200);

    // An admin revokes too, and the fresh link then stops as well.
    clinic.clock.set(NOW);
    expect((await clinic.call("DELETE", `/api/consultations/${id}/room-links`, { as: admin })).status).toBe(204);
    clinic.clock.set(new Date("2030-09-03T12:00:00Z"));
    expect((await clinic.call("GET", `/api/rooms/${fresh}`)).body.error.code).toBe("link_revoked");

    const audit = await clinic.db
      .selectFrom("audit_events")
      .select(["action", "actor_id"])
      .where("entity_id", "=", id)
      .where("action", "=", "room.links_revoked")
      .execute();
    expect(audit.map((a) => a.actor_id).sort()).toEqual([doctor.user.id, admin.user.id].sort());
  });

  it("the patient may not revoke (403); strangers get 404; anonymous 401", async () => {
    clinic.clock.set(NOW);
    const { patient, id } = await consultation();
    const path = `/api/consultations/${id}/room-links`;
    expect((await clinic.call("DELETE", path, { as: patient })).status).toBe(403);
    expect((await clinic.call("DELETE", path, { as: await clinic.person("doctor") })).status).toBe(404);
    expect((await clinic.call("DELETE", path, { as: await clinic.person("patient") })).status).toBe(404);
    expect((await clinic.call("DELETE", path)).status).toBe(401);
    const unknown = await clinic.call("DELETE", "/api/consultations/00000000-0000-4000-8000-000000000000/room-links", {
      as: admin,
    });
    expect(unknown.status).toBe(404);
  });
});

describe("the origin a link names", () => {
  it("without HEALTHFLOW_PUBLIC_URL, a forged Host is not trusted; a loopback one is", async () => {
    const local = await createTestClinic({ now: NOW, modules: [roomRoutes], database: clinic.database });
    try {
      local.clock.set(NOW);
      const doctor = await local.person("doctor");
      await local.call("PUT", `/api/doctors/${doctor.user.id}/availability`, {
        as: doctor,
        body: { rules: [{ weekday: 2, start: "08:00", end: "12:00" }] },
      });
      const booked = await local.call("POST", "/api/consultations", {
        as: doctor,
        body: { doctorId: doctor.user.id, patientId: (await local.person("patient")).user.id, startsAt: START },
      });
      const path = `/api/consultations/${booked.body.consultation.id}/room-link`;
      const evil = await local.app.request(`http://evil.example${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${doctor.token}`, host: "evil.example" },
      });
      const body = await evil.text();
      expect(body).not.toContain("evil.example");
      expect(evil.status).toBe(503);
      expect(JSON.parse(body).error.code).toBe("public_url_not_configured");
      const ok = await local.app.request(`http://127.0.0.1:3000${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${doctor.token}` },
      });
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as { url: string }).url).toMatch(/^http:\/\/127\.0\.0\.1:3000\/room\//);
    } finally {
      await local.close();
    }
  });
});
