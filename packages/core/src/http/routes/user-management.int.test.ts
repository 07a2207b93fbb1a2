/**
 * User management (issue 13), through the app and a real database: admins edit a user's name,
 * email and a doctor's profile; disable and re-enable accounts (sessions end at once, sign-in is
 * refused, a disabled doctor leaves the directory and booking, never oneself nor the last admin);
 * a doctor's upcoming load; anyone's own profile (name, phone, language).
 *
 * Runs on PGlite, on PostgreSQL (TEST_DATABASE_URL) and through the Data API stand-in
 * (TEST_DB_ENGINE=data-api). The last-admin rule needs a database of its own: a throw-away one on
 * the server, or a fresh PGlite.
 */
import { createThrowawayDatabase, type ThrowawayDatabase } from "@healthflow/test-kit/reliability-support";
import {
  createTestClinic,
  openTestDatabase,
  TEST_PASSWORD,
  type TestClinic,
  type TestPerson,
  testDbConfig,
  uniqueEmail,
} from "@healthflow/test-kit/test-clinic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const url = process.env.TEST_DATABASE_URL;
const NOW = new Date("2031-06-02T09:00:00Z");
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let clinic: TestClinic;
let admin: TestPerson;

beforeAll(async () => {
  clinic = await createTestClinic({ now: NOW, config: { booking: undefined } });
  admin = await clinic.person("admin");
});
afterAll(async () => {
  await clinic?.close();
});

const randomCrm = () => String(100_000_000 + Math.floor(Math.random() * 899_999_999));

async function doctorWithHours(): Promise<TestPerson> {
  const doctor = await clinic.person("doctor", {
    doctor: { crm: randomCrm(), crmState: "SP", timezone: "UTC", slotMinutes: 30 },
  });
  const res = await clinic.call("PUT", `/api/doctors/${doctor.user.id}/availability`, {
    as: admin,
    body: { rules: [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start: "00:00", end: "24:00" })) },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return doctor;
}

