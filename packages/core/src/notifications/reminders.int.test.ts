/**
 * Reminder timing on the app's injected clock: due at the configured offsets, never early, skipped
 * when too late, not written for moments already past, moved by a reschedule (across a DST change),
 * dropped by a cancel.
 */

import type { TestPerson } from "@healthflow/test-kit/test-clinic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMailWorld, type MailWorld } from "../../test/notification-clinic.js";
import { startSession } from "../auth/session.js";

const T0 = new Date("2031-03-01T12:00:00Z");
const MIN = 60_000;

let w: MailWorld;
let admin: TestPerson;
beforeAll(async () => {
  w = await createMailWorld("reminders", {
    now: T0,
    config: { minNoticeMinutes: 0, reminderOffsetsMinutes: [1440, 60] },
  });
  admin = await w.clinic.person("admin");
});
afterAll(async () => {
  await w?.close();
});

async function book(doctor: TestPerson, patient: TestPerson, startsAt: Date) {
  const res = await w.clinic.call("POST", "/api/consultations", {
    as: admin,
    body: { doctorId: doctor.user.id, patientId: patient.user.id, startsAt: startsAt.toISOString() },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.consultation.id as string;
}

const reminderRows = (id: string) =>
  w.clinic.db
    .selectFrom("outbox")
    .select(["due_at", "not_after", "status", "body_text"])
    .where("consultation_id", "=", id)
    .where("kind", "=", "reminder")
    .orderBy("created_at")
    .orderBy("due_at")
    .execute();

const remindersTo = (p: TestPerson) => w.sink.to(p.user.email).filter((m) => m.subject.startsWith("Lembrete"));

describe("reminders", () => {
  it("are due at each offset before the start, and go out once their moment comes, not before", async () => {
    w.clinic.clock.set(T0);
    const doctor = await w.doctor("America/Sao_Paulo");
    const patient = await w.clinic.person("patient");
    const start = new Date("2031-03-04T13:00:00Z");
    const id = await book(doctor, patient, start);
    const rows = await reminderRows(id);
    expect(rows.map((r) => [new Date(r.due_at).toISOString(), new Date(r.not_after!).toISOString()])).toEqual([
      ["2031-03-03T13:00:00.000Z", "2031-03-04T01:00:00.000Z"],
      ["2031-03-04T12:00:00.000Z", "2031-03-04T12:30:00.000Z"],
    ]);
    await w.dispatch(); // the confirmation
    w.clinic.clock.set(new Date(start.getTime() - 1440 * MIN - MIN));
    await w.dispatch();
    expect(remindersTo(patient)).toHaveLength(0);
    w.clinic.clock.set(new Date(start.getTime() - 1440 * MIN + MIN));
    await w.dispatch();
    expect(remindersTo(patient).map((m) => m.subject)).toEqual(["Lembrete: consulta em 1 dia"]);
    expect(remindersTo(patient)[0]!.text).toContain("terça-feira, 4 de março de 2031, 10:00–10:30");
    w.clinic.clock.set(new Date(start.getTime() - 60 * MIN - MIN));
    await w.dispatch();
    expect(remindersTo(patient)).toHaveLength(1);
    w.clinic.clock.set(new Date(start.getTime() - 55 * MIN));
    await w.dispatch();
    expect(remindersTo(patient).map((m) => m.subject)).toEqual([
      "Lembrete: consulta em 1 dia",
      "Lembrete: consulta em 1 hora",
    ]);
    expect(remindersTo(patient)[1]!.text).toMatch(/https:\/\/app\.clinic\.example\/room\//);
    await w.dispatch();
    expect(remindersTo(patient)).toHaveLength(2); // once each
    expect((await reminderRows(id)).map((r) => r.status)).toEqual(["sent", "sent"]);
  });

  it("skips a reminder whose moment has passed: none for a booking 30 minutes ahead, one for 90 minutes ahead", async () => {
    w.clinic.clock.set(T0);
    const doctor = await w.doctor("America/Sao_Paulo");
    const soon = await w.clinic.person("patient");
    const idSoon = await book(doctor, soon, new Date(T0.getTime() + 30 * MIN));
    expect(await reminderRows(idSoon)).toEqual([]);
    const later = await w.clinic.person("patient");
    const idLater = await book(doctor, later, new Date(T0.getTime() + 90 * MIN));
    expect((await reminderRows(idLater)).map((r) => new Date(r.due_at).toISOString())).toEqual([
      new Date(T0.getTime() + 30 * MIN).toISOString(),
    ]);
    await w.dispatch();
    expect(w.sink.to(soon.user.email).map((m) => m.subject)).toEqual([expect.stringMatching(/^Consulta agendada/)]);
  });

  it("is not sent late: a dispatcher that comes back after half the lead time marks it skipped", async () => {
    w.clinic.clock.set(T0);
    const doctor = await w.doctor("America/Sao_Paulo");
    const patient = await w.clinic.person("patient");
    const start = new Date(T0.getTime() + 3 * 86_400_000);
    const id = await book(doctor, patient, start);
    await w.dispatch();
    // The dispatchers were all down from before the day-before reminder until 20 minutes before the start.
    w.clinic.clock.set(new Date(start.getTime() - 20 * MIN));
    const report = await w.dispatch();
    expect(report.skipped).toBeGreaterThanOrEqual(2);
    expect(remindersTo(patient)).toHaveLength(0);
    expect((await reminderRows(id)).map((r) => r.status)).toEqual(["skipped", "skipped"]);
  });

  it("move with a reschedule across a DST change, and show the new local time with its zone", async () => {
    w.clinic.clock.set(T0);
    const doctor = await w.doctor("America/New_York", "Dr. Noah Brooks");
    const patient = await w.clinic.person("patient", { language: "en" });
    // Friday 7 March 2031, 10:00 EST (UTC-5)
    const id = await book(doctor, patient, new Date("2031-03-07T15:00:00Z"));
    // Sunday 9 March 2031, 10:00 EDT (UTC-4): clocks went forward at 02:00 that morning.
    const moved = await w.clinic.call("PATCH", `/api/consultations/${id}`, {
      as: admin,
      body: { startsAt: "2031-03-09T14:00:00Z" },
    });
    expect(moved.status).toBe(200);
    const rows = await reminderRows(id);
    expect(rows.map((r) => [new Date(r.due_at).toISOString(), r.status])).toEqual([
      ["2031-03-06T15:00:00.000Z", "cancelled"],
      ["2031-03-07T14:00:00.000Z", "cancelled"],
      // 1440 minutes of elapsed time before the start: Saturday 09:00 EST, one wall-clock hour off 10:00
      ["2031-03-08T14:00:00.000Z", "pending"],
      ["2031-03-09T13:00:00.000Z", "pending"],
    ]);
    await w.dispatch();
    w.clinic.clock.set(new Date("2031-03-07T14:30:00Z")); // the old 1-hour reminder's moment: nothing
    await w.dispatch();
    expect(remindersTo(patient)).toHaveLength(0);
    const englishReminders = () => w.sink.to(patient.user.email).filter((m) => m.subject.startsWith("Reminder"));
    w.clinic.clock.set(new Date("2031-03-08T14:01:00Z"));
    await w.dispatch();
    expect(englishReminders().map((m) => m.subject)).toEqual(["Reminder: consultation in 1 day"]);
    expect(englishReminders()[0]!.text).toContain(
      "Sunday, 9 March 2031, 10:00–10:30 (Eastern Daylight Time, America/New_York)",
    );
    w.clinic.clock.set(new Date("2031-03-09T13:01:00Z"));
    await w.dispatch();
    expect(englishReminders().map((m) => m.subject)).toEqual([
      "Reminder: consultation in 1 day",
      "Reminder: consultation in 1 hour",
    ]);
  });

  it("are dropped by a cancel and by any other end of the consultation", async () => {
    w.clinic.clock.set(T0);
    const doctor = await w.doctor("America/Sao_Paulo");
    const patient = await w.clinic.person("patient");
    const a = await book(doctor, patient, new Date("2031-03-05T13:00:00Z"));
    const b = await book(doctor, patient, new Date("2031-03-05T15:00:00Z"));
    expect((await w.clinic.call("POST", `/api/consultations/${a}/cancel`, { as: patient })).status).toBe(200);
    w.clinic.clock.set(new Date("2031-03-05T15:10:00Z"));
    // days later on the app's clock: the doctor signs in again
    const { token } = await startSession(w.clinic.db, doctor.user.id, w.clinic.clock.now(), {
      idleMinutes: 720,
      maxHours: 168,
    });
    const noShow = await w.clinic.call("PATCH", `/api/consultations/${b}`, { as: token, body: { status: "no_show" } });
    expect(noShow.status).toBe(200);
    expect((await reminderRows(a)).map((r) => r.status)).toEqual(["cancelled", "cancelled"]);
    expect((await reminderRows(b)).map((r) => r.status)).toEqual(["cancelled", "cancelled"]);
    await w.dispatch();
    expect(remindersTo(patient)).toHaveLength(0);
  });
});
