/**
 * What opening a database takes and gives, shared by `createDb` and the engine modules it loads
 * (a module of its own, so the engines do not import the module that imports them).
 */
import type { Kysely } from "kysely";
import type { DB } from "./database.js";

export type DbConfig =
  | {
      kind: "postgres";
      url: string;
      poolMax?: number;
      statementTimeoutMs?: number;
      connectTimeoutMs?: number;
    }
  | {
      kind: "data-api";
      clusterArn: string;
      secretArn: string;
      database: string;
      region?: string;
      /** Tests inject a stand-in for `RDSDataClient` here. */
      client?: unknown;
    }
  | {
      kind: "pglite";
      /** A folder to persist in, or `undefined` for a throw-away in-memory database. */
      dataDir?: string;
    };

export interface DatabaseHandle {
  kind: DbConfig["kind"];
  db: Kysely<DB>;
  /** Throws when the database cannot answer a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