async function book(doctor: TestPerson, patient: TestPerson, startsAt: Date): Promise<string> {
  const res = await clinic.call("POST", "/api/consultations", {
    as: admin,
    body: { doctorId: doctor.user.id, patientId: patient.user.id, startsAt: startsAt.toISOString() },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.consultation.id;
}

async function auditOf(entityId: string, action: string) {
  return clinic.db
    .selectFrom("audit_events")
    .select(["actor_id", "details"])
    .where("entity_id", "=", entityId)
    .where("action", "=", action)
    .execute();
}

describe("PATCH /api/users/{id}: admins edit name, email and a doctor's profile", () => {
  it("edits every field of a doctor, audited with the names of the fields changed", async () => {
    const doctor = await clinic.person("doctor", { doctor: { crm: randomCrm(), crmState: "SP" } });
    const crm = randomCrm();
    const email = uniqueEmail("Dr.Edited");
    const res = await clinic.call("PATCH", `/api/users/${doctor.user.id}`, {
      as: admin,
      body: {
        name: "Dra. Editada",
        email,
        doctor: { specialty: "Dermatologia", crm, crmState: "mg", timezone: "America/Manaus", slotMinutes: 45 },
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.user).toMatchObject({
      id: doctor.user.id,
      name: "Dra. Editada",
      email: email.toLowerCase(),
      doctor: {
        specialty: "Dermatologia",
        crm,
        crmState: "MG",
        licenseNumber: `CRM-MG ${crm}`,
        timezone: "America/Manaus",
        slotMinutes: 45,
      },
    });
    const listed = await clinic.call("GET", "/api/doctors", { as: admin });
    expect(listed.body.doctors.find((d: { id: string }) => d.id === doctor.user.id)).toMatchObject({
      name: "Dra. Editada",
      timezone: "America/Manaus",
      slotMinutes: 45,
    });
    const [event] = await auditOf(doctor.user.id, "user.update");
    expect(event?.actor_id).toBe(admin.user.id);
    expect(event?.details).toMatchObject({
      changed: expect.arrayContaining(["name", "email", "specialty", "crm", "crmState", "timezone", "slotMinutes"]),
    });
    // values are not copied into the audit trail
    expect(JSON.stringify(event?.details)).not.toContain(email.toLowerCase());
  });

  it("a new email counts as unconfirmed and gets a confirmation link (verification on); the old one signs in no more", async () => {
    const patient = await clinic.person("patient");
    const email = uniqueEmail("moved");
    const res = await clinic.call("PATCH", `/api/users/${patient.user.id}`, { as: admin, body: { email } });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ email, emailVerified: false });
    const mail = await clinic.db
      .selectFrom("outbox")
      .select(["kind", "recipient", "token_purpose"])
      .where("recipient_id", "=", patient.user.id)
      .execute();
    expect(mail).toEqual([{ kind: "verify_email", recipient: email, token_purpose: "verify_email" }]);
    const old = await clinic.call("POST", "/api/auth/login", {
      body: { email: patient.user.email, password: TEST_PASSWORD },
    });
    expect(old.status).toBe(401);
    const now = await clinic.call("POST", "/api/auth/login", { body: { email, password: TEST_PASSWORD } });
    expect(now.status).toBe(200);
    // the same address again (any case) changes nothing and sends nothing
    const same = await clinic.call("PATCH", `/api/users/${patient.user.id}`, {
      as: admin,
      body: { email: email.toUpperCase() },
    });
    expect(same.status).toBe(200);
    const after = await clinic.db
      .selectFrom("outbox")
      .select("id")
      .where("recipient_id", "=", patient.user.id)
      .execute();
    expect(after).toHaveLength(1);
  });

  it("with verification off the new email stays confirmed; an invited account gets a new invitation there", async () => {
    const relaxed = await createTestClinic({
      database: clinic.database,
      now: NOW,
      config: { requireEmailVerification: false },
    });
    const patient = await clinic.person("patient");
    const email = uniqueEmail("relaxed");
    const res = await relaxed.call("PATCH", `/api/users/${patient.user.id}`, { as: admin, body: { email } });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ email, emailVerified: true });

    const first = uniqueEmail("invited");
    const invited = await clinic.call("POST", "/api/users", {
      as: admin,
      body: { email: first, name: "Convidada", role: "patient", invite: true },
    });
    expect(invited.status).toBe(201);
    const fixed = uniqueEmail("invited-fixed");
    const moved = await relaxed.call("PATCH", `/api/users/${invited.body.user.id}`, {
      as: admin,
      body: { email: fixed },
    });
    expect(moved.status).toBe(200);
    const mail = await clinic.db
      .selectFrom("outbox")
      .select(["kind", "recipient"])
      .where("recipient_id", "=", invited.body.user.id)
      .execute();
    // One invitation to each address (both written at the test clock's one instant: no order to rely on).
    expect(mail.map((m) => m.kind)).toEqual(["invite", "invite"]);
    expect(mail.map((m) => m.recipient).sort()).toEqual([first, fixed].sort());
  });

  it("refuses a taken email whatever its case (409 email_taken), a taken CRM, a bad zone or slot length", async () => {
    const other = await clinic.person("patient");
    const patient = await clinic.person("patient");
    const taken = await clinic.call("PATCH", `/api/users/${patient.user.id}`, {
      as: admin,
      body: { email: other.user.email.toUpperCase() },
    });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe("email_taken");

    const a = await clinic.person("doctor", { doctor: { crm: randomCrm(), crmState: "RJ" } });
    const b = await clinic.person("doctor", { doctor: { crm: randomCrm(), crmState: "RJ" } });
    const crm = await clinic.call("PATCH", `/api/users/${b.user.id}`, {
      as: admin,
      body: { doctor: { crm: a.user.doctor!.crm, crmState: "RJ" } },
    });
    expect(crm.status).toBe(409);
    expect(crm.body.error.code).toBe("license_taken");

    for (const doctor of [{ timezone: "Mars/Olympus" }, { slotMinutes: 3 }, { crm: "12a" }]) {
      const bad = await clinic.call("PATCH", `/api/users/${b.user.id}`, { as: admin, body: { doctor } });
      expect(bad.status, JSON.stringify(doctor)).toBe(400);
    }
    const notDoctor = await clinic.call("PATCH", `/api/users/${patient.user.id}`, {
      as: admin,
      body: { doctor: { specialty: "X" } },
    });
    expect(notDoctor.status).toBe(400);
    const nothing = await clinic.call("PATCH", `/api/users/${patient.user.id}`, { as: admin, body: {} });
    expect(nothing.status).toBe(400);
    const unchanged = await clinic.call("GET", `/api/users?role=patient&limit=500`, { as: admin });
    expect(unchanged.status).toBe(200);
  });

  it("is for admins only", async () => {
    const patient = await clinic.person("patient");
    const doctor = await clinic.person("doctor");
    for (const as of [patient, doctor]) {
      const res = await clinic.call("PATCH", `/api/users/${patient.user.id}`, { as, body: { name: "Hacker" } });
      expect(res.status).toBe(403);
    }
  });
});

