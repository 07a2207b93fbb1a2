/**
 * Free slots: the doctor's weekly rules expanded per local date in the doctor's zone, on the
 * rule's own wall-clock grid (so a 09:00 rule gives 09:00, 09:30... local on both sides of a DST
 * change), minus time off, minus active consultations, minus what is too soon to book. Pure: the
 * caller fetches the rows.
 */
import { addDays, compareDates, type LocalDate, localToUtc, toLocal, weekdayOf } from "./zoned-time.js";

export interface WeeklyRule {
  weekday: number; // 0 = Sunday
  startMinute: number; // local minute of day
  endMinute: number; // exclusive, up to 1440
}

export interface Interval {
  start: number; // epoch ms
  end: number;
}

export interface SlotQuery {
  zone: string;
  slotMinutes: number;
  rules: WeeklyRule[];
  from: number;
  to: number;
  /** Intervals that make a slot unavailable (time off, active consultations). */
  blocked?: Interval[];
  /** Slots must start at or after this instant (now + minimum notice). */
  notBefore?: number;
}

/**
 * Every grid slot of the rules whose start lies in [from, to), ignoring what is blocked. Used both
 * to list free slots and to check that a booking lies inside availability.
 */
export function gridSlots(query: Pick<SlotQuery, "zone" | "slotMinutes" | "rules" | "from" | "to">): Interval[] {
  const { zone, slotMinutes, rules, from, to } = query;
  if (to <= from || rules.length === 0) return [];
  const slotMs = slotMinutes * 60_000;
  // A local date's slots can fall up to ~a day either side of its UTC date, so widen the range.
  const first: LocalDate = toLocal(from - 86_400_000, zone);
  const last: LocalDate = toLocal(to + 86_400_000, zone);
  const byWeekday = new Map<number, WeeklyRule[]>();
  for (const r of rules) byWeekday.set(r.weekday, [...(byWeekday.get(r.weekday) ?? []), r]);

  const out: Interval[] = [];
  for (let date = first; compareDates(date, last) <= 0; date = addDays(date, 1)) {
    for (const rule of byWeekday.get(weekdayOf(date)) ?? []) {
      for (let m = rule.startMinute; m + slotMinutes <= rule.endMinute; m += slotMinutes) {
        const start = localToUtc(date, m, zone);
        if (start === null || start < from || start >= to) continue;
        out.push({ start, end: start + slotMs });
      }
    }
  }
  out.sort((a, b) => a.start - b.start);
  // The API refuses overlapping windows, but rows written otherwise must still not yield
  // overlapping slots: keep the earliest of any that collide.
  const kept: Interval[] = [];
  for (const s of out) if (kept.length === 0 || s.start >= kept[kept.length - 1]!.end) kept.push(s);
  return kept;
}

export function overlaps(a: Interval, b: Interval): boolean {
  return a.start < b.end && b.start < a.end;
}

/** Free slots: grid slots not blocked and not too soon. */
export function freeSlots(query: SlotQuery): Interval[] {
  const blocked = [...(query.blocked ?? [])].sort((a, b) => a.start - b.start);
  const notBefore = query.notBefore ?? Number.NEGATIVE_INFINITY;
  const result: Interval[] = [];
  let j = 0;
  for (const slot of gridSlots(query)) {
    if (slot.start < notBefore) continue;
    // Blocks ending before this slot starts can never matter again (slots are sorted by start).
    while (j < blocked.length && blocked[j]!.end <= slot.start) j++;
    let free = true;
    for (let k = j; k < blocked.length && blocked[k]!.start < slot.end; k++) {
      if (overlaps(slot, blocked[k]!)) {
        free = false;
        break;
      }
    }
    if (free) result.push(slot);
  }
  return result;
}

/**
 * Whether [start, start + duration) is made of consecutive grid slots: the booking starts on the
 * grid and every slot it covers exists (inside a window, not in a DST gap).
 */
export function coversGrid(
  query: Pick<SlotQuery, "zone" | "slotMinutes" | "rules">,
  start: number,
  durationMinutes: number,
): boolean {
  const slotMs = query.slotMinutes * 60_000;
  const count = durationMinutes / query.slotMinutes;
  if (!Number.isInteger(count) || count < 1) return false;
  const grid = gridSlots({ ...query, from: start, to: start + count * slotMs });
  for (let i = 0; i < count; i++) {
    if (grid[i]?.start !== start + i * slotMs) return false;
  }
  return true;
}
