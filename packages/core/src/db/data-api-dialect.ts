import { RDSData } from "@aws-sdk/client-rds-data";
import { Kysely, sql } from "kysely";
import { DataApiDialect } from "kysely-data-api";
import type { DatabaseHandle, DbConfig } from "./create-db.js";
import type { DB } from "./database.js";

/** Aurora through the RDS Data API: no connections to pool, each statement is an HTTPS call. */
export function openDataApi(config: Extract<DbConfig, { kind: "data-api" }>): DatabaseHandle {
  const client = (config.client as RDSData | undefined) ?? new RDSData({ region: config.region });
  const db = new Kysely<DB>({
    dialect: new DataApiDialect({
      mode: "postgres",
      driver: {
        client,
        database: config.database,
        secretArn: config.secretArn,
        resourceArn: config.clusterArn,
      },
    }),
  });
  return {
    kind: "data-api",
    db,
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
