/**
 * `npm run bench:scheduling`: the scheduling benchmark (a report, not a test; exits 0 once it has
 * run, whatever the figures). Issue #16: each cost is measured against its own floor, in the same
 * run, on the same server, and cost must not grow with a clinic's history.
 *
 * Two throw-away databases on the server of DATABASE_URL (or TEST_DATABASE_URL), seeded alike
 * except for their history: "5k" and "100k" past consultations for the doctor under test, and the
 * same numbers spread over a clinic of 200 doctors. It prints, ratios first:
 *
 * 1. Database time per booking ÷ database time per raw INSERT of the same rows. Every statement a
 *    booking sends counts (session lookup, BEGIN, agenda lock, agenda read, INSERT, audit INSERT,
 *    COMMIT). Source: `pg_stat_statements` when the server preloads it (`shared_preload_libraries`),
 *    else `pg_stat_database.active_time` (PostgreSQL 14+, no extension, no restart): the time the
 *    server's backends of that database spent executing statements, commit included. The bench
 *    database has no other client during a phase, and each phase closes its pool so the backends
 *    flush their counters on exit.
 * 2. API CPU per booking ÷ API CPU per floor request (a bare Hono route in this process that parses
 *    a JSON body and runs one INSERT of the same row through the same kind of pool).
 * 3. Growth with history: slots for 31 days and the week's agenda of the doctor, the admin's agenda
 *    of one day and a clinic doctor's 31-day slots, with 5,000 and with 100,000 past consultations,
 *    measured interleaved (one request to each database in turn) so machine load hits both alike.
 *
 * Each target ends as a line `target: ... met|missed (figure)`.
 *
 * Usage: DATABASE_URL=postgres://... npm run bench:scheduling [-- --runs 100 --bookings 600]
 *   --only write     the booking/floor phase alone (quicker, for profiling)
 *   --cpu-prof FILE  writes a V8 CPU profile of the concurrent booking phase to FILE
 *   --keep           keeps the databases (to EXPLAIN a query on them), and says their names
 */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import inspector from "node:inspector/promises";
import os from "node:os";
import { parseArgs } from "node:util";
import {
  createApp,
  createDb,
  type DatabaseHandle,
  defaultAppConfig,
  gridSlots,
  type HealthFlowApp,
  type Interval,
  migrateToLatest,
  silentLogger,
  startSession,
  type WeeklyRule,
} from "@healthflow/core";
import { Hono } from "hono";
import { sql } from "kysely";
import pg from "pg";

const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "100" },
    bookings: { type: "string", default: "600" },
    sequential: { type: "string", default: "200" },
    clients: { type: "string", default: "20" },
    only: { type: "string" },
    "cpu-prof": { type: "string" },
    keep: { type: "boolean", default: false },
  },
});
const RUNS = Number(args.runs);
const BOOKINGS = Number(args.bookings);
const CLIENTS = Number(args.clients);
const SEQUENTIAL = Number(args.sequential);
const ONLY_WRITE = args.only === "write";
const HISTORIES = ONLY_WRITE ? [5_000] : [5_000, 100_000];
const FUTURE = 2_500;
const CLINIC_DOCTORS = 200;
const PATIENTS = 1_000;
const ZONE = "America/Sao_Paulo";
const SLOT_MINUTES = 30;
const DAY = 86_400_000;
const RULES: WeeklyRule[] = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, startMinute: 8 * 60, endMinute: 18 * 60 }));

const baseUrl = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
if (!baseUrl) {
  console.error(
    "bench:scheduling needs DATABASE_URL or TEST_DATABASE_URL (a PostgreSQL server it may create a database on)",
  );
  process.exit(2);
}

