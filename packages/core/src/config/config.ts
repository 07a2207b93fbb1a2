/**
 * Settings, read once at boot from the environment and validated (an edge, so zod). Every variable
 * here is listed in README.md; a wrong value stops start-up with a message naming it.
 */
import { join, resolve } from "node:path";
import { z } from "zod";

const bool = z
  .enum(["1", "0", "true", "false", "yes", "no"])
  .transform((v) => v === "1" || v === "true" || v === "yes");
const positiveInt = z.coerce.number().int().positive();
/** An http(s) origin. Other schemes serialise to the origin "null", which must never be trusted. */
const isHttpUrl = (s: string) => URL.canParse(s) && ["http:", "https:"].includes(new URL(s).protocol);
const origin = z
  .string()
  .refine(isHttpUrl, "must be an http(s) URL")
  .transform((u) => new URL(u).origin);

/** "1440,60": minutes before a consultation's start, each a reminder; empty for none. */
const reminderOffsets = z
  .string()
  .regex(/^\s*(\d+\s*(,\s*\d+\s*)*)?$/, "comma-separated whole minutes, e.g. 1440,60")
  .transform((v) =>
    [
      ...new Set(
        v
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)
          .map(Number),
      ),
    ].sort((a, b) => b - a),
  )
  .refine((list) => list.every((m) => m >= 5 && m <= 30 * 24 * 60), "each offset between 5 and 43200 minutes");
export const DEFAULT_MAIL_FROM = "HealthFlow <no-reply@healthflow.local>";

