/**
 * Authorization matrix of the FHIR routes, in the style of the API's matrix
 * (packages/functions/src/reliability/authorization-matrix.int.test.ts, which leaves /fhir/R4 to
 * this one): every FHIR route of the app × six callers × own/other, each cell with its expected
 * status. The route list comes from the app, so a FHIR route added without a row fails. Every body
 * is scanned for the other patient's identifiers, and every error must be an OperationOutcome.
 * Runs on PostgreSQL (TEST_DATABASE_URL), in a throw-away database.
 */

import { reportFigures } from "@healthflow/test-kit/reliability-support";
import {
  ACTORS,
  type ActorKey,
  type BookedConsultation,
  createWorld,
  forbiddenFor,
  leaksIn,
  type World,
} from "@healthflow/test-kit/reliability-world";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { slotId } from "./mapping.js";
import { assertValidR4 } from "./test/r4-validator.js";

const url = process.env.TEST_DATABASE_URL;
const B = "/fhir/R4";

type Variant = "own" | "other";
type Cell = number | { own: number; other: number };
interface Built {
  method: string;
  path: string;
  body?: unknown;
  contentType?: string;
}
interface RouteCase {
  cells: Record<ActorKey, Cell>;
  build(w: World, actor: ActorKey, variant: Variant): Promise<Built> | Built;
}

const everyone = (status: number): Record<ActorKey, Cell> =>
  Object.fromEntries(ACTORS.map((a) => [a, status])) as Record<ActorKey, Cell>;
/** Same status for every signed-in caller, 401 anonymously. */
const signedIn = (status: number): Record<ActorKey, Cell> => ({ ...everyone(status), anonymous: 401 });
/** The caller's own appointment (or patient) answers `ok`; another's is 404. */
const own = (ok: number): Record<ActorKey, Cell> => ({
  anonymous: 401,
  patientA: { own: ok, other: 404 },
  patientB: { own: ok, other: 404 },
  doctorX: { own: ok, other: 404 },
  doctorY: { own: ok, other: 404 },
  admin: ok,
});

function patientFor(actor: ActorKey, variant: Variant): "patientA" | "patientB" {
  const mine = actor === "patientB" || actor === "doctorY" ? "patientB" : "patientA";
  return variant === "own" ? mine : mine === "patientA" ? "patientB" : "patientA";
}
function doctorFor(actor: ActorKey, variant: Variant): "doctorX" | "doctorY" {
  return patientFor(actor, variant) === "patientA" ? "doctorX" : "doctorY";
}
const consultationFor = (w: World, actor: ActorKey, variant: Variant): Promise<BookedConsultation> =>
  w.book(patientFor(actor, variant));
const doctorId = (w: World, actor: ActorKey, v: Variant) => w.people[doctorFor(actor, v)].user.id;

/** The same doctor-level resource for everyone signed in (doctors are public to the clinic). */
const doctorRoutes = (type: string, search: (id: string) => string): Record<string, RouteCase> => ({
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

const CASES: Record<string, RouteCase> = {
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
  const cells: Array<{ route: string; actor: ActorKey; variant: Variant; expected: number; status: number }> = [];
  const leaks: string[] = [];

  beforeAll(async () => {
    world = await createWorld(url!, "fhirmatrix");
  });
  afterAll(async () => {
    await world?.close();
  });

  it("has an expectation for every FHIR route of the app, and no row for a route that does not exist", () => {
    const keys = fhirRouteKeys(world);
    expect(keys.length).toBeGreaterThan(10);
    expect(
      keys.filter((k) => !(k in CASES)),
      "FHIR routes without a row",
    ).toEqual([]);
    expect(
      Object.keys(CASES).filter((k) => !keys.includes(k)),
      "rows whose route is gone",
    ).toEqual([]);
  });

  it("answers the expected status in every cell, valid R4 always, OperationOutcome on errors, no leaks", async () => {
    for (const route of fhirRouteKeys(world)) {
      const rc = CASES[route];
      if (!rc) continue; // reported above
      for (const actor of ACTORS) {
        const cell = rc.cells[actor];
        for (const variant of (typeof cell === "number" ? ["own"] : ["own", "other"]) as Variant[]) {
          const expected = typeof cell === "number" ? cell : cell[variant];
          const built = await rc.build(world, actor, variant);
          const token = actor === "anonymous" ? undefined : await world.freshToken(actor);
          const res = await world.app.request(built.path, {
            method: built.method,
            headers: {
              ...(token ? { authorization: `Bearer ${token}` } : {}),
              ...(built.body !== undefined ? { "content-type": built.contentType ?? "application/fhir+json" } : {}),
            },
            body: built.body === undefined ? undefined : JSON.stringify(built.body),
          });
          const text = await res.text();
          cells.push({ route, actor, variant, expected, status: res.status });
          const body = JSON.parse(text);
          assertValidR4(body);
          if (res.status >= 400) expect(body.resourceType, `${route} as ${actor}/${variant}`).toBe("OperationOutcome");
          const found = leaksIn(text, forbiddenFor(world, actor), `${built.path} ${JSON.stringify(built.body ?? "")}`);
          for (const f of found) leaks.push(`${route} as ${actor}/${variant}: ${f}`);
          expect(text, "no password hash ever leaves").not.toMatch(/scrypt\$|password_?hash/i);
        }
      }
    }
    const wrong = cells
      .filter((c) => c.status !== c.expected)
      .map((c) => `${c.route} as ${c.actor}/${c.variant}: expected ${c.expected}, got ${c.status}`);
    reportFigures("fhir-authorization-matrix", {
      routes: new Set(cells.map((c) => c.route)).size,
      cells: cells.length,
      mismatches: wrong.length,
      leaks: leaks.length,
    });
    expect(wrong).toEqual([]);
    expect(leaks).toEqual([]);
  });
});
