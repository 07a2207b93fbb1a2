/**
 * Dates and times as the viewer sees them. The server speaks UTC ISO strings; everything shown is
 * formatted with `Intl` in the viewer's time zone (the browser's), and the zone is always named on
 * screen. Functions take the zone as an argument so tests can pin it.
 */

export function viewerZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function fmt(locale: string, zone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${zone}|${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { ...options, timeZone: zone });
    formatters.set(key, f);
  }
  return f;
}

const asDate = (d: Date | string) => (typeof d === "string" ? new Date(d) : d);

/** "GMT-03:00" style offset of `zone` at `at` ("GMT" for UTC). */
export function zoneOffset(zone: string, at: Date = new Date()): string {
  const part = fmt("en-US", zone, { timeZoneName: "longOffset" })
    .formatToParts(at)
    .find((p) => p.type === "timeZoneName");
  // Engines differ on zero offsets ("GMT" in Chromium, "GMT+00:00" in Node's ICU): say "GMT".
  const value = part?.value ?? "GMT";
  return value === "GMT+00:00" || value === "GMT-00:00" ? "GMT" : value;
}

/** What the screen says about the zone: "America/Sao Paulo (GMT-03:00)". */
export function zoneLabel(zone: string, at: Date = new Date()): string {
  return `${zone.replace(/_/g, " ")} (${zoneOffset(zone, at)})`;
}

/** Calendar day of an instant in a zone, as "YYYY-MM-DD" (sortable, a map key). */
export function dayKey(d: Date | string, zone: string): string {
  const parts = fmt("en-CA", zone, { year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(asDate(d));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")}`;
}

export function formatTime(d: Date | string, locale: string, zone: string): string {
  return fmt(locale, zone, { timeStyle: "short" }).format(asDate(d));
}

/** "seg., 30 de nov." / "Mon, Nov 30". */
export function formatDay(d: Date | string, locale: string, zone: string): string {
  return fmt(locale, zone, { weekday: "short", day: "numeric", month: "short" }).format(asDate(d));
}

/** "segunda-feira, 30 de novembro de 2026". */
export function formatDayLong(d: Date | string, locale: string, zone: string): string {
  return fmt(locale, zone, { weekday: "long", day: "numeric", month: "long", year: "numeric" }).format(asDate(d));
}

export function formatDateTime(d: Date | string, locale: string, zone: string): string {
  return fmt(locale, zone, { dateStyle: "medium", timeStyle: "short" }).format(asDate(d));
}

export interface SlotDay<T> {
  /** "YYYY-MM-DD" in the viewer's zone. */
  key: string;
  /** Human label of the day in the viewer's locale. */
  label: string;
  slots: T[];
}

/**
 * Groups slots by the calendar day on which they start in `zone`, days and slots in time order.
 * A slot at 01:30Z belongs to the previous day in São Paulo: grouping by the UTC date would put
 * it on the wrong day.
 */
export function groupSlotsByDay<T extends { startsAt: string }>(
  slots: T[],
  zone: string,
  locale: string,
): SlotDay<T>[] {
  const sorted = [...slots].sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
  const days: SlotDay<T>[] = [];
  for (const slot of sorted) {
    const key = dayKey(slot.startsAt, zone);
    let day = days[days.length - 1];
    if (!day || day.key !== key) {
      day = { key, label: formatDay(slot.startsAt, locale, zone), slots: [] };
      days.push(day);
    }
    day.slots.push(slot);
  }
  return days;
}

/** Midnight of the viewer's (the runtime's local) day containing `d`. */
export function startOfDay(d: Date): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate());
}

/** Adds calendar days in local time (a DST change keeps midnight at midnight). */
export function addDays(d: Date, days: number): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + days, d.getHours(), d.getMinutes());
}

/** Value for `<input type="datetime-local">` from a Date, in local time. */
export function toLocalInput(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** ISO UTC from an `<input type="datetime-local">` value read as local time; null when empty/invalid. */
export function fromLocalInput(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** "1:02:03" or "02:03" for a countdown; never negative. */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const p = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${p(m)}:${p(s)}` : `${p(m)}:${p(s)}`;
}

/**
 * How long until something, as a person says it: "1 dia e 17 h" / "1 day and 17 h" beyond a day,
 * "5 h e 12 min" / "5 h 12 min" beyond an hour, and a running clock ("12:34") only in the last hour.
 */
export function formatWait(ms: number, lang: string): string {
  if (ms <= 3_600_000) return formatCountdown(ms);
  const pt = lang.startsWith("pt");
  const days = Math.floor(ms / 86_400_000);
  const hours = Math.floor((ms % 86_400_000) / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  if (days > 0) {
    const d = pt ? `${days} ${days === 1 ? "dia" : "dias"}` : `${days} ${days === 1 ? "day" : "days"}`;
    return hours === 0 ? d : `${d} ${pt ? "e" : "and"} ${hours} h`;
  }
  return minutes === 0 ? `${hours} h` : `${hours} h ${pt ? "e " : ""}${minutes} min`;
}
