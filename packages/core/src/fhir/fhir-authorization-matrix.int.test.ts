/**
 * Authorization matrix of the FHIR routes, in the style of the API's matrix
 * (packages/functions/src/reliability/authorization-matrix.int.test.ts, which leaves /fhir/R4 to
 * this one): every FHIR route of the app × six callers × own/other, each cell with its expected
 * status. The route list comes from the app, so a FHIR route added without a row fails. Every body
 * is scanned for the other patient's identifiers, and every error must be an OperationOutcome.
 * Runs on PostgreSQL (TEST_DATABASE_URL), in a throw-away database.
 */

import {
  consultationFor,
  doctorFor,
  everyone,
  expectRowForEveryRoute,
  type MatrixRow,
  type MatrixVariant,
  ownOnly as own,
  patientFor,
  runAuthorizationMatrix,
  signedIn,
} from "@healthflow/test-kit/authorization-matrix";
import { type ActorKey, createWorld, forbiddenFor, type World } from "@healthflow/test-kit/reliability-world";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { slotId } from "./mapping.js";
import { assertValidR4 } from "./test/r4-validator.js";

const url = process.env.TEST_DATABASE_URL;
const B = "/fhir/R4";

const doctorId = (w: World, actor: ActorKey, v: MatrixVariant) => w.people[doctorFor(actor, v)].user.id;

/** The same doctor-level resource for everyone signed in (doctors are public to the clinic). */
const doctorRoutes = (type: string, search: (id: string) => string): Record<string, MatrixRow> => ({
  [`GET ${B}/${type}`]: {
    cells: signedIn(200),
    build: (w, a, v) => ({ method: "GET", path: `${B}/${type}?${search(doctorId(w, a, v))}` }),
  },
  [`GET ${B}/${type}/:id`]: {
    cells: signedIn(200),
    build: (w, a, v) => ({ method: "GET", path: `${B}/${type}/${doctorId(w, a, v)}` }),
  },
});

async function currentAppointment(w: World, id: string): Promise<Record<string, unknown>> {
  const res = await w.clinic.call("GET", `${B}/Appointment/${id}`, { as: w.people.admin });
  if (res.status !== 200) throw new Error(`read appointment: ${res.status}`);
  return res.body;
}

