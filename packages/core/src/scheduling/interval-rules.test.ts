/** The one check of a wanted interval, without a database: its rules and their order. */
import { describe, expect, it } from "vitest";
import { type Agenda, checkInterval } from "./interval-rules.js";

const NOW = new Date("2030-03-04T12:00:00Z"); // a Monday
const clock = { now: NOW, minNoticeMinutes: 60 };
// Mondays to Fridays 08:00-12:00 in São Paulo (UTC-3), 30-minute slots, time off on Tuesday 10:00-11:00.
const agenda: Agenda = {
  timezone: "America/Sao_Paulo",
  slotMinutes: 30,
  doctorName: "Dra. Ana",
  specialty: "Cardiologia",
  patientName: "Bruno",
  rules: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, startMinute: 8 * 60, endMinute: 12 * 60 })),
  timeOff: [{ start: Date.parse("2030-03-05T13:00:00Z"), end: Date.parse("2030-03-05T14:00:00Z") }],
};
const at = (iso: string, durationMinutes?: number, newBooking = true) => ({
  startsAt: new Date(iso),
  durationMinutes,
  newBooking,
});
const code = (run: () => unknown) => {
  try {
    run();
    return "accepted";
  } catch (err) {
    return (err as { code: string }).code;
  }
};

describe("checkInterval", () => {
  it("accepts a slot on the grid and defaults the duration to the slot length", () => {
    expect(checkInterval(agenda, at("2030-03-05T11:00:00Z"), clock)).toEqual({
      start: new Date("2030-03-05T11:00:00Z"),
      end: new Date("2030-03-05T11:30:00Z"),
      durationMinutes: 30,
    });
    expect(checkInterval(agenda, at("2030-03-05T11:00:00Z", 90), clock).end).toEqual(new Date("2030-03-05T12:30:00Z"));
  });

  it("refuses with the first rule that fails, in the documented order", () => {
    expect(code(() => checkInterval(undefined, at("2030-03-05T11:00:00Z"), clock))).toBe("doctor_not_found");
    const nobody = { ...agenda, patientName: null };
    expect(code(() => checkInterval(nobody, at("2030-03-05T11:00:00Z", 45), clock))).toBe("patient_not_found");
    // A reschedule does not ask whether the patient can still be booked.
    expect(code(() => checkInterval(nobody, at("2030-03-05T11:00:00Z", 30, false), clock))).toBe("accepted");
    expect(code(() => checkInterval(agenda, at("2030-03-04T12:30:00Z", 45), clock))).toBe("invalid_duration");
    expect(code(() => checkInterval(agenda, at("2030-03-04T12:30:00Z"), clock))).toBe("too_soon");
    expect(code(() => checkInterval(agenda, at("2030-03-05T11:10:00Z"), clock))).toBe("outside_availability");
    expect(code(() => checkInterval(agenda, at("2030-03-05T14:30:00Z", 60), clock))).toBe("outside_availability");
    expect(code(() => checkInterval(agenda, at("2030-03-05T13:30:00Z"), clock))).toBe("time_off");
    expect(code(() => checkInterval(agenda, at("2030-03-05T12:30:00Z", 60), clock))).toBe("time_off");
  });
});
