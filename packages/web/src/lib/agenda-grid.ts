/**
 * The agenda grid's arithmetic, kept apart from the components so it can be unit-tested: where an
 * interval falls in a day column (minutes of the viewer's wall clock, so 09:00 is on the 09:00 row
 * even on a day the clocks changed), side-by-side columns for overlapping items, a doctor's
 * working hours (weekly rules in the doctor's zone) as instants, and the hours the axis shows.
 */
import { type LocalDate, localToUtc, toLocal, weekdayOf } from "@healthflow/core/schemas";

export type { LocalDate };

const DAY_MINUTES = 24 * 60;

/** `{year, month, day}` of a Date read in the runtime's zone (how the agenda's days are chosen). */
export function localDateOf(d: Date): LocalDate {
  return { year: d.getFullYear(), month: d.getMonth() + 1, day: d.getDate() };
}

export function nextDate(date: LocalDate, days = 1): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** The first instant of a calendar day in a zone (a day whose midnight is skipped starts at 01:00). */
function startOf(date: LocalDate, zone: string): number {
  for (let minute = 0; minute < 240; minute += 15) {
    const at = localToUtc(date, minute, zone);
    if (at !== null) return at;
  }
  return Date.UTC(date.year, date.month - 1, date.day);
}

/** `[start, end)` instants of a calendar day in a zone: 23, 24 or 25 hours long. */
export function dayBounds(date: LocalDate, zone: string): { start: number; end: number } {
  return { start: startOf(date, zone), end: startOf(nextDate(date), zone) };
}

/** Where an interval sits in a day column: minutes of the wall clock from midnight (0–1440). */
export interface Placed {
  top: number;
  bottom: number;
}

/**
 * The part of `[startMs, endMs)` inside `date` (in `zone`), by wall-clock minutes; null when it
 * does not touch the day. Clipped at midnight on either side. On a fall-back day the repeated hour
 * is drawn once, so an item inside it keeps at least its own length.
 */
export function placeInDay(startMs: number, endMs: number, date: LocalDate, zone: string): Placed | null {
  const day = dayBounds(date, zone);
  const s = Math.max(startMs, day.start);
  const e = Math.min(endMs, day.end);
  if (e <= s) return null;
  const top = s <= day.start ? 0 : toLocal(s, zone).minuteOfDay;
  let bottom = e >= day.end ? DAY_MINUTES : toLocal(e, zone).minuteOfDay;
  if (bottom <= top) bottom = Math.min(DAY_MINUTES, top + Math.max(1, Math.round((e - s) / 60_000)));
  return { top, bottom };
}

/** A weekly availability rule as the API sends it: weekday 0 = Sunday, "HH:MM" in the doctor's zone. */
export interface WeeklyRule {
  weekday: number;
  start: string;
  end: string;
}

const minutesOf = (hhmm: string) => {
  const [h, m] = hhmm.split(":").map(Number) as [number, number];
  return h * 60 + m;
};

/** A local time that the clocks skip (spring forward) begins when the clocks resume. */
function instantOf(date: LocalDate, minute: number, zone: string): number {
  for (let m = minute; m < minute + 240; m += 15) {
    const at = localToUtc(date, m, zone);
    if (at !== null) return at;
  }
  return Date.UTC(date.year, date.month - 1, date.day) + minute * 60_000;
}

/**
 * A doctor's working hours between two instants, as merged `[start, end)` instants: each weekly
 * rule applied to every calendar day of the doctor's zone that touches the range, each day's
 * offset looked up on its own (DST-correct).
 */
export function workingIntervals(
  rules: WeeklyRule[],
  doctorZone: string,
  fromMs: number,
  toMs: number,
): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  const first = toLocal(fromMs, doctorZone);
  const last = toLocal(toMs, doctorZone);
  let date: LocalDate = nextDate({ year: first.year, month: first.month, day: first.day }, -1);
  const stop = nextDate({ year: last.year, month: last.month, day: last.day }, 1);
  for (let guard = 0; guard < 400; guard++) {
    const weekday = weekdayOf(date);
    for (const r of rules) {
      if (r.weekday !== weekday) continue;
      const start = Math.max(fromMs, instantOf(date, minutesOf(r.start), doctorZone));
      const end = Math.min(toMs, instantOf(date, minutesOf(r.end), doctorZone));
      if (end > start) out.push({ start, end });
    }
    if (date.year === stop.year && date.month === stop.month && date.day === stop.day) break;
    date = nextDate(date);
  }
  out.sort((a, b) => a.start - b.start);
  const merged: { start: number; end: number }[] = [];
  for (const i of out) {
    const prev = merged[merged.length - 1];
    if (prev && i.start <= prev.end) prev.end = Math.max(prev.end, i.end);
    else merged.push({ ...i });
  }
  return merged;
}

/** An item's lane among the items it overlaps: `col` of `cols` side-by-side columns. */
export interface Lane {
  col: number;
  cols: number;
}

/**
 * Side-by-side lanes for overlapping items (placed by minutes): items that overlap, directly or
 * through a chain, share the width of their group; each takes the leftmost lane free at its start.
 * Returns lanes in the order of `items`.
 */
export function lanes(items: Placed[]): Lane[] {
  const order = items
    .map((_, i) => i)
    .sort((a, b) => items[a]!.top - items[b]!.top || items[b]!.bottom - items[a]!.bottom);
  const result: Lane[] = items.map(() => ({ col: 0, cols: 1 }));
  let group: number[] = [];
  let laneEnds: number[] = [];
  let groupEnd = -1;
  const close = () => {
    for (const i of group) result[i]!.cols = laneEnds.length;
    group = [];
    laneEnds = [];
  };
  for (const i of order) {
    const it = items[i]!;
    if (it.top >= groupEnd) close();
    let col = laneEnds.findIndex((end) => end <= it.top);
    if (col === -1) {
      col = laneEnds.length;
      laneEnds.push(it.bottom);
    } else laneEnds[col] = it.bottom;
    result[i]!.col = col;
    group.push(i);
    groupEnd = Math.max(groupEnd, it.bottom);
  }
  close();
  return result;
}

/**
 * The hours the time axis shows: whole hours around everything placed, or the fallback (08:00 to
 * 18:00) when there is nothing to show.
 */
export function axisRange(placed: Placed[], fallback: [number, number] = [8 * 60, 18 * 60]): [number, number] {
  if (placed.length === 0) return fallback;
  let top = DAY_MINUTES;
  let bottom = 0;
  for (const p of placed) {
    top = Math.min(top, p.top);
    bottom = Math.max(bottom, p.bottom);
  }
  return [Math.floor(top / 60) * 60, Math.min(DAY_MINUTES, Math.ceil(bottom / 60) * 60)];
}

/** Moving with the arrow keys: the item in the neighbouring column nearest in time to `top`. */
export function nearestIndex(tops: number[], top: number): number {
  let best = -1;
  let distance = Number.POSITIVE_INFINITY;
  tops.forEach((t, i) => {
    const d = Math.abs(t - top);
    if (d < distance) {
      best = i;
      distance = d;
    }
  });
  return best;
}
