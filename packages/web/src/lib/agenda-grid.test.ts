import { describe, expect, it } from "vitest";
import { axisRange, dayBounds, lanes, nearestIndex, placeInDay, workingIntervals } from "./agenda-grid";

const at = (iso: string) => Date.parse(iso);
const hours = (ms: number) => ms / 3_600_000;

describe("placeInDay", () => {
  it("places an interval by the viewer's wall clock", () => {
    // 17:00Z is 14:00 in São Paulo (UTC-3).
    expect(
      placeInDay(
        at("2026-12-01T17:00:00Z"),
        at("2026-12-01T17:30:00Z"),
        { year: 2026, month: 12, day: 1 },
        "America/Sao_Paulo",
      ),
    ).toEqual({
      top: 14 * 60,
      bottom: 14 * 60 + 30,
    });
  });

  it("puts a 01:30Z consultation on the previous day in São Paulo, and nothing on the UTC date", () => {
    const s = at("2026-12-02T01:30:00Z");
    const e = at("2026-12-02T02:00:00Z");
    expect(placeInDay(s, e, { year: 2026, month: 12, day: 1 }, "America/Sao_Paulo")).toEqual({
      top: 22 * 60 + 30,
      bottom: 23 * 60,
    });
    expect(placeInDay(s, e, { year: 2026, month: 12, day: 2 }, "America/Sao_Paulo")).toBeNull();
  });

  it("clips time off spanning midnight to the day", () => {
    const day = { year: 2026, month: 12, day: 1 };
    expect(placeInDay(at("2026-11-30T12:00:00Z"), at("2026-12-01T15:00:00Z"), day, "America/Sao_Paulo")).toEqual({
      top: 0,
      bottom: 12 * 60,
    });
    expect(placeInDay(at("2026-12-01T20:00:00Z"), at("2026-12-05T00:00:00Z"), day, "America/Sao_Paulo")).toEqual({
      top: 17 * 60,
      bottom: 24 * 60,
    });
  });

  it("on a spring-forward day (New York, 2026-03-08) 09:00 local stays on the 09:00 row", () => {
    const day = { year: 2026, month: 3, day: 8 };
    const bounds = dayBounds(day, "America/New_York");
    expect(hours(bounds.end - bounds.start)).toBe(23);
    // 09:00 EDT = 13:00Z (the day started at 05:00Z, only 8 hours earlier).
    expect(placeInDay(at("2026-03-08T13:00:00Z"), at("2026-03-08T13:30:00Z"), day, "America/New_York")).toEqual({
      top: 9 * 60,
      bottom: 9 * 60 + 30,
    });
    // 01:30 EST → 03:30 EDT is one real hour, drawn from the 01:30 row to the 03:30 row.
    expect(placeInDay(at("2026-03-08T06:30:00Z"), at("2026-03-08T07:30:00Z"), day, "America/New_York")).toEqual({
      top: 90,
      bottom: 210,
    });
  });

  it("on a fall-back day (New York, 2026-11-01) the day is 25 hours and the repeated hour keeps items visible", () => {
    const day = { year: 2026, month: 11, day: 1 };
    const bounds = dayBounds(day, "America/New_York");
    expect(hours(bounds.end - bounds.start)).toBe(25);
    expect(placeInDay(at("2026-11-01T15:00:00Z"), at("2026-11-01T15:30:00Z"), day, "America/New_York")).toEqual({
      top: 10 * 60,
      bottom: 10 * 60 + 30,
    });
    // 01:45 EDT → 01:15 EST (30 real minutes across the change): still 30 minutes tall.
    expect(placeInDay(at("2026-11-01T05:45:00Z"), at("2026-11-01T06:15:00Z"), day, "America/New_York")).toEqual({
      top: 105,
      bottom: 135,
    });
  });
});

