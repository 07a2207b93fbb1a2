import type { Context } from "hono";
import { Forbidden } from "../errors.js";
import type { NotifyContext } from "../notifications/outbox.js";
import type { Actor } from "../users/user.js";
import type { AppEnv } from "./context.js";
import { publicOrigin } from "./public-origin.js";

/**
 * What a request's messages need: the app's clock, the public origin for links
 * (`HEALTHFLOW_PUBLIC_URL`, else a loopback request's own origin: public-origin.ts), the room-link
 * key, sender, reminders.
 */
export function notifyContextOf(c: Context<AppEnv>): NotifyContext {
  const { config, now } = c.get("deps");
  return {
    now: now(),
    publicOrigin: publicOrigin(c),
    roomSecret: config.secret,
    mailFrom: config.mail.from,
    reminderOffsetsMinutes: config.reminderOffsetsMinutes,
    clinicAddress: config.clinicAddress,
  };
}

/** A self-registered patient books once their email is confirmed (403 `email_unverified`). */
export function assertMayBook(c: Context<AppEnv>, actor: Actor & { emailVerified?: boolean }): void {
  if (actor.role === "patient" && actor.emailVerified === false && c.get("deps").config.requireEmailVerification) {
    throw new Forbidden("email_unverified", "Confirm your email before booking: follow the link we sent you.");
  }
}
