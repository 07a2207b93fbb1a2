import { describe, expect, it } from "vitest";
import { ApiError } from "./api";
import {
  mayCancel,
  nextFree,
  roomLinkAvailable,
  roomOpenable,
  sortRules,
  splitConsultations,
  staffTransitions,
  weekdayNames,
} from "./consultations";
import type { Consultation } from "./contract";
import { notOpenYet } from "./room";
import { safeNext } from "./session";

const base: Consultation = {
  id: "c",
  doctorId: "d",
  patientId: "p",
  doctor: { id: "d", name: "Dra. Ana", specialty: "Clínica" },
  patient: { id: "p", name: "João" },
  startsAt: "2026-12-01T12:00:00Z",
  endsAt: "2026-12-01T12:30:00Z",
  status: "scheduled",
  mode: "video",
  location: null,
  reason: null,
  createdAt: "2026-11-01T00:00:00Z",
  updatedAt: "2026-11-01T00:00:00Z",
};
const at = (iso: string) => Date.parse(iso);

describe("roomOpenable", () => {
  it("opens 15 minutes before the start and closes 30 after the end", () => {
    expect(roomOpenable(base, at("2026-12-01T11:44:59Z"))).toBe(false);
    expect(roomOpenable(base, at("2026-12-01T11:45:00Z"))).toBe(true);
    expect(roomOpenable(base, at("2026-12-01T13:00:00Z"))).toBe(true);
    expect(roomOpenable(base, at("2026-12-01T13:00:01Z"))).toBe(false);
  });
  it("never for an in-person consultation, which has no room (issue #13)", () => {
    const inPerson = { ...base, mode: "in_person" as const, location: "Rua A, 1" };
    expect(roomOpenable(inPerson, at("2026-12-01T12:10:00Z"))).toBe(false);
    expect(roomLinkAvailable(inPerson, at("2026-12-01T10:00:00Z"))).toBe(false);
    expect(roomLinkAvailable(base, at("2026-12-01T10:00:00Z"))).toBe(true);
  });
  it("never for a cancelled, completed or no-show consultation", () => {
    for (const status of ["cancelled", "completed", "no_show"] as const) {
      expect(roomOpenable({ ...base, status }, at("2026-12-01T12:10:00Z"))).toBe(false);
    }
  });
});

describe("splitConsultations", () => {
  it("puts live future ones in upcoming (soonest first) and the rest in past (newest first)", () => {
    const list: Consultation[] = [
      { ...base, id: "later", startsAt: "2026-12-03T12:00:00Z", endsAt: "2026-12-03T12:30:00Z" },
      { ...base, id: "soon", startsAt: "2026-12-02T12:00:00Z", endsAt: "2026-12-02T12:30:00Z" },
      {
        ...base,
        id: "cancelled",
        status: "cancelled",
        startsAt: "2026-12-04T12:00:00Z",
        endsAt: "2026-12-04T12:30:00Z",
      },
      { ...base, id: "old" },
      { ...base, id: "older", startsAt: "2026-11-20T12:00:00Z", endsAt: "2026-11-20T12:30:00Z" },
    ];
    const { upcoming, past } = splitConsultations(list, at("2026-12-01T18:00:00Z"));
    expect(upcoming.map((c) => c.id)).toEqual(["soon", "later"]);
    expect(past.map((c) => c.id)).toEqual(["cancelled", "old", "older"]);
  });
});

describe("nextFree", () => {
  it("offers the next free slots after the taken one, in order", () => {
    const s = (h: number) => ({
      startsAt: `2026-12-01T${String(h).padStart(2, "0")}:00:00Z`,
      endsAt: "",
      modes: ["video" as const],
    });
    expect(nextFree([s(15), s(9), s(10), s(12), s(11)], s(10).startsAt).map((x) => x.startsAt)).toEqual([
      s(11).startsAt,
      s(12).startsAt,
      s(15).startsAt,
    ]);
    expect(nextFree([s(9)], s(10).startsAt)).toEqual([]);
  });
});

