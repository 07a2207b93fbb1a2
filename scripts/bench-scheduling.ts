/**
 * `npm run bench:scheduling`: the scheduling benchmark (a report, not a test; always exits 0 once
 * it has run).
 *
 * On a throw-away database created on the server of DATABASE_URL (or TEST_DATABASE_URL): a doctor
 * with 5,000 consultations, half past, half future, on every other slot of a Mon–Fri 08:00–18:00
 * agenda. It measures, in-process through `app.request()` (server time, no network):
 *
 * - `GET /api/doctors/:id/slots` for 7 and 31 days: median and p99 over many runs after a warm-up;
 * - booking throughput: 20 concurrent patients booking distinct free slots through the API;
 * - raw INSERT throughput of the same rows through `pg`, 20 connections, in the same run;
 *
 * and prints them with the ratio of the two throughputs. The database is dropped at the end.
 *
 * Usage: DATABASE_URL=postgres://... npm run bench:scheduling [-- --runs 300 --bookings 1000]
 */
import { randomBytes } from "node:crypto";
import os from "node:os";
import { parseArgs } from "node:util";
import {
  createApp,
  createDb,
  createUser,
  defaultAppConfig,
  gridSlots,
  type Interval,
  migrateToLatest,
  replaceRules,
  silentLogger,
  startSession,
  type WeeklyRule,
} from "@healthflow/core";
import pg from "pg";

const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "300" },
    bookings: { type: "string", default: "1000" },
    clients: { type: "string", default: "20" },
  },
});
const RUNS = Number(args.runs);
const BOOKINGS = Number(args.bookings);
const CLIENTS = Number(args.clients);
const CONSULTATIONS = 5_000;
const ZONE = "America/Sao_Paulo";
const SLOT_MINUTES = 30;
const DAY = 86_400_000;

