/** GET /api/audit through the real app: admins only, filters, newest first, keyset pages. */

import { createTestClinic, type TestClinic, type TestPerson } from "@healthflow/test-kit/test-clinic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordAudit } from "./audit.js";

let clinic: TestClinic;
let admin: TestPerson;
let actor: TestPerson;
const entityId = `test-${Math.random().toString(36).slice(2)}`;

beforeAll(async () => {
  clinic = await createTestClinic();
  admin = await clinic.person("admin");
  actor = await clinic.person("doctor");
  for (let i = 0; i < 7; i++) {
    await recordAudit(clinic.db, {
      actorId: actor.user.id,
      action: `probe.${i}`,
      entity: "probe",
      entityId,
      details: { n: i },
    });
  }
  await recordAudit(clinic.db, { actorId: admin.user.id, action: "probe.other", entity: "probe", entityId });
});
afterAll(async () => {
  await clinic?.close();
});

describe("GET /api/audit", () => {
  it("is for admins only", async () => {
    expect((await clinic.call("GET", "/api/audit")).status).toBe(401);
    expect((await clinic.call("GET", "/api/audit", { as: actor })).status).toBe(403);
    expect((await clinic.call("GET", "/api/audit", { as: await clinic.person("patient") })).status).toBe(403);
  });

  it("filters by entity, entityId and actor, newest first, in the documented shape", async () => {
    const res = await clinic.call("GET", `/api/audit?entity=probe&entityId=${entityId}&actorId=${actor.user.id}`, {
      as: admin,
    });
    expect(res.status).toBe(200);
    expect(res.body.events.map((e: { action: string }) => e.action)).toEqual(
      [6, 5, 4, 3, 2, 1, 0].map((i) => `probe.${i}`),
    );
    expect(res.body.events[0]).toEqual({
      id: expect.stringMatching(/^\d+$/),
      at: expect.stringMatching(/Z$/),
      actorId: actor.user.id,
      action: "probe.6",
      entity: "probe",
      entityId,
      details: { n: 6 },
    });
    expect(res.body.nextCursor).toBeNull();
  });

  it("pages with limit and cursor without gaps or repeats", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = `/api/audit?entityId=${entityId}&limit=3${cursor ? `&cursor=${cursor}` : ""}`;
      const res = await clinic.call("GET", q, { as: admin });
      expect(res.status).toBe(200);
      expect(res.body.events.length).toBeLessThanOrEqual(3);
      seen.push(...res.body.events.map((e: { action: string }) => e.action));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(["probe.other", ...[6, 5, 4, 3, 2, 1, 0].map((i) => `probe.${i}`)]);
  });

  it("filters by time window", async () => {
    const future = await clinic.call("GET", `/api/audit?entityId=${entityId}&from=2190-01-01T00:00:00Z`, { as: admin });
    expect(future.body.events).toEqual([]);
    const past = await clinic.call("GET", `/api/audit?entityId=${entityId}&to=2000-01-02T00:00:00Z`, { as: admin });
    expect(past.body.events).toEqual([]);
    const now = await clinic.call(
      "GET",
      `/api/audit?entityId=${entityId}&from=2000-01-01T00:00:00Z&to=2190-01-01T00:00:00Z`,
      { as: admin },
    );
    expect(now.body.events).toHaveLength(8);
  });

  it("refuses bad input with 400 in the error shape", async () => {
    for (const q of ["actorId=nope", "limit=0", "limit=501", "cursor=bm9wZQ", "from=yesterday", "entity="]) {
      const res = await clinic.call("GET", `/api/audit?${q}`, { as: admin });
      expect(res.status, q).toBe(400);
      expect(res.body.error.code).toMatch(/invalid/);
    }
  });

  it("filters by entity values shaped like times, dates, instants and JSON (issue #11: 500 on the Data API)", async () => {
    const odd = ["09:30", "2031-01-01", "2031-01-01T10:00:00Z", '{"a":1}', "12.50", "true"];
    const shapeId = `shape-${Math.random().toString(36).slice(2)}`;
    for (const entity of odd) {
      await recordAudit(clinic.db, { actorId: actor.user.id, action: "probe.shape", entity, entityId: shapeId });
    }
    for (const entity of odd) {
      const res = await clinic.call("GET", `/api/audit?entity=${encodeURIComponent(entity)}&entityId=${shapeId}`, {
        as: admin,
      });
      expect(res.status, `${entity}: ${JSON.stringify(res.body)}`).toBe(200);
      expect(res.body.events.map((e: { entity: string }) => e.entity)).toEqual([entity]);
    }
  });

  it("shows the audited read of clinical notes (who saw what, when)", async () => {
    const doctor = await clinic.person("doctor");
    const patient = await clinic.person("patient");
    const { id } = await clinic.db
      .insertInto("consultations")
      .values({
        doctor_id: doctor.user.id,
        patient_id: patient.user.id,
        starts_at: new Date("2031-01-06T12:00:00Z"),
        ends_at: new Date("2031-01-06T12:30:00Z"),
        status: "completed",
        notes: "Pressão 12/8.",
        room_name: `hf${crypto.randomUUID().replaceAll("-", "")}`,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    expect((await clinic.call("GET", `/api/consultations/${id}`, { as: doctor })).body.consultation.notes).toBe(
      "Pressão 12/8.",
    );
    const res = await clinic.call("GET", `/api/audit?entity=consultation&entityId=${id}`, { as: admin });
    expect(res.body.events).toEqual([
      expect.objectContaining({ action: "consultation.notes_read", actorId: doctor.user.id }),
    ]);
  });
});
