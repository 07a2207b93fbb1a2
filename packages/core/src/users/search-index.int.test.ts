/**
 * The patient search is index-backed (issue #13): with 5,000 patients and fresh statistics, and
 * sequential scans allowed, PostgreSQL answers the app's own search query (name prefix, email
 * part, phone digits; admin and doctor variants) from the trigram index on `users.search_text`.
 *
 * Runs on a real PostgreSQL server only (TEST_DATABASE_URL, not the Data API stand-in: its plans
 * are the same server's), in a throw-away database of its own, vacuumed and analysed as autovacuum
 * would leave it.
 */
import { createThrowawayDatabase, type ThrowawayDatabase } from "@healthflow/test-kit/reliability-support";
import { openTestDatabase } from "@healthflow/test-kit/test-clinic";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../db/db-config.js";
import { searchWords } from "./search-text.js";
import { createUser } from "./user.js";
import { listUsersQuery } from "./user.sql.js";

const url = process.env.TEST_DATABASE_URL;
const onServer = Boolean(url) && process.env.TEST_DB_ENGINE !== "data-api";

const FIRST = ["Ana", "Bruno", "Carla", "Diego", "Elisa", "Fábio", "Gabriela", "Heitor", "Iara", "João", "Kátia"];
const LAST = [
  "Silva",
  "Santos",
  "Oliveira",
  "Souza",
  "Rodrigues",
  "Ferreira",
  "Alves",
  "Pereira",
  "Lima",
  "Gomes",
  "Costa",
  "Ribeiro",
  "Martins",
  "Carvalho",
  "Almeida",
  "Lopes",
  "Soares",
  "Fernandes",
  "Vieira",
  "Barbosa",
  "Rocha",
  "Dias",
  "Nascimento",
  "Andrade",
  "Moreira",
  "Nunes",
  "Marques",
  "Machado",
  "Mendes",
  "Freitas",
  "Cardoso",
  "Ramos",
  "Gonçalves",
  "Santana",
  "Teixeira",
  "Araújo",
  "Conceição",
  "Monteiro",
  "Moura",
  "Cavalcanti",
];

describe.skipIf(!onServer)("patient search plan on PostgreSQL (5,000 patients)", () => {
  let throwaway: ThrowawayDatabase;
  let database: DatabaseHandle;
  beforeAll(async () => {
    throwaway = await createThrowawayDatabase(url!, "search_plan");
    database = await openTestDatabase({ kind: "postgres", url: throwaway.url, poolMax: 2 });
  });
  afterAll(async () => {
    await database?.close();
    await throwaway?.drop();
  });

  it("uses the trigram index for name, email and phone searches, admin and doctor alike", async () => {
    const db = database.db;
    const rows = Array.from({ length: 5000 }, (_, i) => ({
      email: `load-${i}@load.example`,
      name: `${FIRST[i % FIRST.length]} ${LAST[(i * 7) % LAST.length]} ${LAST[(i * 13 + 5) % LAST.length]}`,
      role: "patient" as const,
      password_hash: "!invited",
      phone: `+55119${String(10_000_000 + i)}`,
    }));
    rows[2500]!.name = "Zuleica Quixadá";
    const ids: string[] = [];
    for (let i = 0; i < rows.length; i += 1000) {
      const made = await db
        .insertInto("users")
        .values(rows.slice(i, i + 1000))
        .returning("id")
        .execute();
      ids.push(...made.map((r) => r.id));
    }
    const doctor = await createUser(
      db,
      {
        email: "doc@load.example",
        name: "Dr Load",
        role: "doctor",
        password: "long enough pw",
        doctor: { specialty: "Clínica geral", licenseNumber: "CRM-SP 123456", timezone: "UTC", slotMinutes: 30 },
      },
      null,
    );
    // The doctor has seen one patient in ten.
    const base = Date.UTC(2030, 0, 1);
    const consultations = ids
      .filter((_, i) => i % 10 === 0)
      .map((patientId, i) => ({
        doctor_id: doctor.id,
        patient_id: patientId,
        starts_at: new Date(base + i * 3_600_000),
        ends_at: new Date(base + i * 3_600_000 + 1_800_000),
        room_name: `load-${i}`,
        status: "completed" as const,
      }));
    await db.insertInto("consultations").values(consultations).execute();
    await sql`vacuum analyze users`.execute(db);
    await sql`vacuum analyze consultations`.execute(db);

    const cases: Record<string, [string, string | undefined]> = {
      "name prefix": ["quixa", undefined],
      "broad name prefix (5% of patients)": ["concei", undefined],
      "two words": ["joão gonç", undefined],
      "email part": ["load-4711@load", undefined],
      phone: ["10004711", undefined],
      "doctor, name prefix": ["arau", doctor.id],
      "doctor, phone": ["10004710", doctor.id],
    };
    const plans: Record<string, string> = {};
    for (const [label, [q, consultedBy]] of Object.entries(cases)) {
      const query = listUsersQuery(db, "patient", { limit: 51 }, { words: searchWords(q), consultedBy });
      plans[label] = (await query.explain()).map((r) => Object.values(r)[0]).join("\n");
      // The plan is about real matches.
      const found = await listUsersQuery(
        db,
        "patient",
        { limit: 5000 },
        { words: searchWords(q), consultedBy },
      ).execute();
      expect(found.length, label).toBeGreaterThan(0);
    }
    for (const [label, plan] of Object.entries(plans)) {
      expect(plan, `${label}:\n${plan}`).not.toMatch(/Seq Scan on users/);
      // A word that hundreds of patients share may instead be read by walking the (role, name)
      // index in page order and stopping at the page's 51st match: also bounded, and PostgreSQL's
      // choice by cost. Every selective search reads the trigram index.
      if (label.startsWith("broad")) expect(plan, `${label}:\n${plan}`).toMatch(/users_search_trgm_idx|users_role_idx/);
      else expect(plan, `${label}:\n${plan}`).toContain("users_search_trgm_idx");
    }
  });
});
