/**
 * The whole loop through a real SMTP server on loopback: sign-up → verification link → booking →
 * confirmation with a valid invite → reschedule → updated invite and moved reminders → cancel.
 * Every .ics is parsed by an independent parser (ical.js); every mail by mailparser.
 */

import { TEST_PASSWORD, uniqueEmail } from "@healthflow/test-kit/test-clinic";
import ICAL from "ical.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReceivedMail } from "../../test/mail-sink.js";
import { createMailWorld, type MailWorld, PUBLIC_URL, tokenFromLink } from "../../test/notification-clinic.js";
import { hashToken } from "../auth/session.js";
import { verifyRoomToken } from "../rooms/room-token.js";

const T0 = new Date("2031-03-03T12:00:00Z"); // a Monday; São Paulo has had no DST since 2019
const SECRET = "test-secret-0123456789-abcdefghijklmnop";

let w: MailWorld;
beforeAll(async () => {
  w = await createMailWorld("flow", { now: T0 });
});
afterAll(async () => {
  await w?.close();
});

/** Parses an invite with ical.js and returns what a calendar client would read. */
function readInvite(content: string) {
  const calendar = new ICAL.Component(ICAL.parse(content));
  const vevent = calendar.getFirstSubcomponent("vevent")!;
  const event = new ICAL.Event(vevent);
  return {
    method: calendar.getFirstPropertyValue("method"),
    version: calendar.getFirstPropertyValue("version"),
    uid: event.uid,
    sequence: event.sequence,
    start: event.startDate.toJSDate().toISOString(),
    end: event.endDate.toJSDate().toISOString(),
    summary: event.summary,
    status: vevent.getFirstPropertyValue("status"),
    organizer: String(vevent.getFirstPropertyValue("organizer")),
    attendee: String(vevent.getFirstPropertyValue("attendee")),
    location: event.location,
  };
}

function roomTokenIn(text: string): string {
  const m = new RegExp(`${PUBLIC_URL.replace(/\./g, "\\.")}/room/([A-Za-z0-9_.-]+)`).exec(text);
  if (!m) throw new Error(`no room link in:\n${text}`);
  return m[1]!;
}

function calendarOf(mail: ReceivedMail) {
  expect(mail.calendar, `a text/calendar part in "${mail.subject}"`).toBeDefined();
  // The part calendar clients act on: text/calendar with the iTIP method as a parameter.
  expect(mail.raw).toMatch(new RegExp(`Content-Type: text/calendar;[^\\r\\n]*method=${mail.calendar!.method}`, "i"));
  return readInvite(mail.calendar!.content);
}

