/**
 * What every request handler can reach: the dependencies the app was built with, the request's
 * logger, and the signed-in user once resolved. Nothing here knows which runtime serves the app.
 */
import type { Context } from "hono";
import type { Kysely } from "kysely";
import type { AppConfig } from "../config/config.js";
import type { DB } from "../db/database.js";
import type { Logger } from "../log/logger.js";
import type { RequestBudget, SignInLimiters } from "../security/rate-limiter.js";
import type { User } from "../users/user.schema.js";

export interface Readiness {
  /** True once start-up finished (database reachable, migrations applied). */
  started(): boolean;
  /** A live check for /readyz: database answers and no migration is pending. */
  check(): Promise<{ database: boolean; migrations: boolean }>;
}

export interface AppDeps {
  db: Kysely<DB>;
  config: AppConfig;
  logger: Logger;
  readiness: Readiness;
  /** The clock, injectable so tests can stand at any moment (room windows, no-shows). */
  now: () => Date;
  /** The caller's address as the runtime saw it (Node socket, API Gateway sourceIp); see client-ip.ts. */
  clientIp?: (c: Context) => string | undefined;
  /** Sign-in rate limiters; createApp builds in-memory ones when absent (a shared store can replace them). */
  signInLimiters?: SignInLimiters;
  /** The general request budget; createApp builds database-backed buckets when absent. */
  requestBudget?: RequestBudget;
}

export interface Session {
  user: User;
  sessionId: string;
  via: "cookie" | "bearer";
}

export type AppEnv = {
  Variables: {
    deps: AppDeps;
    log: Logger;
    requestId: string;
    session: Session | null | undefined;
  };
};
