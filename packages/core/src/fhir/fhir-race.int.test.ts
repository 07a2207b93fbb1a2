/**
 * The double-booking guarantee through the FHIR API: 50 patients POST the same Appointment at once.
 * Needs a PostgreSQL server (PGlite has one connection, nothing races there): runs with
 * TEST_DATABASE_URL, also through the Data API stand-in (TEST_DB_ENGINE=data-api).
 */

import { tally } from "@healthflow/test-kit/reliability-support";
import {
  createTestClinic,
  openTestDatabase,
  type TestClinic,
  type TestPerson,
  testDbConfig,
} from "@healthflow/test-kit/test-clinic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertValidR4 } from "./test/r4-validator.js";

const url = process.env.TEST_DATABASE_URL;
const NOW = new Date("2031-06-02T12:00:00Z"); // a Monday

describe.skipIf(!url)("concurrent FHIR bookings on PostgreSQL", () => {
  let clinic: TestClinic;
  let doctor: TestPerson;
  let patients: TestPerson[];

  beforeAll(async () => {
    // A pool as wide as the race, so all 50 requests really reach the server at once.
    const config = testDbConfig();
    const database = await openTestDatabase(
      config.kind === "postgres" ? { ...config, poolMax: 50, connectTimeoutMs: 60_000 } : config,
    );
    clinic = await createTestClinic({ now: NOW, database });
    doctor = await clinic.person("doctor", { doctor: { slotMinutes: 30, timezone: "America/Sao_Paulo" } });
    await clinic.call("PUT", `/api/doctors/${doctor.user.id}/availability`, {
      as: doctor,
      body: { rules: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: "08:00", end: "18:00" })) },
    });
    patients = await Promise.all(Array.from({ length: 50 }, () => clinic.person("patient")));
  });
  afterAll(async () => {
    await clinic?.close();
    await clinic?.database.close();
  });

  it("50 patients POST /Appointment for one slot: exactly one 201, 49 × 409 conflict, no 5xx", async () => {
    const start = "2031-06-03T12:00:00.000Z";
    const results = await Promise.all(
      patients.map((p) =>
        clinic.call("POST", "/fhir/R4/Appointment", {
          as: p,
          headers: { "content-type": "application/fhir+json" },
          body: {
            resourceType: "Appointment",
            status: "booked",
            start,
            end: "2031-06-03T12:30:00.000Z",
            participant: [
              { actor: { reference: `Practitioner/${doctor.user.id}` }, status: "accepted" },
              { actor: { reference: `Patient/${p.user.id}` }, status: "accepted" },
            ],
          },
        }),
      ),
    );
    expect(tally(results.map((r) => r.status))).toEqual({ 201: 1, 409: 49 });
    for (const r of results) assertValidR4(r.body);
    for (const r of results.filter((r) => r.status === 409)) {
      expect(r.body.issue[0].code).toBe("conflict");
      expect(r.body.issue[0].details.coding[0].code).toBe("slot_taken");
    }
    const rows = await clinic.db
      .selectFrom("consultations")
      .select(["id", "patient_id"])
      .where("doctor_id", "=", doctor.user.id)
      .where("starts_at", "=", new Date(start))
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id).toBe(results.find((r) => r.status === 201)!.body.id);
  });
});