const median = (xs: number[]) => quantile(xs, 0.5);
function quantile(xs: number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
const fmt = (n: number, digits = 2) => n.toFixed(digits);
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");
const targets: string[] = [];
function target(name: string, met: boolean, figure: string) {
  targets.push(`target: ${name}: ${met ? "met" : "missed"} (${figure})`);
}

function dbUrl(name: string): string {
  const url = new URL(baseUrl!);
  url.pathname = `/${name}`;
  return url.toString();
}

interface World {
  name: string;
  history: number;
  url: string;
  handle: DatabaseHandle;
  app: HealthFlowApp;
  doctorId: string;
  clinicDoctorId: string;
  patients: string[];
  doctorToken: string;
  adminToken: string;
  patientSessions: { id: string; token: string }[];
  /** The clinic's doctors, and their free slots (the same grid for all) from the day after tomorrow. */
  clinic: string[];
  clinicFree: Interval[];
  today: number;
}

// The bench's patients book far more than a patient may (fair-booking limits) and send far more
// requests than the per-session budget allows: both are raised, not switched off, so every check
// and the budget's own statement still run on each request.
const config = defaultAppConfig({
  minNoticeMinutes: 60,
  requestBudgetPerMinute: 1_000_000,
  booking: { horizonDays: 400, maxActive: 1_000_000, maxActivePerDoctor: 1_000_000 },
});
const policy = { idleMinutes: 720, maxHours: 168 };

function appOn(handle: DatabaseHandle): HealthFlowApp {
  return createApp({
    db: handle.db,
    config,
    logger: silentLogger,
    readiness: { started: () => true, check: async () => ({ database: true, migrations: true }) },
    now: () => new Date(),
  });
}

/** A database with the clinic: the doctor under test, 200 more doctors, 1,000 patients, an admin. */
async function seedWorld(admin: pg.Client, history: number, created: string[]): Promise<World> {
  const name = `healthflow_bench_${randomBytes(4).toString("hex")}`;
  await admin.query(`create database ${name}`);
  created.push(name);
  const url = dbUrl(name);
  // Seeding 100,000 rows takes longer than the app's 10 s statement timeout on a busy machine.
  const handle = await createDb({ kind: "postgres", url, poolMax: CLIENTS + 2, statementTimeoutMs: 600_000 });
  await migrateToLatest(handle.db);
  const db = handle.db;
  const today = Math.floor(Date.now() / DAY) * DAY;

  const users = async (role: "doctor" | "patient" | "admin", n: number, tag: string) =>
    (
      await db
        .insertInto("users")
        .values(
          Array.from({ length: n }, (_, i) => ({
            email: `${tag}-${i}@bench.healthflow.local`,
            name: `${tag} ${String(i).padStart(4, "0")}`,
            role,
            password_hash: "!bench",
            // Verified: patients with an unverified email may not book (issue #12).
            email_verified_at: new Date(),
          })),
        )
        .returning("id")
        .execute()
    ).map((r) => r.id);
  const doctors = await users("doctor", CLINIC_DOCTORS + 1, "doctor");
  const patients = await users("patient", PATIENTS, "patient");
  const [adminId] = await users("admin", 1, "admin");
  await db
    .insertInto("doctor_profiles")
    .values(
      doctors.map((id, i) => ({
        user_id: id,
        specialty: "Clínica geral",
        license_number: `CRM/SP ${i}`,
        timezone: ZONE,
        slot_minutes: SLOT_MINUTES,
      })),
    )
    .execute();
  await db
    .insertInto("availability_rules")
    .values(
      doctors.flatMap((id) =>
        RULES.map((r) => ({ doctor_id: id, weekday: r.weekday, start_minute: r.startMinute, end_minute: r.endMinute })),
      ),
    )
    .execute();
  const doctorId = doctors[CLINIC_DOCTORS]!;
  const clinic = doctors.slice(0, CLINIC_DOCTORS);

  // The doctor's future: the first 2,500 even slots from tomorrow, booked by patients 800-999 (the
  // clinic's own day uses patients 0-799, so no patient is in two places at once).
  const grid = gridSlots({
    zone: ZONE,
    slotMinutes: SLOT_MINUTES,
    rules: RULES,
    from: today + DAY,
    to: today + 400 * DAY,
  });
  const future = grid.filter((_, i) => i % 2 === 0).slice(0, FUTURE);
  const rows = future.map((s, i) => ({
    doctor_id: doctorId,
    patient_id: patients[800 + (i % 200)]!,
    starts_at: new Date(s.start),
    ends_at: new Date(s.end),
    reason: "Consulta de rotina",
    room_name: `hf${randomBytes(16).toString("hex")}`,
    created_by: doctorId,
  }));
  for (let i = 0; i < rows.length; i += 1000)
    await db
      .insertInto("consultations")
      .values(rows.slice(i, i + 1000))
      .execute();
  const clinicFree = grid.filter((s) => s.start >= today + 2 * DAY);

  // The clinic's day (tomorrow, UTC): 4 consultations per doctor, 800 in all.
  await sql`
    insert into consultations (doctor_id, patient_id, starts_at, ends_at, room_name, created_by)
    select d.id, (${patients}::uuid[])[1 + ((d.j - 1) * 4 + k) % 800],
      ${new Date(today + DAY + 11 * 3_600_000)}::timestamptz + k * interval '1 hour',
      ${new Date(today + DAY + 11 * 3_600_000)}::timestamptz + k * interval '1 hour' + interval '30 minutes',
      'hf' || md5(d.id::text || 'day' || k), d.id
    from unnest(${clinic}::uuid[]) with ordinality as d(id, j) cross join generate_series(0, 3) k`.execute(db);

  // History: completed consultations, one an hour going back from yesterday, for the doctor; and as
  // many again spread over the clinic's 200 doctors.
  await sql`
    insert into consultations (doctor_id, patient_id, starts_at, ends_at, status, reason, notes, room_name, created_by)
    select ${doctorId}::uuid, (${patients}::uuid[])[1 + g % ${PATIENTS}],
      ${new Date(today)}::timestamptz - g * interval '1 hour',
      ${new Date(today)}::timestamptz - g * interval '1 hour' + interval '30 minutes',
      'completed', 'Consulta de rotina', 'Sem alterações.', 'hf' || md5('d' || g), ${doctorId}::uuid
    from generate_series(1, ${history}) g`.execute(db);
  const perDoctor = history / CLINIC_DOCTORS;
  await sql`
    insert into consultations (doctor_id, patient_id, starts_at, ends_at, status, reason, notes, room_name, created_by)
    select d.id, (${patients}::uuid[])[1 + (d.j + g) % ${PATIENTS}],
      ${new Date(today)}::timestamptz - g * interval '1 hour',
      ${new Date(today)}::timestamptz - g * interval '1 hour' + interval '30 minutes',
      'completed', 'Consulta de rotina', 'Sem alterações.', 'hf' || md5(d.id::text || g), d.id
    from unnest(${clinic}::uuid[]) with ordinality as d(id, j) cross join generate_series(1, ${perDoctor}) g`.execute(
    db,
  );
  await sql`vacuum analyze`.execute(db);

  const token = async (id: string) => (await startSession(db, id, new Date(), policy)).token;
  const patientSessions = await Promise.all(
    patients.slice(0, CLIENTS).map(async (id) => ({ id, token: await token(id) })),
  );
  return {
    name,
    history,
    url,
    handle,
    app: appOn(handle),
    doctorId,
    clinicDoctorId: clinic[0]!,
    patients,
    doctorToken: await token(doctorId),
    adminToken: await token(adminId!),
    patientSessions,
    clinic,
    clinicFree,
    today,
  };
}

async function timed(app: HealthFlowApp, path: string, token: string): Promise<{ ms: number; count: number }> {
  const started = performance.now();
  const res = await app.request(path, { headers: { authorization: `Bearer ${token}` } });
  const body = (await res.json()) as { slots?: unknown[]; consultations?: unknown[] };
  const ms = performance.now() - started;
  if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(body)}`);
  return { ms, count: (body.slots ?? body.consultations ?? []).length };
}

interface Read {
  label: string;
  path(w: World, run: number): string;
  token(w: World): string;
}
const iso = (t: number) => new Date(t).toISOString();
const READS: Read[] = [
  {
    label: "doctor's slots, 31 days",
    path: (w, run) => {
      const from = w.today + DAY * (1 + (Math.abs(run) % 120));
      return `/api/doctors/${w.doctorId}/slots?from=${iso(from)}&to=${iso(from + 31 * DAY)}`;
    },
    token: (w) => w.patientSessions[0]!.token,
  },
  {
    label: "doctor's week agenda (GET /api/consultations)",
    path: (w, run) => {
      const from = w.today + DAY * (1 + (Math.abs(run) % 120));
      return `/api/consultations?from=${iso(from)}&to=${iso(from + 7 * DAY)}`;
    },
    token: (w) => w.doctorToken,
  },
  {
    label: "admin's agenda, one day, 200 doctors",
    path: (w) => `/api/consultations?from=${iso(w.today + DAY)}&to=${iso(w.today + 2 * DAY)}&limit=500`,
    token: (w) => w.adminToken,
  },
  {
    label: "clinic doctor's slots, 31 days",
    path: (w, run) => {
      const from = w.today + DAY * (1 + (Math.abs(run) % 120));
      return `/api/doctors/${w.clinicDoctorId}/slots?from=${iso(from)}&to=${iso(from + 31 * DAY)}`;
    },
    token: (w) => w.patientSessions[1]!.token,
  },
];

// --- Database time ---------------------------------------------------------------------------

interface DbClock {
  source: string;
  /** Milliseconds of server time spent on the database so far (and statements, when known). */
  read(): Promise<{ ms: number; calls: number | null }>;
}

async function dbClock(admin: pg.Client, world: World): Promise<DbClock> {
  const preload = (await admin.query<{ s: string }>("select current_setting('shared_preload_libraries') as s")).rows[0]!
    .s;
  const oid = (await admin.query<{ oid: number }>("select oid from pg_database where datname = $1", [world.name]))
    .rows[0]!.oid;
  // Counters are flushed by a backend when it exits: wait until the database has no client backend.
  const quiet = async () => {
    for (let i = 0; i < 200; i++) {
      const { rows } = await admin.query<{ n: number }>(
        "select count(*)::int as n from pg_stat_activity where datname = $1 and backend_type = 'client backend'",
        [world.name],
      );
      if (rows[0]!.n === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await admin.query("select pg_stat_clear_snapshot()");
  };
  if (/\bpg_stat_statements\b/.test(preload)) {
    const c = new pg.Client({ connectionString: world.url });
    await c.connect();
    await c.query("create extension if not exists pg_stat_statements");
    await c.end();
    return {
      source: "pg_stat_statements (total_exec_time + total_plan_time, this database)",
      read: async () => {
        await quiet();
        const { rows } = await admin.query<{ ms: number; calls: string }>(
          "select coalesce(sum(total_exec_time + total_plan_time), 0)::float8 as ms, coalesce(sum(calls), 0) as calls from pg_stat_statements where dbid = $1",
          [oid],
        );
        return { ms: rows[0]!.ms, calls: Number(rows[0]!.calls) };
      },
    };
  }
  return {
    source:
      "pg_stat_database.active_time of this database (pg_stat_statements is not preloaded on this server; active_time needs no extension or restart)",
    read: async () => {
      await quiet();
      const { rows } = await admin.query<{ ms: number }>(
        "select active_time::float8 as ms from pg_stat_database where datid = $1",
        [oid],
      );
      return { ms: rows[0]!.ms, calls: null };
    },
  };
}

// --- The write path: booking against its floors -----------------------------------------------

interface Phase {
  rows: number;
  clients: number;
  seconds: number;
  cpuMs: number;
  dbMs: number;
  statements: number | null;
  statuses: Map<number, number>;
}

async function runPhase(
  world: World,
  clock: DbClock,
  jobs: Job[],
  clients: number,
  send: (app: { request: HealthFlowApp["request"] }, job: (typeof jobs)[number]) => Response | Promise<Response>,
  makeApp: (handle: DatabaseHandle) => { request: HealthFlowApp["request"] },
): Promise<Phase> {
  const before = await clock.read();
  const handle = await createDb({ kind: "postgres", url: world.url, poolMax: CLIENTS + 2 });
  const app = makeApp(handle);
  const statuses = new Map<number, number>();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      // Client k takes every CLIENTS-th job: its own doctor and patient, as in a clinic where
      // people book different doctors at once (bookings of one doctor queue on its agenda lock).
      for (let i = client; i < jobs.length; i += clients) {
        const res = await send(app, jobs[i]!);
        const body = await res.text();
        // The first refusal is shown: a bench whose bookings are refused measures the refusal.
        if (res.status >= 400 && !statuses.has(res.status)) console.error(`first ${res.status}: ${body.slice(0, 300)}`);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await handle.close();
  const after = await clock.read();
  return {
    rows: jobs.length,
    clients,
    seconds,
    cpuMs: (cpu.user + cpu.system) / 1000,
    dbMs: after.ms - before.ms,
    statements: after.calls === null || before.calls === null ? null : after.calls - before.calls,
    statuses,
  };
}

interface Side {
  world: World;
  clock: DbClock;
  jobs: Job[];
  send: (app: { request: HealthFlowApp["request"] }, job: Job) => Response | Promise<Response>;
  makeApp: (handle: DatabaseHandle) => { request: HealthFlowApp["request"] };
}

async function interleaved(a: Side, b: Side): Promise<{ seqBooking: Phase; seqRaw: Phase }> {
  const before = [await a.clock.read(), await b.clock.read()];
  const sides = [a, b].map((side) => ({ side, statuses: new Map<number, number>(), cpu: 0, ms: 0 }));
  const handles = await Promise.all(
    [a, b].map((side) => createDb({ kind: "postgres", url: side.world.url, poolMax: 2 })),
  );
  const apps = [a.makeApp(handles[0]!), b.makeApp(handles[1]!)];
  for (let i = 0; i < a.jobs.length; i += 10) {
    for (const [k, s] of sides.entries()) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      for (const job of s.side.jobs.slice(i, i + 10)) {
        const res = await s.side.send(apps[k]!, job);
        await res.arrayBuffer();
        s.statuses.set(res.status, (s.statuses.get(res.status) ?? 0) + 1);
      }
      const cpu = process.cpuUsage(cpu0);
      s.cpu += (cpu.user + cpu.system) / 1000;
      s.ms += performance.now() - t0;
    }
  }
  await Promise.all(handles.map((h) => h.close()));
  const after = [await a.clock.read(), await b.clock.read()];
  const phase = (k: number): Phase => ({
    rows: sides[k]!.side.jobs.length,
    clients: 1,
    seconds: sides[k]!.ms / 1000,
    cpuMs: sides[k]!.cpu,
    dbMs: after[k]!.ms - before[k]!.ms,
    statements: after[k]!.calls === null || before[k]!.calls === null ? null : after[k]!.calls! - before[k]!.calls!,
    statuses: sides[k]!.statuses,
  });
  return { seqBooking: phase(0), seqRaw: phase(1) };
}

/**
 * `--cpu-prof <file>`: a V8 CPU profile (what `node --cpu-prof` writes) of the concurrent booking
 * phase alone, for Chrome DevTools or speedscope.
 */
async function startProfile(file: string): Promise<() => Promise<void>> {
  const session = new inspector.Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 100 });
  await session.post("Profiler.start");
  return async () => {
    const { profile } = await session.post("Profiler.stop");
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
    console.error(`CPU profile of the booking phase written to ${file}`);
  };
}

/** The floor: a bare Hono route that parses a JSON body and runs one INSERT through the pool. */
function floorApp(handle: DatabaseHandle) {
  const app = new Hono();
  app.post("/floor", async (c) => {
    const b = await c.req.json<{ doctorId: string; patientId: string; startsAt: string; endsAt: string }>();
    await sql`insert into consultations (doctor_id, patient_id, starts_at, ends_at, reason, room_name, created_by)
      values (${b.doctorId}::uuid, ${b.patientId}::uuid, ${b.startsAt}::timestamptz, ${b.endsAt}::timestamptz, null,
        ${`hf${randomBytes(16).toString("hex")}`}, ${b.patientId}::uuid)`.execute(handle.db);
    return c.json({ ok: true }, 201);
  });
  return app;
}

interface Job {
  doctorId: string;
  patient: { id: string; token: string };
  slot: Interval;
}

async function writePath(world: World, clock: DbClock, twin: World, twinClock: DbClock, lines: string[]) {
  // With a Content-Length, as every HTTP client sends and the Node server passes on (without one,
  // the body-size limit has to wrap the body in a counting stream, a cost real requests never pay).
  const post = (
    app: { request: HealthFlowApp["request"] },
    path: string,
    headers: Record<string, string>,
    body: string,
  ) =>
    app.request(path, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) },
      body,
    });
  const book = (app: { request: HealthFlowApp["request"] }, job: Job) =>
    post(
      app,
      "/api/consultations",
      { authorization: `Bearer ${job.patient.token}` },
      JSON.stringify({ doctorId: job.doctorId, startsAt: iso(job.slot.start) }),
    );
  const floor = (app: { request: HealthFlowApp["request"] }, job: Job) =>
    post(
      app,
      "/floor",
      {},
      JSON.stringify({
        doctorId: job.doctorId,
        patientId: job.patient.id,
        startsAt: iso(job.slot.start),
        endsAt: iso(job.slot.end),
      }),
    );
  // Job i: client i mod CLIENTS, with its own clinic doctor and patient, in that doctor's slot
  // (first + i div CLIENTS) of the free grid.
  const jobsFor = (first: number, count: number, w = world): Job[] =>
    Array.from({ length: count }, (_, i) => ({
      doctorId: w.clinic[i % CLIENTS]!,
      patient: w.patientSessions[i % CLIENTS]!,
      slot: w.clinicFree[first + Math.floor(i / CLIENTS)]!,
    }));
  const remove = async (w = world) => {
    const c = new pg.Client({ connectionString: w.url });
    await c.connect();
    await c.query("delete from consultations where created_by = any($1::uuid[])", [w.patientSessions.map((p) => p.id)]);
    await c.query("delete from audit_events where action = 'consultation.create'");
    await c.query("analyze consultations; analyze audit_events");
    await c.end();
  };
  const perClient = Math.ceil(BOOKINGS / CLIENTS);
  if (world.clinicFree.length < perClient + 10) throw new Error("not enough free slots for the bookings");

  // Warm-up (JIT, plans, pool) on later slots, removed before measuring.
  await runPhase(world, clock, jobsFor(perClient + 5, 3 * CLIENTS), CLIENTS, book, appOn);
  await remove();
  await runPhase(world, clock, jobsFor(perClient + 5, 3 * CLIENTS), CLIENTS, floor, floorApp);
  await remove();

  // Database time: one client at a time, so that a statement's time is its own work, not a wait
  // behind the other clients' commits or locks (which depends on how fast each side sends). The
  // bookings go to this database and the same rows' raw INSERTs to its twin (seeded alike), ten
  // at a time in turn, so that the disk's and the machine's moods hit both alike.
  const { seqBooking, seqRaw } = await interleaved(
    { world, clock, jobs: jobsFor(0, SEQUENTIAL), send: book, makeApp: appOn },
    { world: twin, clock: twinClock, jobs: jobsFor(0, SEQUENTIAL, twin), send: floor, makeApp: floorApp },
  );
  await remove();
  await remove(twin);
  // API CPU and throughput: CLIENTS concurrent clients, each with its own doctor and patient.
  const jobs = jobsFor(0, BOOKINGS);
  const stopProfile = args["cpu-prof"] ? await startProfile(args["cpu-prof"]) : async () => {};
  const booking = await runPhase(world, clock, jobs, CLIENTS, book, appOn);
  await stopProfile();
  await remove();
  const raw = await runPhase(world, clock, jobs, CLIENTS, floor, floorApp);
  await remove();

  const per = (p: Phase, v: number) => v / Math.max(1, p.rows);
  const dbRatio = per(seqBooking, seqBooking.dbMs) / per(seqRaw, seqRaw.dbMs);
  const cpuRatio = per(booking, booking.cpuMs) / per(raw, raw.cpuMs);
  const statuses = (p: Phase) => [...p.statuses].map(([s, n]) => `${s}×${n}`).join(", ");
  const row = (label: string, p: Phase) =>
    `| ${label} | ${p.clients} | ${p.rows} | ${statuses(p)} | ${fmt(per(p, p.dbMs), 3)} | ${p.statements === null ? "n/a" : fmt(per(p, p.statements), 1)} | ${fmt(per(p, p.cpuMs), 3)} | ${fmt(p.seconds)} | ${fmt(p.rows / p.seconds, 0)} |`;
  lines.push(
    "| write path | clients | rows | statuses | DB ms/row | statements/row | API CPU ms/row | wall s | rows/s |",
    "|---|---:|---:|---|---:|---:|---:|---:|---:|",
    row("POST /api/consultations (booking)", seqBooking),
    row("floor: bare Hono route, JSON body, one INSERT", seqRaw),
    row("POST /api/consultations (booking)", booking),
    row("floor: bare Hono route, JSON body, one INSERT", raw),
    "",
    `database time source: ${clock.source}`,
    `database time per booking ÷ per raw INSERT (1 client): ${fmt(dbRatio)}; with ${CLIENTS} clients: ${fmt(per(booking, booking.dbMs) / per(raw, raw.dbMs))}`,
    `API CPU per booking ÷ per floor request (${CLIENTS} clients): ${fmt(cpuRatio)}; with 1 client: ${fmt(per(seqBooking, seqBooking.cpuMs) / per(seqRaw, seqRaw.cpuMs))}`,
    "",
  );
  const okStatuses = (p: Phase) => p.statuses.get(201) === p.rows;
  if (![seqBooking, seqRaw, booking, raw].every(okStatuses)) {
    lines.push("WARNING: not every write answered 201; ratios are suspect");
  }
  return { dbRatio, cpuRatio };
}
// --- Growth with history ---------------------------------------------------------------------

async function growth(worlds: World[], lines: string[]) {
  const times = new Map<string, number[]>();
  const counts = new Map<string, number>();
  for (let run = -10; run < RUNS; run++) {
    for (const read of READS) {
      // Interleaved: the same request to each database in turn, so load drift hits both alike.
      for (const w of run % 2 === 0 ? worlds : [...worlds].reverse()) {
        const r = await timed(w.app, read.path(w, run), read.token(w));
        if (run < 0) continue;
        const key = `${read.label}|${w.history}`;
        times.set(key, [...(times.get(key) ?? []), r.ms]);
        counts.set(key, r.count);
      }
    }
  }
  lines.push("| read | past consultations | median ms | p99 ms | items returned |", "|---|---:|---:|---:|---:|");
  for (const read of READS) {
    for (const w of worlds) {
      const xs = times.get(`${read.label}|${w.history}`)!;
      lines.push(
        `| ${read.label} | ${w.history.toLocaleString("en")} | ${fmt(median(xs))} | ${fmt(quantile(xs, 0.99))} | ${counts.get(`${read.label}|${w.history}`)} |`,
      );
    }
  }
  lines.push("");
  const [small, big] = worlds;
  for (const read of READS) {
    const a = median(times.get(`${read.label}|${small!.history}`)!);
    const b = median(times.get(`${read.label}|${big!.history}`)!);
    target(
      `${read.label}: 100k history within 1.5× of 5k`,
      b <= 1.5 * a,
      `${fmt(b / a)}×: ${fmt(b)} ms vs ${fmt(a)} ms`,
    );
    if (read.label.includes("slots")) {
      for (const w of worlds) {
        const m = median(times.get(`${read.label}|${w.history}`)!);
        target(`${read.label} median < 20 ms, ${w.history.toLocaleString("en")} past`, m < 20, `${fmt(m)} ms`);
      }
    }
  }
}

async function main() {
  const loadAtStart = load();
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  const serverVersion = (await admin.query<{ server_version: string }>("show server_version")).rows[0]!.server_version;
  const worlds: World[] = [];
  const created: string[] = [];
  const lines: string[] = [];
  try {
    const seedStarted = performance.now();
    for (const history of HISTORIES) worlds.push(await seedWorld(admin, history, created));
    const seedSeconds = (performance.now() - seedStarted) / 1000;

    if (!ONLY_WRITE) await growth(worlds, lines);

    // The write path runs on the 5k database with nothing else connected to it.
    // A twin of the 5k database takes the raw INSERTs of the database-time comparison.
    const twin = await seedWorld(admin, HISTORIES[0]!, created);
    worlds.push(twin);
    const w = worlds[0]!;
    await w.handle.close();
    await twin.handle.close();
    const { dbRatio, cpuRatio } = await writePath(w, await dbClock(admin, w), twin, await dbClock(admin, twin), lines);
    target("database time per booking ≤ 1.3 × per raw INSERT", dbRatio <= 1.3, fmt(dbRatio));
    target("API CPU per booking ≤ 3 × per floor request", cpuRatio <= 3, fmt(cpuRatio));

    const header = [
      `HealthFlow scheduling benchmark, ${new Date().toISOString()}`,
      `machine: ${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? "?"}), ${Math.round(os.totalmem() / 2 ** 30)} GiB; Node ${process.version}; PostgreSQL ${serverVersion}; load average at start ${loadAtStart}, at end ${load()}`,
      `data: per database, 1 doctor under test (${FUTURE.toLocaleString("en")} future consultations, 30-min slots, Mon-Fri 08:00-18:00 ${ZONE}) + ${CLINIC_DOCTORS} clinic doctors (4 consultations each tomorrow), ${PATIENTS} patients; past consultations ${HISTORIES.map((h) => h.toLocaleString("en")).join(" / ")} for the doctor and as many again over the clinic (seeded in ${fmt(seedSeconds, 0)} s); ${RUNS} runs per read, ${BOOKINGS} bookings by ${CLIENTS} concurrent clients`,
      "",
    ];
    // Ratios and targets first, then the tables behind them.
    console.log(
      [
        ...header,
        ...targets.filter((t) => t.includes("≤ 1.3") || t.includes("≤ 3 ×")),
        ...targets.filter((t) => !t.includes("≤ 1.3") && !t.includes("≤ 3 ×")),
        "",
        ...lines,
      ].join("\n"),
    );
  } finally {
    for (const w of worlds) await w.handle.close().catch(() => {});
    for (const name of created) {
      if (args.keep) console.error(`kept database ${name} (--keep): drop it when done`);
      else await admin.query(`drop database if exists ${name} with (force)`);
    }
    await admin.end();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error("bench:scheduling failed:", err);
    process.exit(1);
  },
);
