/**
 * Shared tools of the reliability suites (docs/reliability.md): a throw-away database per suite so
 * that the invariants and counts read only what the suite did, the database invariants every suite
 * checks afterwards, and one way to print and store the figures the README quotes.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { DB } from "@healthflow/core/db";
import { type Kysely, sql } from "kysely";
import pg from "pg";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export interface ThrowawayDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/**
 * Creates an empty database on the server of `serverUrl` (a superuser role, as in CI) and returns
 * its URL. The shared test database is left alone; `drop()` removes this one even with clients
 * still connected.
 */
export async function createThrowawayDatabase(serverUrl: string, label: string): Promise<ThrowawayDatabase> {
  const name = `hf_rel_${label.replace(/[^a-z0-9]/gi, "_").toLowerCase()}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

export interface InvariantReport {
  doctorOverlaps: number;
  patientOverlaps: number;
  consultationsWithNonDoctor: number;
  consultationsWithNonPatient: number;
  doctorsWithoutProfile: number;
  profilesOfNonDoctors: number;
  scheduleRowsOfNonDoctors: number;
  sessionsOfMissingUsers: number;
  auditOfMissingConsultations: number;
  badIntervals: number;
}

/**
 * The invariants no request may break: no two active consultations of one doctor or one patient
 * overlap, and no row points at something that is not there or not of the right kind. Every
 * figure must be 0.
 */
export async function checkInvariants(db: Kysely<DB>): Promise<InvariantReport> {
  const one = async (query: ReturnType<typeof sql<{ n: string }>>) => Number((await query.execute(db)).rows[0]?.n ?? 0);
  const active = sql`('scheduled', 'in_progress')`;
  return {
    doctorOverlaps: await one(sql<{ n: string }>`
      select count(*) as n from consultations a join consultations b
        on a.doctor_id = b.doctor_id and a.id < b.id
      where a.status in ${active} and b.status in ${active}
        and a.starts_at < b.ends_at and b.starts_at < a.ends_at`),
    patientOverlaps: await one(sql<{ n: string }>`
      select count(*) as n from consultations a join consultations b
        on a.patient_id = b.patient_id and a.id < b.id
      where a.status in ${active} and b.status in ${active}
        and a.starts_at < b.ends_at and b.starts_at < a.ends_at`),
    consultationsWithNonDoctor: await one(sql<{ n: string }>`
      select count(*) as n from consultations c left join users u on u.id = c.doctor_id
      where u.id is null or u.role <> 'doctor'`),
    consultationsWithNonPatient: await one(sql<{ n: string }>`
      select count(*) as n from consultations c left join users u on u.id = c.patient_id
      where u.id is null or u.role <> 'patient'`),
    doctorsWithoutProfile: await one(sql<{ n: string }>`
      select count(*) as n from users u left join doctor_profiles p on p.user_id = u.id
      where u.role = 'doctor' and p.user_id is null`),
    profilesOfNonDoctors: await one(sql<{ n: string }>`
      select count(*) as n from doctor_profiles p join users u on u.id = p.user_id where u.role <> 'doctor'`),
    scheduleRowsOfNonDoctors: await one(sql<{ n: string }>`
      select count(*) as n from (
        select doctor_id from availability_rules union all select doctor_id from time_off
      ) s left join users u on u.id = s.doctor_id where u.id is null or u.role <> 'doctor'`),
    sessionsOfMissingUsers: await one(sql<{ n: string }>`
      select count(*) as n from sessions s left join users u on u.id = s.user_id where u.id is null`),
    auditOfMissingConsultations: await one(sql<{ n: string }>`
      select count(*) as n from audit_events e
      where e.entity = 'consultation'
        and not exists (select 1 from consultations c where c.id::text = e.entity_id)`),
    badIntervals: await one(sql<{ n: string }>`
      select count(*) as n from (
        select starts_at, ends_at from consultations union all select starts_at, ends_at from time_off
      ) i where i.ends_at <= i.starts_at`),
  };
}

/** The same report with every figure 0, for `expect(...).toEqual(cleanInvariants)`. */
export const cleanInvariants: InvariantReport = {
  doctorOverlaps: 0,
  patientOverlaps: 0,
  consultationsWithNonDoctor: 0,
  consultationsWithNonPatient: 0,
  doctorsWithoutProfile: 0,
  profilesOfNonDoctors: 0,
  scheduleRowsOfNonDoctors: 0,
  sessionsOfMissingUsers: 0,
  auditOfMissingConsultations: 0,
  badIntervals: 0,
};

export type Figures = Record<string, number | string | boolean>;

/**
 * Prints `RELIABILITY <suite> key=value ...` on one line (the README copies these) and writes the
 * same figures, with the time they were measured, to artifacts/reliability/<suite>.json.
 */
export function reportFigures(suite: string, figures: Figures): string {
  const line = `RELIABILITY ${suite} ${Object.entries(figures)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ")}`;
  console.log(line);
  const dir = resolve(REPO_ROOT, "artifacts/reliability");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    resolve(dir, `${suite}.json`),
    `${JSON.stringify({ suite, measuredAt: new Date().toISOString(), ...figures }, null, 2)}\n`,
  );
  return line;
}

/** Nearest-rank percentile of latencies in ms (sorted copy; the input is left as it is). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[rank]! * 10) / 10;
}

/** Counts values: `tally([201, 409, 201])` is `{ 201: 2, 409: 1 }`. */
export function tally(values: Array<number | string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
