import { PGlite } from "@electric-sql/pglite";
import { btree_gist } from "@electric-sql/pglite/contrib/btree_gist";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { Kysely, sql } from "kysely";
import { PGliteDialect } from "kysely-pglite-dialect";
import type { DB } from "./database.js";
import type { DatabaseHandle, DbConfig } from "./db-config.js";
import { makeOwnerOnly, ownerOnlyUmask } from "./private-dir.js";

/**
 * PostgreSQL in WASM. One connection only: the dialect queues Kysely's connection requests, so a
 * transaction holds the engine until it ends (correct, and plenty for one clinic on one machine).
 */
export async function openPglite(config: Extract<DbConfig, { kind: "pglite" }>): Promise<DatabaseHandle> {
  if (config.dataDir) {
    ownerOnlyUmask();
    makeOwnerOnly(config.dataDir);
  }
  // pg_trgm: the search index (migration 0009).
  const options = { extensions: { btree_gist, pg_trgm } };
  // PGlite.create(undefined, options) drops the options, so in-memory databases would lack btree_gist.
  const pglite = await (config.dataDir ? PGlite.create(config.dataDir, options) : PGlite.create(options));
  // Files PGlite wrote before (an older install, or another umask) are tightened too.
  if (config.dataDir) makeOwnerOnly(config.dataDir);
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
  return {
    kind: "pglite",
    db,
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: async () => {
      await db.destroy();
      if (!pglite.closed) await pglite.close();
    },
  };
}
