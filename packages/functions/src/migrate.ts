/**
 * `npm run migrate`: apply pending migrations to the configured database and exit. Non-zero exit,
 * with the failing migration named, when one fails. Safe to run from several places at once.
 */
import { createLogger, openPlatform } from "@healthflow/core";

const logger = createLogger({ pretty: Boolean(process.stdout.isTTY) });
try {
  const platform = await openPlatform({ env: process.env, logger, bootstrap: false });
  try {
    const report = await platform.ready;
    logger.info(report.appliedMigrations.length ? "migrations applied" : "database already current", {
      applied: report.appliedMigrations,
    });
  } finally {
    await platform.close();
  }
} catch (err) {
  logger.error(`migration failed: ${(err as Error).message}`);
  process.exitCode = 1;
}
