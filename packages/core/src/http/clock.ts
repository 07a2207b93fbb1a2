import type { Context } from "hono";
import type { Clock } from "../scheduling/availability.js";
import type { AppEnv } from "./context.js";

/** The scheduling clock of a request: the injected `now`, the configured notice and booking limits. */
export function clockOf(c: Context<AppEnv>): Clock {
  const { now, config } = c.get("deps");
  return { now: now(), minNoticeMinutes: config.minNoticeMinutes, booking: config.booking };
}
