import type { Context } from "hono";
import type { NotifyContext } from "../notifications/outbox.js";
import type { AppEnv } from "./context.js";

/**
 * What a request's messages need: the app's clock, the public origin for links
 * (`HEALTHFLOW_PUBLIC_URL`, else the request's own origin), the room-link key, sender, reminders.
 */
export function notifyContextOf(c: Context<AppEnv>): NotifyContext {
  const { config, now } = c.get("deps");
  return {
    now: now(),
    publicOrigin: config.publicUrl ?? new URL(c.req.url).origin,
    roomSecret: config.secret,
    mailFrom: config.mail.from,
    reminderOffsetsMinutes: config.reminderOffsetsMinutes,
  };
}