describe("sign-up, booking, reschedule and cancel, by mail", () => {
  it("runs the whole loop, each message once, with valid invites and moving reminders", async () => {
    const { clinic, sink } = w;
    const doctor = await w.doctor("America/Sao_Paulo", "Dra. Helena Prado");
    const email = uniqueEmail("ana");

    // --- sign-up: 202, and a verification link by mail --------------------------------------------
    const signUp = await clinic.call("POST", "/api/auth/register", {
      body: { email, password: TEST_PASSWORD, name: "Ana Souza" },
    });
    expect(signUp.status).toBe(202);
    expect(signUp.body).toEqual({ status: "verification_sent" });
    expect((await w.dispatch()).sent).toBe(1);
    const verifyMail = await sink.waitFor((m) => m.to.includes(email));
    expect(verifyMail.subject).toBe("Confirme seu e-mail");
    expect(verifyMail.html).toContain(`${PUBLIC_URL}/verify-email?token=`);
    const token = tokenFromLink(verifyMail.text, "/verify-email");
    // The token is stored hashed only, and the outbox never held it.
    const stored = await clinic.db.selectFrom("account_tokens").selectAll().where("email", "=", email).execute();
    expect(stored.map((t) => t.token_hash)).toEqual([hashToken(token)]);
    const row = await clinic.db
      .selectFrom("outbox")
      .selectAll()
      .where("recipient", "=", email)
      .executeTakeFirstOrThrow();
    expect(row.body_text + row.body_html).not.toContain(token);
    expect(verifyMail.messageId).toBe(row.message_id);

    // --- unverified: may sign in, may not book ------------------------------------------------------
    const login = await clinic.call("POST", "/api/auth/login", { body: { email, password: TEST_PASSWORD } });
    expect(login.status).toBe(200);
    expect(login.body.user.emailVerified).toBe(false);
    const startsAt = new Date("2031-03-06T13:00:00Z"); // Thursday 10:00 in São Paulo
    const refused = await clinic.call("POST", "/api/consultations", {
      as: login.body.token,
      body: { doctorId: doctor.user.id, startsAt: startsAt.toISOString() },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("email_unverified");

    // --- verify: signed in, verified ---------------------------------------------------------------
    const verified = await clinic.call("POST", "/api/auth/verify-email", { body: { token } });
    expect(verified.status).toBe(200);
    expect(verified.body.user).toMatchObject({ email, emailVerified: true, role: "patient" });
    expect(verified.headers.getSetCookie().some((c) => c.startsWith("hf_session="))).toBe(true);
    const patient = verified.body.token as string;
    expect((await clinic.call("POST", "/api/auth/verify-email", { body: { token } })).body.error.code).toBe(
      "token_used",
    );

    // --- booking: confirmation with invite and room link; the doctor's notice; two reminders -------
    const booked = await clinic.call("POST", "/api/consultations", {
      as: patient,
      body: { doctorId: doctor.user.id, startsAt: startsAt.toISOString(), reason: "Dor no peito" },
    });
    expect(booked.status).toBe(201);
    const id = booked.body.consultation.id as string;
    expect((await w.dispatch()).sent).toBe(2);
    const confirmation = await sink.waitFor((m) => m.to.includes(email) && m.subject.startsWith("Consulta agendada"));
    expect(confirmation.text).toContain("quinta-feira, 6 de março de 2031, 10:00–10:30");
    expect(confirmation.text).toContain("America/Sao_Paulo");
    expect(confirmation.text).toContain("Dra. Helena Prado");
    // The doctor's council registration, as Resolução CFM 2.314/2022 asks (issue #15).
    expect(confirmation.text).toMatch(/Dra\. Helena Prado, CRM-SP \d+ \(/);
    const invite = calendarOf(confirmation);
    expect(invite).toMatchObject({
      method: "REQUEST",
      version: "2.0",
      uid: `${id}@healthflow`,
      sequence: 0,
      start: "2031-03-06T13:00:00.000Z",
      end: "2031-03-06T13:30:00.000Z",
      status: "CONFIRMED",
      organizer: "mailto:agenda@clinic.example",
      attendee: `mailto:${email}`,
    });
    expect(invite.summary).toContain("Dra. Helena Prado");
    // The room link opens this consultation, as the patient.
    const room = await verifyRoomToken(SECRET, roomTokenIn(confirmation.text), T0);
    expect(room).toMatchObject({ ok: true, claims: { consultationId: id, role: "patient" } });
    expect(invite.location).toContain(`${PUBLIC_URL}/room/`);
    const notice = await sink.waitFor((m) => m.to.includes(doctor.user.email));
    expect(notice.subject).toBe("Nova consulta: Ana Souza, 06/03/2031 10:00 (America/Sao_Paulo)");
    expect(notice.text).toContain(
      "quinta-feira, 6 de março de 2031, 10:00–10:30 (Horário Padrão de Brasília, America/Sao_Paulo)",
    );
    expect(notice.text).toContain("Dor no peito");
    expect(notice.calendar).toBeUndefined();

    const reminders = () =>
      clinic.db
        .selectFrom("outbox")
        .select(["due_at", "status"])
        .where("consultation_id", "=", id)
        .where("kind", "=", "reminder")
        .orderBy("due_at")
        .execute();
    expect((await reminders()).map((r) => [new Date(r.due_at).toISOString(), r.status])).toEqual([
      ["2031-03-05T13:00:00.000Z", "pending"],
      ["2031-03-06T12:00:00.000Z", "pending"],
    ]);

    // --- reschedule by the patient: updated invite (SEQUENCE 1), the doctor told, reminders moved ----
    const moved = await clinic.call("PATCH", `/api/consultations/${id}`, {
      as: patient,
      body: { startsAt: "2031-03-07T17:00:00Z" },
    });
    expect(moved.status).toBe(200);
    expect((await w.dispatch()).sent).toBe(2);
    const update = await sink.waitFor((m) => m.to.includes(email) && m.subject.startsWith("Consulta remarcada"));
    expect(update.text).toContain("sexta-feira, 7 de março de 2031, 14:00–14:30");
    expect(update.text).toContain("quinta-feira, 6 de março de 2031, 10:00–10:30"); // what it was
    expect(calendarOf(update)).toMatchObject({
      method: "REQUEST",
      uid: `${id}@healthflow`,
      sequence: 1,
      start: "2031-03-07T17:00:00.000Z",
      end: "2031-03-07T17:30:00.000Z",
    });
    expect(
      (await sink.waitFor((m) => m.to.includes(doctor.user.email) && m.subject.startsWith("Consulta remarcada"))).text,
    ).toContain("pelo(a) paciente");
    expect((await reminders()).map((r) => [new Date(r.due_at).toISOString(), r.status])).toEqual([
      ["2031-03-05T13:00:00.000Z", "cancelled"],
      ["2031-03-06T12:00:00.000Z", "cancelled"],
      ["2031-03-06T17:00:00.000Z", "pending"],
      ["2031-03-07T16:00:00.000Z", "pending"],
    ]);

    // --- cancel by the patient: METHOD:CANCEL (SEQUENCE 2), the doctor told, reminders dropped -------
    const cancelled = await clinic.call("POST", `/api/consultations/${id}/cancel`, {
      as: patient,
      body: { reason: "Viagem" },
    });
    expect(cancelled.status).toBe(200);
    expect((await w.dispatch()).sent).toBe(2);
    const cancel = await sink.waitFor((m) => m.to.includes(email) && m.subject.startsWith("Consulta cancelada"));
    expect(cancel.text).toContain("Viagem");
    expect(calendarOf(cancel)).toMatchObject({
      method: "CANCEL",
      uid: `${id}@healthflow`,
      sequence: 2,
      status: "CANCELLED",
      start: "2031-03-07T17:00:00.000Z",
    });
    expect((await reminders()).filter((r) => r.status === "pending")).toEqual([]);

    // --- each message exactly once, with its stable Message-ID --------------------------------------
    const mine = [...sink.to(email), ...sink.to(doctor.user.email)];
    expect(mine).toHaveLength(7);
    expect(new Set(mine.map((m) => m.messageId)).size).toBe(7);
    for (const m of mine) expect(m.messageId).toMatch(/^<[0-9a-f-]{36}@clinic\.example>$/);
    for (const m of mine) {
      expect(m.parsed.from?.value[0]).toEqual({ address: "agenda@clinic.example", name: "Clínica HealthFlow" });
    }
  });

  it("writes in the recipient's language: English for an English-speaking patient, Portuguese for the doctor", async () => {
    const { clinic, sink } = w;
    const doctor = await w.doctor("America/Manaus", "Dr. Paulo Lima");
    const admin = await clinic.person("admin");
    const patient = await clinic.person("patient", { name: "John Smith", language: "en" });
    const booked = await clinic.call("POST", "/api/consultations", {
      as: admin,
      body: { doctorId: doctor.user.id, patientId: patient.user.id, startsAt: "2031-03-10T14:00:00Z" },
    });
    expect(booked.status).toBe(201);
    await w.dispatch();
    const mail = await sink.waitFor((m) => m.to.includes(patient.user.email));
    expect(mail.subject).toBe("Consultation booked: Dr. Paulo Lima, 10/03/2031 10:00 (America/Manaus)");
    expect(mail.text).toContain("Monday, 10 March 2031, 10:00–10:30 (Amazon Standard Time, America/Manaus)");
    expect(mail.text).toContain("Join the consult room");
    expect(mail.html).toContain('<html lang="en">');
    expect(readInvite(mail.calendar!.content).summary).toBe("Consultation with Dr. Paulo Lima (Clínica geral)");
    const notice = await sink.waitFor((m) => m.to.includes(doctor.user.email));
    expect(notice.subject).toMatch(/^Nova consulta: John Smith/);
  });

  it("escapes what people type: a name with markup stays text in the HTML part", async () => {
    const { clinic, sink } = w;
    const doctor = await w.doctor();
    const admin = await clinic.person("admin");
    const patient = await clinic.person("patient", { name: `Eve <script>alert("x")</script>; Costa, Jr.` });
    const booked = await clinic.call("POST", "/api/consultations", {
      as: admin,
      body: { doctorId: doctor.user.id, patientId: patient.user.id, startsAt: "2031-03-11T14:00:00Z" },
    });
    expect(booked.status).toBe(201);
    await w.dispatch();
    const mail = await sink.waitFor((m) => m.to.includes(patient.user.email));
    expect(mail.html).not.toContain("<script>");
    expect(mail.html).toContain("&lt;script&gt;");
    const invite = readInvite(mail.calendar!.content);
    expect(invite.attendee).toBe(`mailto:${patient.user.email}`);
  });

  it("shows admins the outbox: status, attempts, the rendered message, account links without their token", async () => {
    const { clinic } = w;
    const admin = await clinic.person("admin");
    const list = await clinic.call("GET", "/api/messages?limit=5", { as: admin });
    expect(list.status).toBe(200);
    expect(list.body.messages.length).toBe(5);
    expect(Object.keys(list.body.messages[0]).sort()).toEqual(
      ["attempts", "createdAt", "id", "kind", "lastError", "sentAt", "status", "subject", "to"].sort(),
    );
    const next = await clinic.call("GET", `/api/messages?limit=5&cursor=${list.body.nextCursor}`, { as: admin });
    expect(next.status).toBe(200);
    const ids = [...list.body.messages, ...next.body.messages].map((m: { id: string }) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    const verify = (await clinic.call("GET", "/api/messages?status=sent&limit=100", { as: admin })).body.messages.find(
      (m: { kind: string }) => m.kind === "verify_email",
    );
    const detail = await clinic.call("GET", `/api/messages/${verify.id}`, { as: admin });
    expect(detail.status).toBe(200);
    expect(detail.body.message.text).toContain(`${PUBLIC_URL}/verify-email?token=[token]`);
    expect(detail.body.message.status).toBe("sent");
    expect(detail.body.message.mailbox).toBeNull();
    const patient = await clinic.person("patient");
    expect((await clinic.call("GET", "/api/messages", { as: patient })).status).toBe(403);
  });
});
