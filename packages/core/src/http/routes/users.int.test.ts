/** Accounts administration and the doctor directory, through the app and a real database. */

import {
  createTestClinic,
  TEST_PASSWORD,
  type TestClinic,
  type TestPerson,
  uniqueEmail,
} from "@healthflow/test-kit/test-clinic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let clinic: TestClinic;
let admin: TestPerson;
const bodies: string[] = [];

beforeAll(async () => {
  clinic = await createTestClinic();
  admin = await clinic.person("admin");
});
afterAll(async () => {
  await clinic?.close();
});

/** Every response body seen, to check that no password hash ever leaves the server. */
async function call(method: string, path: string, options: Parameters<TestClinic["call"]>[2] = {}) {
  const res = await clinic.call(method, path, options);
  bodies.push(JSON.stringify(res.body));
  return res;
}

function doctorInput(overrides: Record<string, unknown> = {}) {
  const crm = String(100_000_000 + Math.floor(Math.random() * 899_999_999));
  return {
    email: uniqueEmail("Dr.Who"),
    name: "Dra. Beatriz Rocha",
    role: "doctor",
    password: TEST_PASSWORD,
    doctor: {
      specialty: "Neurologia",
      crm,
      crmState: "RS",
      timezone: "America/Porto_Velho",
      slotMinutes: 40,
    },
    ...overrides,
  };
}