export const envSchema = z.object({
  PORT: positiveInt.max(65535).default(3000),
  HOST: z.string().min(1).default("127.0.0.1"),
  HEALTHFLOW_DATA_DIR: z.string().min(1).default("./.healthflow"),
  HEALTHFLOW_DEMO: bool.optional(),
  HEALTHFLOW_ADMIN_EMAIL: z.string().email().optional(),
  HEALTHFLOW_ADMIN_PASSWORD: z.string().min(8, "HEALTHFLOW_ADMIN_PASSWORD needs at least 8 characters").optional(),
  HEALTHFLOW_PUBLIC_URL: origin.optional(),
  HEALTHFLOW_CORS_ORIGINS: z
    .string()
    .optional()
    .transform((v, ctx) =>
      (v ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
        .map((s) => {
          // A bad entry must become an issue naming the variable, not a bare "Invalid URL" TypeError.
          if (!isHttpUrl(s)) ctx.addIssue({ code: "custom", message: `not an http(s) URL: ${s}` });
          return isHttpUrl(s) ? new URL(s).origin : s;
        }),
    ),
  HEALTHFLOW_SESSION_IDLE_MINUTES: positiveInt.default(12 * 60),
  HEALTHFLOW_SESSION_MAX_HOURS: positiveInt.default(7 * 24),
  HEALTHFLOW_MIN_NOTICE_MINUTES: z.coerce.number().int().min(0).default(60),
  HEALTHFLOW_SECRET: z.string().min(32, "HEALTHFLOW_SECRET needs at least 32 characters").optional(),
  HEALTHFLOW_WEB_DIR: z.string().optional(),
  JITSI_DOMAIN: z.string().min(1).default("meet.jit.si"),
  JITSI_APP_ID: z.string().min(1).optional(),
  JITSI_APP_SECRET: z.string().min(16).optional(),
  JITSI_AUDIENCE: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  LOG_FORMAT: z.enum(["json", "pretty"]).optional(),
  DB_CONNECT_TIMEOUT_SECONDS: positiveInt.default(300),
  // The database engine (create-db.ts picks one from these).
  DATABASE_URL: z
    .string()
    .refine(
      (s) => URL.canParse(s) && ["postgres:", "postgresql:"].includes(new URL(s).protocol),
      "must be a postgres:// or postgresql:// URL",
    )
    .optional(),
  DB_POOL_MAX: positiveInt.max(1000).default(10),
  DB_STATEMENT_TIMEOUT_MS: positiveInt.default(10_000),
  DB_CLUSTER_ARN: z.string().startsWith("arn:", "must be an ARN").optional(),
  DB_SECRET_ARN: z.string().startsWith("arn:", "must be an ARN").optional(),
  DB_NAME: z.string().min(1).default("healthflow"),
  AWS_REGION: z.string().min(1).optional(),
  SHUTDOWN_GRACE_MS: positiveInt.default(20_000),
  // Protections (docs/security.md).
  HEALTHFLOW_TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  HEALTHFLOW_AUTH_WINDOW_SECONDS: positiveInt.default(900),
  HEALTHFLOW_AUTH_MAX_PER_IP: positiveInt.default(30),
  HEALTHFLOW_AUTH_MAX_PER_ACCOUNT: positiveInt.default(10),
  HEALTHFLOW_MAX_BODY_BYTES: positiveInt.max(10 * 1024 * 1024).default(64 * 1024),
  HEALTHFLOW_REQUEST_TIMEOUT_MS: positiveInt.default(15_000),
  HEALTHFLOW_REQUEST_BUDGET_PER_MINUTE: positiveInt.default(600),
  // Fair booking (issue #11): what a patient may book by themselves.
  HEALTHFLOW_BOOKING_HORIZON_DAYS: positiveInt.max(3650).default(90),
  HEALTHFLOW_MAX_ACTIVE_BOOKINGS: positiveInt.max(1000).default(4),
  HEALTHFLOW_MAX_ACTIVE_BOOKINGS_PER_DOCTOR: positiveInt.max(1000).default(2),
  HEALTHFLOW_TELEMEDICINE_CONSENT_FILE: z.string().optional(),
  // In person or video (issue #13): where in-person consultations take place.
  HEALTHFLOW_CLINIC_ADDRESS: z.string().trim().min(5).max(300).optional(),
  HEALTHFLOW_AGENDA_STREAM_SECONDS: z.coerce.number().int().min(0).max(3600).default(300),
  // Mail (issue "Patients hear from the clinic"; README "Mail and reminders").
  SMTP_URL: z
    .string()
    .refine((s) => /^smtps?:\/\/[^/\s]+/.test(s), "must be smtp://[user:pass@]host[:port] or smtps://...")
    .optional(),
  HEALTHFLOW_MAIL_FROM: z.string().min(3).max(320).default(DEFAULT_MAIL_FROM),
  /** Where mail goes; without it: SMTP when SMTP_URL is set, else the local mailbox in the data folder. */
  HEALTHFLOW_MAIL_CHANNEL: z.enum(["smtp", "ses", "mailbox"]).optional(),
  /** On by default: with nothing configured the local mailbox still delivers (to the dashboard). */
  HEALTHFLOW_REQUIRE_EMAIL_VERIFICATION: bool.default(true),
  HEALTHFLOW_REMINDER_OFFSETS_MINUTES: reminderOffsets.default([1440, 60]),
});

export type Env = z.infer<typeof envSchema>;

export interface AppConfig {
  /** Where the web app is served from; room links and the CSRF origin check use it. */
  publicUrl?: string;
  corsOrigins: string[];
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  minNoticeMinutes: number;
  /** HMAC key for room tokens (issue "Consult rooms"). */
  secret?: string;
  jitsi: { domain: string; appId?: string; appSecret?: string; audience?: string };
  /** How many reverse proxies in front may be trusted to append X-Forwarded-For (0: none). */
  trustProxyHops: number;
  /** Sign-in abuse limits on login and register: attempts per window, per client IP and per email. */
  authRateLimit: { windowSeconds: number; maxPerIp: number; maxPerAccount: number };
  maxBodyBytes: number;
  requestTimeoutMs: number;
  /** Requests per minute per session (twice that per IP for anonymous requests), across processes. */
  requestBudgetPerMinute: number;
  /** What a patient may book by themselves (staff are not limited); see scheduling/booking-limits.ts. */
  booking: { horizonDays: number; maxActive: number; maxActivePerDoctor: number };
  /** The clinic's telemedicine consent text (JSON file); the built-in text when absent. */
  telemedicineConsentFile?: string;
  /** The clinic's address: shown on in-person consultations and in their mail and invites. */
  clinicAddress?: string;
  /**
   * How long one `GET /api/agenda/events` stream stays open before the browser reconnects. 0: send
   * one snapshot and close (runtimes that buffer responses, such as Lambda behind API Gateway).
   */
  agendaStreamSeconds?: number;
  /** Outgoing mail: the channel, the sender, and where the local mailbox keeps its copies. */
  mail: MailConfig;
  /** Self-registered patients must confirm their email before booking (403 `email_unverified`). */
  requireEmailVerification: boolean;
  /** Reminders, in minutes before a consultation's start, largest first. */
  reminderOffsetsMinutes: number[];
}

export type MailChannelKind = "smtp" | "ses" | "mailbox";

export interface MailConfig {
  channel: MailChannelKind;
  /** The From header: `Name <address>` or an address. */
  from: string;
  smtpUrl?: string;
  /** The local mailbox's folder (`<data dir>/mailbox`). */
  mailboxDir?: string;
}

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid configuration:\n  ${issues.join("\n  ")}`);
    this.name = "ConfigError";
  }
}

export function parseEnv(env: Record<string, string | undefined>): Env {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  }
  if (parsed.data.HEALTHFLOW_MAIL_CHANNEL === "smtp" && !parsed.data.SMTP_URL) {
    throw new ConfigError(["SMTP_URL: required when HEALTHFLOW_MAIL_CHANNEL is smtp"]);
  }
  if (parsed.data.JITSI_APP_ID && !parsed.data.JITSI_APP_SECRET) {
    throw new ConfigError(["JITSI_APP_SECRET: required when JITSI_APP_ID is set"]);
  }
  if (Boolean(parsed.data.DB_CLUSTER_ARN) !== Boolean(parsed.data.DB_SECRET_ARN)) {
    throw new ConfigError(["DB_CLUSTER_ARN, DB_SECRET_ARN: the Data API needs both"]);
  }
  return parsed.data;
}

/**
 * A server that names its public origin (room links, the CSRF check) must be told it: without
 * HEALTHFLOW_PUBLIC_URL the only origin it could name is the request's Host, which the client
 * chooses. Fine on loopback (local use); refused on a non-loopback address (a pod) and on Lambda.
 */
export function assertPublicOriginKnown(env: Env, runtime: "node" | "lambda"): void {
  if (env.HEALTHFLOW_PUBLIC_URL) return;
  if (runtime === "lambda") {
    throw new ConfigError(["HEALTHFLOW_PUBLIC_URL: required on Lambda (room links name the public origin)"]);
  }
  if (!isLoopbackHost(env.HOST)) {
    throw new ConfigError([
      `HEALTHFLOW_PUBLIC_URL: required when listening on a non-loopback address (HOST=${env.HOST})`,
    ]);
  }
}

/** localhost, 127.0.0.0/8 or ::1 (with or without brackets or a port). */
export function isLoopbackHost(host: string): boolean {
  let h = host.trim().toLowerCase();
  if (h.startsWith("[")) h = h.slice(1, h.indexOf("]") > 0 ? h.indexOf("]") : undefined);
  else if (/^[^:]+:\d+$/.test(h)) h = h.slice(0, h.lastIndexOf(":"));
  return h === "localhost" || h.endsWith(".localhost") || /^127(\.\d{1,3}){3}$/.test(h) || h === "::1";
}

export function appConfigFromEnv(env: Env): AppConfig {
  return {
    publicUrl: env.HEALTHFLOW_PUBLIC_URL,
    corsOrigins: env.HEALTHFLOW_CORS_ORIGINS,
    sessionIdleMinutes: env.HEALTHFLOW_SESSION_IDLE_MINUTES,
    sessionMaxHours: env.HEALTHFLOW_SESSION_MAX_HOURS,
    minNoticeMinutes: env.HEALTHFLOW_MIN_NOTICE_MINUTES,
    secret: env.HEALTHFLOW_SECRET,
    jitsi: {
      domain: env.JITSI_DOMAIN,
      appId: env.JITSI_APP_ID,
      appSecret: env.JITSI_APP_SECRET,
      audience: env.JITSI_AUDIENCE,
    },
    trustProxyHops: env.HEALTHFLOW_TRUST_PROXY,
    authRateLimit: {
      windowSeconds: env.HEALTHFLOW_AUTH_WINDOW_SECONDS,
      maxPerIp: env.HEALTHFLOW_AUTH_MAX_PER_IP,
      maxPerAccount: env.HEALTHFLOW_AUTH_MAX_PER_ACCOUNT,
    },
    maxBodyBytes: env.HEALTHFLOW_MAX_BODY_BYTES,
    requestTimeoutMs: env.HEALTHFLOW_REQUEST_TIMEOUT_MS,
    requestBudgetPerMinute: env.HEALTHFLOW_REQUEST_BUDGET_PER_MINUTE,
    booking: {
      horizonDays: env.HEALTHFLOW_BOOKING_HORIZON_DAYS,
      maxActive: env.HEALTHFLOW_MAX_ACTIVE_BOOKINGS,
      maxActivePerDoctor: env.HEALTHFLOW_MAX_ACTIVE_BOOKINGS_PER_DOCTOR,
    },
    telemedicineConsentFile: env.HEALTHFLOW_TELEMEDICINE_CONSENT_FILE,
    clinicAddress: env.HEALTHFLOW_CLINIC_ADDRESS,
    agendaStreamSeconds: env.HEALTHFLOW_AGENDA_STREAM_SECONDS,
    mail: {
      channel: env.HEALTHFLOW_MAIL_CHANNEL ?? (env.SMTP_URL ? "smtp" : "mailbox"),
      from: env.HEALTHFLOW_MAIL_FROM,
      smtpUrl: env.SMTP_URL,
      mailboxDir: join(resolve(env.HEALTHFLOW_DATA_DIR), "mailbox"),
    },
    requireEmailVerification: env.HEALTHFLOW_REQUIRE_EMAIL_VERIFICATION,
    reminderOffsetsMinutes: env.HEALTHFLOW_REMINDER_OFFSETS_MINUTES,
  };
}

/**
 * The settings an empty environment gives, from the schema's own defaults (one source), for
 * tests and embedded use; every field can be overridden.
 */
export function defaultAppConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  return { ...appConfigFromEnv(parseEnv({})), ...overrides };
}