const baseUrl = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
if (!baseUrl) {
  console.error(
    "bench:scheduling needs DATABASE_URL or TEST_DATABASE_URL (a PostgreSQL server it may create a database on)",
  );
  process.exit(2);
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

function fmt(n: number, digits = 1): string {
  return n.toFixed(digits);
}

async function main() {
  // Other work on the machine skews every figure: the load average goes into the report.
  const loadAtStart = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");
  const dbName = `healthflow_bench_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  const serverVersion = (await admin.query<{ server_version: string }>("show server_version")).rows[0]!.server_version;
  await admin.query(`create database ${dbName}`);
  const url = new URL(baseUrl!);
  url.pathname = `/${dbName}`;
  const handle = await createDb({ kind: "postgres", url: url.toString(), poolMax: CLIENTS + 2 });
  try {
    await migrateToLatest(handle.db);
    const db = handle.db;
    const now = new Date();
    const config = defaultAppConfig({ minNoticeMinutes: 60 });

    // --- Seed -------------------------------------------------------------------------------
    const doctor = await createUser(
      db,
      {
        email: "bench-doctor@bench.healthflow.local",
        name: "Dra. Bench",
        role: "doctor",
        password: randomBytes(12).toString("base64url"),
        doctor: {
          specialty: "Clínica geral",
          licenseNumber: "CRM/SP BENCH",
          timezone: ZONE,
          slotMinutes: SLOT_MINUTES,
        },
      },
      null,
    );
    const rules: WeeklyRule[] = [1, 2, 3, 4, 5].map((weekday) => ({
      weekday,
      startMinute: 8 * 60,
      endMinute: 18 * 60,
    }));
    await replaceRules(db, doctor.id, rules);
    const grid = (from: number, to: number) => gridSlots({ zone: ZONE, slotMinutes: SLOT_MINUTES, rules, from, to });

    // Patients through SQL (their password is never used); 20 of them get sessions for booking.
    const patientRows = await db
      .insertInto("users")
      .values(
        Array.from({ length: 200 }, (_, i) => ({
          email: `bench-patient-${i}@bench.healthflow.local`,
          name: `Paciente ${String(i).padStart(3, "0")}`,
          role: "patient" as const,
          password_hash: "!bench",
        })),
      )
      .returning("id")
      .execute();
    const patients = patientRows.map((r) => r.id);

    // Past: the 2,500 most recent even slots before today. Future: the first 2,500 even slots from
    // tomorrow. The odd slots stay free for the slots query to find and for bookings to take.
    const today = Math.floor(now.getTime() / DAY) * DAY;
    const past = grid(today - 400 * DAY, today)
      .filter((_, i) => i % 2 === 0)
      .slice(-CONSULTATIONS / 2);
    const futureGrid = grid(today + DAY, today + 400 * DAY);
    const future = futureGrid.filter((_, i) => i % 2 === 0).slice(0, CONSULTATIONS / 2);
    const seedRows = [
      ...past.map((s) => ({ s, status: "completed" as const })),
      ...future.map((s) => ({ s, status: "scheduled" as const })),
    ].map(({ s, status }, i) => ({
      doctor_id: doctor.id,
      patient_id: patients[i % patients.length]!,
      starts_at: new Date(s.start),
      ends_at: new Date(s.end),
      status,
      reason: "Consulta de rotina",
      notes: status === "completed" ? "Sem alterações." : null,
      room_name: `hf${randomBytes(16).toString("hex")}`,
      created_by: doctor.id,
    }));
    for (let i = 0; i < seedRows.length; i += 1000) {
      await db
        .insertInto("consultations")
        .values(seedRows.slice(i, i + 1000))
        .execute();
    }
    const benchClient = new pg.Client({ connectionString: url.toString() });
    await benchClient.connect();
    await benchClient.query("analyze");

    const app = createApp({
      db,
      config,
      logger: silentLogger,
      readiness: { started: () => true, check: async () => ({ database: true, migrations: true }) },
      now: () => new Date(),
    });
    const policy = { idleMinutes: 720, maxHours: 168 };
    const sessions = await Promise.all(
      patients
        .slice(0, CLIENTS)
        .map(async (id) => ({ id, token: (await startSession(db, id, new Date(), policy)).token })),
    );

    // --- Slots ------------------------------------------------------------------------------
    const slotsResults: { days: number; median: number; p99: number; mean: number; slots: number }[] = [];
    for (const days of [7, 31]) {
      const times: number[] = [];
      let slotsSeen = 0;
      for (let run = -20; run < RUNS; run++) {
        // Windows start on successive days over the next 20 weeks, all inside the seeded future.
        const from = new Date(today + DAY * (1 + (Math.abs(run) % 140)));
        const to = new Date(from.getTime() + days * DAY);
        const started = performance.now();
        const res = await app.request(
          `/api/doctors/${doctor.id}/slots?from=${from.toISOString()}&to=${to.toISOString()}`,
          { headers: { authorization: `Bearer ${sessions[0]!.token}` } },
        );
        const body = (await res.json()) as { slots: unknown[] };
        const ms = performance.now() - started;
        if (res.status !== 200) throw new Error(`slots answered ${res.status}: ${JSON.stringify(body)}`);
        if (run >= 0) {
          times.push(ms);
          slotsSeen = body.slots.length;
        }
      }
      times.sort((a, b) => a - b);
      slotsResults.push({
        days,
        median: quantile(times, 0.5),
        p99: quantile(times, 0.99),
        mean: times.reduce((a, b) => a + b, 0) / times.length,
        slots: slotsSeen,
      });
    }

    // --- Booking through the API ------------------------------------------------------------
    const seeded = new Set(future.map((s) => s.start));
    const free: Interval[] = futureGrid.filter((s) => !seeded.has(s.start)).slice(0, BOOKINGS);
    if (free.length < BOOKINGS) throw new Error(`only ${free.length} free slots for ${BOOKINGS} bookings`);
    // Warm-up outside the measurement: a handful of bookings far in the future, then removed.
    const warm = futureGrid.filter((s) => !seeded.has(s.start)).slice(-10);
    for (const s of warm) {
      await app.request("/api/consultations", {
        method: "POST",
        headers: { authorization: `Bearer ${sessions[0]!.token}`, "content-type": "application/json" },
        body: JSON.stringify({ doctorId: doctor.id, startsAt: new Date(s.start).toISOString() }),
      });
    }
    await db
      .deleteFrom("consultations")
      .where(
        "starts_at",
        "in",
        warm.map((s) => new Date(s.start)),
      )
      .execute();

    let next = 0;
    const statuses = new Map<number, number>();
    const booked: { patientId: string; start: number; end: number }[] = [];
    const bookCpu = process.cpuUsage();
    const bookStarted = performance.now();
    await Promise.all(
      sessions.map(async (client) => {
        for (let i = next++; i < free.length; i = next++) {
          const slot = free[i]!;
          const res = await app.request("/api/consultations", {
            method: "POST",
            headers: { authorization: `Bearer ${client.token}`, "content-type": "application/json" },
            body: JSON.stringify({ doctorId: doctor.id, startsAt: new Date(slot.start).toISOString() }),
          });
          await res.arrayBuffer();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status === 201) booked.push({ patientId: client.id, start: slot.start, end: slot.end });
        }
      }),
    );
    const bookSeconds = (performance.now() - bookStarted) / 1000;
    const cpu = process.cpuUsage(bookCpu);
    const bookCpuMsPerRow = (cpu.user + cpu.system) / 1000 / Math.max(1, booked.length);
    const bookRate = booked.length / bookSeconds;

    // --- The same rows through raw INSERTs ---------------------------------------------------
    // Remove what the API wrote, then insert exactly those rows again, one autocommit INSERT each,
    // from 20 connections: the floor cost of the row, its indexes and its EXCLUDE constraints.
    await db
      .deleteFrom("consultations")
      .where(
        "created_by",
        "in",
        sessions.map((s) => s.id),
      )
      .execute();
    await db.deleteFrom("audit_events").where("action", "=", "consultation.create").execute();
    await benchClient.query("analyze consultations");
    const clients = await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        const c = new pg.Client({ connectionString: url.toString() });
        await c.connect();
        return c;
      }),
    );
    let k = 0;
    const rawStarted = performance.now();
    await Promise.all(
      clients.map(async (c) => {
        for (let i = k++; i < booked.length; i = k++) {
          const row = booked[i]!;
          await c.query(
            "insert into consultations (doctor_id, patient_id, starts_at, ends_at, reason, room_name, created_by) values ($1, $2, $3, $4, $5, $6, $7)",
            [
              doctor.id,
              row.patientId,
              new Date(row.start),
              new Date(row.end),
              null,
              `hf${randomBytes(16).toString("hex")}`,
              row.patientId,
            ],
          );
        }
      }),
    );
    const rawSeconds = (performance.now() - rawStarted) / 1000;
    const rawRate = booked.length / rawSeconds;
    await Promise.all(clients.map((c) => c.end()));
    await benchClient.end();

    // --- Report -----------------------------------------------------------------------------
    const ratio = bookRate / rawRate;
    const slots31 = slotsResults.find((r) => r.days === 31)!;
    const lines = [
      `HealthFlow scheduling benchmark, ${new Date().toISOString()}`,
      `machine: ${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? "?"}), ${Math.round(os.totalmem() / 2 ** 30)} GiB; Node ${process.version}; PostgreSQL ${serverVersion}; load average at start ${loadAtStart}, at end ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")}`,
      `data: 1 doctor, ${seedRows.length} consultations (${past.length} past, ${future.length} future), ${patients.length} patients; slots of ${SLOT_MINUTES} min, Mon-Fri 08:00-18:00 ${ZONE}`,
      "",
      "| measure | median ms | p99 ms | mean ms | runs | slots returned |",
      "|---|---:|---:|---:|---:|---:|",
      ...slotsResults.map(
        (r) =>
          `| GET slots, ${r.days} days | ${fmt(r.median, 2)} | ${fmt(r.p99, 2)} | ${fmt(r.mean, 2)} | ${RUNS} | ${r.slots} |`,
      ),
      "",
      "| write path | rows | seconds | rows/s |",
      "|---|---:|---:|---:|",
      `| POST /api/consultations, ${CLIENTS} concurrent clients | ${booked.length} | ${fmt(bookSeconds, 2)} | ${fmt(bookRate, 0)} |`,
      `| raw INSERT through pg, ${CLIENTS} connections | ${booked.length} | ${fmt(rawSeconds, 2)} | ${fmt(rawRate, 0)} |`,
      "",
      `booking statuses: ${[...statuses].map(([s, n]) => `${s}×${n}`).join(", ")}`,
      `booking / raw INSERT ratio: ${fmt(ratio * 100, 1)}%`,
      `Node CPU per booking (this process: HTTP, validation, queries' client side): ${fmt(bookCpuMsPerRow, 2)} ms`,
      "",
      `target: slots for 31 days median < 20 ms: ${slots31.median < 20 ? "met" : "MISSED"} (${fmt(slots31.median, 2)} ms)`,
      `target: booking throughput >= 40% of raw INSERT: ${ratio >= 0.4 ? "met" : "MISSED"} (${fmt(ratio * 100, 1)}%)`,
    ];
    console.log(lines.join("\n"));
  } finally {
    await handle.close();
    await admin.query(`drop database if exists ${dbName} with (force)`);
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
