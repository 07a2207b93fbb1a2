import { describe, expect, it } from "vitest";
import { addDays, formatHhmm, localToUtc, offsetMinutes, parseHhmm, toLocal, weekdayOf } from "./zoned-time.js";

const utc = (iso: string) => Date.parse(iso);

describe("offsetMinutes", () => {
  it("knows Sao Paulo with and without the old summer time", () => {
    expect(offsetMinutes(utc("2018-07-01T12:00:00Z"), "America/Sao_Paulo")).toBe(-180);
    expect(offsetMinutes(utc("2018-12-01T12:00:00Z"), "America/Sao_Paulo")).toBe(-120);
    // Brazil abolished DST in 2019.
    expect(offsetMinutes(utc("2026-12-01T12:00:00Z"), "America/Sao_Paulo")).toBe(-180);
  });
  it("handles half-hour zones", () => {
    expect(offsetMinutes(utc("2026-01-15T00:00:00Z"), "Asia/Kolkata")).toBe(330);
  });
});

describe("localToUtc", () => {
  it("returns null inside the spring-forward gap", () => {
    // 2018-11-04 00:00 in Sao Paulo jumped to 01:00.
    expect(localToUtc({ year: 2018, month: 11, day: 4 }, parseHhmm("00:30"), "America/Sao_Paulo")).toBeNull();
    expect(localToUtc({ year: 2026, month: 3, day: 8 }, parseHhmm("02:30"), "America/New_York")).toBeNull();
  });
  it("resolves an ambiguous fall-back time to its first occurrence", () => {
    // 2026-11-01 01:30 happens at 05:30Z (EDT) and again at 06:30Z (EST).
    expect(localToUtc({ year: 2026, month: 11, day: 1 }, parseHhmm("01:30"), "America/New_York")).toBe(
      utc("2026-11-01T05:30:00Z"),
    );
    // Lisbon 2026-10-25 01:30 happens at 00:30Z (WEST) and 01:30Z (WET).
    expect(localToUtc({ year: 2026, month: 10, day: 25 }, parseHhmm("01:30"), "Europe/Lisbon")).toBe(
      utc("2026-10-25T00:30:00Z"),
    );
  });
  it("round-trips ordinary times", () => {
    const instant = localToUtc({ year: 2026, month: 6, day: 15 }, parseHhmm("09:00"), "America/Manaus");
    expect(instant).toBe(utc("2026-06-15T13:00:00Z"));
    expect(toLocal(instant!, "America/Manaus")).toMatchObject({ year: 2026, month: 6, day: 15, minuteOfDay: 540 });
  });
});

describe("calendar helpers", () => {
  it("computes weekdays and adds days across month ends", () => {
    expect(weekdayOf({ year: 2018, month: 11, day: 4 })).toBe(0);
    expect(addDays({ year: 2026, month: 12, day: 31 }, 1)).toEqual({ year: 2027, month: 1, day: 1 });
  });
  it("formats and parses HH:MM", () => {
    expect(parseHhmm("09:30")).toBe(570);
    expect(formatHhmm(570)).toBe("09:30");
    expect(formatHhmm(1440)).toBe("24:00");
  });
});