describe("disable and re-enable", () => {
  it("disabling ends every session at once, refuses sign-in, and is audited; re-enabling lets them back", async () => {
    const patient = await clinic.person("patient");
    const second = await clinic.call("POST", "/api/auth/login", {
      body: { email: patient.user.email, password: TEST_PASSWORD },
    });
    expect(second.status).toBe(200);
    expect((await clinic.call("GET", "/api/auth/me", { as: patient })).status).toBe(200);

    const res = await clinic.call("POST", `/api/users/${patient.user.id}/disable`, { as: admin });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: patient.user.id, disabledAt: NOW.toISOString() });

    for (const token of [patient.token, second.body.token]) {
      const me = await clinic.call("GET", "/api/auth/me", { as: token });
      expect(me.status).toBe(401);
    }
    const sessions = await clinic.db
      .selectFrom("sessions")
      .select("id")
      .where("user_id", "=", patient.user.id)
      .execute();
    expect(sessions).toEqual([]);
    const login = await clinic.call("POST", "/api/auth/login", {
      body: { email: patient.user.email, password: TEST_PASSWORD },
    });
    expect(login.status).toBe(401);
    expect(login.body.error.code).toBe("invalid_credentials");
    const [event] = await auditOf(patient.user.id, "user.disable");
    expect(event).toMatchObject({ actor_id: admin.user.id, details: { role: "patient", sessionsEnded: 2 } });

    // disabling again changes nothing
    const again = await clinic.call("POST", `/api/users/${patient.user.id}/disable`, { as: admin });
    expect(again.body.user.disabledAt).toBe(NOW.toISOString());
    expect(await auditOf(patient.user.id, "user.disable")).toHaveLength(1);

    const enabled = await clinic.call("POST", `/api/users/${patient.user.id}/enable`, { as: admin });
    expect(enabled.status).toBe(200);
    expect(enabled.body.user.disabledAt).toBeUndefined();
    expect(await auditOf(patient.user.id, "user.enable")).toHaveLength(1);
    const back = await clinic.call("POST", "/api/auth/login", {
      body: { email: patient.user.email, password: TEST_PASSWORD },
    });
    expect(back.status).toBe(200);
  });

  it("the admin's list shows disabled accounts with status=all or disabled; the default (pickers) is active only", async () => {
    const name = `Zz Listed ${Math.random().toString(36).slice(2, 8)}`;
    const patient = await clinic.person("patient", { name });
    await clinic.call("POST", `/api/users/${patient.user.id}/disable`, { as: admin });
    const find = async (query: string) => {
      const res = await clinic.call("GET", `/api/users?role=patient&limit=500${query}`, { as: admin });
      expect(res.status).toBe(200);
      let users = res.body.users;
      let cursor = res.body.nextCursor;
      while (cursor) {
        const next = await clinic.call("GET", `/api/users?role=patient&limit=500${query}&cursor=${cursor}`, {
          as: admin,
        });
        users = [...users, ...next.body.users];
        cursor = next.body.nextCursor;
      }
      return users.find((u: { id: string }) => u.id === patient.user.id);
    };
    expect(await find("")).toBeUndefined();
    expect(await find("&status=all")).toMatchObject({ disabledAt: NOW.toISOString() });
    expect(await find("&status=disabled")).toBeDefined();
    expect(await find("&status=active")).toBeUndefined();
    const bad = await clinic.call("GET", "/api/users?status=gone", { as: admin });
    expect(bad.status).toBe(400);
  });

  it("a disabled doctor leaves the directory and booking; their consultations stay, counted in the load", async () => {
    const doctor = await doctorWithHours();
    const patient = await clinic.person("patient");
    const booked = await book(doctor, patient, new Date(NOW.getTime() + 2 * DAY));
    const res = await clinic.call("POST", `/api/users/${doctor.user.id}/disable`, { as: admin });
    expect(res.status).toBe(200);

    const directory = await clinic.call("GET", "/api/doctors", { as: patient });
    expect(directory.body.doctors.map((d: { id: string }) => d.id)).not.toContain(doctor.user.id);
    const refused = await clinic.call("POST", "/api/consultations", {
      as: admin,
      body: {
        doctorId: doctor.user.id,
        patientId: patient.user.id,
        startsAt: new Date(NOW.getTime() + 3 * DAY).toISOString(),
      },
    });
    expect(refused.status).toBe(404);
    const kept = await clinic.call("GET", `/api/consultations/${booked}`, { as: admin });
    expect(kept.body.consultation.status).toBe("scheduled");
    const load = await clinic.call("GET", `/api/doctors/${doctor.user.id}/load`, { as: admin });
    expect(load.body).toMatchObject({ upcoming: 1, next7Days: 1 });
    // the admin can still cancel it
    const cancelled = await clinic.call("POST", `/api/consultations/${booked}/cancel`, { as: admin, body: {} });
    expect(cancelled.status).toBe(200);

    await clinic.call("POST", `/api/users/${doctor.user.id}/enable`, { as: admin });
    const again = await clinic.call("GET", "/api/doctors", { as: patient });
    expect(again.body.doctors.map((d: { id: string }) => d.id)).toContain(doctor.user.id);
  });

  it("an admin cannot disable themself (409 cannot_disable_self); an anonymised patient stays disabled", async () => {
    const self = await clinic.call("POST", `/api/users/${admin.user.id}/disable`, { as: admin });
    expect(self.status).toBe(409);
    expect(self.body.error.code).toBe("cannot_disable_self");
    expect((await clinic.call("GET", "/api/auth/me", { as: admin })).status).toBe(200);

    const patient = await clinic.person("patient");
    expect((await clinic.call("POST", `/api/users/${patient.user.id}/anonymise`, { as: admin })).status).toBe(200);
    const enable = await clinic.call("POST", `/api/users/${patient.user.id}/enable`, { as: admin });
    expect(enable.status).toBe(409);
    expect(enable.body.error.code).toBe("anonymised");
    const edit = await clinic.call("PATCH", `/api/users/${patient.user.id}`, {
      as: admin,
      body: { name: "Named Again", email: uniqueEmail("again") },
    });
    expect(edit.status).toBe(409);
    expect(edit.body.error.code).toBe("anonymised");
  });

  it("answers 404 for an unknown account, 400 for a malformed id, 401/403 for everyone but admins", async () => {
    const unknown = await clinic.call("POST", "/api/users/00000000-0000-4000-8000-000000000000/disable", {
      as: admin,
    });
    expect(unknown.status).toBe(404);
    expect((await clinic.call("POST", "/api/users/not-a-uuid/enable", { as: admin })).status).toBe(400);
    const patient = await clinic.person("patient");
    const doctor = await clinic.person("doctor");
    expect((await clinic.call("POST", `/api/users/${doctor.user.id}/disable`)).status).toBe(401);
    for (const as of [patient, doctor]) {
      expect((await clinic.call("POST", `/api/users/${patient.user.id}/disable`, { as })).status).toBe(403);
      expect((await clinic.call("POST", `/api/users/${patient.user.id}/enable`, { as })).status).toBe(403);
    }
    expect((await clinic.call("GET", "/api/auth/me", { as: patient })).status).toBe(200);
  });
});

