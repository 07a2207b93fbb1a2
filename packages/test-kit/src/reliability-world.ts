/**
 * The cast of the in-process reliability suites: two patients (A, B), two doctors (X, Y), an admin,
 * on a throw-away PostgreSQL database. A consults only with X and B only with Y, so "the other
 * patient's data" is well defined for every role.
 */
import { randomUUID } from "node:crypto";
import { startSession } from "@healthflow/core";
import type { DatabaseHandle } from "@healthflow/core/db";
import { type AppEnv, createApp, type HealthFlowApp } from "@healthflow/core/http";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { createThrowawayDatabase, type ThrowawayDatabase } from "./reliability-support.js";
import { createTestClinic, openTestDatabase, type TestClinic, type TestPerson, testDbConfig } from "./test-clinic.js";

export const ACTORS = ["anonymous", "patientA", "patientB", "doctorX", "doctorY", "admin"] as const;
export type ActorKey = (typeof ACTORS)[number];

/** A Monday, far enough ahead that every booked slot is in the future of the app's clock. */
export const NOW = new Date("2031-06-02T12:00:00Z");
const SLOT_MS = 30 * 60_000;

export interface BookedConsultation {
  id: string;
  patient: "patientA" | "patientB";
  doctor: "doctorX" | "doctorY";
}

export interface World {
  clinic: TestClinic;
  /** The app as the Node server assembles it: the core API plus the given route modules. */
  app: HealthFlowApp;
  database: DatabaseHandle;
  people: Record<Exclude<ActorKey, "anonymous">, TestPerson>;
  /** A third patient whose data no suite checks for leaks (used to sign in anonymously). */
  extraPatient: TestPerson;
  /** Every consultation booked so far, by owner: the leak scan reads it at scan time. */
  consultations: BookedConsultation[];
  /** Marker written into each consultation's clinical notes: only its doctor and admins may see it. */
  notesMarker(c: BookedConsultation): string;
  /** A fresh bearer token for someone (so logout in one test does not end another's session). */
  freshToken(actor: Exclude<ActorKey, "anonymous">): Promise<string>;
  /** Books a new consultation (through the API, as admin) at the next free half hour. */
  book(patient: "patientA" | "patientB", notes?: boolean): Promise<BookedConsultation>;
  /** The next unused half-hour start (UTC), for bookings and reschedules. */
  nextSlot(): string;
  close(): Promise<void>;
}

