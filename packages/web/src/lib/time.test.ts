import { describe, expect, it } from "vitest";
import {
  dayKey,
  formatCountdown,
  formatTime,
  formatWait,
  fromLocalInput,
  groupSlotsByDay,
  zoneLabel,
  zoneOffset,
} from "./time";

const slot = (startsAt: string) => ({ startsAt, endsAt: new Date(Date.parse(startsAt) + 30 * 60_000).toISOString() });

describe("groupSlotsByDay", () => {
  it("groups by the calendar day in the viewer's zone, not by the UTC date", () => {
    // 01:30Z on the 2nd is 22:30 on the 1st in São Paulo (UTC-3).
    const slots = [slot("2026-12-02T12:00:00Z"), slot("2026-12-02T01:30:00Z"), slot("2026-12-01T13:00:00Z")];
    const sp = groupSlotsByDay(slots, "America/Sao_Paulo", "pt-BR");
    expect(sp.map((d) => d.key)).toEqual(["2026-12-01", "2026-12-02"]);
    expect(sp[0]!.slots.map((s) => s.startsAt)).toEqual(["2026-12-01T13:00:00Z", "2026-12-02T01:30:00Z"]);
    expect(sp[1]!.slots.map((s) => s.startsAt)).toEqual(["2026-12-02T12:00:00Z"]);

    const utc = groupSlotsByDay(slots, "UTC", "pt-BR");
    expect(utc.map((d) => [d.key, d.slots.length])).toEqual([
      ["2026-12-01", 1],
      ["2026-12-02", 2],
    ]);
  });

  it("labels days in the viewer's language", () => {
    const [pt] = groupSlotsByDay([slot("2026-11-30T15:00:00Z")], "America/Sao_Paulo", "pt-BR");
    const [en] = groupSlotsByDay([slot("2026-11-30T15:00:00Z")], "America/Sao_Paulo", "en");
    expect(pt!.label).toMatch(/seg/i);
    expect(pt!.label).toMatch(/nov/i);
    expect(en!.label).toMatch(/Mon/);
    expect(en!.label).toMatch(/Nov/);
  });

  it("returns nothing for no slots and does not mutate its input", () => {
    expect(groupSlotsByDay([], "UTC", "en")).toEqual([]);
    const input = [slot("2026-12-02T12:00:00Z"), slot("2026-12-01T12:00:00Z")];
    const copy = [...input];
    groupSlotsByDay(input, "UTC", "en");
    expect(input).toEqual(copy);
  });

  it("crosses a day boundary at local midnight in a zone east of UTC", () => {
    // 23:30Z on the 1st is 08:30 on the 2nd in Tokyo.
    expect(dayKey("2026-12-01T23:30:00Z", "Asia/Tokyo")).toBe("2026-12-02");
    expect(dayKey("2026-12-01T23:30:00Z", "America/Sao_Paulo")).toBe("2026-12-01");
  });
});

describe("time-zone display", () => {
  it("names the zone and its offset", () => {
    expect(zoneLabel("America/Sao_Paulo", new Date("2026-12-01T12:00:00Z"))).toBe("America/Sao Paulo (GMT-03:00)");
    expect(zoneOffset("Asia/Kolkata", new Date("2026-12-01T12:00:00Z"))).toBe("GMT+05:30");
    expect(zoneOffset("UTC")).toBe("GMT");
  });

  it("follows daylight saving time", () => {
    expect(zoneOffset("Europe/Lisbon", new Date("2026-01-15T12:00:00Z"))).toBe("GMT");
    expect(zoneOffset("Europe/Lisbon", new Date("2026-07-15T12:00:00Z"))).toBe("GMT+01:00");
  });

  it("formats the same instant as each viewer's wall clock", () => {
    const at = "2026-12-01T15:00:00Z";
    expect(formatTime(at, "pt-BR", "America/Sao_Paulo")).toBe("12:00");
    expect(formatTime(at, "pt-BR", "UTC")).toBe("15:00");
    expect(formatTime(at, "en", "Asia/Tokyo")).toMatch(/^12:00\sAM$/);
  });
});

describe("small helpers", () => {
  it("formats countdowns and never goes negative", () => {
    expect(formatCountdown(65_000)).toBe("01:05");
    expect(formatCountdown(3_725_000)).toBe("1:02:05");
    expect(formatCountdown(-5_000)).toBe("00:00");
    expect(formatCountdown(400)).toBe("00:01");
  });

  it("reads datetime-local values and rejects junk", () => {
    expect(fromLocalInput("")).toBeNull();
    expect(fromLocalInput("tomorrow")).toBeNull();
    expect(fromLocalInput("2026-12-01T10:00")).toBe(new Date(2026, 11, 1, 10, 0).toISOString());
  });
});

describe("formatWait: words for long waits, a clock only in the last hour", () => {
  const h = 3_600_000;
  it("a 41-hour wait is 1 day and 17 h, not a clock", () => {
    expect(formatWait(41 * h, "pt-BR")).toBe("1 dia e 17 h");
    expect(formatWait(41 * h, "en")).toBe("1 day and 17 h");
    expect(formatWait(3 * 24 * h, "pt-BR")).toBe("3 dias");
  });
  it("hours and minutes within a day", () => {
    expect(formatWait(5 * h + 12 * 60_000, "pt-BR")).toBe("5 h e 12 min");
    expect(formatWait(5 * h + 12 * 60_000, "en")).toBe("5 h 12 min");
    expect(formatWait(2 * h, "en")).toBe("2 h");
  });
  it("a clock in the last hour", () => {
    expect(formatWait(59 * 60_000 + 5_000, "pt-BR")).toBe("59:05");
    expect(formatWait(h, "en")).toBe("1:00:00");
  });
});
