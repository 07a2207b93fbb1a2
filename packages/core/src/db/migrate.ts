/**
 * Migrations: frozen files under packages/core/migrations, listed statically in its index.ts so a
 * bundler (Lambda, the migrate Script) carries them along without reading the file system.
 *
 * Kysely's Migrator takes a PostgreSQL advisory lock inside the migration transaction, so two
 * pods (or a pod and the deploy Script) starting at once migrate exactly once; the loser waits and
 * then finds nothing to do.
 */
import { type Kysely, type Migration, type MigrationResultSet, Migrator } from "kysely";
import { migrations } from "../../migrations/index.js";

export class MigrationFailed extends Error {
  constructor(
    readonly migrationName: string | undefined,
    override readonly cause: unknown,
  ) {
    super(
      `migration ${migrationName ?? "(unknown)"} failed: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
    this.name = "MigrationFailed";
  }
}

function migrator(db: Kysely<unknown>, list: Record<string, Migration> = migrations) {
  return new Migrator({
    db,
    provider: { getMigrations: async () => list },
  });
}

/**
 * Applies every pending migration; throws `MigrationFailed` naming the one that broke. `list` is
 * for tests (a deliberately broken migration); the default is the frozen set.
 */
export async function migrateToLatest(
  db: Kysely<any>,
  list: Record<string, Migration> = migrations,
): Promise<{ applied: string[] }> {
  const { error, results }: MigrationResultSet = await migrator(db, list).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error");
    throw new MigrationFailed(failed?.migrationName, error);
  }
  return { applied: (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName) };
}

/** Names of migrations this code knows that the database has not run yet. */
export async function pendingMigrations(db: Kysely<any>): Promise<string[]> {
  const all = await migrator(db).getMigrations();
  return all.filter((m) => !m.executedAt).map((m) => m.name);
}
