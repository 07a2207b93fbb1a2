/**
 * Migration 0005 on a database with doctors from before it: licence numbers that read as a CRM are
 * split into `crm` + `crm_state` and rewritten "CRM-SP 123456"; the others stay as written with no
 * CRM; two licences that read as the same CRM are both left alone. Its own PGlite database.
 */
import { randomUUID } from "node:crypto";
import { Migrator, sql } from "kysely";
import { describe, expect, it } from "vitest";
import { migrations } from "../../migrations/index.js";
import { createDb } from "../db/create-db.js";
import { parseLicense } from "./crm.js";

describe("migration 0005-telemedicine", () => {
  it("reads existing licence numbers as CRMs where it can", async () => {
    const { db, close } = await createDb({ kind: "pglite" });
    try {
      const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
      expect((await migrator.migrateTo("0004-hardening")).error).toBeUndefined();
      const licences = [
        "CRM/SP 123456",
        "crm-rj 0042",
        "654321-MG",
        "CRM 777 BA",
        "CRM/XX 1",
        "Licença antiga 12",
        "CRM/PR 5555",
        "5555/PR",
      ];
      const ids: string[] = [];
      for (const licence of licences) {
        const id = randomUUID();
        ids.push(id);
        await sql`insert into users (id, email, name, role, password_hash)
          values (${id}::uuid, ${`${id}@test.local`}, 'Dr. Antigo', 'doctor', 'x')`.execute(db);
        await sql`insert into doctor_profiles (user_id, specialty, license_number, timezone)
          values (${id}::uuid, 'Clínica', ${licence}, 'UTC')`.execute(db);
      }
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      const rows = await db
        .selectFrom("doctor_profiles")
        .select(["user_id", "license_number", "crm", "crm_state"])
        .execute();
      const byId = new Map(rows.map((r) => [r.user_id, r]));
      const got = ids.map((id) => {
        const r = byId.get(id)!;
        return [r.license_number, r.crm, r.crm_state];
      });
      expect(got).toEqual([
        ["CRM-SP 123456", "123456", "SP"],
        ["CRM-RJ 42", "42", "RJ"],
        ["CRM-MG 654321", "654321", "MG"],
        ["CRM-BA 777", "777", "BA"],
        ["CRM/XX 1", null, null], // not a state
        ["Licença antiga 12", null, null],
        ["CRM/PR 5555", null, null], // the same CRM twice: a person decides
        ["5555/PR", null, null],
      ]);
      // The migration and the application read a licence the same way.
      for (const [i, licence] of licences.entries()) {
        const parsed = parseLicense(licence);
        if (got[i]![1] !== null) expect(parsed).toEqual({ crm: got[i]![1], crmState: got[i]![2] });
      }
      // The CRM is validated by the database too.
      await expect(
        sql`update doctor_profiles set crm = '12a', crm_state = 'SP' where user_id = ${ids[5]}::uuid`.execute(db),
      ).rejects.toThrow();
      await expect(
        sql`update doctor_profiles set crm = '12', crm_state = 'ZZ' where user_id = ${ids[5]}::uuid`.execute(db),
      ).rejects.toThrow();
    } finally {
      await close();
    }
  });
});
