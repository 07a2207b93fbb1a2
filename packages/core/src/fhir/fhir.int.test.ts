/**
 * The FHIR R4 API through the app (app.request), on PGlite, PostgreSQL (TEST_DATABASE_URL) or the
 * Data API stand-in (TEST_DB_ENGINE=data-api). Every body the API returns under /fhir/R4, resources,
 * bundles and OperationOutcomes alike, goes through an independent R4 validator (Medplum's, on the
 * official StructureDefinitions and value sets).
 */
import { randomInt } from "node:crypto";
import { type ApiResult, createTestClinic, type TestClinic, type TestPerson } from "@healthflow/test-kit/test-clinic";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DB } from "../db/database.js";
import { createApp } from "../http/app.js";
import { CPF_SYSTEM, CRM_SYSTEM_BASE, TIMEZONE_EXTENSION } from "./mapping.js";
import { assertValidR4 } from "./test/r4-validator.js";

const NOW = new Date("2031-06-02T12:00:00Z"); // a Monday; São Paulo is UTC-3
const BASE = "/fhir/R4";

/** A CPF with valid check digits, random so that runs on a shared server never collide. */
function randomCpf(): string {
  const d = Array.from({ length: 9 }, () => randomInt(10));
  const check = (ds: number[]) => ((ds.reduce((s, v, i) => s + v * (ds.length + 1 - i), 0) * 10) % 11) % 10;
  d.push(check(d));
  d.push(check(d));
  return d.join("");
}

