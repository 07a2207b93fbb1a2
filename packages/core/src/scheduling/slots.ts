/**
 * Free slots: the doctor's weekly rules expanded per local date in the doctor's zone, on the
 * rule's own wall-clock grid (so a 09:00 rule gives 09:00, 09:30... local on both sides of a DST
 * change), minus time off, minus active consultations, minus what is too soon to book. Pure: the
 * caller fetches the rows.
 */
import { addDays, compareDates, type LocalDate, localToUtc, toLocal, weekdayOf } from "./zoned-time.js";

/** In person or video (issue #13). */
export type Mode = "video" | "in_person";
/** What a rule offers when it does not say (rules written before modes existed offer both). */
export const ALL_MODES: readonly Mode[] = ["video", "in_person"];

export interface WeeklyRule {
  weekday: number; // 0 = Sunday
  startMinute: number; // local minute of day
  endMinute: number; // exclusive, up to 1440
  /** The modes its slots offer; both when absent. */
  modes?: readonly Mode[];
}

export interface Interval {
  start: number; // epoch ms
  end: number;
}

/** A slot of the grid, with the modes of the rule it comes from. */
export interface GridSlot extends Interval {
  modes: readonly Mode[];
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
export function gridSlots(query: Pick<SlotQuery, "zone" | "slotMinutes" | "rules" | "from" | "to">): GridSlot[] {
  const { zone, slotMinutes, rules, from, to } = query;
  if (to <= from || rules.length === 0) return [];
  const slotMs = slotMinutes * 60_000;
  // A local date's slots can fall up to ~a day either side of its UTC date, so widen the range.
  const first: LocalDate = toLocal(from - 86_400_000, zone);
  const last: LocalDate = toLocal(to + 86_400_000, zone);
  const byWeekday = new Map<number, WeeklyRule[]>();
  for (const r of rules) byWeekday.set(r.weekday, [...(byWeekday.get(r.weekday) ?? []), r]);

  const out: GridSlot[] = [];
  for (let date = first; compareDates(date, last) <= 0; date = addDays(date, 1)) {
    for (const rule of byWeekday.get(weekdayOf(date)) ?? []) {
      for (let m = rule.startMinute; m + slotMinutes <= rule.endMinute; m += slotMinutes) {
        const start = localToUtc(date, m, zone);
        if (start === null || start < from || start >= to) continue;
        out.push({ start, end: start + slotMs, modes: rule.modes ?? ALL_MODES });
      }
    }
  }
  out.sort((a, b) => a.start - b.start);
  // The API refuses overlapping windows, but rows written otherwise must still not yield
  // overlapping slots: keep the earliest of any that collide.
  const kept: GridSlot[] = [];
  for (const s of out) if (kept.length === 0 || s.start >= kept[kept.length - 1]!.end) kept.push(s);
  return kept;
}

export function overlaps(a: Interval, b: Interval): boolean {
  return a.start < b.end && b.start < a.end;
}

/** Free slots: grid slots not blocked and not too soon (each with the modes its rule offers). */
export function freeSlots(query: SlotQuery): GridSlot[] {
  const blocked = [...(query.blocked ?? [])].sort((a, b) => a.start - b.start);
  const notBefore = query.notBefore ?? Number.NEGATIVE_INFINITY;
  const result: GridSlot[] = [];
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
  return coveredSlots(query, start, durationMinutes) !== null;
}

/** The grid slots [start, start + duration) is made of, in order; null when it is not made of them. */
export function coveredSlots(
  query: Pick<SlotQuery, "zone" | "slotMinutes" | "rules">,
  start: number,
  durationMinutes: number,
): GridSlot[] | null {
  const slotMs = query.slotMinutes * 60_000;
  const count = durationMinutes / query.slotMinutes;
  if (!Number.isInteger(count) || count < 1) return null;
  const grid = gridSlots({ ...query, from: start, to: start + count * slotMs });
  for (let i = 0; i < count; i++) {
    if (grid[i]?.start !== start + i * slotMs) return null;
  }
  return grid.slice(0, count);
}

/** The modes every one of `slots` offers (a booking across two rules gets what both offer). */
export function commonModes(slots: readonly GridSlot[]): Mode[] {
  return ALL_MODES.filter((m) => slots.every((s) => s.modes.includes(m)));
}
