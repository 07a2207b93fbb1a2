import type { Context } from "hono";
import type { Clock } from "../scheduling/availability.js";
import type { AppEnv } from "./context.js";

/** The scheduling clock of a request: the app's injected `now` and the configured notice. */
export function clockOf(c: Context<AppEnv>): Clock {
  const { now, config } = c.get("deps");
  return { now: now(), minNoticeMinutes: config.minNoticeMinutes };
}
