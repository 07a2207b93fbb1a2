/**
 * Teleconsultation as the CFM requires it (issue 15), through the API as served (core routes and
 * the room service): consent before a patient's room, withdrawal, check-in inside the window, the
 * doctor's waiting room (polling and server-sent events), and what the record keeps.
 * Runs on PGlite, PostgreSQL (TEST_DATABASE_URL) and the Data API stand-in (TEST_DB_ENGINE=data-api).
 */
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestClinic, type TestClinic, type TestPerson } from "@healthflow/test-kit/test-clinic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { roomRoutes } from "./routes.js";

const NOW = new Date("2031-03-03T12:00:00Z"); // Monday 09:00 in Sao Paulo
let clinic: TestClinic;
let admin: TestPerson;
let slot = 0;

beforeAll(async () => {
  clinic = await createTestClinic({ now: NOW, modules: [roomRoutes], config: { agendaStreamSeconds: 0 } });
  admin = await clinic.person("admin");
});
afterAll(async () => {
  await clinic?.close();
});

const at = (iso: string | Date) => clinic.clock.set(new Date(iso));
const randomCrm = () => String(100_000_000 + Math.floor(Math.random() * 899_999_999));

/** A doctor with a CRM, a patient, and a consultation on Tuesday at a fresh time. */
async function teleconsultation() {
  const startsAt = new Date(Date.parse("2031-03-04T12:00:00Z") + (slot++ % 40) * 30 * 60_000).toISOString();
  // Two hours ahead: past the booking notice, and the sessions made now are still alive at the start.
  at(new Date(Date.parse(startsAt) - 2 * 3_600_000));
  const crm = randomCrm();
  const doctor = await clinic.person("doctor", { name: "Dra. Helena Prado", doctor: { crm, crmState: "SP" } as never });
  await clinic.call("PUT", `/api/doctors/${doctor.user.id}/availability`, {
    as: doctor,
    body: { rules: [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start: "00:00", end: "24:00" })) },
  });
  const patient = await clinic.person("patient", { name: "Joana Teleconsulta" });
  admin = await clinic.person("admin");
  const booked = await clinic.call("POST", "/api/consultations", {
    as: patient,
    body: { doctorId: doctor.user.id, startsAt },
  });
  expect(booked.status).toBe(201);
  const id = booked.body.consultation.id as string;
  const link = await clinic.call("POST", `/api/consultations/${id}/room-link`, { as: patient });
  const doctorLink = await clinic.call("POST", `/api/consultations/${id}/room-link`, { as: doctor });
  return {
    doctor,
    patient,
    id,
    crm,
    startsAt,
    token: String(link.body.url).split("/room/")[1]!,
    doctorToken: String(doctorLink.body.url).split("/room/")[1]!,
  };
}

async function currentVersion(): Promise<string> {
  const res = await clinic.call("GET", "/api/consent/telemedicine");
  return res.body.version;
}

