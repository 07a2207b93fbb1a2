import { Temporal } from "@js-temporal/polyfill";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  commonModes,
  coveredSlots,
  coversGrid,
  freeSlots,
  gridSlots,
  type Interval,
  type WeeklyRule,
} from "./slots.js";
import { localToUtc, toLocal } from "./zoned-time.js";

const utc = (iso: string) => Date.parse(iso);
const allDay = (): WeeklyRule[] =>
  [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, startMinute: 0, endMinute: 1440 }));
const localTimes = (slots: { start: number }[], zone: string) =>
  slots.map((s) => {
    const l = toLocal(s.start, zone);
    return `${l.year}-${String(l.month).padStart(2, "0")}-${String(l.day).padStart(2, "0")} ${String(Math.floor(l.minuteOfDay / 60)).padStart(2, "0")}:${String(l.minuteOfDay % 60).padStart(2, "0")}`;
  });

describe("gridSlots across DST", () => {
  it("Sao Paulo, 2018-11-04 spring-forward: the missing hour has no slots, the rest keep their local times", () => {
    const zone = "America/Sao_Paulo";
    const rules: WeeklyRule[] = [{ weekday: 0, startMinute: 0, endMinute: 180 }]; // Sundays 00:00-03:00
    const slots = gridSlots({
      zone,
      slotMinutes: 30,
      rules,
      from: utc("2018-11-03T12:00:00Z"),
      to: utc("2018-11-05T12:00:00Z"),
    });
    expect(localTimes(slots, zone)).toEqual([
      "2018-11-04 01:00",
      "2018-11-04 01:30",
      "2018-11-04 02:00",
      "2018-11-04 02:30",
    ]);
    // 01:00 local is already summer time (UTC-2).
    expect(new Date(slots[0]!.start).toISOString()).toBe("2018-11-04T03:00:00.000Z");
  });

  it("Sao Paulo, the week before and after: every slot starts on its rule's local grid", () => {
    const zone = "America/Sao_Paulo";
    const rules: WeeklyRule[] = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, startMinute: 540, endMinute: 720 }));
    const slots = gridSlots({
      zone,
      slotMinutes: 30,
      rules,
      from: utc("2018-10-29T00:00:00Z"),
      to: utc("2018-11-10T00:00:00Z"),
    });
    expect(slots).toHaveLength(10 * 6);
    for (const s of slots) expect(toLocal(s.start, zone).minuteOfDay).toBeOneOf([540, 570, 600, 630, 660, 690]);
  });

  it("New York, 2026-03-08: 02:00 and 02:30 do not exist", () => {
    const zone = "America/New_York";
    const slots = gridSlots({
      zone,
      slotMinutes: 30,
      rules: allDay(),
      from: utc("2026-03-08T05:00:00Z"),
      to: utc("2026-03-08T09:00:00Z"),
    });
    expect(localTimes(slots, zone)).toEqual([
      "2026-03-08 00:00",
      "2026-03-08 00:30",
      "2026-03-08 01:00",
      "2026-03-08 01:30",
      "2026-03-08 03:00",
      "2026-03-08 03:30",
      "2026-03-08 04:00",
      "2026-03-08 04:30",
    ]);
  });

  it("New York, 2026-11-01: the repeated hour is offered once, at its first occurrence", () => {
    const zone = "America/New_York";
    const slots = gridSlots({
      zone,
      slotMinutes: 30,
      rules: allDay(),
      from: utc("2026-11-01T04:00:00Z"),
      to: utc("2026-11-01T08:00:00Z"),
    });
    expect(slots.map((s) => new Date(s.start).toISOString().slice(11, 16))).toEqual([
      "04:00",
      "04:30",
      "05:00",
      "05:30",
      "07:00",
      "07:30",
    ]);
    expect(localTimes(slots, zone)).toEqual([
      "2026-11-01 00:00",
      "2026-11-01 00:30",
      "2026-11-01 01:00",
      "2026-11-01 01:30",
      "2026-11-01 02:00",
      "2026-11-01 02:30",
    ]);
  });

  it("Lisbon, 2026-03-29 and 2026-10-25", () => {
    const zone = "Europe/Lisbon";
    const spring = gridSlots({
      zone,
      slotMinutes: 60,
      rules: allDay(),
      from: utc("2026-03-28T23:00:00Z"),
      to: utc("2026-03-29T04:00:00Z"),
    });
    expect(localTimes(spring, zone)).toEqual([
      "2026-03-28 23:00",
      "2026-03-29 00:00",
      "2026-03-29 02:00",
      "2026-03-29 03:00",
      "2026-03-29 04:00",
    ]);
    const autumn = gridSlots({
      zone,
      slotMinutes: 60,
      rules: allDay(),
      from: utc("2026-10-24T23:00:00Z"),
      to: utc("2026-10-25T04:00:00Z"),
    });
    expect(localTimes(autumn, zone)).toEqual([
      "2026-10-25 00:00",
      "2026-10-25 01:00",
      "2026-10-25 02:00",
      "2026-10-25 03:00",
    ]);
  });
});

