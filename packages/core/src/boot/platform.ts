/**
 * Start-up, shared by every entry point (local server, EKS pod, Lambda, migrate script): read the
 * settings, open the database, wait for it with backoff, migrate, create the first admin and the
 * demo clinic. Returns at once with the app's dependencies; `ready` settles when start-up is done,
 * so the server can listen (and answer /readyz 503) while the database is still coming up.
 */
import { resolve } from "node:path";
import { type AppConfig, appConfigFromEnv, assertPublicOriginKnown, type Env, parseEnv } from "../config/config.js";
import { createDb, type DatabaseHandle, type DbConfig, dbConfigFromEnv } from "../db/create-db.js";
import { migrateToLatest, pendingMigrations } from "../db/migrate.js";
import type { AppDeps, Readiness } from "../http/context.js";
import type { Logger } from "../log/logger.js";
import type { MailChannel } from "../notifications/channel.js";
import { type DispatcherLoop, startDispatcherLoop } from "../notifications/dispatcher.js";
import { createMailChannel } from "../notifications/mail-channel.js";
import { type BootstrapResult, bootstrapAdmin } from "../seed/bootstrap-admin.js";
import { DEMO_CLINIC_ADDRESS, type DemoLogin, readDemoLogins, saveDemoLogins } from "../seed/demo.js";
import { seedDemoClinic } from "../seed/demo-clinic.js";
import { countUsers } from "../users/user.js";
import { loadOrCreateSecret } from "./secret.js";
import { waitForDatabase } from "./wait-for-database.js";

export interface PlatformOptions {
  env: Record<string, string | undefined>;
  logger: Logger;
  /** Override the engine chosen from the environment (tests). */
  dbConfig?: DbConfig;
  /** Run migrations at start (default true; Lambda leaves them to the deploy Script). */
  migrate?: boolean;
  /** Create the first admin and the demo clinic when asked to (default true). */
  bootstrap?: boolean;
  now?: () => Date;
  /**
   * Deliver the outbox from this process once started (the Node server: local and pods). Lambda
   * leaves it to the scheduled dispatcher function.
   */
  dispatcher?: boolean | { intervalMs?: number };
  /** The HTTP runtime this platform serves, if any: it must know its public origin (config.ts). */
  serves?: "node" | "lambda";
}

export interface Platform {
  env: Env;
  config: AppConfig;
  dbConfig: DbConfig;
  database: DatabaseHandle;
  deps: AppDeps;
  /** Settles when start-up is complete; rejects when it cannot complete (bad migration, timeout). */
  ready: Promise<StartupReport>;
  /** The mail channel of the settings (created on first use). */
  mailChannel(): MailChannel;
  close(): Promise<void>;
}

export interface StartupReport {
  appliedMigrations: string[];
  admin: BootstrapResult;
  demoLogins: DemoLogin[];
}

export async function openPlatform(options: PlatformOptions): Promise<Platform> {
  const env = parseEnv(options.env);
  if (options.serves) assertPublicOriginKnown(env, options.serves);
  const logger = options.logger;
  const dataDir = resolve(env.HEALTHFLOW_DATA_DIR);
  const dbConfig = options.dbConfig ?? dbConfigFromEnv(env, { dataDir });
  const config = appConfigFromEnv(env);
  if (dbConfig.kind !== "data-api") config.secret = loadOrCreateSecret(env.HEALTHFLOW_SECRET, dataDir);
  // The demo clinic has an address of its own, so its in-person consultations say where they are.
  if ((env.HEALTHFLOW_DEMO ?? dbConfig.kind === "pglite") && !config.clinicAddress) {
    config.clinicAddress = DEMO_CLINIC_ADDRESS;
  }

  const database = await createDb(dbConfig);
  let started = false;
  let migrationsCurrent = false;
  const readiness: Readiness = {
    started: () => started,
    check: async () => {
      try {
        await database.ping();
      } catch {
        return { database: false, migrations: migrationsCurrent };
      }
      if (!migrationsCurrent) migrationsCurrent = (await pendingMigrations(database.db)).length === 0;
      return { database: true, migrations: migrationsCurrent };
    },
  };
  const deps: AppDeps = {
    db: database.db,
    config,
    logger,
    readiness,
    now: options.now ?? (() => new Date()),
  };

  // Closing the platform also stops a start-up still waiting for the database.
  const closing = new AbortController();
  let dispatcher: DispatcherLoop | undefined;
  let channel: MailChannel | undefined;
  const mailChannel = () => {
    channel ??= createMailChannel(config.mail);
    return channel;
  };
  const ready = (async (): Promise<StartupReport> => {
    await waitForDatabase(database.ping, logger, {
      timeoutMs: env.DB_CONNECT_TIMEOUT_SECONDS * 1000,
      signal: closing.signal,
    });
    const appliedMigrations = options.migrate === false ? [] : (await migrateToLatest(database.db)).applied;
    if (appliedMigrations.length) logger.info("migrations applied", { migrations: appliedMigrations });
    let admin: BootstrapResult = { created: false };
    let demoLogins: DemoLogin[] = [];
    if (options.bootstrap !== false) {
      const emptyAtStart = (await countUsers(database.db)) === 0;
      admin = await bootstrapAdmin(
        database.db,
        { email: env.HEALTHFLOW_ADMIN_EMAIL, password: env.HEALTHFLOW_ADMIN_PASSWORD },
        logger,
      );
      // Demo data by default only for a fresh embedded database: never into a real server unasked.
      const demo = env.HEALTHFLOW_DEMO ?? dbConfig.kind === "pglite";
      if (demo && emptyAtStart) {
        demoLogins = (
          await seedDemoClinic(database.db, { logger, now: deps.now(), minNoticeMinutes: config.minNoticeMinutes })
        ).logins;
        if (dbConfig.kind === "pglite") saveDemoLogins(dataDir, demoLogins);
      } else if (demo && dbConfig.kind === "pglite") {
        demoLogins = readDemoLogins(dataDir);
      }
    }
    migrationsCurrent = true;
    started = true;
    if (options.dispatcher && !closing.signal.aborted) {
      if (config.mail.channel === "mailbox" && dbConfig.kind !== "pglite") {
        logger.warn("mail goes to the local mailbox in the data folder: set SMTP_URL (or SES) to deliver it", {
          mailbox: config.mail.mailboxDir,
        });
      }
      dispatcher = startDispatcherLoop({
        db: database.db,
        channel: mailChannel(),
        mailFrom: config.mail.from,
        now: deps.now,
        logger: logger.child({ component: "outbox" }),
        intervalMs: typeof options.dispatcher === "object" ? options.dispatcher.intervalMs : undefined,
        // Beside the API in one process: small rounds, two sends at a time, a breath between full
        // rounds, so a burst of bookings (each with its mail) cannot grow this process's memory.
        batchSize: 10,
        concurrency: 2,
        busyPauseMs: 200,
      });
      logger.info("outbox dispatcher started", { channel: config.mail.channel });
    }
    return { appliedMigrations, admin, demoLogins };
  })();
  // Callers attach their own handler; this keeps an early failure from being "unhandled" meanwhile.
  ready.catch(() => {});

  return {
    env,
    config,
    dbConfig,
    database,
    deps,
    ready,
    mailChannel,
    close: async () => {
      closing.abort();
      // The round in flight finishes (its rows are marked) before the database closes.
      if (dispatcher) await dispatcher.stop().catch((err) => logger.error("stopping the dispatcher failed", { err }));
      else await channel?.close?.();
      return database.close();
    },
  };
}
