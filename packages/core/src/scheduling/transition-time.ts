/**
 * When a status change may happen, by the clock: a consultation is started from the moment its room
 * opens (15 minutes before the start), completed only once started, marked a no-show only after
 * its start. Pure (no database, no Node API), so the web app offers exactly the buttons the API
 * will accept and explains a refusal with the same rule.
 */
import { Conflict } from "../errors.js";

/** The room, and so the consultation, opens this long before the start. */
export const STARTS_OPEN_BEFORE_MS = 15 * 60_000;

type Status = "scheduled" | "in_progress" | "completed" | "cancelled" | "no_show";

export interface TimedRefusal {
  code: "too_early" | "invalid_transition";
  message: string;
  details: Record<string, string>;
}

/**
 * Why `from → to` may not happen at `now` for a consultation starting at `startsAt`, or null when
 * the clock allows it. Role and state-machine checks are the caller's.
 *
 * @example transitionTimeRefusal("scheduled", "in_progress", start, start - 60 * 60_000)?.code === "too_early"
 */
export function transitionTimeRefusal(
  from: Status,
  to: Status,
  startsAt: Date | string | number,
  now: Date | number,
): TimedRefusal | null {
  const start = new Date(startsAt).getTime();
  const at = typeof now === "number" ? now : now.getTime();
  if (to === "in_progress" && from === "scheduled" && at < start - STARTS_OPEN_BEFORE_MS) {
    const opensAt = new Date(start - STARTS_OPEN_BEFORE_MS).toISOString();
    return {
      code: "too_early",
      message: `A consultation can be started from 15 minutes before its start (from ${opensAt}).`,
      details: { from, to, opensAt },
    };
  }
  if (to === "completed" && from === "scheduled") {
    return {
      code: "invalid_transition",
      message: "Start the consultation before completing it.",
      details: { from, to, needs: "in_progress" },
    };
  }
  if (to === "no_show" && from === "scheduled" && at < start) {
    return {
      code: "invalid_transition",
      message: "A no-show can only be recorded once the start time has passed.",
      details: { from, to, startsAt: new Date(start).toISOString() },
    };
  }
  return null;
}

/** Throws the refusal as a 409, for the API's transition path. */
export function assertTransitionTime(from: Status, to: Status, startsAt: Date | string, now: Date): void {
  const refusal = transitionTimeRefusal(from, to, startsAt, now);
  if (refusal) throw new Conflict(refusal.code, refusal.message, refusal.details);
}