describe("POST /api/users", () => {
  it("lets an admin create a doctor whose profile round-trips", async () => {
    const input = doctorInput();
    const res = await call("POST", "/api/users", { as: admin, body: input });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      user: {
        id: expect.any(String),
        email: input.email.toLowerCase(),
        name: input.name,
        role: "doctor",
        doctor: { ...input.doctor, licenseNumber: `CRM-RS ${input.doctor.crm}` },
        language: "pt-BR",
        emailVerified: true,
      },
    });
    const id = res.body.user.id;
    const listed = await call("GET", "/api/users?role=doctor", { as: admin });
    expect(listed.body.users.find((u: { id: string }) => u.id === id)).toEqual(res.body.user);
    const doctors = await call("GET", "/api/doctors", { as: admin });
    expect(doctors.body.doctors.find((d: { id: string }) => d.id === id)).toEqual({
      id,
      name: input.name,
      specialty: "Neurologia",
      crm: input.doctor.crm,
      crmState: "RS",
      timezone: "America/Porto_Velho",
      slotMinutes: 40,
    });
    // the new doctor can sign in with the password the admin chose
    const login = await call("POST", "/api/auth/login", { body: { email: input.email, password: TEST_PASSWORD } });
    expect(login.status).toBe(200);
    expect(login.body.user.doctor).toEqual(res.body.user.doctor);
  });

  it("defaults slotMinutes to 30", async () => {
    const input = doctorInput();
    const { slotMinutes: _, ...doctor } = input.doctor;
    const res = await call("POST", "/api/users", { as: admin, body: { ...input, doctor } });
    expect(res.status).toBe(201);
    expect(res.body.user.doctor.slotMinutes).toBe(30);
  });

  it("writes an audit event naming the admin and the new account", async () => {
    const res = await call("POST", "/api/users", {
      as: admin,
      body: { email: uniqueEmail("audited"), name: "Audited", role: "patient", password: TEST_PASSWORD },
    });
    expect(res.status).toBe(201);
    const events = await clinic.db
      .selectFrom("audit_events")
      .selectAll()
      .where("entity", "=", "user")
      .where("entity_id", "=", res.body.user.id)
      .execute();
    expect(events).toHaveLength(1);
    const details = typeof events[0]!.details === "string" ? JSON.parse(events[0]!.details) : events[0]!.details;
    expect(events[0]).toMatchObject({ action: "user.create", actor_id: admin.user.id });
    expect(details).toEqual({ role: "patient", email: res.body.user.email });
    expect(JSON.stringify(details)).not.toContain(TEST_PASSWORD);
  });

  it.each([
    [
      "an unknown IANA zone",
      { doctor: { specialty: "X", licenseNumber: "CRM/SP 1", timezone: "Mars/Olympus" } },
      "doctor.timezone",
    ],
    [
      "an offset instead of a zone",
      { doctor: { specialty: "X", licenseNumber: "CRM/SP 1", timezone: "GMT-3" } },
      "doctor.timezone",
    ],
    ["a doctor without a profile", { doctor: undefined }, "doctor"],
    ["a patient with a doctor profile", { role: "patient" }, "doctor"],
    [
      "a slot of 3 minutes",
      { doctor: { specialty: "X", licenseNumber: "CRM/SP 1", timezone: "UTC", slotMinutes: 3 } },
      "doctor.slotMinutes",
    ],
    ["an unknown role", { role: "superuser" }, "role"],
    ["a short password", { password: "short" }, "password"],
  ])("refuses %s with 400 naming the field", async (_name, overrides, path) => {
    const input = doctorInput(overrides);
    const res = await call("POST", "/api/users", { as: admin, body: input });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    // other test files share the server, so check this account rather than a count
    const row = clinic.db.selectFrom("users").select("id").where("email", "=", input.email.toLowerCase());
    expect(await row.execute()).toEqual([]);
  });

  it("refuses a duplicate email (any case) and a duplicate licence number with 409", async () => {
    const first = doctorInput();
    expect((await call("POST", "/api/users", { as: admin, body: first })).status).toBe(201);
    const sameEmail = await call("POST", "/api/users", {
      as: admin,
      body: doctorInput({ email: first.email.toUpperCase() }),
    });
    expect(sameEmail.status).toBe(409);
    expect(sameEmail.body.error.code).toBe("email_taken");
    const sameLicence = await call("POST", "/api/users", {
      as: admin,
      body: doctorInput({ doctor: { ...first.doctor } }),
    });
    expect(sameLicence.status).toBe(409);
    expect(sameLicence.body.error.code).toBe("license_taken");
    // The same CRM written as a legacy licence number, in any case, is the same doctor.
    const { crm, crmState: _uf, ...rest } = first.doctor;
    const sameLegacy = await call("POST", "/api/users", {
      as: admin,
      body: doctorInput({ doctor: { ...rest, licenseNumber: `crm/rs 0${crm}` } }),
    });
    expect(sameLegacy.status).toBe(409);
    expect(sameLegacy.body.error.code).toBe("license_taken");
  });

  it("is 403 for a patient and a doctor, 401 anonymously, and creates nothing", async () => {
    const patient = await clinic.person("patient");
    const doctor = await clinic.person("doctor");
    const body = { email: uniqueEmail("escalate"), name: "Mallory", role: "admin", password: TEST_PASSWORD };
    for (const as of [patient, doctor]) {
      const res = await call("POST", "/api/users", { as, body });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: { code: "forbidden", message: expect.any(String) } });
    }
    const anonymous = await call("POST", "/api/users", { body });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe("unauthenticated");
    const row = await clinic.db.selectFrom("users").select("id").where("email", "=", body.email).executeTakeFirst();
    expect(row).toBeUndefined();
  });
});

/** Every account a listing returns, following `nextCursor` (the list is paginated). */
async function allPages(path: string) {
  const users: any[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const res: { status: number; body: any } = await call(
      "GET",
      `${path}${sep}limit=500${cursor ? `&cursor=${cursor}` : ""}`,
      { as: admin },
    );
    expect(res.status).toBe(200);
    users.push(...res.body.users);
    cursor = res.body.nextCursor;
  } while (cursor);
  return { status: 200, body: { users } };
}