describe("freeSlots", () => {
  const zone = "America/Sao_Paulo";
  const rules: WeeklyRule[] = [{ weekday: 1, startMinute: 540, endMinute: 660 }]; // Mondays 09:00-11:00
  const from = utc("2026-03-02T00:00:00Z");
  const to = utc("2026-03-03T00:00:00Z");

  it("removes blocked intervals, partially overlapping ones included, and what is too soon", () => {
    const all = freeSlots({ zone, slotMinutes: 30, rules, from, to });
    expect(all.map((s) => new Date(s.start).toISOString().slice(11, 16))).toEqual(["12:00", "12:30", "13:00", "13:30"]);
    const some = freeSlots({
      zone,
      slotMinutes: 30,
      rules,
      from,
      to,
      blocked: [{ start: utc("2026-03-02T12:45:00Z"), end: utc("2026-03-02T13:05:00Z") }],
      notBefore: utc("2026-03-02T12:10:00Z"),
    });
    expect(some.map((s) => new Date(s.start).toISOString().slice(11, 16))).toEqual(["13:30"]);
  });

  it("coversGrid accepts whole slots inside a window only", () => {
    const q = { zone, slotMinutes: 30, rules };
    expect(coversGrid(q, utc("2026-03-02T12:00:00Z"), 30)).toBe(true);
    expect(coversGrid(q, utc("2026-03-02T12:00:00Z"), 120)).toBe(true);
    expect(coversGrid(q, utc("2026-03-02T12:00:00Z"), 150)).toBe(false); // runs past 11:00 local
    expect(coversGrid(q, utc("2026-03-02T12:10:00Z"), 30)).toBe(false); // off the grid
    expect(coversGrid(q, utc("2026-03-02T12:00:00Z"), 45)).toBe(false); // not a multiple
    expect(coversGrid(q, utc("2026-03-03T12:00:00Z"), 30)).toBe(false); // Tuesday
  });
});

/**
 * The oracle: the same rules expanded with the Temporal polyfill, an implementation of zone
 * arithmetic that shares no code with zoned-time.ts. A wall-clock time that does not exist (spring
 * forward) gives no slot; one that happens twice (fall back) gives its first occurrence; of slots
 * that would overlap, the earliest is kept.
 */
function oracleSlots(zone: string, slotMinutes: number, rules: WeeklyRule[], from: number, to: number): Interval[] {
  const dateAt = (ms: number) => Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone).toPlainDate();
  const last = dateAt(to + 2 * 86_400_000);
  const starts: number[] = [];
  for (
    let date = dateAt(from - 2 * 86_400_000);
    Temporal.PlainDate.compare(date, last) <= 0;
    date = date.add({ days: 1 })
  ) {
    const weekday = date.dayOfWeek % 7; // Temporal: Monday 1 … Sunday 7
    for (const rule of rules.filter((r) => r.weekday === weekday)) {
      for (let m = rule.startMinute; m + slotMinutes <= rule.endMinute; m += slotMinutes) {
        const wall = date.toPlainDateTime({ hour: Math.floor(m / 60), minute: m % 60 });
        const zoned = wall.toZonedDateTime(zone, { disambiguation: "earlier" });
        if (!zoned.toPlainDateTime().equals(wall)) continue; // in a gap: that time does not exist
        const start = zoned.epochMilliseconds;
        if (start >= from && start < to) starts.push(start);
      }
    }
  }
  starts.sort((a, b) => a - b);
  const kept: Interval[] = [];
  for (const start of starts) {
    if (kept.length === 0 || start >= kept[kept.length - 1]!.end)
      kept.push({ start, end: start + slotMinutes * 60_000 });
  }
  return kept;
}

const ORACLE_ZONES = [
  "America/Sao_Paulo",
  "America/New_York",
  "Europe/Lisbon",
  "Australia/Lord_Howe", // a 30-minute DST shift
  "Asia/Kolkata",
  "America/Manaus",
  "Pacific/Chatham", // UTC+12:45 / +13:45
  "Asia/Kathmandu",
  "America/St_Johns",
  "Pacific/Apia", // skipped a whole day in 2011
  "UTC",
];

