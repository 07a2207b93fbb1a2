/**
 * `@healthflow/core/db`: opening the database (three engines) and migrating it, for adapters,
 * scripts and the test kit. Engines stay lazily loaded: nothing here imports the AWS SDK or PGlite.
 */
export { createDb, type DatabaseHandle, type DbConfig, dbConfigFromEnv } from "./create-db.js";
export type { DataApiClient } from "./data-api/data-api-dialect-config.js";
export type { DB } from "./database.js";
export { MigrationFailed, migrateToLatest, pendingMigrations } from "./migrate.js";