describe("FHIR R4 API", () => {
  let clinic: TestClinic;
  let db: Kysely<DB>;
  let doctor: TestPerson;
  let otherDoctor: TestPerson;
  let admin: TestPerson;
  let ana: TestPerson;
  let bruno: TestPerson;
  let carla: TestPerson;
  let crmNumber: string;
  const anaCpf = randomCpf();

  /** Calls the FHIR API and validates whatever comes back as R4 (and its content type). */
  async function fhir(method: string, path: string, options: Parameters<TestClinic["call"]>[2] = {}) {
    const res = await clinic.call(method, `${BASE}${path}`, {
      ...options,
      headers: {
        ...(options.body !== undefined ? { "content-type": "application/fhir+json" } : {}),
        ...options.headers,
      },
    });
    expect(res.headers.get("content-type"), `${method} ${path}`).toMatch(/^application\/fhir\+json/);
    assertValidR4(res.body);
    if (res.status >= 400) expect(res.body.resourceType, `${method} ${path}`).toBe("OperationOutcome");
    return res;
  }
  const ids = (bundle: ApiResult) => (bundle.body.entry ?? []).map((e: any) => e.resource.id);
  const nextLink = (bundle: ApiResult) =>
    bundle.body.link.find((l: any) => l.relation === "next")?.url as string | undefined;
  /** Follows `next` links from a first page, returning every resource. */
  async function allPages(path: string, as: TestPerson): Promise<any[]> {
    const out: any[] = [];
    let res = await fhir("GET", path, { as });
    for (let guard = 0; guard < 50; guard++) {
      expect(res.status).toBe(200);
      out.push(...(res.body.entry ?? []).map((e: any) => e.resource));
      const next = nextLink(res);
      if (!next) break;
      res = await fhir("GET", next.slice(next.indexOf(BASE) + BASE.length), { as });
    }
    return out;
  }
  const book = (as: TestPerson, body: Record<string, unknown>) => fhir("POST", "/Appointment", { as, body });
  const appointment = (doctorId: string, start: string, minutes = 30, patientId?: string) => ({
    resourceType: "Appointment",
    status: "booked",
    start,
    end: new Date(Date.parse(start) + minutes * 60_000).toISOString(),
    participant: [
      { actor: { reference: `Practitioner/${doctorId}` }, status: "accepted" },
      ...(patientId ? [{ actor: { reference: `Patient/${patientId}` }, status: "accepted" }] : []),
    ],
  });

  beforeAll(async () => {
    // Searches over one patient's many bookings: the fair-booking limits (booking-limits.int.test.ts) are off.
    clinic = await createTestClinic({ now: NOW, config: { booking: undefined, requireEmailVerification: false } });
    db = clinic.db;
    crmNumber = String(randomInt(100_000_000, 999_999_999));
    doctor = await clinic.person("doctor", {
      name: "Dra. Helena Fhir",
      doctor: { licenseNumber: `CRM/SP ${crmNumber}`, specialty: "Cardiologia", timezone: "America/Sao_Paulo" },
    });
    otherDoctor = await clinic.person("doctor", { doctor: { specialty: "Pediatria", timezone: "America/Manaus" } });
    for (const d of [doctor, otherDoctor]) {
      const res = await clinic.call("PUT", `/api/doctors/${d.user.id}/availability`, {
        as: d,
        body: { rules: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: "08:00", end: "18:00" })) },
      });
      expect(res.status).toBe(200);
    }
    admin = await clinic.person("admin");
    const created = await clinic.call("POST", "/api/users", {
      as: admin,
      body: {
        email: `ana-${crmNumber}@test.healthflow.local`,
        name: "Ana Maria Souza",
        role: "patient",
        password: "correct horse battery staple",
        cpf: `${anaCpf.slice(0, 3)}.${anaCpf.slice(3, 6)}.${anaCpf.slice(6, 9)}-${anaCpf.slice(9)}`,
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.user.cpf).toBe(anaCpf);
    const login = await clinic.call("POST", "/api/auth/login", {
      body: { email: `ana-${crmNumber}@test.healthflow.local`, password: "correct horse battery staple" },
    });
    ana = { user: login.body.user, token: login.body.token, headers: { authorization: `Bearer ${login.body.token}` } };
    bruno = await clinic.person("patient", { name: "Bruno Lima" });
    carla = await clinic.person("patient", { name: "Carla Dias" });
  });
  afterAll(async () => {
    await clinic?.close();
  });

  it("GET /metadata: a valid CapabilityStatement listing exactly the routes served", async () => {
    const res = await fhir("GET", "/metadata");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ resourceType: "CapabilityStatement", fhirVersion: "4.0.1", kind: "instance" });
    const declared = new Set<string>();
    for (const r of res.body.rest[0].resource) {
      for (const { code } of r.interaction) {
        const route = {
          read: `GET ${BASE}/${r.type}/:id`,
          "search-type": `GET ${BASE}/${r.type}`,
          create: `POST ${BASE}/${r.type}`,
          update: `PUT ${BASE}/${r.type}/:id`,
          patch: `PATCH ${BASE}/${r.type}/:id`,
        }[code as string];
        declared.add(route!);
      }
    }
    declared.add(`GET ${BASE}/metadata`);
    const served = new Set(
      clinic.app.routes
        .filter((r) => r.path.startsWith(BASE) && r.method !== "ALL")
        .map((r) => `${r.method} ${r.path}`),
    );
    expect([...served].sort()).toEqual([...declared].sort());
    expect(res.body.rest[0].resource.map((r: any) => r.type).sort()).toEqual(
      ["Appointment", "Patient", "Practitioner", "PractitionerRole", "Schedule", "Slot"].sort(),
    );
  });

  it("Practitioner: the CRM number and state as an identifier; read and search", async () => {
    const read = await fhir("GET", `/Practitioner/${doctor.user.id}`, { as: ana });
    expect(read.status).toBe(200);
    expect(read.body.identifier[0]).toMatchObject({ system: `${CRM_SYSTEM_BASE}/SP`, value: crmNumber });
    expect(read.body.name[0].text).toBe("Dra. Helena Fhir");
    const byCrm = await fhir(
      "GET",
      `/Practitioner?identifier=${encodeURIComponent(`${CRM_SYSTEM_BASE}/SP|${crmNumber}`)}`,
      {
        as: ana,
      },
    );
    expect(byCrm.body).toMatchObject({ type: "searchset", total: 1 });
    expect(ids(byCrm)).toEqual([doctor.user.id]);
    const otherState = await fhir(
      "GET",
      `/Practitioner?identifier=${encodeURIComponent(`${CRM_SYSTEM_BASE}/RJ|${crmNumber}`)}`,
      {
        as: ana,
      },
    );
    expect(otherState.body.total).toBe(0);
    expect(otherState.body.entry).toBeUndefined();
    const byName = await fhir("GET", "/Practitioner?name=helena", { as: ana });
    expect(ids(byName)).toContain(doctor.user.id);
    expect(ids(byName)).not.toContain(otherDoctor.user.id);
    expect((await fhir("GET", `/Practitioner/${ana.user.id}`, { as: ana })).status).toBe(404);
  });

  it("PractitionerRole (specialty) and Schedule (one per doctor, with its zone)", async () => {
    const role = await fhir("GET", `/PractitionerRole?practitioner=Practitioner/${doctor.user.id}`, { as: bruno });
    expect(role.body.total).toBe(1);
    expect(role.body.entry[0].resource.specialty[0].text).toBe("Cardiologia");
    const cardio = await fhir("GET", "/PractitionerRole?specialty=cardiologia", { as: bruno });
    expect(ids(cardio)).toContain(doctor.user.id);
    expect(ids(cardio)).not.toContain(otherDoctor.user.id);
    const schedules = await fhir("GET", `/Schedule?actor=Practitioner/${otherDoctor.user.id}`, { as: bruno });
    expect(schedules.body.total).toBe(1);
    const schedule = (await fhir("GET", `/Schedule/${otherDoctor.user.id}`, { as: bruno })).body;
    expect(schedule.extension).toEqual([{ url: TIMEZONE_EXTENSION, valueCode: "America/Manaus" }]);
    expect(schedule.actor[0].reference).toBe(`Practitioner/${otherDoctor.user.id}`);
  });

  it("Slot: the free slots of /api/doctors/:id/slots, by schedule and start range, paged, at most 62 days", async () => {
    const from = "2031-06-03T00:00:00Z";
    const to = "2031-06-05T00:00:00Z";
    const api = await clinic.call("GET", `/api/doctors/${doctor.user.id}/slots?from=${from}&to=${to}`, { as: bruno });
    const slots = await allPages(
      `/Slot?schedule=Schedule/${doctor.user.id}&start=ge${from}&start=lt${to}&_count=7`,
      bruno,
    );
    expect(slots.map((s) => [s.start, s.end])).toEqual(api.body.slots.map((s: any) => [s.startsAt, s.endsAt]));
    expect(slots.length).toBe(40);
    expect(new Set(slots.map((s) => s.id)).size).toBe(40);
    const one = await fhir("GET", `/Slot/${slots[3].id}`, { as: bruno });
    expect(one.body).toMatchObject({
      status: "free",
      start: slots[3].start,
      schedule: { reference: `Schedule/${doctor.user.id}` },
    });
    // a day given as a date: its UTC day
    const day = await fhir("GET", `/Slot?schedule=Schedule/${doctor.user.id}&start=2031-06-04&_count=0`, { as: bruno });
    expect(day.body.total).toBe(20);
    expect(day.body.entry).toBeUndefined();
    const tooLong = await fhir(
      "GET",
      `/Slot?schedule=Schedule/${doctor.user.id}&start=ge2031-06-03&start=lt2031-08-05`,
      {
        as: bruno,
      },
    );
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.issue[0].details.coding[0].code).toBe("range_too_long");
    expect((await fhir("GET", "/Slot?start=ge2031-06-03", { as: bruno })).status).toBe(400);
    expect((await fhir("GET", `/Slot?schedule=Schedule/${doctor.user.id}&start=soon`, { as: bruno })).status).toBe(400);
  });

  it("POST /Appointment books through the same rules: 201 + Location, then 409 conflict for the taken slot", async () => {
    const start = "2031-06-09T12:00:00.000Z"; // Monday 09:00 in São Paulo
    const created = await book(bruno, appointment(doctor.user.id, start));
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toMatch(new RegExp(`${BASE}/Appointment/${created.body.id}$`));
    expect(created.body).toMatchObject({ status: "booked", start, minutesDuration: 30 });
    expect(created.body.participant.map((p: any) => p.actor.reference).sort()).toEqual(
      [`Patient/${bruno.user.id}`, `Practitioner/${doctor.user.id}`].sort(),
    );
    // the same consultation through the rest of the API, with its audit event
    const api = await clinic.call("GET", `/api/consultations/${created.body.id}`, { as: bruno });
    expect(api.body.consultation).toMatchObject({ status: "scheduled", startsAt: start, patientId: bruno.user.id });
    const audit = await db
      .selectFrom("audit_events")
      .select("action")
      .where("entity_id", "=", created.body.id)
      .execute();
    expect(audit.map((a) => a.action)).toContain("consultation.create");

    const taken = await book(carla, appointment(doctor.user.id, start));
    expect(taken.status).toBe(409);
    expect(taken.body.issue[0]).toMatchObject({ severity: "error", code: "conflict" });
    expect(taken.body.issue[0].details.coding[0].code).toBe("slot_taken");
    // and through a Slot: the taken one is gone from the free slots
    const free = await fhir("GET", `/Slot?schedule=Schedule/${doctor.user.id}&start=2031-06-09`, { as: carla });
    expect(free.body.entry.map((e: any) => e.resource.start)).not.toContain(start);
  });

  it("POST /Appointment by slot reference, and the domain's refusals as OperationOutcomes", async () => {
    const free = await fhir("GET", `/Slot?schedule=Schedule/${otherDoctor.user.id}&start=2031-06-10&_count=1`, {
      as: carla,
    });
    const slot = free.body.entry[0].resource;
    const viaSlot = await book(carla, {
      resourceType: "Appointment",
      status: "proposed",
      slot: [{ reference: `Slot/${slot.id}` }],
      participant: [{ actor: { reference: `Patient/${carla.user.id}` }, status: "accepted" }],
      reasonCode: [{ text: "Consulta de rotina" }],
    });
    expect(viaSlot.status).toBe(201);
    expect(viaSlot.body).toMatchObject({ status: "booked", start: slot.start, end: slot.end });
    expect(viaSlot.body.reasonCode).toEqual([{ text: "Consulta de rotina" }]);
    expect((await fhir("GET", `/Slot/${slot.id}`, { as: carla })).status).toBe(404);

    // outside the doctor's hours: the domain's 422, as a business-rule outcome
    const night = await book(carla, appointment(doctor.user.id, "2031-06-10T03:00:00.000Z"));
    expect(night.status).toBe(422);
    expect(night.body.issue[0]).toMatchObject({ code: "business-rule" });
    expect(night.body.issue[0].details.coding[0].code).toBe("outside_availability");
    // a patient booking for someone else
    const forOther = await book(carla, appointment(doctor.user.id, "2031-06-10T13:00:00.000Z", 30, bruno.user.id));
    expect(forOther.status).toBe(403);
    // bad input: 400 with the element named
    for (const bad of [
      { resourceType: "Patient" },
      { ...appointment(doctor.user.id, "2031-06-10T13:00:00.000Z"), status: "fulfilled" },
      { ...appointment(doctor.user.id, "2031-06-10T13:00:00.000Z"), start: "tomorrow" },
      { ...appointment(doctor.user.id, "2031-06-10T13:00:00.000Z"), participant: [] },
      { ...appointment(doctor.user.id, "2031-06-10T13:00:00.000Z"), end: "2031-06-10T12:00:00.000Z" },
      { ...appointment("not-a-uuid", "2031-06-10T13:00:00.000Z") },
      { ...appointment(crypto.randomUUID(), "2031-06-10T13:00:00.000Z") },
      { resourceType: "Appointment", status: "booked", slot: [{ reference: "Slot/nope" }], participant: [{}] },
    ]) {
      const res = await book(carla, bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.issue[0].severity).toBe("error");
    }
    const notJson = await clinic.call("POST", `${BASE}/Appointment`, {
      as: carla,
      body: "{not json",
      headers: { "content-type": "application/fhir+json" },
    });
    expect(notJson.status).toBe(400);
    assertValidR4(notJson.body);
    const xml = await clinic.call("POST", `${BASE}/Appointment`, {
      as: carla,
      body: "<Appointment/>",
      headers: { "content-type": "application/fhir+xml" },
    });
    expect(xml.status).toBe(415);
    assertValidR4(xml.body);
  });

  it("Appointment search: by date, practitioner, patient and status, scoped to the caller, paged with next links", async () => {
    const starts = Array.from({ length: 5 }, (_, i) =>
      new Date(Date.parse("2031-06-11T11:00:00Z") + i * 3_600_000).toISOString(),
    );
    for (const s of starts) expect((await book(ana, appointment(doctor.user.id, s))).status).toBe(201);
    const q = `/Appointment?date=2031-06-11&practitioner=Practitioner/${doctor.user.id}&_count=2`;
    const first = await fhir("GET", q, { as: ana });
    expect(first.body.total).toBe(5);
    expect(first.body.entry).toHaveLength(2);
    expect(nextLink(first)).toContain("_offset=2");
    const mine = await allPages(q, ana);
    expect(mine.map((a) => a.start)).toEqual(starts.map((s) => new Date(s).toISOString()));
    // the doctor sees the same agenda; another patient sees none of it; the admin filters by patient
    expect((await allPages(q, doctor)).map((a) => a.id)).toEqual(mine.map((a) => a.id));
    expect((await fhir("GET", q, { as: bruno })).body.total).toBe(0);
    expect(
      (await fhir("GET", `/Appointment?patient=Patient/${ana.user.id}&date=2031-06-11`, { as: bruno })).body.total,
    ).toBe(0);
    expect(
      (await fhir("GET", `/Appointment?patient=Patient/${ana.user.id}&date=2031-06-11`, { as: admin })).body.total,
    ).toBe(5);
    expect((await fhir("GET", `/Appointment?date=2031-06-11`, { as: otherDoctor })).body.total).toBe(0);
    // ranges with prefixes
    const later = await fhir(
      "GET",
      `/Appointment?date=ge2031-06-11T13:00:00Z&date=lt2031-06-12&patient=${ana.user.id}`,
      {
        as: ana,
      },
    );
    expect(later.body.total).toBe(3);
    const gt = await fhir(
      "GET",
      `/Appointment?date=gt2031-06-11T13:00Z&date=le2031-06-11T14:00Z&patient=${ana.user.id}`,
      {
        as: ana,
      },
    );
    expect(gt.body.entry.map((e: any) => e.resource.start)).toEqual([starts[3]]);
    // status: cancel one, then search by status
    const cancel = await fhir("PATCH", `/Appointment/${mine[0].id}`, {
      as: ana,
      body: [{ op: "replace", path: "/status", value: "cancelled" }],
      headers: { "content-type": "application/json-patch+json" },
    });
    expect(cancel.status).toBe(200);
    expect(cancel.body.status).toBe("cancelled");
    const booked = await fhir("GET", `/Appointment?date=2031-06-11&patient=${ana.user.id}&status=booked`, { as: ana });
    expect(booked.body.total).toBe(4);
    const either = await fhir("GET", `/Appointment?date=2031-06-11&patient=${ana.user.id}&status=cancelled,noshow`, {
      as: ana,
    });
    expect(ids(either)).toEqual([mine[0].id]);
    const pending = await fhir("GET", `/Appointment?date=2031-06-11&status=pending`, { as: ana });
    expect(pending.body.total).toBe(0);
    expect((await fhir("GET", "/Appointment?status=maybe", { as: ana })).status).toBe(400);
    expect((await fhir("GET", "/Appointment?_count=100000", { as: ana })).status).toBe(400);
    // lenient by default, strict on request
    expect((await fhir("GET", "/Appointment?colour=blue", { as: ana })).status).toBe(200);
    const strict = await fhir("GET", "/Appointment?colour=blue", { as: ana, headers: { prefer: "handling=strict" } });
    expect(strict.status).toBe(400);
  });

  it("cancelling by PATCH (JSON Patch or merge patch) or PUT status cancelled frees the slot; other changes refused", async () => {
    const start = "2031-06-12T12:00:00.000Z";
    const a = (await book(bruno, appointment(doctor.user.id, start))).body;
    const merge = await fhir("PATCH", `/Appointment/${a.id}`, {
      as: bruno,
      body: { status: "cancelled", cancelationReason: { text: "viagem" } },
      headers: { "content-type": "application/merge-patch+json" },
    });
    expect(merge.status).toBe(200);
    expect(merge.body).toMatchObject({ status: "cancelled", cancelationReason: { text: "viagem" } });
    // the slot is free again: someone else books it
    const again = await book(carla, appointment(doctor.user.id, start));
    expect(again.status).toBe(201);
    // PUT the whole resource back with status cancelled (as the doctor)
    const put = await fhir("PUT", `/Appointment/${again.body.id}`, {
      as: doctor,
      body: { ...again.body, status: "cancelled" },
    });
    expect(put.status).toBe(200);
    expect(put.body.status).toBe("cancelled");
    // a cancelled appointment cannot come back: the domain's transition rule, as a conflict
    const back = await fhir("PUT", `/Appointment/${again.body.id}`, {
      as: doctor,
      body: { ...put.body, status: "booked" },
    });
    expect(back.status).toBe(409);
    expect(back.body.issue[0].details.coding[0].code).toBe("invalid_transition");
    // rescheduling by PUT (start and end) goes through the same checks
    const c = (await book(bruno, appointment(doctor.user.id, "2031-06-12T13:00:00.000Z"))).body;
    const moved = await fhir("PUT", `/Appointment/${c.id}`, {
      as: bruno,
      body: { ...c, start: "2031-06-12T14:00:00.000Z", end: "2031-06-12T14:30:00.000Z" },
    });
    expect(moved.status).toBe(200);
    expect(moved.body.start).toBe("2031-06-12T14:00:00.000Z");
    // participants cannot change; ids must match; someone else's appointment is 404
    const swap = await fhir("PUT", `/Appointment/${c.id}`, {
      as: admin,
      body: { ...moved.body, participant: [{ actor: { reference: `Patient/${carla.user.id}` }, status: "accepted" }] },
    });
    expect(swap.status).toBe(400);
    expect((await fhir("PUT", `/Appointment/${c.id}`, { as: bruno, body: { ...moved.body, id: a.id } })).status).toBe(
      400,
    );
    const foreign = await fhir("PATCH", `/Appointment/${c.id}`, {
      as: carla,
      body: [{ op: "replace", path: "/status", value: "cancelled" }],
      headers: { "content-type": "application/json-patch+json" },
    });
    expect(foreign.status).toBe(404);
    const failedTest = await fhir("PATCH", `/Appointment/${c.id}`, {
      as: bruno,
      body: [
        { op: "test", path: "/status", value: "cancelled" },
        { op: "replace", path: "/status", value: "cancelled" },
      ],
      headers: { "content-type": "application/json-patch+json" },
    });
    expect(failedTest.status).toBe(400);
    expect((await fhir("GET", `/Appointment/${c.id}`, { as: bruno })).body.status).toBe("booked");
  });

  it("Patient: name, email telecom, CPF identifier; visibility by role; every read audited", async () => {
    const self = await fhir("GET", `/Patient/${ana.user.id}`, { as: ana });
    expect(self.status).toBe(200);
    expect(self.body).toMatchObject({
      resourceType: "Patient",
      name: [{ text: "Ana Maria Souza" }],
      telecom: [{ system: "email", value: `ana-${crmNumber}@test.healthflow.local` }],
      identifier: [{ system: CPF_SYSTEM, value: anaCpf }],
    });
    // patients see only themselves
    expect((await fhir("GET", `/Patient/${ana.user.id}`, { as: bruno })).status).toBe(404);
    const brunoSearch = await fhir("GET", "/Patient", { as: bruno });
    expect(ids(brunoSearch)).toEqual([bruno.user.id]);
    // a doctor sees the patients of their agenda (Ana, Bruno, Carla booked with doctor), not others
    const lonely = await clinic.person("patient", { name: "Sem Consulta" });
    expect((await fhir("GET", `/Patient/${ana.user.id}`, { as: doctor })).status).toBe(200);
    expect((await fhir("GET", `/Patient/${lonely.user.id}`, { as: doctor })).status).toBe(404);
    expect((await fhir("GET", `/Patient/${ana.user.id}`, { as: otherDoctor })).status).toBe(404);
    const agenda = await fhir("GET", "/Patient?_count=500", { as: doctor });
    expect(ids(agenda).sort()).toEqual([ana.user.id, bruno.user.id, carla.user.id].sort());
    // the admin sees everyone, and finds Ana by CPF (bare or with the system) or by name
    expect((await fhir("GET", `/Patient/${lonely.user.id}`, { as: admin })).status).toBe(200);
    const byCpf = await fhir("GET", `/Patient?identifier=${encodeURIComponent(`${CPF_SYSTEM}|${anaCpf}`)}`, {
      as: admin,
    });
    expect(ids(byCpf)).toEqual([ana.user.id]);
    expect(ids(await fhir("GET", `/Patient?identifier=${anaCpf}`, { as: admin }))).toEqual([ana.user.id]);
    expect((await fhir("GET", `/Patient?identifier=${anaCpf}`, { as: bruno })).body.total).toBe(0);
    expect(ids(await fhir("GET", `/Patient?name=souza&_id=${ana.user.id}`, { as: admin }))).toEqual([ana.user.id]);
    // audited like clinical reads: who read which patient
    const reads = await db
      .selectFrom("audit_events")
      .select(["actor_id", "details"])
      .where("action", "=", "patient.read")
      .where("entity_id", "=", ana.user.id)
      .execute();
    const readers = reads.map((r) => r.actor_id);
    expect(readers).toEqual(expect.arrayContaining([ana.user.id, doctor.user.id, admin.user.id]));
    expect(readers).not.toContain(bruno.user.id);
    expect(readers).not.toContain(otherDoctor.user.id);
  });

  it("CPF: check digits validated at sign-up and creation; unique; only for patients; erased by anonymisation", async () => {
    const register = (cpf: string) =>
      clinic.call("POST", "/api/auth/register", {
        body: { email: `cpf-${randomInt(1e9)}@test.healthflow.local`, password: "long enough pass", name: "Cpf", cpf },
      });
    const wrong = anaCpf.slice(0, 10) + String((Number(anaCpf[10]) + 1) % 10);
    expect((await register(wrong)).status).toBe(400);
    expect((await register("111.111.111-11")).status).toBe(400);
    const taken = await register(anaCpf);
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe("cpf_taken");
    const cpf = randomCpf();
    const ok = await register(cpf);
    expect(ok.status).toBe(201);
    expect(ok.body.user.cpf).toBe(cpf);
    const doctorWithCpf = await clinic.call("POST", "/api/users", {
      as: admin,
      body: {
        email: `dr-${randomInt(1e9)}@test.healthflow.local`,
        name: "Dr Cpf",
        role: "doctor",
        password: "long enough pass",
        cpf: randomCpf(),
        doctor: { specialty: "X", licenseNumber: `CRM/RJ ${randomInt(1e9)}`, timezone: "UTC", slotMinutes: 30 },
      },
    });
    expect(doctorWithCpf.status).toBe(400);
    const anonymised = await clinic.call("POST", `/api/users/${ok.body.user.id}/anonymise`, { as: admin });
    expect(anonymised.status).toBe(200);
    const patient = await fhir("GET", `/Patient/${ok.body.user.id}`, { as: admin });
    expect(patient.body.identifier).toBeUndefined();
    expect(patient.body.telecom).toBeUndefined();
    expect(patient.body.active).toBe(false);
  });

  it("errors are OperationOutcomes: 401 (with WWW-Authenticate), unknown types and routes 404, 405, 406", async () => {
    const anonymous = await fhir("GET", "/Patient");
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(anonymous.body.issue[0].code).toBe("login");
    expect((await fhir("GET", "/Appointment/x", { as: "not-a-valid-token-at-all-000000" })).status).toBe(401);
    expect((await fhir("GET", "/Observation", { as: ana })).status).toBe(404);
    expect((await fhir("GET", "/Observation/1", { as: ana })).status).toBe(404);
    expect((await fhir("GET", "/Appointment/1/_history", { as: ana })).status).toBe(404);
    expect((await fhir("GET", `/Appointment/${crypto.randomUUID()}`, { as: ana })).status).toBe(404);
    expect((await fhir("DELETE", `/Appointment/${crypto.randomUUID()}`, { as: ana })).status).toBe(405);
    expect((await fhir("POST", "/Patient", { as: admin, body: { resourceType: "Patient" } })).status).toBe(405);
    expect((await fhir("GET", "/metadata?_format=xml")).status).toBe(406);
  });

  it("an unexpected failure is a 500 OperationOutcome with the request id, no internals", async () => {
    const broken = new Proxy(clinic.db, {
      get(target, prop, receiver) {
        if (prop === "selectFrom") {
          return () => {
            throw new Error("secret internal detail");
          };
        }
        return Reflect.get(target, prop, receiver);
      },
    });
    const app = createApp({ ...clinic.deps, db: broken as Kysely<DB> });
    const res = await app.request(`${BASE}/Patient`, { headers: { authorization: `Bearer ${ana.token}` } });
    expect(res.status).toBe(500);
    expect(res.headers.get("content-type")).toMatch(/^application\/fhir\+json/);
    const text = await res.text();
    expect(text).not.toContain("secret internal detail");
    const body = JSON.parse(text);
    assertValidR4(body);
    expect(body.issue[0]).toMatchObject({ code: "exception" });
    expect(body.issue[0].diagnostics).toContain(res.headers.get("x-request-id"));
  });

  it("the OpenAPI document summarises the FHIR API and points at the CapabilityStatement", async () => {
    const doc = (await clinic.call("GET", "/api/openapi.json")).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([`${BASE}/metadata`, `${BASE}/Appointment`, `${BASE}/Appointment/{id}`, `${BASE}/Slot`]),
    );
    expect(doc.paths[`${BASE}/Appointment`].post.description).toContain("/fhir/R4/metadata");
  });

  it("in person or video (issue #13): appointmentType VR/AMB, read and booked; a mode the slot does not offer is 422", async () => {
    const d = await clinic.person("doctor", { doctor: { timezone: "America/Sao_Paulo" } });
    const put = await clinic.call("PUT", `/api/doctors/${d.user.id}/availability`, {
      as: d,
      body: {
        rules: [1, 2, 3, 4, 5].flatMap((weekday) => [
          { weekday, start: "08:00", end: "12:00", modes: ["video"] },
          { weekday, start: "12:00", end: "18:00", modes: ["in_person"] },
        ]),
      },
    });
    expect(put.status).toBe(200);
    const type = (code: string) => ({
      coding: [{ system: "http://terminology.hl7.org/CodeSystem/v3-ActCode", code }],
    });
    const video = await book(bruno, appointment(d.user.id, "2031-06-10T13:00:00.000Z"));
    expect(video.status).toBe(201);
    expect(video.body.appointmentType).toMatchObject({ coding: [{ code: "VR" }], text: "video" });
    const inPerson = await book(bruno, {
      ...appointment(d.user.id, "2031-06-10T16:00:00.000Z"),
      appointmentType: type("AMB"),
    });
    expect(inPerson.status).toBe(201);
    expect(inPerson.body.appointmentType).toMatchObject({ coding: [{ code: "AMB" }], text: "in person" });
    const json = await clinic.call("GET", `/api/consultations/${inPerson.body.id}`, { as: bruno });
    expect(json.body.consultation.mode).toBe("in_person");
    const refused = await book(bruno, {
      ...appointment(d.user.id, "2031-06-10T13:30:00.000Z"),
      appointmentType: type("AMB"),
    });
    expect(refused.status).toBe(422);
    expect(JSON.stringify(refused.body)).toContain("mode_not_offered");
    const unknown = await book(bruno, {
      ...appointment(d.user.id, "2031-06-10T16:30:00.000Z"),
      appointmentType: type("HH"),
    });
    expect(unknown.status).toBe(400);
  });
});