describe("the last active admin", () => {
  let own: TestClinic;
  let throwaway: ThrowawayDatabase | undefined;

  beforeAll(async () => {
    // A clinic of its own, so the admins counted are only this test's.
    if (url) throwaway = await createThrowawayDatabase(url, "last_admin");
    const database = await openTestDatabase(testDbConfig(throwaway?.url));
    own = await createTestClinic({ database, now: NOW });
  });
  afterAll(async () => {
    await own?.database.close();
    await throwaway?.drop();
  });

  it("is never disabled: two admins racing to disable each other leave one (409 last_admin in core)", async () => {
    const first = await own.person("admin");
    const second = await own.person("admin");
    const third = await own.person("admin");
    expect((await own.call("POST", `/api/users/${third.user.id}/disable`, { as: first })).status).toBe(200);

    // first and second disable each other at the same moment: exactly one wins
    const [a, b] = await Promise.all([
      own.call("POST", `/api/users/${second.user.id}/disable`, { as: first }),
      own.call("POST", `/api/users/${first.user.id}/disable`, { as: second }),
    ]);
    const statuses = [a.status, b.status].sort();
    // 401: the loser's own session was ended by the winner before its request was resolved.
    expect(statuses[0]).toBe(200);
    expect([401, 409]).toContain(statuses[1]);
    const active = await own.db
      .selectFrom("users")
      .select("id")
      .where("role", "=", "admin")
      .where("disabled_at", "is", null)
      .execute();
    expect(active).toHaveLength(1);

    const survivor = active[0]!.id === first.user.id ? first : second;
    const loser = survivor === first ? second : first;
    // Through HTTP only a race reaches the rule (a signed-in admin is active, and not the target);
    // in core, an actor that is no longer active cannot disable the last active admin either.
    const { disableUser } = await import("../../users/user-admin.js");
    await expect(
      disableUser(own.db, survivor.user.id, { id: loser.user.id, role: "admin" }, NOW),
    ).rejects.toMatchObject({
      code: "last_admin",
    });
    expect((await own.call("GET", "/api/auth/me", { as: survivor })).status).toBe(200);
    const self = await own.call("POST", `/api/users/${survivor.user.id}/disable`, { as: survivor });
    expect(self.body.error.code).toBe("cannot_disable_self");
  });
});

