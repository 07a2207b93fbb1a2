/**
 * The scheduled outbox dispatcher on AWS (SST `Cron`, every minute; stacks/Api.ts): the same
 * dispatcher code the Node server runs in its background loop, draining whatever is due until
 * nothing is left or its time runs short. Overlapping invocations are safe: rows are claimed
 * atomically. Mail leaves through Amazon SES (`HEALTHFLOW_MAIL_CHANNEL=ses`).
 */
import { createLogger, drainOutbox, openPlatform, type Platform } from "@healthflow/core";
import { withSstConfig } from "./sst-config.js";

const logger = createLogger({ level: (process.env.LOG_LEVEL as "info") ?? "info" });
let platformPromise: Promise<Platform> | undefined;

async function open(): Promise<Platform> {
  const env = await withSstConfig(process.env);
  const platform = await openPlatform({ env, logger, migrate: false, bootstrap: false });
  await platform.ready;
  return platform;
}

/** Leaves this much of the invocation's time for the sends in flight (SMTP/SES timeouts are 30 s). */
const RESERVE_MS = 40_000;

export async function handler(
  _event?: unknown,
  context?: { getRemainingTimeInMillis?: () => number },
): Promise<{ claimed: number; sent: number; retried: number; failed: number; skipped: number; rounds: number }> {
  platformPromise ??= open().catch((err) => {
    platformPromise = undefined;
    throw err;
  });
  const platform = await platformPromise;
  const remaining = context?.getRemainingTimeInMillis?.() ?? 60_000;
  const report = await drainOutbox({
    db: platform.database.db,
    channel: platform.mailChannel(),
    mailFrom: platform.config.mail.from,
    logger: logger.child({ component: "outbox" }),
    deadline: Date.now() + Math.max(5_000, remaining - RESERVE_MS),
  });
  if (report.claimed > 0) logger.info("outbox dispatched", { ...report });
  return report;
}
