/**
 * The general request budget (HEALTHFLOW_REQUEST_BUDGET_PER_MINUTE): so that one client cannot
 * monopolise the expensive reads (a 62-day slots query of a 5-minute, 24/7 doctor is 17,856
 * slots), every `/api/*` request counts against its session's bucket (the budget per minute) or,
 * anonymous, against its IP's (twice the budget). Over it: 429 `rate_limited` with Retry-After.
 * The buckets live in the database like the sign-in limits, so the budget holds across processes;
 * each process takes them in leases of a twentieth of the budget (security/leased-rate-limiter.ts),
 * one upsert per lease rather than per request. A request with neither a session nor a known address (an
 * adapter that passes none) is not counted: one shared bucket would let one client stop everyone.
 */
import type { MiddlewareHandler } from "hono";
import type { Kysely } from "kysely";
import type { AppConfig } from "../config/config.js";
import type { DB } from "../db/database.js";
import { RateLimited } from "../errors.js";
import { DbRateLimiter } from "../security/db-rate-limiter.js";
import { LeasedRateLimiter } from "../security/leased-rate-limiter.js";
import type { RequestBudget } from "../security/rate-limiter.js";
import { currentSession } from "./auth.js";
import { clientIp } from "./client-ip.js";
import type { AppEnv } from "./context.js";

export function dbRequestBudget(db: Kysely<DB>, config: AppConfig, now: () => Date): RequestBudget {
  const perMinute = config.requestBudgetPerMinute;
  const clock = () => now().getTime();
  const leased = (prefix: string, max: number) =>
    new LeasedRateLimiter(new DbRateLimiter({ db, prefix, max, windowMs: 60_000, now: clock }), {
      // A twentieth of the budget: refilled in 3 s, so lapsed leases (10 s) never starve a client.
      lease: Math.max(1, Math.floor(max / 20)),
      ttlMs: 10_000,
      now: clock,
    });
  return { session: leased("budget-session", perMinute), anonymous: leased("budget-ip", 2 * perMinute) };
}

export function requestBudget(budget: RequestBudget): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const session = await currentSession(c);
    const ip = session ? undefined : clientIp(c);
    const decision = session
      ? await budget.session.consume(session.sessionId)
      : ip
        ? await budget.anonymous.consume(ip)
        : undefined;
    if (decision && !decision.allowed) {
      c.get("log").warn("request budget exhausted", {
        scope: session ? "session" : "ip",
        retryAfterSeconds: decision.retryAfterSeconds,
      });
      throw new RateLimited(
        "rate_limited",
        "Too many requests. Wait a moment and try again.",
        decision.retryAfterSeconds,
      );
    }
    await next();
  };
}