/** The zone's offset changes in a year, as Temporal knows them (none for UTC or Kolkata). */
const transitionCache = new Map<string, number[]>();
function transitionsOf(zone: string, year: number): number[] {
  const key = `${zone} ${year}`;
  let found = transitionCache.get(key);
  if (!found) {
    found = [];
    let at: Temporal.ZonedDateTime | null = Temporal.ZonedDateTime.from({ timeZone: zone, year, month: 1, day: 1 });
    for (;;) {
      at = at.getTimeZoneTransition("next");
      if (!at || at.year > year) break;
      found.push(at.epochMilliseconds);
    }
    transitionCache.set(key, found);
  }
  return found;
}

/** A zone and an instant, half of the time within `spreadMs` of one of that zone's transitions. */
const zoneAndInstant = (spreadMs: number) =>
  fc.constantFrom(...ORACLE_ZONES).chain((zone) =>
    fc.tuple(
      fc.constant(zone),
      fc.oneof(
        fc.integer({ min: Date.UTC(2005, 0, 1), max: Date.UTC(2040, 0, 1) }),
        fc
          .tuple(fc.integer({ min: 2005, max: 2039 }), fc.nat(), fc.integer({ min: -spreadMs, max: spreadMs }))
          .map(([year, i, delta]) => {
            const near = transitionsOf(zone, year);
            return (near.length ? near[i % near.length]! : Date.UTC(year, 5, 1)) + delta;
          }),
      ),
    ),
  );