describe("GET /api/doctors/{id}/load", () => {
  it("counts scheduled consultations not yet ended: in all, within 7 and 30 days, and the next start", async () => {
    const doctor = await doctorWithHours();
    const patient = await clinic.person("patient");
    const soon = new Date(NOW.getTime() + 2 * HOUR);
    await book(doctor, patient, soon);
    await book(doctor, patient, new Date(NOW.getTime() + 3 * DAY));
    await book(doctor, patient, new Date(NOW.getTime() + 10 * DAY));
    await book(doctor, patient, new Date(NOW.getTime() + 40 * DAY));
    const cancelled = await book(doctor, patient, new Date(NOW.getTime() + 1 * DAY));
    await clinic.call("POST", `/api/consultations/${cancelled}/cancel`, { as: admin, body: {} });

    const res = await clinic.call("GET", `/api/doctors/${doctor.user.id}/load`, { as: admin });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      doctorId: doctor.user.id,
      upcoming: 4,
      next7Days: 2,
      next30Days: 3,
      nextConsultationAt: soon.toISOString(),
    });
    // one whose start has passed but that was never started still needs the doctor; once ended, it does not
    clinic.clock.set(new Date(soon.getTime() + 10 * 60_000));
    const late = await clinic.call("GET", `/api/doctors/${doctor.user.id}/load`, { as: admin });
    expect(late.body).toMatchObject({ upcoming: 4, nextConsultationAt: soon.toISOString() });
    clinic.clock.set(new Date(soon.getTime() + 31 * 60_000));
    const past = await clinic.call("GET", `/api/doctors/${doctor.user.id}/load`, { as: admin });
    expect(past.body).toMatchObject({ upcoming: 3, next7Days: 1 });
    clinic.clock.set(NOW);
    // the doctor sees their own; another doctor and patients do not
    expect((await clinic.call("GET", `/api/doctors/${doctor.user.id}/load`, { as: doctor })).body.upcoming).toBe(4);
    const other = await clinic.person("doctor");
    expect((await clinic.call("GET", `/api/doctors/${doctor.user.id}/load`, { as: other })).status).toBe(403);
    expect((await clinic.call("GET", `/api/doctors/${doctor.user.id}/load`, { as: patient })).status).toBe(403);
    expect((await clinic.call("GET", `/api/doctors/${doctor.user.id}/load`)).status).toBe(401);
    const notDoctor = await clinic.call("GET", `/api/doctors/${patient.user.id}/load`, { as: admin });
    expect(notDoctor.status).toBe(404);
    expect(notDoctor.body.error.code).toBe("doctor_not_found");
  });

  it("a doctor with nothing booked has a load of zero and no next consultation", async () => {
    const doctor = await doctorWithHours();
    const res = await clinic.call("GET", `/api/doctors/${doctor.user.id}/load`, { as: admin });
    expect(res.body).toEqual({
      doctorId: doctor.user.id,
      upcoming: 0,
      next7Days: 0,
      next30Days: 0,
      nextConsultationAt: null,
    });
  });
});

