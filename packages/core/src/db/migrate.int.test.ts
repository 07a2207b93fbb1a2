/**
 * The migrator on the embedded engine: applies the frozen set once, reports pending ones, and a
 * broken migration stops it with the migration's name and leaves nothing half-applied.
 */
import { type Migration, sql } from "kysely";
import { describe, expect, it } from "vitest";
import { migrations } from "../../migrations/index.js";
import { createDb } from "./create-db.js";
import { MigrationFailed, migrateToLatest, pendingMigrations } from "./migrate.js";

const names = Object.keys(migrations);

async function tables(db: Parameters<typeof migrateToLatest>[0]): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables where table_schema = 'public'`.execute(db);
  return rows.map((r) => r.name).sort();
}

describe("migrateToLatest (PGlite)", () => {
  it("applies every migration once, in order, and reports none pending afterwards", async () => {
    const { db, close } = await createDb({ kind: "pglite" });
    try {
      expect(await pendingMigrations(db)).toEqual(names);
      expect(await migrateToLatest(db)).toEqual({ applied: names });
      expect(await pendingMigrations(db)).toEqual([]);
      expect(await migrateToLatest(db)).toEqual({ applied: [] });
      const rows = await db
        .selectFrom("kysely_migration" as any)
        .select("name")
        .orderBy("name")
        .execute();
      expect(rows.map((r: any) => r.name)).toEqual(names);
      expect(await tables(db)).toEqual(
        expect.arrayContaining(["users", "doctor_profiles", "sessions", "audit_events"]),
      );
    } finally {
      await close();
    }
  });

  it("a failing migration throws MigrationFailed naming it, and nothing of the run is left behind", async () => {
    const { db, close } = await createDb({ kind: "pglite" });
    const broken: Record<string, Migration> = {
      ...migrations,
      "9999-broken": {
        up: async (trx) => {
          await sql`create table half_done (id int)`.execute(trx);
          await sql`select * from table_that_does_not_exist`.execute(trx);
        },
      },
    };
    try {
      const err = await migrateToLatest(db, broken).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(MigrationFailed);
      expect((err as MigrationFailed).migrationName).toBe("9999-broken");
      expect((err as Error).message).toMatch(/^migration 9999-broken failed: .*table_that_does_not_exist/);
      // The whole run is one transaction: not even the good migrations before it were kept.
      expect(await tables(db)).not.toContain("half_done");
      expect(await tables(db)).not.toContain("users");
      // The frozen set still applies cleanly afterwards.
      expect(await migrateToLatest(db)).toEqual({ applied: names });
    } finally {
      await close();
    }
  });

  it("a migration missing from the code (a newer release ran) is refused, not ignored", async () => {
    const { db, close } = await createDb({ kind: "pglite" });
    try {
      await migrateToLatest(db, { ...migrations, "9998-future": { up: async () => {} } });
      await expect(migrateToLatest(db)).rejects.toThrow(MigrationFailed);
    } finally {
      await close();
    }
  });
});
