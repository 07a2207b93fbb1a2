/**
 * The patient's history for the doctor (issue #13): GET /api/patients/{id}/history. Who may read
 * it, newest first, keyset pages, notes only where `canReadNotes` allows, every note read audited.
 * On PGlite, PostgreSQL (TEST_DATABASE_URL) and the Data API stand-in (TEST_DB_ENGINE=data-api).
 */
import { randomBytes } from "node:crypto";
import { type ApiResult, createTestClinic, type TestClinic, type TestPerson } from "@healthflow/test-kit/test-clinic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const NOW = new Date("2030-03-04T12:00:00Z"); // Monday
const DAY = 86_400_000;

let clinic: TestClinic;
let admin: TestPerson;
let patient: TestPerson;
let own: TestPerson; // has seen the patient
let colleague: TestPerson; // has seen the patient too
let booked: TestPerson; // only booked with the patient (upcoming)
let stranger: TestPerson; // no relation
let cancelledOnly: TestPerson; // their only consultation with the patient was cancelled
/** Past consultations of the patient, newest first: [id, doctor, notes]. */
const past: { id: string; doctor: TestPerson; notes: string | null; mode: "video" | "in_person" }[] = [];
let futureId: string;
let earlyId: string;

async function insert(
  doctor: TestPerson,
  daysAgo: number,
  values: {
    status?: "completed" | "no_show" | "cancelled" | "scheduled";
    notes?: string | null;
    mode?: "video" | "in_person";
  } = {},
): Promise<string> {
  const start = new Date(NOW.getTime() - daysAgo * DAY);
  const row = await clinic.db
    .insertInto("consultations")
    .values({
      doctor_id: doctor.user.id,
      patient_id: patient.user.id,
      starts_at: start,
      ends_at: new Date(start.getTime() + 30 * 60_000),
      status: values.status ?? "completed",
      notes: values.notes ?? null,
      mode: values.mode ?? "video",
      reason: "Retorno",
      room_name: `hf${randomBytes(16).toString("hex")}`,
      created_by: doctor.user.id,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

beforeAll(async () => {
  clinic = await createTestClinic({ now: NOW, config: { clinicAddress: "Rua das Flores 123" } });
  admin = await clinic.person("admin");
  patient = await clinic.person("patient");
  own = await clinic.person("doctor", { doctor: { specialty: "Cardiologia" } });
  colleague = await clinic.person("doctor", { doctor: { specialty: "Dermatologia" } });
  booked = await clinic.person("doctor");
  stranger = await clinic.person("doctor");
  cancelledOnly = await clinic.person("doctor");
  // Oldest first here; `past` keeps them newest first.
  const a = await insert(own, 30, { notes: "Pressão 12x8. Retorno em 30 dias.", mode: "in_person" });
  const b = await insert(colleague, 20, { notes: "Nevo benigno." });
  const c = await insert(own, 10, { status: "no_show" });
  const d = await insert(own, 2, { notes: "Pressão controlada." });
  await insert(cancelledOnly, 5, { status: "cancelled" });
  past.push(
    { id: d, doctor: own, notes: "Pressão controlada.", mode: "video" },
    { id: c, doctor: own, notes: null, mode: "video" },
  );
  futureId = await insert(booked, -3, { status: "scheduled" });
  // Completed in the room window, before its booked start (an hour from now): history already.
  earlyId = await insert(own, -1 / 24, { status: "completed" });
  past.push(
    { id: b, doctor: colleague, notes: "Nevo benigno.", mode: "video" },
    { id: a, doctor: own, notes: "Pressão 12x8. Retorno em 30 dias.", mode: "in_person" },
  );
});
afterAll(() => clinic.close());

const path = (id = patient.user.id, query = "") => `/api/patients/${id}/history${query}`;

async function notesReads(actor: TestPerson): Promise<string[]> {
  const rows = await clinic.db
    .selectFrom("audit_events")
    .select("entity_id")
    .where("actor_id", "=", actor.user.id)
    .where("action", "=", "consultation.notes_read")
    .execute();
  return rows.map((r) => r.entity_id!).sort();
}

describe("the patient's history", () => {
  it("gives a doctor who has seen the patient every past consultation, newest first, their own notes only", async () => {
    const res = await clinic.call("GET", path(), { as: own });
    expect(res.status).toBe(200);
    expect(res.body.patient).toEqual({ id: patient.user.id, name: patient.user.name });
    // The cancelled one counts too (it is past); the upcoming one is not history; the one already
    // completed is, first (it starts latest).
    const ids = res.body.consultations.map((c: { id: string }) => c.id);
    expect(ids).not.toContain(futureId);
    expect(ids[0]).toBe(earlyId);
    expect(ids).toHaveLength(6);
    const starts = res.body.consultations.map((c: { startsAt: string }) => c.startsAt);
    expect([...starts].sort().reverse()).toEqual(starts);
    const byId = new Map(res.body.consultations.map((c: Record<string, unknown>) => [c.id, c]));
    for (const p of past) {
      const c = byId.get(p.id) as Record<string, unknown>;
      expect(c).toMatchObject({ mode: p.mode, doctor: { id: p.doctor.user.id } });
      if (p.doctor === own) expect(c.notes).toBe(p.notes);
      else expect(c).not.toHaveProperty("notes");
    }
    expect(byId.get(past[3]!.id)).toMatchObject({
      location: "Rua das Flores 123",
      doctor: { specialty: "Cardiologia" },
    });
    expect(byId.get(past[2]!.id)).toMatchObject({ location: null, doctor: { specialty: "Dermatologia" } });
    // Audited exactly as reading one consultation's notes: one event per note read (not the empty one).
    expect(await notesReads(own)).toEqual([past[0]!.id, past[3]!.id].sort());
  });

  it("is paged by keyset, newest first, with the same rows as one page", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: ApiResult = await clinic.call(
        "GET",
        path(patient.user.id, `?limit=2${cursor ? `&cursor=${cursor}` : ""}`),
        {
          as: colleague,
        },
      );
      expect(res.status).toBe(200);
      expect(res.body.consultations.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.consultations.map((c: { id: string }) => c.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    const whole = await clinic.call("GET", path(), { as: colleague });
    expect(seen).toEqual(whole.body.consultations.map((c: { id: string }) => c.id));
    expect(pages).toBe(3);
    const bad = await clinic.call("GET", path(patient.user.id, "?cursor=bm9wZQ"), { as: colleague });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("invalid_cursor");
  });

  it("gives admins every note, audited", async () => {
    const res = await clinic.call("GET", path(), { as: admin });
    expect(res.status).toBe(200);
    const withNotes = res.body.consultations.filter((c: { notes?: string | null }) => typeof c.notes === "string");
    expect(withNotes).toHaveLength(3);
    expect(await notesReads(admin)).toEqual(
      past
        .filter((p) => p.notes)
        .map((p) => p.id)
        .sort(),
    );
  });

  it("lets a doctor who is only booked with the patient read it", async () => {
    const res = await clinic.call("GET", path(), { as: booked });
    expect(res.status).toBe(200);
    expect(res.body.consultations).toHaveLength(6);
    expect(res.body.consultations.some((c: object) => "notes" in c)).toBe(false);
    expect(await notesReads(booked)).toEqual([]);
  });

  it("is 404 to a doctor with no relation (a cancelled booking is none), 403 to patients, 404 for a non-patient", async () => {
    for (const doctor of [stranger, cancelledOnly]) {
      const res = await clinic.call("GET", path(), { as: doctor });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("patient_not_found");
    }
    expect((await clinic.call("GET", path(), { as: patient })).status).toBe(403);
    const other = await clinic.person("patient");
    expect((await clinic.call("GET", path(), { as: other })).status).toBe(403);
    expect((await clinic.call("GET", path(own.user.id), { as: admin })).status).toBe(404);
    expect((await clinic.call("GET", path("00000000-0000-4000-8000-000000000000"), { as: admin })).status).toBe(404);
    expect((await clinic.call("GET", path("not-a-uuid"), { as: admin })).status).toBe(400);
    expect((await clinic.call("GET", path())).status).toBe(401);
    expect(await notesReads(stranger)).toEqual([]);
  });
});
