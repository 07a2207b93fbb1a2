/**
 * One way to open the database, three engines behind it, chosen by configuration:
 *
 * - `postgres`: a bounded `pg` pool (EKS pods, a local server, CI).
 * - `data-api`: the RDS Data API over HTTPS (Lambda, no VPC connection pool to manage).
 * - `pglite`: PostgreSQL compiled to WASM, in-process, persisted in a folder (local first).
 *
 * Engine modules are imported lazily so that a Lambda bundle never loads PGlite and a pod never
 * loads the AWS SDK. Domain code only ever sees `Kysely<DB>`.
 */

import type { Env } from "../config/config.js";
import type { DatabaseHandle, DbConfig } from "./db-config.js";

export type { DatabaseHandle, DbConfig } from "./db-config.js";

export async function createDb(config: DbConfig): Promise<DatabaseHandle> {
  switch (config.kind) {
    case "postgres":
      return (await import("./postgres-dialect.js")).openPostgres(config);
    case "data-api":
      return (await import("./data-api/open-data-api.js")).openDataApi(config);
    case "pglite":
      return (await import("./pglite-dialect.js")).openPglite(config);
  }
}

/** Picks the engine from the (validated) environment, as documented in README.md. */
export function dbConfigFromEnv(
  env: Pick<
    Env,
    | "DATABASE_URL"
    | "DB_POOL_MAX"
    | "DB_STATEMENT_TIMEOUT_MS"
    | "DB_CLUSTER_ARN"
    | "DB_SECRET_ARN"
    | "DB_NAME"
    | "AWS_REGION"
  >,
  defaults: { dataDir: string },
): DbConfig {
  if (env.DATABASE_URL) {
    return {
      kind: "postgres",
      url: env.DATABASE_URL,
      poolMax: env.DB_POOL_MAX,
      statementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS,
    };
  }
  if (env.DB_CLUSTER_ARN && env.DB_SECRET_ARN) {
    return {
      kind: "data-api",
      clusterArn: env.DB_CLUSTER_ARN,
      secretArn: env.DB_SECRET_ARN,
      database: env.DB_NAME,
      region: env.AWS_REGION,
    };
  }
  return { kind: "pglite", dataDir: defaults.dataDir };
}