describe("GET /api/users", () => {
  it("filters by role and lists every role without one", async () => {
    const patient = await clinic.person("patient");
    const doctor = await clinic.person("doctor");
    const patients = await allPages("/api/users?role=patient");
    expect(patients.status).toBe(200);
    expect(patients.body.users.length).toBeGreaterThan(0);
    expect(patients.body.users.every((u: { role: string }) => u.role === "patient")).toBe(true);
    expect(patients.body.users.map((u: { id: string }) => u.id)).toContain(patient.user.id);
    expect(patients.body.users.map((u: { id: string }) => u.id)).not.toContain(doctor.user.id);
    const doctors = await allPages("/api/users?role=doctor");
    expect(doctors.body.users.every((u: { role: string; doctor?: unknown }) => u.role === "doctor" && u.doctor)).toBe(
      true,
    );
    const all = await allPages("/api/users");
    const ids = all.body.users.map((u: { id: string }) => u.id);
    expect(ids).toEqual(expect.arrayContaining([patient.user.id, doctor.user.id, admin.user.id]));
    for (const u of all.body.users)
      expect(
        Object.keys(u)
          // Optional fields, present when recorded (cpf; phone: issue #13).
          .filter((k) => k !== "cpf" && k !== "phone")
          .sort(),
      ).toEqual(
        u.role === "doctor"
          ? ["doctor", "email", "emailVerified", "id", "language", "name", "role"]
          : ["email", "emailVerified", "id", "language", "name", "role"],
      );
  });

  it("is 400 for an unknown role, 403 for non-admins, 401 anonymously", async () => {
    const bad = await call("GET", "/api/users?role=root", { as: admin });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("invalid_request");
    expect((await call("GET", "/api/users", { as: await clinic.person("doctor") })).status).toBe(403);
    expect((await call("GET", "/api/users", { as: await clinic.person("patient") })).status).toBe(403);
    expect((await call("GET", "/api/users")).status).toBe(401);
  });

  it("leaves out disabled accounts", async () => {
    const gone = await clinic.person("patient");
    await clinic.db.updateTable("users").set({ disabled_at: new Date() }).where("id", "=", gone.user.id).execute();
    const res = await call("GET", "/api/users?role=patient", { as: admin });
    expect(res.body.users.map((u: { id: string }) => u.id)).not.toContain(gone.user.id);
  });
});

describe("GET /api/doctors", () => {
  it("gives signed-in users {doctors:[{id,name,specialty,crm,crmState,timezone,slotMinutes}]} and nothing more", async () => {
    const doctor = await clinic.person("doctor", {
      doctor: { specialty: "Ortopedia", timezone: "America/Recife", slotMinutes: 15 },
    });
    const patient = await clinic.person("patient");
    const res = await call("GET", "/api/doctors", { as: patient });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(["doctors"]);
    for (const d of res.body.doctors)
      expect(Object.keys(d).sort()).toEqual(["crm", "crmState", "id", "name", "slotMinutes", "specialty", "timezone"]);
    expect(res.body.doctors).toContainEqual({
      id: doctor.user.id,
      name: doctor.user.name,
      specialty: "Ortopedia",
      crm: doctor.user.doctor?.crm ?? null,
      crmState: doctor.user.doctor?.crmState ?? null,
      timezone: "America/Recife",
      slotMinutes: 15,
    });
    expect(res.body.doctors.map((d: { id: string }) => d.id)).not.toContain(patient.user.id);
    const names = res.body.doctors.map((d: { name: string }) => d.name);
    expect(names).toEqual([...names].sort((a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it("is 401 anonymously", async () => {
    const res = await call("GET", "/api/doctors");
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("unauthenticated");
  });
});

describe("password hashes", () => {
  it("never appear in any response body of this file", async () => {
    // A last sweep over the self and list views, then every body collected above.
    const doctor = await clinic.person("doctor");
    await call("GET", "/api/auth/me", { as: doctor });
    await call("GET", "/api/users", { as: admin });
    expect(bodies.length).toBeGreaterThan(20);
    for (const body of bodies) {
      expect(body).not.toMatch(/scrypt\$/);
      expect(body).not.toMatch(/password_?hash/i);
      expect(body).not.toContain(TEST_PASSWORD);
    }
  });
});
