import { Kysely, sql } from "kysely";
import type { DB } from "../database.js";
import type { DatabaseHandle, DbConfig } from "../db-config.js";
import { DataApiDialect } from "./data-api-dialect.js";
import type { DataApiClient } from "./data-api-dialect-config.js";

/** The Lambda engine: no connections to pool, each statement is an HTTPS call. */
export async function openDataApi(config: Extract<DbConfig, { kind: "data-api" }>): Promise<DatabaseHandle> {
  // Loaded lazily: only the Lambda path needs the AWS SDK.
  const client =
    (config.client as DataApiClient | undefined) ??
    new (await import("@aws-sdk/client-rds-data")).RDSData({ region: config.region });
  const db = new Kysely<DB>({
    dialect: new DataApiDialect({
      client,
      database: config.database,
      secretArn: config.secretArn,
      resourceArn: config.clusterArn,
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