describe("PATCH /api/auth/me: one's own profile", () => {
  it("a patient edits their name, phone and language; the phone can be removed", async () => {
    const patient = await clinic.person("patient");
    const res = await clinic.call("PATCH", "/api/auth/me", {
      as: patient,
      body: { name: "  Maria da Silva ", phone: "+55 (11) 91234-5678", language: "en" },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.user).toMatchObject({ name: "Maria da Silva", phone: "+5511912345678", language: "en" });
    const me = await clinic.call("GET", "/api/auth/me", { as: patient });
    expect(me.body.user).toMatchObject({ name: "Maria da Silva", phone: "+5511912345678", language: "en" });
    const [event] = await auditOf(patient.user.id, "user.update_profile");
    expect(event).toMatchObject({ actor_id: patient.user.id, details: { changed: ["name", "phone"] } });

    const removed = await clinic.call("PATCH", "/api/auth/me", { as: patient, body: { phone: null } });
    expect(removed.status).toBe(200);
    expect(removed.body.user.phone).toBeUndefined();
    // the language alone, as before this issue
    const lang = await clinic.call("PATCH", "/api/auth/me", { as: patient, body: { language: "pt-BR" } });
    expect(lang.body.user).toMatchObject({ language: "pt-BR", name: "Maria da Silva" });
  });

  it("refuses a bad phone, an empty name, and any attempt to change role or email (400, nothing changes)", async () => {
    const patient = await clinic.person("patient");
    const bodies = [
      { phone: "12345" },
      { phone: "call me maybe" },
      { phone: "1".repeat(21) },
      { phone: "((((((((" },
      { name: "   " },
      { role: "admin" },
      { email: uniqueEmail("self") },
      { language: "fr" },
    ];
    for (const body of bodies) {
      const res = await clinic.call("PATCH", "/api/auth/me", { as: patient, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    const me = await clinic.call("GET", "/api/auth/me", { as: patient });
    expect(me.body.user).toEqual(patient.user);
  });

  it("any role edits their own profile, and only their own", async () => {
    const doctor = await clinic.person("doctor");
    const res = await clinic.call("PATCH", "/api/auth/me", { as: doctor, body: { name: "Dr. Renomeado" } });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: doctor.user.id, name: "Dr. Renomeado", role: "doctor" });
    expect((await clinic.call("PATCH", "/api/auth/me", { body: { name: "Anon" } })).status).toBe(401);
  });
});