describe("doctor identification", () => {
  it("creates doctors with a validated CRM and state, and keeps licenseNumber readable", async () => {
    at(NOW);
    admin = await clinic.person("admin");
    const crm = randomCrm();
    const base = { name: "Dr. Caio Lima", role: "doctor", password: "long enough password" };
    const made = await clinic.call("POST", "/api/users", {
      as: admin,
      body: {
        ...base,
        email: `crm-${crm}@test.healthflow.local`,
        doctor: { specialty: "Cardiologia", crm: `0${crm}`, crmState: "rj", timezone: "America/Sao_Paulo" },
      },
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body.user.doctor).toMatchObject({ crm, crmState: "RJ", licenseNumber: `CRM-RJ ${crm}` });

    for (const doctor of [
      { crm: "12a45", crmState: "SP" },
      { crm: "12345", crmState: "XX" },
      { crm: "12345" },
      { licenseNumber: "CRM/ZZ 1" },
      {},
    ]) {
      const res = await clinic.call("POST", "/api/users", {
        as: admin,
        body: {
          ...base,
          email: `bad-${randomCrm()}@test.healthflow.local`,
          doctor: { specialty: "X", timezone: "UTC", ...doctor },
        },
      });
      expect(res.status, JSON.stringify(doctor)).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    }
    // An existing client sending a licence that reads as a CRM still works.
    const legacyCrm = randomCrm();
    const legacy = await clinic.call("POST", "/api/users", {
      as: admin,
      body: {
        ...base,
        email: `legacy-${legacyCrm}@test.healthflow.local`,
        doctor: { specialty: "X", licenseNumber: `CRM/MG ${legacyCrm}`, timezone: "UTC" },
      },
    });
    expect(legacy.status).toBe(201);
    expect(legacy.body.user.doctor).toMatchObject({
      crm: legacyCrm,
      crmState: "MG",
      licenseNumber: `CRM-MG ${legacyCrm}`,
    });
    // The same CRM twice is a conflict.
    const twice = await clinic.call("POST", "/api/users", {
      as: admin,
      body: {
        ...base,
        email: `twice-${crm}@test.healthflow.local`,
        doctor: { specialty: "X", crm, crmState: "RJ", timezone: "UTC" },
      },
    });
    expect([twice.status, twice.body.error.code]).toEqual([409, "license_taken"]);

    // Edited with the same shape; patients and other doctors may not.
    const id = made.body.user.id as string;
    const newCrm = randomCrm();
    const edited = await clinic.call("PATCH", `/api/users/${id}`, {
      as: admin,
      body: { doctor: { crm: newCrm, crmState: "BA" } },
    });
    expect(edited.status).toBe(200);
    expect(edited.body.user.doctor).toMatchObject({ crm: newCrm, crmState: "BA", licenseNumber: `CRM-BA ${newCrm}` });
    expect((await clinic.call("PATCH", `/api/users/${id}`, { as: admin, body: { doctor: { crm: "1" } } })).status).toBe(
      400,
    );
    const doctor = await clinic.person("doctor");
    expect((await clinic.call("PATCH", `/api/users/${id}`, { as: doctor, body: { name: "X" } })).status).toBe(403);
    const audit = await clinic.db
      .selectFrom("audit_events")
      .select("action")
      .where("entity_id", "=", id)
      .where("action", "=", "user.update")
      .execute();
    expect(audit).toHaveLength(1);
  });
});

describe("consent", () => {
  it("publishes the versioned text in Portuguese and English with its hash", async () => {
    const res = await clinic.call("GET", "/api/consent/telemedicine");
    expect(res.status).toBe(200);
    expect(res.body.version).toEqual(expect.any(String));
    expect(res.body.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(res.body.text["pt-BR"]).toMatch(/2\.314\/2022/);
    expect(res.body.text.en).toMatch(/2,314\/2022/);
  });

  it("blocks the patient's room until consent (the doctor never), records it, and shows it everywhere", async () => {
    const { doctor, patient, id, token, doctorToken, crm, startsAt } = await teleconsultation();
    at(new Date(Date.parse(startsAt) - 5 * 60_000));
    const version = await currentVersion();

    const blocked = await clinic.call("GET", `/api/rooms/${token}`);
    expect(blocked.status).toBe(403);
    expect(blocked.body.error.code).toBe("consent_required");
    expect(blocked.body.error.details).toMatchObject({
      version,
      consultationId: id,
      doctor: { name: "Dra. Helena Prado", crm, crmState: "SP", licenseNumber: `CRM-SP ${crm}` },
    });
    expect((await clinic.call("GET", `/api/rooms/${doctorToken}`)).status).toBe(200);
    // Check-in without consent is refused the same way.
    const early = await clinic.call("POST", `/api/consultations/${id}/check-in`, { body: { roomToken: token } });
    expect([early.status, early.body.error.code]).toEqual([403, "consent_required"]);

    // Only the patient gives it; a stale version is refused with the current one.
    expect(
      (await clinic.call("POST", `/api/consultations/${id}/consent`, { as: doctor, body: { version } })).status,
    ).toBe(403);
    expect(
      (await clinic.call("POST", `/api/consultations/${id}/consent`, { body: { version, roomToken: doctorToken } }))
        .status,
    ).toBe(403);
    const stale = await clinic.call("POST", `/api/consultations/${id}/consent`, {
      as: patient,
      body: { version: "1999-old" },
    });
    expect([stale.status, stale.body.error.code, stale.body.error.details.version]).toEqual([
      409,
      "consent_version_mismatch",
      version,
    ]);

    // The room page gives it with the room link alone (no session), from the browser's address.
    const given = await clinic.call("POST", `/api/consultations/${id}/consent`, {
      body: { version, roomToken: token },
      headers: { "user-agent": "Mozilla/5.0 (Teste) Chromium" },
    });
    expect(given.status).toBe(201);
    expect(given.body.consent).toMatchObject({ version, consultationId: id, withdrawnAt: null });
    const stored = await clinic.db
      .selectFrom("telemedicine_consents")
      .selectAll()
      .where("id", "=", given.body.consent.id)
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({
      patient_id: patient.user.id,
      consultation_id: id,
      version,
      text_hash: (await clinic.call("GET", "/api/consent/telemedicine")).body.hash,
      user_agent: "Mozilla/5.0 (Teste) Chromium",
    });
    expect(new Date(stored.given_at).toISOString()).toBe(clinic.clock.now().toISOString());

    const opened = await clinic.call("GET", `/api/rooms/${token}`);
    expect(opened.status).toBe(200);
    expect(opened.body.consultation.doctor).toMatchObject({ crm, crmState: "SP" });

    // The doctor sees it on the consultation; the patient's export carries it; the audit trail has it.
    const read = await clinic.call("GET", `/api/consultations/${id}`, { as: doctor });
    expect(read.body.consultation.consent).toMatchObject({ version, givenAt: given.body.consent.givenAt });
    expect(read.body.consultation.doctor).toMatchObject({ crm, crmState: "SP" });
    const exported = await clinic.call("GET", "/api/me/export", { as: patient });
    expect(exported.body.telemedicineConsents).toEqual([
      expect.objectContaining({
        id: given.body.consent.id,
        version,
        consultationId: id,
        userAgent: "Mozilla/5.0 (Teste) Chromium",
      }),
    ]);
    const audit = await clinic.call("GET", `/api/audit?entity=consultation&entityId=${id}`, { as: admin });
    expect(audit.status).toBe(200);
    expect(JSON.stringify(audit.body)).toContain("telemedicine.consent_given");
  });

  it("covers the patient's next teleconsultation, until withdrawn; withdrawing asks again", async () => {
    const first = await teleconsultation();
    at(new Date(Date.parse(first.startsAt) - 5 * 60_000));
    const version = await currentVersion();
    expect(
      (await clinic.call("POST", `/api/consultations/${first.id}/consent`, { as: first.patient, body: { version } }))
        .status,
    ).toBe(201);
    // Agreeing again to the version in force returns the same agreement.
    const again = await clinic.call("POST", `/api/consultations/${first.id}/consent`, {
      as: first.patient,
      body: { version },
    });
    expect(again.status).toBe(201);
    const rows = await clinic.db
      .selectFrom("telemedicine_consents")
      .select("id")
      .where("patient_id", "=", first.patient.user.id)
      .execute();
    expect(rows).toHaveLength(1);
    expect((await clinic.call("GET", `/api/rooms/${first.token}`)).status).toBe(200);

    // Withdraw: only the patient; the next visit is blocked again; the past record keeps its consent.
    expect((await clinic.call("DELETE", `/api/consultations/${first.id}/consent`, { as: first.doctor })).status).toBe(
      403,
    );
    expect((await clinic.call("DELETE", `/api/consultations/${first.id}/consent`)).status).toBe(401);
    const withdrawn = await clinic.call("DELETE", `/api/consultations/${first.id}/consent`, { as: first.patient });
    expect(withdrawn.status).toBe(204);
    const blocked = await clinic.call("GET", `/api/rooms/${first.token}`);
    expect([blocked.status, blocked.body.error.code]).toEqual([403, "consent_required"]);
    const read = await clinic.call("GET", `/api/consultations/${first.id}`, { as: first.doctor });
    expect(read.body.consultation.consent).toMatchObject({ version, withdrawnAt: clinic.clock.now().toISOString() });
    const exported = await clinic.call("GET", "/api/me/export", { as: first.patient });
    expect(exported.body.telemedicineConsents[0].withdrawnAt).toBe(clinic.clock.now().toISOString());
    const actions = await clinic.db
      .selectFrom("audit_events")
      .select("action")
      .where("entity_id", "=", first.id)
      .where("action", "like", "telemedicine.%")
      .orderBy("id")
      .execute();
    expect(actions.map((a) => a.action)).toEqual(["telemedicine.consent_given", "telemedicine.consent_withdrawn"]);
    // Withdrawing twice is harmless.
    expect((await clinic.call("DELETE", `/api/consultations/${first.id}/consent`, { as: first.patient })).status).toBe(
      204,
    );
    // Consent again: a new agreement, and the room opens.
    expect(
      (await clinic.call("POST", `/api/consultations/${first.id}/consent`, { as: first.patient, body: { version } }))
        .status,
    ).toBe(201);
    expect((await clinic.call("GET", `/api/rooms/${first.token}`)).status).toBe(200);
  });

  it("a new text version asks every patient again (the clinic's own file)", async () => {
    const file = join(tmpdir(), `consent-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        version: "clinica-2032-v2",
        text: {
          "pt-BR": "Texto próprio da clínica para teleconsulta, versão 2.",
          en: "The clinic's own text, version 2.",
        },
      }),
    );
    const own = await createTestClinic({
      now: NOW,
      modules: [roomRoutes],
      database: clinic.database,
      config: { telemedicineConsentFile: file },
    });
    const { patient, id, token, startsAt } = await teleconsultation();
    at(new Date(Date.parse(startsAt) - 5 * 60_000));
    own.clock.set(clinic.clock.now());
    await clinic.call("POST", `/api/consultations/${id}/consent`, {
      as: patient,
      body: { version: await currentVersion() },
    });
    expect((await clinic.call("GET", `/api/rooms/${token}`)).status).toBe(200);
    const text = await own.call("GET", "/api/consent/telemedicine");
    expect(text.body.version).toBe("clinica-2032-v2");
    const blocked = await own.call("GET", `/api/rooms/${token}`);
    expect([blocked.status, blocked.body.error.details.version]).toEqual([403, "clinica-2032-v2"]);
    await own.close();
  });
});

describe("check-in, the waiting room and the record", () => {
  it("checks in inside the window only (425 before), and the doctor's waiting room shows it", async () => {
    const { doctor, patient, id, token, startsAt } = await teleconsultation();
    const start = Date.parse(startsAt);
    at(new Date(start - 60 * 60_000));
    await clinic.call("POST", `/api/consultations/${id}/consent`, {
      as: patient,
      body: { version: await currentVersion() },
    });
    const tooEarly = await clinic.call("POST", `/api/consultations/${id}/check-in`, { as: patient });
    expect(tooEarly.status).toBe(425);
    expect(tooEarly.body.error).toMatchObject({
      code: "check_in_not_open",
      details: { opensAt: new Date(start - 15 * 60_000).toISOString() },
    });

    const before = await clinic.call("GET", "/api/agenda/waiting", { as: doctor });
    expect(before.body.consultations.find((c: { consultationId: string }) => c.consultationId === id)).toBeUndefined();

    at(new Date(start - 8 * 60_000)); // 14:52 for a 15:00 consultation
    const checkedIn = await clinic.call("POST", `/api/consultations/${id}/check-in`, { body: { roomToken: token } });
    expect(checkedIn.status).toBe(200);
    expect(checkedIn.body).toEqual({ checkedInAt: new Date(start - 8 * 60_000).toISOString(), role: "patient" });
    clinic.clock.advance(60_000);
    const twice = await clinic.call("POST", `/api/consultations/${id}/check-in`, { as: patient });
    expect(twice.body.checkedInAt).toBe(checkedIn.body.checkedInAt); // the first check-in counts

    const waiting = await clinic.call("GET", "/api/agenda/waiting", { as: doctor });
    expect(waiting.status).toBe(200);
    expect(waiting.body.consultations).toContainEqual(
      expect.objectContaining({
        consultationId: id,
        status: "scheduled",
        checkedInAt: checkedIn.body.checkedInAt,
        patient: { id: patient.user.id, name: patient.user.name },
      }),
    );
    // Another doctor does not see it; patients may not look; admins may, by doctor.
    const other = await clinic.person("doctor");
    const theirs = await clinic.call("GET", "/api/agenda/waiting", { as: other });
    expect(theirs.body.consultations).toEqual([]);
    expect((await clinic.call("GET", "/api/agenda/waiting", { as: patient })).status).toBe(403);
    const byAdmin = await clinic.call("GET", `/api/agenda/waiting?doctorId=${doctor.user.id}`, { as: admin });
    expect(byAdmin.body.consultations.map((c: { consultationId: string }) => c.consultationId)).toContain(id);

    // The same as server-sent events (this clinic sends one snapshot per stream, as on Lambda).
    const res = await clinic.app.request("/api/agenda/events", {
      headers: { authorization: `Bearer ${doctor.token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const text = await res.text();
    expect(text).toMatch(/^event: waiting$/m);
    expect(text).toMatch(/^retry: 3000$/m);
    const data = JSON.parse(/^data: (.*)$/m.exec(text)![1]!);
    expect(data.consultations).toContainEqual(
      expect.objectContaining({ consultationId: id, checkedInAt: checkedIn.body.checkedInAt }),
    );
    expect((await clinic.call("GET", "/api/agenda/events", { as: patient })).status).toBe(403);
    expect((await clinic.call("GET", "/api/agenda/events")).status).toBe(401);
  });

  it("streams a check-in to the doctor's agenda within 5 seconds (a long-lived stream, as on the Node server)", async () => {
    const live = await createTestClinic({
      now: NOW,
      modules: [roomRoutes],
      database: clinic.database,
      config: { agendaStreamSeconds: 20 },
    });
    try {
      const { doctor, patient, id, startsAt } = await teleconsultation();
      at(new Date(Date.parse(startsAt) - 5 * 60_000));
      live.clock.set(clinic.clock.now());
      await clinic.call("POST", `/api/consultations/${id}/consent`, {
        as: patient,
        body: { version: await currentVersion() },
      });
      const controller = new AbortController();
      const res = await live.app.request("/api/agenda/events", {
        headers: { authorization: `Bearer ${doctor.token}` },
        signal: controller.signal,
      });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      const events: { consultations: { consultationId: string; checkedInAt: string | null }[] }[] = [];
      const nextEvent = async () => {
        for (;;) {
          const end = buffer.indexOf("\n\n");
          if (end >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = /^data: (.*)$/m.exec(block);
            if (data) return JSON.parse(data[1]!);
            continue;
          }
          const { value, done } = await reader.read();
          if (done) throw new Error("the stream ended");
          buffer += decoder.decode(value, { stream: true });
        }
      };
      events.push(await nextEvent());
      expect(events[0]!.consultations.find((c) => c.consultationId === id)?.checkedInAt).toBeNull();
      const checkedAt = Date.now();
      const checkedIn = await clinic.call("POST", `/api/consultations/${id}/check-in`, { as: patient });
      expect(checkedIn.status).toBe(200);
      events.push(await nextEvent());
      const elapsed = Date.now() - checkedAt;
      expect(events[1]!.consultations.find((c) => c.consultationId === id)?.checkedInAt).toBe(
        checkedIn.body.checkedInAt,
      );
      expect(elapsed).toBeLessThan(5000);
      await reader.cancel();
      controller.abort();
    } finally {
      await live.close();
    }
  });

  it("keeps each step: who checked in and opened the room when, who started and completed", async () => {
    const { doctor, patient, id, token, doctorToken, startsAt } = await teleconsultation();
    const start = Date.parse(startsAt);
    const t = (minutes: number) => new Date(start + minutes * 60_000).toISOString();
    at(t(-10));
    await clinic.call("POST", `/api/consultations/${id}/consent`, {
      as: patient,
      body: { version: await currentVersion() },
    });
    at(t(-6));
    expect((await clinic.call("GET", `/api/rooms/${token}`)).status).toBe(200);
    at(t(-5));
    expect(
      (await clinic.call("POST", `/api/consultations/${id}/check-in`, { body: { roomToken: token } })).status,
    ).toBe(200);
    at(t(-1));
    expect((await clinic.call("GET", `/api/rooms/${doctorToken}`)).status).toBe(200);
    const status = await clinic.call("GET", `/api/rooms/${token}/status`);
    expect(status.body).toEqual({
      status: "scheduled",
      checkedInAt: t(-5),
      startedAt: null,
      completedAt: null,
      doctorOpenedAt: t(-1),
    });
    at(t(0));
    const started = await clinic.call("PATCH", `/api/consultations/${id}`, {
      as: doctor,
      body: { status: "in_progress" },
    });
    expect(started.status).toBe(200);
    expect(started.body.consultation.startedAt).toBe(t(0));
    expect((await clinic.call("GET", `/api/rooms/${token}/status`)).body.status).toBe("in_progress");
    at(t(25));
    const done = await clinic.call("PATCH", `/api/consultations/${id}`, { as: admin, body: { status: "completed" } });
    expect(done.status).toBe(200);

    const read = await clinic.call("GET", `/api/consultations/${id}`, { as: doctor });
    expect(read.body.consultation).toMatchObject({
      checkedInAt: t(-5),
      startedAt: t(0),
      completedAt: t(25),
      consent: { givenAt: t(-10) },
      teleconsultation: {
        modality: "teleconsulta",
        patientCheckedInAt: t(-5),
        doctorCheckedInAt: null,
        patientOpenedAt: t(-6),
        doctorOpenedAt: t(-1),
        startedAt: t(0),
        startedBy: doctor.user.id,
        completedAt: t(25),
        completedBy: admin.user.id,
      },
    });
    const byAdmin = await clinic.call("GET", `/api/consultations/${id}`, { as: admin });
    expect(byAdmin.body.consultation.teleconsultation.completedBy).toBe(admin.user.id);
    // The patient's export carries the same record.
    const exported = await clinic.call("GET", "/api/me/export", { as: patient });
    expect(exported.body.consultations.find((c: { id: string }) => c.id === id).teleconsultation).toMatchObject({
      startedAt: t(0),
      completedAt: t(25),
    });
    // A closed consultation refuses check-in.
    expect((await clinic.call("POST", `/api/consultations/${id}/check-in`, { as: patient })).status).toBe(410);
  });

  it("refuses strangers and forged links", async () => {
    const other = await teleconsultation();
    const { id, token } = await teleconsultation();
    const stranger = await clinic.person("patient");
    const version = await currentVersion();
    expect(
      (await clinic.call("POST", `/api/consultations/${id}/consent`, { as: stranger, body: { version } })).status,
    ).toBe(404);
    expect((await clinic.call("POST", `/api/consultations/${id}/consent`, { body: { version } })).status).toBe(401);
    // A genuine link for another consultation is not a key to this one.
    expect(
      (await clinic.call("POST", `/api/consultations/${id}/consent`, { body: { version, roomToken: other.token } }))
        .status,
    ).toBe(403);
    const forged = `${token.slice(0, -3)}abc`;
    expect(
      (await clinic.call("POST", `/api/consultations/${id}/consent`, { body: { version, roomToken: forged } })).status,
    ).toBe(401);
    expect((await clinic.call("POST", `/api/consultations/${id}/check-in`, { as: admin })).status).toBe(403);
    expect((await clinic.call("GET", `/api/rooms/${forged}/status`)).status).toBe(401);
  });
});
