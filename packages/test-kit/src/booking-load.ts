/**
 * A clinic made for load (doctors open around the clock in UTC, patients with bearer tokens) and
 * booking clients that hammer the real server over loopback, recording every answer. Bounded:
 * each client stops when told to, each request has its own timeout.
 */
import { randomUUID } from "node:crypto";
import { createUser, startSession } from "@healthflow/core";
import type { DB } from "@healthflow/core/db";
import type { Kysely } from "kysely";
import { TEST_PASSWORD } from "./test-clinic.js";

export interface LoadClinic {
  doctors: string[];
  patients: Array<{ id: string; token: string }>;
  admin: { id: string; token: string };
}

export async function seedLoadClinic(
  db: Kysely<DB>,
  counts: { doctors: number; patients: number },
): Promise<LoadClinic> {
  const tag = randomUUID().slice(0, 6);
  const session = async (id: string) =>
    (await startSession(db, id, new Date(), { idleMinutes: 720, maxHours: 168 })).token;
  const doctors: string[] = [];
  for (let i = 0; i < counts.doctors; i++) {
    const d = await createUser(
      db,
      {
        email: `load-doctor-${i}-${tag}@test.healthflow.local`,
        name: `Load Doctor ${i}`,
        password: TEST_PASSWORD,
        role: "doctor",
        doctor: { specialty: "Clínica geral", licenseNumber: `CRM/LD ${tag}${i}`, timezone: "UTC", slotMinutes: 30 },
      },
      null,
    );
    await db
      .insertInto("availability_rules")
      .values([0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ doctor_id: d.id, weekday, start_minute: 0, end_minute: 1440 })))
      .execute();
    doctors.push(d.id);
  }
  const patients: LoadClinic["patients"] = [];
  for (let i = 0; i < counts.patients; i++) {
    const p = await createUser(
      db,
      {
        email: `load-patient-${i}-${tag}@test.healthflow.local`,
        name: `Load Patient ${i}`,
        password: TEST_PASSWORD,
        role: "patient",
      },
      null,
    );
    patients.push({ id: p.id, token: await session(p.id) });
  }
  const admin = await createUser(
    db,
    { email: `load-admin-${tag}@test.healthflow.local`, name: "Load Admin", password: TEST_PASSWORD, role: "admin" },
    null,
  );
  return { doctors, patients, admin: { id: admin.id, token: await session(admin.id) } };
}

export interface Outcome {
  kind: "book" | "read";
  path: string;
  /** HTTP status, or 0 when no answer came (refused, reset, timed out). */
  status: number;
  code?: string;
  consultationId?: string;
  startedAt: number;
  endedAt: number;
  error?: string;
}

/**
 * A deterministic pseudo-random source (mulberry32): the same seed gives the same sequence, so a
 * load run can be replayed. `RELIABILITY_SEED` picks the seed; each client derives its own.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed of this run: `RELIABILITY_SEED`, or a fixed default. */
export const LOAD_SEED = Number(process.env.RELIABILITY_SEED ?? 20261129) || 20261129;

/** A random future half-hour start within about a year, on the server's real clock. */
function randomSlot(rand: () => number): string {
  const base = Math.ceil((Date.now() + 86_400_000) / 1_800_000) * 1_800_000;
  return new Date(base + Math.floor(rand() * 365 * 48) * 1_800_000).toISOString();
}

export async function send(
  baseUrl: string,
  kind: Outcome["kind"],
  method: string,
  path: string,
  token: string,
  body?: unknown,
  timeoutMs = 20_000,
): Promise<Outcome> {
  const startedAt = performance.now();
  try {
    const res = await fetch(baseUrl + path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let parsed: any = null;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: kept as no body
    }
    return {
      kind,
      path,
      status: res.status,
      code: parsed?.error?.code,
      consultationId: res.status === 201 ? parsed?.consultation?.id : undefined,
      startedAt,
      endedAt: performance.now(),
    };
  } catch (err) {
    return {
      kind,
      path,
      status: 0,
      startedAt,
      endedAt: performance.now(),
      error: (err as Error).cause ? String((err as Error).cause) : (err as Error).message,
    };
  }
}

/** One booking by a patient with a doctor and a slot drawn from `rand`. */
export function bookOnce(
  baseUrl: string,
  clinic: LoadClinic,
  patientIndex: number,
  rand: () => number,
): Promise<Outcome> {
  const p = clinic.patients[patientIndex % clinic.patients.length]!;
  const doctorId = clinic.doctors[Math.floor(rand() * clinic.doctors.length)]!;
  return send(baseUrl, "book", "POST", "/api/consultations", p.token, { doctorId, startsAt: randomSlot(rand) });
}

/**
 * Runs `clients` loops calling `step(i)` until `stop()` says so; `pauseMs(outcome)` lets a client
 * back off (after a 503, say). Returns every outcome.
 */
export async function runClients(
  clients: number,
  step: (client: number) => Promise<Outcome>,
  stop: () => boolean,
  pauseMs: (o: Outcome) => number = () => 0,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  await Promise.all(
    Array.from({ length: clients }, async (_, i) => {
      while (!stop()) {
        const o = await step(i);
        outcomes.push(o);
        const pause = pauseMs(o);
        if (pause > 0) await new Promise((r) => setTimeout(r, pause));
      }
    }),
  );
  return outcomes;
}

/** Which acknowledged bookings (201 with an id) are really in the database. */
export async function acknowledgedFound(
  db: Kysely<DB>,
  outcomes: Outcome[],
): Promise<{ acknowledged: number; found: number; missing: string[] }> {
  const ids = outcomes.filter((o) => o.status === 201 && o.consultationId).map((o) => o.consultationId!);
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const rows = await db.selectFrom("consultations").select("id").where("id", "in", chunk).execute();
    for (const r of rows) found.add(r.id);
  }
  return { acknowledged: ids.length, found: found.size, missing: ids.filter((id) => !found.has(id)) };
}