describe("availability helpers", () => {
  it("names weekdays from Sunday = 0 in the viewer's language", () => {
    expect(weekdayNames("en")[0]).toBe("Sunday");
    expect(weekdayNames("en")[1]).toBe("Monday");
    expect(weekdayNames("pt-BR")[1]).toMatch(/segunda/i);
  });
  it("sorts rules Monday first", () => {
    const rules = [
      { weekday: 0, start: "09:00", end: "12:00" },
      { weekday: 1, start: "14:00", end: "18:00" },
      { weekday: 1, start: "08:00", end: "12:00" },
    ];
    expect(sortRules(rules).map((r) => `${r.weekday}@${r.start}`)).toEqual(["1@08:00", "1@14:00", "0@09:00"]);
  });
});

describe("room and sign-in helpers", () => {
  it("reads a 425 room_not_open answer", () => {
    expect(notOpenYet(new ApiError(425, "room_not_open", "x", { opensAt: "2026-12-01T11:45:00Z" }))).toEqual({
      opensAt: "2026-12-01T11:45:00Z",
      consultation: undefined,
    });
    expect(notOpenYet(new ApiError(410, "room_closed", "x"))).toBeNull();
    expect(notOpenYet(new ApiError(425, "room_not_open", "x"))).toBeNull();
  });
  it("only returns to in-app paths after sign-in", () => {
    expect(safeNext("/book?doctor=1")).toBe("/book?doctor=1");
    expect(safeNext("https://evil.example/")).toBeUndefined();
    expect(safeNext("//evil.example/")).toBeUndefined();
    expect(safeNext("/\\evil.example")).toBeUndefined();
    expect(safeNext(undefined)).toBeUndefined();
  });
});

describe("mayCancel", () => {
  const at = (startsAt: string, status: Consultation["status"] = "scheduled") =>
    ({ startsAt, endsAt: new Date(Date.parse(startsAt) + 30 * 60_000).toISOString(), status }) as Consultation;
  const now = Date.parse("2031-06-02T12:00:00Z");
  it("a patient until the start only (then the API says too_late); staff until the end", () => {
    expect(mayCancel(at("2031-06-02T12:10:00Z"), "patient", now)).toBe(true);
    expect(mayCancel(at("2031-06-02T11:50:00Z"), "patient", now)).toBe(false);
    expect(mayCancel(at("2031-06-02T11:50:00Z"), "doctor", now)).toBe(true);
    expect(mayCancel(at("2031-06-02T11:50:00Z", "in_progress"), "admin", now)).toBe(true);
    expect(mayCancel(at("2031-06-02T11:00:00Z"), "doctor", now)).toBe(false);
    expect(mayCancel(at("2031-06-02T12:10:00Z", "cancelled"), "patient", now)).toBe(false);
  });
});

describe("staffTransitions: only what the API accepts now", () => {
  const start = Date.parse("2026-12-01T13:00:00Z");
  const c = (status: Consultation["status"]) => ({ status, startsAt: new Date(start).toISOString() });

  it("a scheduled consultation days away: nothing but waiting (no 'no-show', no 'start')", () => {
    const t = staffTransitions(c("scheduled"), start - 3 * 86_400_000);
    expect(t).toMatchObject({ start: false, complete: false, noShow: false });
    expect(t.startsFrom).toBe("2026-12-01T12:45:00.000Z");
  });

  it("start opens 15 minutes before; no-show only once the start has passed", () => {
    expect(staffTransitions(c("scheduled"), start - 15 * 60_000 - 1)).toMatchObject({ start: false, noShow: false });
    expect(staffTransitions(c("scheduled"), start - 15 * 60_000)).toMatchObject({ start: true, noShow: false });
    expect(staffTransitions(c("scheduled"), start + 60_000)).toMatchObject({ start: true, noShow: true });
  });

  it("complete only once started; nothing after a final state", () => {
    expect(staffTransitions(c("scheduled"), start + 60_000).complete).toBe(false);
    expect(staffTransitions(c("in_progress"), start + 60_000)).toMatchObject({ start: false, complete: true });
    for (const s of ["completed", "cancelled", "no_show"] as const) {
      expect(staffTransitions(c(s), start + 60_000)).toMatchObject({ start: false, complete: false, noShow: false });
    }
  });
});
