/**
 * Consult-room links end to end through the API: issuing, opening, the window, closed rooms, and
 * tokens that are forged, tampered with or not ours.
 */
import { createTestClinic, type TestClinic, type TestPerson } from "@healthflow/test-kit/test-clinic";
import { decodeJwt, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { roomRoutes } from "./routes.js";

const NOW = new Date("2030-09-02T12:00:00Z"); // Monday 09:00 in Sao Paulo
const START = "2030-09-03T12:00:00Z"; // Tuesday 09:00 local, 30 minutes

let clinic: TestClinic;
let jitsiClinic: TestClinic;
let admin: TestPerson;

beforeAll(async () => {
  clinic = await createTestClinic({ now: NOW, modules: [roomRoutes], config: { publicUrl: "https://clinic.example" } });
  jitsiClinic = await createTestClinic({
    now: NOW,
    modules: [roomRoutes],
    database: clinic.database,
    config: {
      jitsi: { domain: "meet.clinic.example", appId: "healthflow", appSecret: "jitsi-test-secret-0123456789abcdef" },
    },
  });
  admin = await clinic.person("admin");
});
afterAll(async () => {
  await jitsiClinic.close();
  await clinic.close();
});

async function consultation() {
  const doctor = await clinic.person("doctor", { name: "Dra. Teste" });
  await clinic.call("PUT", `/api/doctors/${doctor.user.id}/availability`, {
    as: doctor,
    body: { rules: [{ weekday: 2, start: "08:00", end: "12:00" }] },
  });
  const patient = await clinic.person("patient", { name: "Paciente Teste" });
  const booked = await clinic.call("POST", "/api/consultations", {
    as: patient,
    body: { doctorId: doctor.user.id, startsAt: START },
  });
  expect(booked.status).toBe(201);
  return { doctor, patient, id: booked.body.consultation.id as string };
}

const tokenOf = (url: string) => url.split("/room/")[1]!;
const at = (iso: string) => clinic.clock.set(new Date(iso));

describe("room links", () => {
  it("gives the doctor and the patient their own role; an admin chooses; strangers get 404", async () => {
    const { doctor, patient, id } = await consultation();
    const path = `/api/consultations/${id}/room-link`;
    const forDoctor = await clinic.call("POST", path, { as: doctor });
    expect(forDoctor.status).toBe(200);
    expect(forDoctor.body).toMatchObject({ role: "doctor", expiresAt: "2030-09-03T13:00:00.000Z" });
    expect(forDoctor.body.url).toMatch(/^https:\/\/clinic\.example\/room\/[\w-]+\.[\w-]+\.[\w-]+$/);
    expect((await clinic.call("POST", path, { as: patient })).body.role).toBe("patient");
    expect((await clinic.call("POST", path, { as: patient, body: { for: "doctor" } })).status).toBe(403);
    // The doctor can fetch the patient's link, to share it again (never the other way round).
    const shared = await clinic.call("POST", path, { as: doctor, body: { for: "patient" } });
    expect([shared.status, shared.body.role]).toEqual([200, "patient"]);
    expect((await clinic.call("POST", path, { as: admin, body: { for: "patient" } })).body.role).toBe("patient");
    expect((await clinic.call("POST", path, { as: admin, body: { for: "nurse" } })).status).toBe(400);
    for (const stranger of [await clinic.person("patient"), await clinic.person("doctor")]) {
      const res = await clinic.call("POST", path, { as: stranger });
      expect([res.status, res.body.error.code]).toEqual([404, "consultation_not_found"]);
    }
    expect((await clinic.call("POST", path)).status).toBe(401);
  });

  it("tokens carry no personal data and are different every time", async () => {
    const { patient, id } = await consultation();
    const a = tokenOf((await clinic.call("POST", `/api/consultations/${id}/room-link`, { as: patient })).body.url);
    const b = tokenOf((await clinic.call("POST", `/api/consultations/${id}/room-link`, { as: patient })).body.url);
    expect(a).not.toBe(b);
    const claims = JSON.stringify(decodeJwt(a));
    for (const secret of [patient.user.name, patient.user.email, patient.user.id, "Dra. Teste"])
      expect(claims).not.toContain(secret);
  });

  it("is refused for a cancelled consultation", async () => {
    const { patient, id } = await consultation();
    await clinic.call("POST", `/api/consultations/${id}/cancel`, { as: patient });
    const res = await clinic.call("POST", `/api/consultations/${id}/room-link`, { as: patient });
    expect([res.status, res.body.error.code]).toEqual([410, "room_closed"]);
  });
});

describe("opening a room", () => {
  it("before the window: 425 with the countdown data; inside: 200; after: 410", async () => {
    const { patient, id } = await consultation();
    const token = tokenOf((await clinic.call("POST", `/api/consultations/${id}/room-link`, { as: patient })).body.url);
    try {
      const early = await clinic.call("GET", `/api/rooms/${token}`);
      expect(early.status).toBe(425);
      expect(early.body.error).toMatchObject({
        code: "room_not_open",
        details: {
          opensAt: "2030-09-03T11:45:00.000Z",
          closesAt: "2030-09-03T13:00:00.000Z",
          role: "patient",
          consultation: { id, doctor: { name: "Dra. Teste" }, patient: { name: "Paciente Teste" } },
        },
      });
      expect(JSON.stringify(early.body)).not.toMatch(/hf[0-9a-f]{32}/); // the room name stays hidden

      at("2030-09-03T11:46:00Z");
      const open = await clinic.call("GET", `/api/rooms/${token}`);
      expect(open.status).toBe(200);
      expect(open.body).toMatchObject({
        role: "patient",
        consultation: { id, startsAt: START.replace("Z", ".000Z"), status: "scheduled" },
        jitsi: { domain: "meet.jit.si" },
        opensAt: "2030-09-03T11:45:00.000Z",
        closesAt: "2030-09-03T13:00:00.000Z",
      });
      expect(open.body.jitsi.roomName).toMatch(/^hf[0-9a-f]{32}$/);
      expect(open.body.jitsi.roomName).not.toContain(id);
      expect(open.body.jitsi).not.toHaveProperty("jwt");

      at("2030-09-03T13:00:01Z");
      const late = await clinic.call("GET", `/api/rooms/${token}`);
      expect([late.status, late.body.error.code]).toEqual([410, "room_expired"]);
    } finally {
      at(NOW.toISOString());
    }
  });

  it("a link stops working once the consultation is cancelled", async () => {
    const { doctor, id } = await consultation();
    const token = tokenOf((await clinic.call("POST", `/api/consultations/${id}/room-link`, { as: doctor })).body.url);
    await clinic.call("POST", `/api/consultations/${id}/cancel`, { as: doctor });
    at("2030-09-03T11:50:00Z");
    try {
      const res = await clinic.call("GET", `/api/rooms/${token}`);
      expect([res.status, res.body.error.code]).toEqual([410, "room_closed"]);
    } finally {
      at(NOW.toISOString());
    }
  });

  it("forged, tampered and foreign tokens are 401", async () => {
    const { patient, id } = await consultation();
    const token = tokenOf((await clinic.call("POST", `/api/consultations/${id}/room-link`, { as: patient })).body.url);
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    const asDoctor = Buffer.from(JSON.stringify({ ...claims, r: "doctor" })).toString("base64url");
    const other = await consultation();
    const otherConsultation = Buffer.from(JSON.stringify({ ...claims, c: other.id })).toString("base64url");
    const foreign = await createTestClinic({
      now: NOW,
      modules: [roomRoutes],
      database: clinic.database,
      config: { secret: "another-clinic-secret-0123456789-abcdefghij", publicUrl: "https://other.example" },
    });
    const foreignToken = tokenOf(
      (await foreign.call("POST", `/api/consultations/${id}/room-link`, { as: patient })).body.url,
    );
    at("2030-09-03T11:50:00Z");
    try {
      for (const bad of [
        `${header}.${asDoctor}.${signature}`,
        `${header}.${otherConsultation}.${signature}`,
        foreignToken,
        "not-a-token",
        `${header}.${payload}.${"A".repeat(43)}`,
      ]) {
        const res = await clinic.call("GET", `/api/rooms/${encodeURIComponent(bad)}`);
        expect(res.status, bad).toBe(401);
        expect(res.body.error.code).toBe("invalid_room_token");
      }
      expect((await clinic.call("GET", `/api/rooms/${token}`)).status).toBe(200);
    } finally {
      at(NOW.toISOString());
    }
  });

  it("with a self-hosted Jitsi: the doctor's JWT makes them owner and moderator; the patient waits in the lobby", async () => {
    const { doctor, patient, id } = await consultation();
    const link = async (who: TestPerson) =>
      tokenOf((await jitsiClinic.call("POST", `/api/consultations/${id}/room-link`, { as: who })).body.url);
    const [doctorToken, patientToken] = [await link(doctor), await link(patient)];
    jitsiClinic.clock.set(new Date("2030-09-03T11:50:00Z"));
    const key = new TextEncoder().encode("jitsi-test-secret-0123456789abcdef");
    const open = async (token: string) => (await jitsiClinic.call("GET", `/api/rooms/${token}`)).body;
    const d = await open(doctorToken);
    const p = await open(patientToken);
    expect(d.jitsi.domain).toBe("meet.clinic.example");
    const verify = (jwt: string) =>
      jwtVerify(jwt, key, {
        issuer: "healthflow",
        audience: "healthflow",
        currentDate: new Date("2030-09-03T11:50:00Z"),
      });
    const { payload: dc, protectedHeader } = await verify(d.jitsi.jwt);
    expect(protectedHeader.alg).toBe("HS256");
    expect(dc).toMatchObject({
      sub: "meet.clinic.example",
      room: d.jitsi.roomName,
      nbf: Date.parse("2030-09-03T11:45:00Z") / 1000,
      exp: Date.parse("2030-09-03T13:00:00Z") / 1000,
      context: {
        user: { id: doctor.user.id, name: "Dra. Teste", moderator: "true", affiliation: "owner", lobby_bypass: true },
      },
    });
    const { payload: pc } = await verify(p.jitsi.jwt);
    expect(pc.context).toEqual({
      user: {
        id: patient.user.id,
        name: "Paciente Teste",
        moderator: "false",
        affiliation: "member",
        lobby_bypass: false,
      },
    });
    expect(pc.room).toBe(d.jitsi.roomName);
    await expect(
      jwtVerify(d.jitsi.jwt, new TextEncoder().encode("wrong-secret-wrong-secret-wrong!")),
    ).rejects.toThrow();
  });

  it("every link issued and every room opened is audited", async () => {
    const { patient, id } = await consultation();
    const token = tokenOf((await clinic.call("POST", `/api/consultations/${id}/room-link`, { as: patient })).body.url);
    at("2030-09-03T11:50:00Z");
    try {
      await clinic.call("GET", `/api/rooms/${token}`);
    } finally {
      at(NOW.toISOString());
    }
    const events = await clinic.db
      .selectFrom("audit_events")
      .select(["action", "actor_id"])
      .where("entity_id", "=", id)
      .where("action", "like", "room.%")
      .orderBy("id")
      .execute();
    expect(events).toEqual([
      { action: "room.link_issued", actor_id: patient.user.id },
      { action: "room.open", actor_id: patient.user.id },
    ]);
  });
});
