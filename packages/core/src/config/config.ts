/**
 * Settings, read once at boot from the environment and validated (an edge, so zod). Every variable
 * here is listed in README.md; a wrong value stops start-up with a message naming it.
 */
import { z } from "zod";

const bool = z
  .enum(["1", "0", "true", "false", "yes", "no"])
  .transform((v) => v === "1" || v === "true" || v === "yes");
const positiveInt = z.coerce.number().int().positive();
const origin = z
  .string()
  .url()
  .transform((u) => new URL(u).origin);

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
    .transform((v) =>
      (v ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
        .map((s) => new URL(s).origin),
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
  if (parsed.data.JITSI_APP_ID && !parsed.data.JITSI_APP_SECRET) {
    throw new ConfigError(["JITSI_APP_SECRET: required when JITSI_APP_ID is set"]);
  }
  return parsed.data;
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
  };
}

/** Defaults for tests and embedded use; every field can be overridden. */
export function defaultAppConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  return {
    corsOrigins: [],
    sessionIdleMinutes: 12 * 60,
    sessionMaxHours: 7 * 24,
    minNoticeMinutes: 60,
    jitsi: { domain: "meet.jit.si" },
    ...overrides,
  };
}