export async function createWorld(
  serverUrl: string,
  label: string,
  options: { modules?: OpenAPIHono<AppEnv>[] } = {},
): Promise<World> {
  const throwaway: ThrowawayDatabase = await createThrowawayDatabase(serverUrl, label);
  // PostgreSQL, or the same server through the Data API dialect with TEST_DB_ENGINE=data-api.
  const config = testDbConfig(throwaway.url);
  const database = await openTestDatabase(config.kind === "postgres" ? { ...config, poolMax: 8 } : config);
  const clinic = await createTestClinic({ database, now: NOW });
  const tag = randomUUID().slice(0, 6);
  const doctor = (name: string) => clinic.person("doctor", { name, doctor: { timezone: "UTC", slotMinutes: 30 } });
  const people = {
    patientA: await clinic.person("patient", { name: `Alice Aparecida ${tag}` }),
    patientB: await clinic.person("patient", { name: `Bruno Barbosa ${tag}` }),
    doctorX: await doctor(`Dra. Xênia Xavier ${tag}`),
    doctorY: await doctor(`Dr. Yuri Yamada ${tag}`),
    admin: await clinic.person("admin", { name: `Admin ${tag}` }),
  };
  const extraPatient = await clinic.person("patient", { name: `Carla Costa ${tag}` });
  for (const d of [people.doctorX, people.doctorY]) {
    const res = await clinic.call("PUT", `/api/doctors/${d.user.id}/availability`, {
      as: d,
      body: { rules: [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start: "00:00", end: "24:00" })) },
    });
    if (res.status !== 200) throw new Error(`availability: ${res.status} ${JSON.stringify(res.body)}`);
  }

  let slot = 0;
  const nextSlot = () => new Date(NOW.getTime() + 2 * 86_400_000 + slot++ * SLOT_MS).toISOString();
  const consultations: BookedConsultation[] = [];
  const notesMarker = (c: BookedConsultation) => `NOTES-${c.id.slice(0, 8)}-CONFIDENTIAL`;

  const book: World["book"] = async (patient, notes = true) => {
    const doctorKey = patient === "patientA" ? "doctorX" : "doctorY";
    const res = await clinic.call("POST", "/api/consultations", {
      as: people.admin,
      body: {
        doctorId: people[doctorKey].user.id,
        patientId: people[patient].user.id,
        startsAt: nextSlot(),
        reason: `reason of ${people[patient].user.name}`,
      },
    });
    if (res.status !== 201) throw new Error(`booking: ${res.status} ${JSON.stringify(res.body)}`);
    const booked: BookedConsultation = { id: res.body.consultation.id, patient, doctor: doctorKey };
    consultations.push(booked);
    if (notes) {
      const patched = await clinic.call("PATCH", `/api/consultations/${booked.id}`, {
        as: people[doctorKey],
        body: { notes: notesMarker(booked) },
      });
      if (patched.status !== 200) throw new Error(`notes: ${patched.status} ${JSON.stringify(patched.body)}`);
    }
    return booked;
  };

  return {
    clinic,
    app: createApp(clinic.deps, { modules: options.modules ?? [] }),
    database,
    people,
    extraPatient,
    consultations,
    notesMarker,
    freshToken: async (actor) =>
      (await startSession(database.db, people[actor].user.id, clinic.clock.now(), { idleMinutes: 720, maxHours: 168 }))
        .token,
    book,
    nextSlot,
    close: async () => {
      await database.close();
      await throwaway.drop();
    },
  };
}

/**
 * What `actor` must never see: the other patient's email, name, id and consultations, and the
 * clinical notes of any consultation that is not theirs as its doctor. Patients see no notes, except
 * with `ownNotes` (their LGPD data export carries the notes of their own consultations).
 */
export function forbiddenFor(world: World, actor: ActorKey, options: { ownNotes?: boolean } = {}): string[] {
  const { people } = world;
  const patientData = (p: "patientA" | "patientB") => [people[p].user.email, people[p].user.name, people[p].user.id];
  const consultationsOf = (p: "patientA" | "patientB") =>
    world.consultations.filter((c) => c.patient === p).map((c) => c.id);
  const notes = (pred: (c: BookedConsultation) => boolean) =>
    world.consultations.filter(pred).map((c) => world.notesMarker(c));
  switch (actor) {
    case "anonymous":
      return [
        ...patientData("patientA"),
        ...patientData("patientB"),
        ...consultationsOf("patientA"),
        ...consultationsOf("patientB"),
        ...notes(() => true),
      ];
    case "patientA":
      return [
        ...patientData("patientB"),
        ...consultationsOf("patientB"),
        ...notes((c) => !options.ownNotes || c.patient !== "patientA"),
      ];
    case "patientB":
      return [
        ...patientData("patientA"),
        ...consultationsOf("patientA"),
        ...notes((c) => !options.ownNotes || c.patient !== "patientB"),
      ];
    case "doctorX":
      return [...patientData("patientB"), ...consultationsOf("patientB"), ...notes((c) => c.doctor !== "doctorX")];
    case "doctorY":
      return [...patientData("patientA"), ...consultationsOf("patientA"), ...notes((c) => c.doctor !== "doctorY")];
    case "admin":
      return [];
  }
}

/** The identifiers of `forbidden` found in `text`, less those the request itself carried. */
export function leaksIn(text: string, forbidden: string[], request: string): string[] {
  return forbidden.filter((f) => f.length > 0 && text.includes(f) && !request.includes(f));
}