const CASES: Record<string, MatrixRow> = {
  [`GET ${B}/metadata`]: { cells: everyone(200), build: () => ({ method: "GET", path: `${B}/metadata` }) },
  ...doctorRoutes("Practitioner", (id) => `_id=${id}`),
  ...doctorRoutes("PractitionerRole", (id) => `practitioner=Practitioner/${id}`),
  ...doctorRoutes("Schedule", (id) => `actor=Practitioner/${id}`),
  [`GET ${B}/Slot`]: {
    cells: signedIn(200),
    build: (w, a, v) => ({
      method: "GET",
      path: `${B}/Slot?schedule=Schedule/${doctorId(w, a, v)}&start=ge2036-02-01T00:00:00Z&start=lt2036-02-02T00:00:00Z`,
    }),
  },
  [`GET ${B}/Slot/:id`]: {
    cells: signedIn(200),
    build: (w, a, v) => ({
      method: "GET",
      path: `${B}/Slot/${slotId(doctorId(w, a, v), new Date("2036-02-03T10:00:00Z"))}`,
    }),
  },
  [`GET ${B}/Patient`]: {
    // other: asking for the other patient by id; the answer is an empty page (and the leak scan checks it).
    cells: signedIn(200),
    build: async (w, a, v) => {
      await consultationFor(w, a, "own");
      return {
        method: "GET",
        path: v === "own" ? `${B}/Patient` : `${B}/Patient?_id=${w.people[patientFor(a, "other")].user.id}`,
      };
    },
  },
  [`GET ${B}/Patient/:id`]: {
    cells: own(200),
    build: async (w, a, v) => {
      await consultationFor(w, a, v); // a doctor sees the patients of their agenda
      return { method: "GET", path: `${B}/Patient/${w.people[patientFor(a, v)].user.id}` };
    },
  },
  [`GET ${B}/Appointment`]: {
    cells: signedIn(200),
    build: (w, a, v) => ({
      method: "GET",
      path:
        v === "own"
          ? `${B}/Appointment`
          : `${B}/Appointment?patient=Patient/${w.people[patientFor(a, "other")].user.id}`,
    }),
  },
  [`GET ${B}/Appointment/:id`]: {
    cells: own(200),
    build: async (w, a, v) => ({ method: "GET", path: `${B}/Appointment/${(await consultationFor(w, a, v)).id}` }),
  },
  [`POST ${B}/Appointment`]: {
    // own: for oneself (patients) or in one's own agenda (doctors); other: for another patient, or
    // in another doctor's agenda. As POST /api/consultations.
    cells: {
      anonymous: 401,
      patientA: { own: 201, other: 403 },
      patientB: { own: 201, other: 403 },
      doctorX: { own: 201, other: 403 },
      doctorY: { own: 201, other: 403 },
      admin: 201,
    },
    build: (w, a, v) => {
      const patientRole = a === "patientA" || a === "patientB";
      const patient =
        patientRole && v === "own"
          ? undefined
          : w.people[
              a === "admin" && v === "other" ? patientFor(a, "other") : patientFor(a, patientRole ? "other" : "own")
            ];
      const doctor = w.people[patientRole || v === "own" ? doctorFor(a, "own") : doctorFor(a, "other")];
      const start = w.nextSlot();
      return {
        method: "POST",
        path: `${B}/Appointment`,
        contentType: "application/fhir+json",
        body: {
          resourceType: "Appointment",
          status: "booked",
          start,
          end: new Date(Date.parse(start) + 30 * 60_000).toISOString(),
          participant: [
            { actor: { reference: `Practitioner/${doctor.user.id}` }, status: "accepted" },
            ...(patient ? [{ actor: { reference: `Patient/${patient.user.id}` }, status: "accepted" }] : []),
          ],
        },
      };
    },
  },
  [`PUT ${B}/Appointment/:id`]: {
    cells: own(200),
    build: async (w, a, v) => {
      const c = await consultationFor(w, a, v);
      return {
        method: "PUT",
        path: `${B}/Appointment/${c.id}`,
        contentType: "application/fhir+json",
        body: { ...(await currentAppointment(w, c.id)), status: "cancelled" },
      };
    },
  },
  [`PATCH ${B}/Appointment/:id`]: {
    cells: own(200),
    build: async (w, a, v) => ({
      method: "PATCH",
      path: `${B}/Appointment/${(await consultationFor(w, a, v)).id}`,
      contentType: "application/json-patch+json",
      body: [{ op: "replace", path: "/status", value: "cancelled" }],
    }),
  },
};

function fhirRouteKeys(w: World): string[] {
  return [
    ...new Set(
      w.app.routes.filter((r) => r.method !== "ALL" && r.path.startsWith(`${B}/`)).map((r) => `${r.method} ${r.path}`),
    ),
  ].sort();
}

describe.skipIf(!url)("FHIR authorization matrix", () => {
  let world: World;

  beforeAll(async () => {
    world = await createWorld(url!, "fhirmatrix");
  });
  afterAll(async () => {
    await world?.close();
  });

  it("has an expectation for every FHIR route of the app, and no row for a route that does not exist", () => {
    expectRowForEveryRoute(fhirRouteKeys(world), CASES, { atLeast: 10 });
  });

  it("answers the expected status in every cell, valid R4 always, OperationOutcome on errors, no leaks", async () => {
    await runAuthorizationMatrix(world, {
      suite: "fhir-authorization-matrix",
      routes: fhirRouteKeys(world),
      cases: CASES,
      contentType: "application/fhir+json",
      forbidden: (_route, actor) => forbiddenFor(world, actor),
      check: ({ label, status, text }) => {
        const body = JSON.parse(text);
        assertValidR4(body);
        if (status >= 400) expect(body.resourceType, label).toBe("OperationOutcome");
      },
    });
  });
});
