/** LGPD through the real app: the data export and the anonymisation of a patient. */

import { createTestClinic, TEST_PASSWORD, type TestClinic, type TestPerson } from "@healthflow/test-kit/test-clinic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashToken } from "../auth/session.js";
import { ANONYMISED_NAME } from "./privacy.js";

let clinic: TestClinic;
let admin: TestPerson;
let doctor: TestPerson;
let patient: TestPerson;
let other: TestPerson;
const ids: Record<string, string> = {};

async function consultation(p: TestPerson, startsAt: string, notes: string | null) {
  const { id } = await clinic.db
    .insertInto("consultations")
    .values({
      doctor_id: doctor.user.id,
      patient_id: p.user.id,
      starts_at: new Date(startsAt),
      ends_at: new Date(new Date(startsAt).getTime() + 30 * 60_000),
      status: notes ? "completed" : "scheduled",
      notes,
      reason: "Dor de cabeça",
      room_name: `hf${crypto.randomUUID().replaceAll("-", "")}`,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return id;
}

beforeAll(async () => {
  clinic = await createTestClinic();
  admin = await clinic.person("admin");
  doctor = await clinic.person("doctor");
  patient = await clinic.person("patient", { name: "Maria Export" });
  other = await clinic.person("patient", { name: "João Outro" });
  ids.mine = await consultation(patient, "2030-02-04T12:00:00Z", "Notas da Maria");
  ids.mine2 = await consultation(patient, "2030-02-05T12:00:00Z", null);
  ids.theirs = await consultation(other, "2030-02-04T13:00:00Z", "Notas do João");
});
afterAll(async () => {
  await clinic?.close();
});

describe("GET /api/me/export", () => {
  it("needs a session", async () => {
    expect((await clinic.call("GET", "/api/me/export")).status).toBe(401);
  });

  it("gives a patient their profile and every consultation with its notes, and nothing of anyone else", async () => {
    const res = await clinic.call("GET", "/api/me/export", { as: patient });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toMatch(
      /^attachment; filename="healthflow-export-\d{4}-\d\d-\d\d\.json"$/,
    );
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.body.format).toBe("healthflow-export/1");
    expect(res.body.subject).toMatchObject({ id: patient.user.id, email: patient.user.email, name: "Maria Export" });
    expect(res.body.subject).not.toHaveProperty("password_hash");
    expect(res.body.consultations.map((c: { id: string }) => c.id)).toEqual([ids.mine, ids.mine2]);
    expect(res.body.consultations[0].notes).toBe("Notas da Maria");
    expect(res.body.sessions.length).toBeGreaterThan(0);
    const text = JSON.stringify(res.body);
    for (const leak of [other.user.id, other.user.email, "João Outro", "Notas do João", ids.theirs, "scrypt$"]) {
      expect(text).not.toContain(leak);
    }
  });

  it("is audited", async () => {
    await clinic.call("GET", "/api/me/export", { as: other });
    const events = await clinic.db
      .selectFrom("audit_events")
      .select(["action", "actor_id"])
      .where("entity", "=", "user")
      .where("entity_id", "=", other.user.id)
      .where("action", "=", "user.export")
      .execute();
    expect(events).toEqual([{ action: "user.export", actor_id: other.user.id }]);
  });

  it("audits the notes it hands over as notes reads, one per consultation with notes", async () => {
    const before = await clinic.db
      .selectFrom("audit_events")
      .select(["entity_id"])
      .where("action", "=", "consultation.notes_read")
      .where("actor_id", "=", patient.user.id)
      .execute();
    expect((await clinic.call("GET", "/api/me/export", { as: patient })).status).toBe(200);
    const after = await clinic.db
      .selectFrom("audit_events")
      .select(["entity_id", "entity"])
      .where("action", "=", "consultation.notes_read")
      .where("actor_id", "=", patient.user.id)
      .execute();
    // Only the consultation with notes (ids.mine), not the one without (ids.mine2).
    expect(after.length - before.length).toBe(1);
    expect(after.map((a) => a.entity_id)).toContain(ids.mine);
    expect(after.map((a) => a.entity_id)).not.toContain(ids.mine2);
    expect(after.every((a) => a.entity === "consultation")).toBe(true);
  });

  it("gives a doctor their profile and schedule, not their patients' records", async () => {
    const res = await clinic.call("GET", "/api/me/export", { as: doctor });
    expect(res.status).toBe(200);
    expect(res.body.subject.doctor).toBeDefined();
    expect(res.body.consultations).toEqual([]);
    expect(res.body.availability).toEqual([]);
    const text = JSON.stringify(res.body);
    for (const leak of ["Notas da Maria", "Notas do João", patient.user.email]) expect(text).not.toContain(leak);
  });
});

describe("POST /api/users/:id/anonymise", () => {
  it("is for admins only", async () => {
    const target = await clinic.person("patient");
    expect((await clinic.call("POST", `/api/users/${target.user.id}/anonymise`)).status).toBe(401);
    expect((await clinic.call("POST", `/api/users/${target.user.id}/anonymise`, { as: target })).status).toBe(403);
    expect((await clinic.call("POST", `/api/users/${target.user.id}/anonymise`, { as: doctor })).status).toBe(403);
  });

  it("replaces identity, ends sessions, blocks sign-in, keeps consultations, scrubs and audits", async () => {
    const target = await clinic.person("patient", { name: "Ana Apagar" });
    const kept = await consultation(target, "2030-03-04T12:00:00Z", "Notas clínicas da Ana");
    const oldEmail = target.user.email;

    const res = await clinic.call("POST", `/api/users/${target.user.id}/anonymise`, { as: admin });
    expect(res.status).toBe(200);
    expect(res.body.user).toEqual({
      id: target.user.id,
      role: "patient",
      name: ANONYMISED_NAME,
      email: expect.stringMatching(/^anonymised-[0-9a-f]{16}@invalid$/),
      language: "pt-BR",
      emailVerified: true,
      // an anonymised account is a disabled one (issue 13: disabled accounts carry disabledAt)
      disabledAt: expect.any(String),
    });

    // Sessions are gone: the old token no longer works, and the row is deleted.
    expect((await clinic.call("GET", "/api/auth/me", { as: target })).status).toBe(401);
    const sessions = await clinic.db
      .selectFrom("sessions")
      .select("id")
      .where("token_hash", "=", hashToken(target.token))
      .execute();
    expect(sessions).toEqual([]);
    // Neither the old email nor the new one signs in (the new one is not even a deliverable address).
    const byOld = await clinic.call("POST", "/api/auth/login", { body: { email: oldEmail, password: TEST_PASSWORD } });
    expect(byOld.status).toBe(401);
    const byNew = await clinic.call("POST", "/api/auth/login", {
      body: { email: res.body.user.email, password: TEST_PASSWORD },
    });
    expect([400, 401]).toContain(byNew.status);
    // The clinic keeps the consultation and its notes, now attached to the anonymous patient.
    const seen = await clinic.call("GET", `/api/consultations/${kept}`, { as: admin });
    expect(seen.status).toBe(200);
    expect(seen.body.consultation.notes).toBe("Notas clínicas da Ana");
    expect(seen.body.consultation.patient).toEqual({ id: target.user.id, name: ANONYMISED_NAME });
    // The old name and email are nowhere in the user row or the audit trail.
    const row = await clinic.db
      .selectFrom("users")
      .selectAll()
      .where("id", "=", target.user.id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toMatch(/Ana Apagar/);
    expect(row.email).not.toBe(oldEmail);
    expect(row.disabled_at).not.toBeNull();
    const audit = await clinic.db
      .selectFrom("audit_events")
      .select(["action", "actor_id", "details"])
      .where("entity", "=", "user")
      .where("entity_id", "=", target.user.id)
      .orderBy("id")
      .execute();
    expect(JSON.stringify(audit)).not.toContain(oldEmail);
    expect(audit.at(-1)).toMatchObject({ action: "user.anonymise", actor_id: admin.user.id });
  });

  it("refuses non-patients and a second anonymisation with 409, unknown ids with 404", async () => {
    const target = await clinic.person("patient");
    expect((await clinic.call("POST", `/api/users/${target.user.id}/anonymise`, { as: admin })).status).toBe(200);
    const again = await clinic.call("POST", `/api/users/${target.user.id}/anonymise`, { as: admin });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("already_anonymised");
    const notPatient = await clinic.call("POST", `/api/users/${doctor.user.id}/anonymise`, { as: admin });
    expect(notPatient.status).toBe(409);
    expect(notPatient.body.error.code).toBe("not_a_patient");
    const missing = await clinic.call("POST", `/api/users/${crypto.randomUUID()}/anonymise`, { as: admin });
    expect(missing.status).toBe(404);
    expect((await clinic.call("POST", "/api/users/not-a-uuid/anonymise", { as: admin })).status).toBe(400);
  });
});