describe("workingIntervals", () => {
  it("applies weekly rules in the doctor's zone and shows them in the viewer's", () => {
    // Tuesday 2026-12-01, 08:00–12:00 in Lisbon (UTC+0 in winter) = 05:00–09:00 in São Paulo.
    const day = { year: 2026, month: 12, day: 1 };
    const { start, end } = dayBounds(day, "America/Sao_Paulo");
    const spans = workingIntervals([{ weekday: 2, start: "08:00", end: "12:00" }], "Europe/Lisbon", start, end);
    expect(spans.map((s) => [new Date(s.start).toISOString(), new Date(s.end).toISOString()])).toEqual([
      ["2026-12-01T08:00:00.000Z", "2026-12-01T12:00:00.000Z"],
    ]);
    expect(placeInDay(spans[0]!.start, spans[0]!.end, day, "America/Sao_Paulo")).toEqual({
      top: 5 * 60,
      bottom: 9 * 60,
    });
  });

  it("follows the doctor's DST change from one day to the next", () => {
    // New York 09:00–17:00 every day; in São Paulo (no DST) that is 11:00 before 8 March and 10:00 after.
    const rules = [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start: "09:00", end: "17:00" }));
    const sat = dayBounds({ year: 2026, month: 3, day: 7 }, "America/Sao_Paulo");
    const mon = dayBounds({ year: 2026, month: 3, day: 9 }, "America/Sao_Paulo");
    const before = workingIntervals(rules, "America/New_York", sat.start, sat.end);
    const after = workingIntervals(rules, "America/New_York", mon.start, mon.end);
    expect(placeInDay(before[0]!.start, before[0]!.end, { year: 2026, month: 3, day: 7 }, "America/Sao_Paulo")).toEqual(
      {
        top: 11 * 60,
        bottom: 19 * 60,
      },
    );
    expect(placeInDay(after[0]!.start, after[0]!.end, { year: 2026, month: 3, day: 9 }, "America/Sao_Paulo")).toEqual({
      top: 10 * 60,
      bottom: 18 * 60,
    });
  });

  it("merges adjacent rules and a 24:00 end into one span", () => {
    const from = at("2026-12-01T00:00:00Z");
    const to = at("2026-12-03T00:00:00Z");
    const rules = [1, 2, 3].flatMap((weekday) => [
      { weekday, start: "00:00", end: "12:00" },
      { weekday, start: "12:00", end: "24:00" },
    ]);
    expect(workingIntervals(rules, "UTC", from, to)).toEqual([{ start: from, end: to }]);
  });

  it("begins a rule that starts in the spring-forward gap when the clocks resume", () => {
    const from = at("2026-03-08T05:00:00Z");
    const to = at("2026-03-09T04:00:00Z");
    const spans = workingIntervals([{ weekday: 0, start: "02:30", end: "04:00" }], "America/New_York", from, to);
    expect(spans.map((s) => new Date(s.start).toISOString())).toEqual(["2026-03-08T07:00:00.000Z"]);
  });
});

describe("lanes", () => {
  it("gives overlapping items side-by-side lanes and lone items the full width", () => {
    const result = lanes([
      { top: 540, bottom: 600 }, // 09:00–10:00
      { top: 570, bottom: 630 }, // 09:30–10:30, overlaps the first
      { top: 600, bottom: 660 }, // 10:00–11:00, overlaps the second: reuses lane 0
      { top: 720, bottom: 750 }, // 12:00, alone
    ]);
    expect(result).toEqual([
      { col: 0, cols: 2 },
      { col: 1, cols: 2 },
      { col: 0, cols: 2 },
      { col: 0, cols: 1 },
    ]);
  });

  it("touching items do not overlap", () => {
    expect(
      lanes([
        { top: 600, bottom: 630 },
        { top: 540, bottom: 600 },
      ]),
    ).toEqual([
      { col: 0, cols: 1 },
      { col: 0, cols: 1 },
    ]);
  });

  it("three at once take three lanes", () => {
    const l = lanes([
      { top: 0, bottom: 60 },
      { top: 0, bottom: 30 },
      { top: 10, bottom: 20 },
    ]);
    expect(l.map((x) => x.cols)).toEqual([3, 3, 3]);
    expect(new Set(l.map((x) => x.col))).toEqual(new Set([0, 1, 2]));
  });
});

describe("axisRange and nearestIndex", () => {
  it("rounds to whole hours around what is placed, with a default for an empty day", () => {
    expect(
      axisRange([
        { top: 8 * 60 + 30, bottom: 9 * 60 },
        { top: 13 * 60, bottom: 17 * 60 + 15 },
      ]),
    ).toEqual([8 * 60, 18 * 60]);
    expect(axisRange([])).toEqual([480, 1080]);
    expect(axisRange([{ top: 0, bottom: 1440 }])).toEqual([0, 1440]);
  });

  it("finds the item nearest in time in the next column", () => {
    expect(nearestIndex([480, 600, 720], 650)).toBe(1);
    expect(nearestIndex([], 650)).toBe(-1);
  });
});
