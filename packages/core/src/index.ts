/** @healthflow/core: the domain as a library. Adapters import from here. */

// Domain verbs used by the video service, scripts and the test kit.
export { startSession } from "./auth/session.js";
export { openPlatform, type Platform, type PlatformOptions, type StartupReport } from "./boot/platform.js";
export { type AppConfig, ConfigError, defaultAppConfig, parseEnv } from "./config/config.js";
export { createDb, type DatabaseHandle, type DbConfig, dbConfigFromEnv } from "./db/create-db.js";
export { MigrationFailed, migrateToLatest, pendingMigrations } from "./db/migrate.js";
export * from "./errors.js";
export { createApp, type HealthFlowApp } from "./http/app.js";
export type { AppDeps, Readiness } from "./http/context.js";
export { securityHeaders } from "./http/security-headers.js";
export { createLogger, type Logger, silentLogger } from "./log/logger.js";
export type { MailChannel, OutgoingMail } from "./notifications/channel.js";
export {
  type DispatcherLoop,
  type DispatcherOptions,
  type DispatchReport,
  dispatchOnce,
  drainOutbox,
  startDispatcherLoop,
} from "./notifications/dispatcher.js";
export { createMailChannel } from "./notifications/mail-channel.js";
export { openRoom } from "./rooms/room.js";
export { replaceRules } from "./scheduling/availability.sql.js";
export { gridSlots, type Interval, type WeeklyRule } from "./scheduling/slots.js";
export type { RateLimiter } from "./security/rate-limiter.js";
// Telemedicine (issue 15): the room service gates and records the room through these.
export { type ConsentText, currentConsentText, DEFAULT_CONSENT_VERSION } from "./telemedicine/consent-text.js";
export { consentGate, roomOpened, roomStatus, roomStatusForLink } from "./telemedicine/telemedicine.js";
export { createUser } from "./users/user.js";