describe("against an independent time-zone oracle (Temporal)", () => {
  it("toLocal and localToUtc agree with Temporal at any instant", () => {
    fc.assert(
      fc.property(zoneAndInstant(3 * 3_600_000), ([zone, ms]) => {
        const instant = ms - (ms % 60_000);
        const theirs = Temporal.Instant.fromEpochMilliseconds(instant).toZonedDateTimeISO(zone);
        const ours = toLocal(instant, zone);
        expect(ours).toEqual({
          year: theirs.year,
          month: theirs.month,
          day: theirs.day,
          minuteOfDay: theirs.hour * 60 + theirs.minute,
          weekday: theirs.dayOfWeek % 7,
        });
        const wall = theirs.toPlainDateTime();
        const earliest = wall.toZonedDateTime(zone, { disambiguation: "earlier" }).epochMilliseconds;
        expect(localToUtc(ours, ours.minuteOfDay, zone)).toBe(earliest);
      }),
      { numRuns: 2000 },
    );
  });

  it("localToUtc says null exactly for the wall-clock times Temporal says do not exist", () => {
    // Every quarter hour of the days around each zone's transitions in 2026, and Apia's lost day.
    const days: Array<[string, string]> = [
      ["America/New_York", "2026-03-08"],
      ["America/New_York", "2026-11-01"],
      ["Europe/Lisbon", "2026-03-29"],
      ["Europe/Lisbon", "2026-10-25"],
      ["Australia/Lord_Howe", "2026-04-05"],
      ["Australia/Lord_Howe", "2026-10-04"],
      ["Pacific/Chatham", "2026-04-05"],
      ["Pacific/Chatham", "2026-09-27"],
      ["America/Sao_Paulo", "2018-11-04"],
      ["Pacific/Apia", "2011-12-30"],
    ];
    let gaps = 0;
    for (const [zone, iso] of days) {
      const date = Temporal.PlainDate.from(iso);
      for (let m = 0; m < 1440; m += 15) {
        const wall = date.toPlainDateTime({ hour: Math.floor(m / 60), minute: m % 60 });
        const zoned = wall.toZonedDateTime(zone, { disambiguation: "earlier" });
        const exists = zoned.toPlainDateTime().equals(wall);
        if (!exists) gaps++;
        expect(localToUtc({ year: date.year, month: date.month, day: date.day }, m, zone), `${zone} ${wall}`).toBe(
          exists ? zoned.epochMilliseconds : null,
        );
      }
    }
    expect(gaps).toBeGreaterThan(96); // Apia's whole day, and every spring-forward's lost quarter hours
  });

  it("gridSlots gives exactly the oracle's slots, for random rules, zones and ranges", () => {
    fc.assert(
      fc.property(
        zoneAndInstant(5 * 86_400_000),
        fc.constantFrom(15, 20, 30, 45, 60),
        fc.array(
          fc.record({
            weekday: fc.integer({ min: 0, max: 6 }),
            start: fc.integer({ min: 0, max: 95 }),
            len: fc.integer({ min: 1, max: 40 }),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        fc.integer({ min: 1, max: 20 }),
        ([zone, fromMs], slotMinutes, raw, days) => {
          const rules = raw.map((r) => ({
            weekday: r.weekday,
            startMinute: r.start * 15,
            endMinute: Math.min(1440, r.start * 15 + r.len * 15),
          }));
          const from = fromMs - (fromMs % 60_000);
          const to = from + days * 86_400_000;
          // Times only: every slot of these rules offers both modes (the modes have their own tests).
          const slots = gridSlots({ zone, slotMinutes, rules, from, to });
          expect(slots.every((s) => s.modes.length === 2)).toBe(true);
          expect(slots.map(({ start, end }) => ({ start, end }))).toEqual(
            oracleSlots(zone, slotMinutes, rules, from, to),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it("the oracle itself: New York's spring-forward day has no 02:00 and 02:30, its fall-back day one 01:00", () => {
    const all = [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, startMinute: 0, endMinute: 1440 }));
    const spring = oracleSlots("America/New_York", 30, all, utc("2026-03-08T05:00:00Z"), utc("2026-03-08T09:00:00Z"));
    expect(spring.map((s) => new Date(s.start).toISOString().slice(11, 16))).toEqual([
      "05:00",
      "05:30",
      "06:00",
      "06:30",
      "07:00",
      "07:30",
      "08:00",
      "08:30",
    ]);
    const fall = oracleSlots("America/New_York", 30, all, utc("2026-11-01T04:00:00Z"), utc("2026-11-01T08:00:00Z"));
    expect(fall.map((s) => new Date(s.start).toISOString().slice(11, 16))).toEqual([
      "04:00",
      "04:30",
      "05:00",
      "05:30",
      "07:00",
      "07:30",
    ]);
  });
});

describe("slots property", () => {
  const zones = [
    "America/Sao_Paulo",
    "America/New_York",
    "Europe/Lisbon",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "America/Manaus",
    "Pacific/Chatham",
    "UTC",
  ];
  it("every slot starts on its rule's local grid, round-trips, and slots never overlap", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.constantFrom(15, 20, 30, 45, 60),
        fc.array(
          fc.record({
            weekday: fc.integer({ min: 0, max: 6 }),
            start: fc.integer({ min: 0, max: 95 }),
            len: fc.integer({ min: 1, max: 40 }),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        fc.integer({ min: Date.UTC(2015, 0, 1), max: Date.UTC(2035, 0, 1) }),
        fc.integer({ min: 1, max: 20 }),
        (zone, slotMinutes, raw, fromMs, days) => {
          const rules = raw.map((r) => ({
            weekday: r.weekday,
            startMinute: r.start * 15,
            endMinute: Math.min(1440, r.start * 15 + r.len * 15),
          }));
          const from = fromMs - (fromMs % 60_000);
          const to = from + days * 86_400_000;
          const slots = gridSlots({ zone, slotMinutes, rules, from, to });
          for (let i = 0; i < slots.length; i++) {
            const s = slots[i]!;
            expect(s.start).toBeGreaterThanOrEqual(from);
            expect(s.start).toBeLessThan(to);
            if (i > 0) expect(s.start).toBeGreaterThanOrEqual(slots[i - 1]!.end);
            const local = toLocal(s.start, zone);
            const onGrid = rules.some(
              (r) =>
                r.weekday === local.weekday &&
                local.minuteOfDay >= r.startMinute &&
                local.minuteOfDay + slotMinutes <= r.endMinute &&
                (local.minuteOfDay - r.startMinute) % slotMinutes === 0,
            );
            expect(onGrid).toBe(true);
            expect(localToUtc(local, local.minuteOfDay, zone)).toBe(s.start);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("modes (issue #13)", () => {
  // Monday 2030-03-04 in UTC: 08-10 both modes (unsaid), 10-11 in person only.
  const query = {
    zone: "UTC",
    slotMinutes: 30,
    rules: [
      { weekday: 1, startMinute: 8 * 60, endMinute: 10 * 60 },
      { weekday: 1, startMinute: 10 * 60, endMinute: 11 * 60, modes: ["in_person" as const] },
    ],
  };
  const at = (h: number, m = 0) => Date.UTC(2030, 2, 4, h, m);

  it("a slot carries its rule's modes, both when the rule does not say", () => {
    const slots = gridSlots({ ...query, from: at(0), to: at(23) });
    expect(slots.map((s) => s.modes)).toEqual([
      ...Array(4).fill(["video", "in_person"]),
      ...Array(2).fill(["in_person"]),
    ]);
    expect(freeSlots({ ...query, from: at(0), to: at(23), blocked: [{ start: at(8), end: at(9) }] })[0]).toEqual({
      start: at(9),
      end: at(9, 30),
      modes: ["video", "in_person"],
    });
  });

  it("a booking across two rules is offered only what both offer", () => {
    expect(commonModes(coveredSlots(query, at(9), 60)!)).toEqual(["video", "in_person"]);
    expect(commonModes(coveredSlots(query, at(9, 30), 60)!)).toEqual(["in_person"]);
    expect(commonModes(coveredSlots(query, at(10), 60)!)).toEqual(["in_person"]);
    expect(coveredSlots(query, at(10, 30), 60)).toBeNull();
  });
});
