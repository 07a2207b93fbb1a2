/** Browser-side rules about consultations, kept out of the components so they can be unit-tested. */
import { STARTS_OPEN_BEFORE_MS, transitionTimeRefusal } from "@healthflow/core/schemas";
import type { Consultation, Slot } from "./contract";

/**
 * The status changes staff may make now, by the API's own clock rule: start from 15 minutes before
 * the start (when the room opens), complete once started, no-show once the start has passed.
 */
export function staffTransitions(c: Pick<Consultation, "status" | "startsAt">, now: number = Date.now()) {
  const allowed = (to: "in_progress" | "completed" | "no_show", from: Consultation["status"]) =>
    c.status === from && transitionTimeRefusal(c.status, to, c.startsAt, now) === null;
  return {
    start: allowed("in_progress", "scheduled"),
    complete: allowed("completed", "in_progress"),
    noShow: allowed("no_show", "scheduled"),
    /** When "start" becomes possible, for a scheduled consultation not yet startable. */
    startsFrom:
      c.status === "scheduled" && now < Date.parse(c.startsAt) - STARTS_OPEN_BEFORE_MS
        ? new Date(Date.parse(c.startsAt) - STARTS_OPEN_BEFORE_MS).toISOString()
        : undefined,
  };
}

/** Whether a room link can still be had (until 30 minutes after the end of an active consultation). */
export function roomLinkAvailable(c: Consultation, now: number = Date.now()): boolean {
  if (c.mode === "in_person") return false; // no room (issue #13)
  if (c.status !== "scheduled" && c.status !== "in_progress") return false;
  return now < Date.parse(c.endsAt) + 30 * 60_000;
}

/** The room can be opened from 15 minutes before the start until 30 minutes after the end. */
export function roomOpenable(c: Consultation, now: number = Date.now()): boolean {
  if (c.mode === "in_person") return false; // no room (issue #13)
  if (c.status !== "scheduled" && c.status !== "in_progress") return false;
  return now >= Date.parse(c.startsAt) - 15 * 60_000 && now <= Date.parse(c.endsAt) + 30 * 60_000;
}

/**
 * Whether the viewer may cancel: staff until the end, a patient only before the start (after it the
 * API answers 409 too_late, so the button is not offered).
 */
export function mayCancel(c: Consultation, role: string | undefined, now: number = Date.now()): boolean {
  if (c.status !== "scheduled" && c.status !== "in_progress") return false;
  if (role === "patient") return c.status === "scheduled" && now < Date.parse(c.startsAt);
  return Date.parse(c.endsAt) > now;
}

/** Upcoming: still going to happen and not over, soonest first; everything else is past, newest first. */
export function splitConsultations(list: Consultation[], now = Date.now()) {
  const upcoming: Consultation[] = [];
  const past: Consultation[] = [];
  for (const c of list) {
    const live = c.status === "scheduled" || c.status === "in_progress";
    (live && Date.parse(c.endsAt) > now ? upcoming : past).push(c);
  }
  upcoming.sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
  past.sort((a, b) => Date.parse(b.startsAt) - Date.parse(a.startsAt));
  return { upcoming, past };
}

/** The next free slots after the one that was just taken (what the conflict message offers). */
export function nextFree(slots: Slot[], taken: string, count = 3): Slot[] {
  const after = Date.parse(taken);
  return slots
    .filter((s) => Date.parse(s.startsAt) > after)
    .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt))
    .slice(0, count);
}

/** Weekday names in the viewer's language, index 0 = Sunday (the API's numbering). */
export function weekdayNames(lang: string): string[] {
  const sunday = Date.UTC(2026, 0, 4, 12);
  const f = new Intl.DateTimeFormat(lang, { weekday: "long", timeZone: "UTC" });
  return Array.from({ length: 7 }, (_, i) => f.format(new Date(sunday + i * 86_400_000)));
}

/** Availability rules in display order: Monday first, then by start time. */
export function sortRules<R extends { weekday: number; start: string }>(rules: R[]): R[] {
  return [...rules].sort((a, b) => ((a.weekday + 6) % 7) - ((b.weekday + 6) % 7) || a.start.localeCompare(b.start));
}
