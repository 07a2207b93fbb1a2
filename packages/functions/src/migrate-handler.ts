/**
 * The deploy-time migration (SST `Script`, Database stack): opens Aurora through the Data API,
 * applies pending migrations, creates the first admin from the stage's secrets when there is none.
 * Any failure is thrown: the Script's custom resource then fails and so does `sst deploy`, instead
 * of a deploy that "succeeds" onto an unmigrated database.
 */
import { createLogger, openPlatform } from "@healthflow/core";
import { withSstConfig } from "./sst-config.js";

export async function handler(): Promise<{ applied: string[]; adminCreated: boolean }> {
  const logger = createLogger({ level: "info" });
  const env = await withSstConfig(process.env);
  if (!env.DB_CLUSTER_ARN || !env.DB_SECRET_ARN) {
    throw new Error("migrate: DB_CLUSTER_ARN and DB_SECRET_ARN must be set");
  }
  // A fresh cluster may still be resuming/starting: openPlatform waits (DB_CONNECT_TIMEOUT_SECONDS).
  const platform = await openPlatform({
    env: { DB_CONNECT_TIMEOUT_SECONDS: "480", ...env },
    logger,
    migrate: true,
    bootstrap: true,
  });
  try {
    const report = await platform.ready;
    logger.info(report.appliedMigrations.length ? "migrations applied" : "database already current", {
      applied: report.appliedMigrations,
    });
    return { applied: report.appliedMigrations, adminCreated: report.admin.created };
  } finally {
    await platform.close();
  }
}
