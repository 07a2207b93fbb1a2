/**
 * Wall-clock time in IANA zones without a date library: Intl gives the offset at an instant, and
 * converting a local time back to UTC tries the offsets in force around it.
 *
 * The two DST rules HealthFlow follows (the ones Cal.com gets wrong):
 * - a local time that does not exist (the spring-forward gap) has no instant: `null`;
 * - a local time that happens twice (fall-back) resolves to its first occurrence.
 */

export interface LocalDate {
  year: number;
  month: number; // 1-12
  day: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(zone, f);
  }
  return f;
}

// Offsets are memoised per 15-minute bucket, which makes slot computation cheap. Most zones change
// offset on whole quarter hours, but not all (St. John's moved its clocks at 00:01 until 2011): a
// bucket that holds a transition is marked (NaN) and answered exactly, so the cache never
// approximates.
const BUCKET_MS = 15 * 60_000;
const offsetCache = new Map<string, Map<number, number>>();

function exactOffsetMinutes(at: number, zone: string): number {
  const parts = formatter(zone).formatToParts(new Date(at));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return Math.round((asUtc - (at - (at % 1000))) / 60_000);
}

/** The zone's UTC offset in minutes at an instant (Sao Paulo in 2026: -180). */
export function offsetMinutes(instantMs: number, zone: string): number {
  const bucket = Math.floor(instantMs / BUCKET_MS);
  let perZone = offsetCache.get(zone);
  if (!perZone) {
    perZone = new Map();
    offsetCache.set(zone, perZone);
  }
  let cached = perZone.get(bucket);
  if (cached === undefined) {
    const first = exactOffsetMinutes(bucket * BUCKET_MS, zone);
    const last = exactOffsetMinutes((bucket + 1) * BUCKET_MS - 1000, zone);
    cached = first === last ? first : Number.NaN;
    if (perZone.size > 50_000) perZone.clear();
    perZone.set(bucket, cached);
  }
  return Number.isNaN(cached) ? exactOffsetMinutes(instantMs, zone) : cached;
}

/** The local calendar date and minute of the day of an instant in a zone. */
export function toLocal(instantMs: number, zone: string): LocalDate & { minuteOfDay: number; weekday: number } {
  const shifted = new Date(instantMs + offsetMinutes(instantMs, zone) * 60_000);
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    minuteOfDay: shifted.getUTCHours() * 60 + shifted.getUTCMinutes(),
    weekday: shifted.getUTCDay(),
  };
}

/**
 * The instant of a local wall-clock time, or `null` when that time does not exist in the zone.
 * Ambiguous times give the earlier instant.
 */
export function localToUtc(date: LocalDate, minuteOfDay: number, zone: string): number | null {
  const naive = Date.UTC(date.year, date.month - 1, date.day) + minuteOfDay * 60_000;
  // The offsets in force a day either side cover any single transition near this time.
  const candidates = new Set([offsetMinutes(naive - 86_400_000, zone), offsetMinutes(naive + 86_400_000, zone)]);
  let best: number | null = null;
  for (const offset of candidates) {
    const instant = naive - offset * 60_000;
    if (offsetMinutes(instant, zone) === offset && (best === null || instant < best)) best = instant;
  }
  return best;
}

/** Day of the week (0 = Sunday) of a calendar date, independent of zone. */
export function weekdayOf(date: LocalDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

export function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

export function compareDates(a: LocalDate, b: LocalDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/** "09:30" → 570. */
export function parseHhmm(value: string): number {
  const [h, m] = value.split(":").map(Number) as [number, number];
  return h * 60 + m;
}

/** 570 → "09:30"; 1440 → "24:00". */
export function formatHhmm(minuteOfDay: number): string {
  const h = Math.floor(minuteOfDay / 60);
  const m = minuteOfDay % 60;
  return `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`;
}
