/**
 * Sign-in abuse: login and register are limited per client IP and per account (the email), so
 * neither one address guessing many passwords nor many addresses guessing one account get far.
 * The per-account count is kept for unknown emails exactly as for known ones (the answer must not
 * reveal who has an account), and a successful sign-in clears it.
 */
import type { Context } from "hono";
import type { Kysely } from "kysely";
import type { AppConfig } from "../config/config.js";
import type { DB } from "../db/database.js";
import { RateLimited } from "../errors.js";
import { DbRateLimiter } from "../security/db-rate-limiter.js";
import { MemoryRateLimiter, type SignInLimiters } from "../security/rate-limiter.js";
import { clientIp } from "./client-ip.js";
import type { AppEnv } from "./context.js";

/**
 * The limiters that ship: kept in the database, so every process on it shares one count (three
 * pods or a hundred Lambda containers enforce one limit, not one each).
 */
export function dbSignInLimiters(db: Kysely<DB>, config: AppConfig, now: () => Date): SignInLimiters {
  const { windowSeconds, maxPerIp, maxPerAccount } = config.authRateLimit;
  const clock = () => now().getTime();
  const windowMs = windowSeconds * 1000;
  return {
    ip: new DbRateLimiter({ db, prefix: "signin-ip", max: maxPerIp, windowMs, now: clock }),
    account: new DbRateLimiter({ db, prefix: "signin-account", max: maxPerAccount, windowMs, now: clock }),
  };
}

/** In-memory limiters, per process: for a single process without a database (tools, unit tests). */
export function memorySignInLimiters(config: AppConfig, now: () => Date): SignInLimiters {
  const { windowSeconds, maxPerIp, maxPerAccount } = config.authRateLimit;
  const clock = () => now().getTime();
  // Two maps, so a spray of addresses cannot evict (and so reset) the count of an account.
  return {
    ip: new MemoryRateLimiter({ max: maxPerIp, windowMs: windowSeconds * 1000, now: clock }),
    account: new MemoryRateLimiter({ max: maxPerAccount, windowMs: windowSeconds * 1000, now: clock }),
  };
}

/** What is counted: sign-in, sign-up, recovery mails (resend, forgot password), current-password checks. */
type Action = "login" | "register" | "recovery" | "password";

function limiters(c: Context<AppEnv>): SignInLimiters {
  const found = c.get("deps").signInLimiters;
  if (!found) throw new Error("createApp sets signInLimiters");
  return found;
}

/** Counts one attempt; throws RateLimited (429 + Retry-After) when the IP or the account is over. */
export async function guardSignIn(c: Context<AppEnv>, action: Action, email: string): Promise<void> {
  const { ip: byIp, account: byAccount } = limiters(c);
  const ip = clientIp(c);
  // Without an address (an adapter that does not pass one) only the per-account limit applies:
  // one shared "unknown" bucket would let a single client lock everybody out.
  if (ip) {
    const decision = await byIp.consume(`${action}:${ip}`);
    if (!decision.allowed) refuse(c, action, "ip", decision.retryAfterSeconds);
  }
  const decision = await byAccount.consume(`${action}:${email.toLowerCase()}`);
  if (!decision.allowed) refuse(c, action, "account", decision.retryAfterSeconds);
}

/** A successful sign-in: the account's failed attempts no longer count against its owner. */
export async function signInSucceeded(c: Context<AppEnv>, action: Action, email: string): Promise<void> {
  await limiters(c).account.reset(`${action}:${email.toLowerCase()}`);
}

function refuse(c: Context<AppEnv>, action: Action, scope: "ip" | "account", retryAfterSeconds: number): never {
  c.get("log").warn("sign-in rate limited", { action, scope, retryAfterSeconds });
  throw new RateLimited("rate_limited", "Too many attempts. Wait a moment and try again.", retryAfterSeconds);
}
