import ICAL from "ical.js";
import nodeIcal, { type VEvent } from "node-ical";
import { describe, expect, it } from "vitest";
import { buildFeed, buildInvite, escapeText, foldLine, icsDate } from "./ical.js";

const base = {
  uid: "3f2c@healthflow",
  sequence: 4,
  start: new Date("2031-11-02T12:30:00Z"),
  end: new Date("2031-11-02T13:00:00Z"),
  stamp: new Date("2031-11-01T09:00:00Z"),
  organizer: { name: 'Dra. "Zé" Ção; Clínica, Ltda', email: "agenda@clinic.example" },
  attendee: { name: "Ana Maria", email: "ana@test.healthflow.local" },
};

describe("iCalendar invites", () => {
  it("fold long lines at 75 octets without splitting a UTF-8 character, and ical.js reads them back whole", () => {
    const summary = `Consulta com ${"Dra. Conceição Ávila ".repeat(8)}`.trim();
    const description = "Linha 1; com vírgula, e barra \\ invertida\nLinha 2 — ação";
    const ics = buildInvite({ ...base, method: "REQUEST", summary, description, url: "https://app.example/room/abc" });
    for (const line of ics.split("\r\n")) expect(Buffer.byteLength(line, "utf8")).toBeLessThanOrEqual(75);
    expect(ics.endsWith("\r\n")).toBe(true);
    const cal = new ICAL.Component(ICAL.parse(ics));
    const event = new ICAL.Event(cal.getFirstSubcomponent("vevent")!);
    expect(cal.getFirstPropertyValue("method")).toBe("REQUEST");
    expect(event.summary).toBe(summary);
    expect(event.description).toBe(description);
    expect(event.sequence).toBe(4);
    expect(event.startDate.toJSDate().toISOString()).toBe("2031-11-02T12:30:00.000Z");
    const organizer = cal.getFirstSubcomponent("vevent")!.getFirstProperty("organizer")!;
    expect(organizer.getParameter("cn")).toBe("Dra. Zé Ção; Clínica, Ltda");
  });

  it("an in-person consultation's LOCATION is the clinic's address, with no room URL (issue #13)", () => {
    const address = "Av. Paulista, 1000; conj. 101 – São Paulo";
    const ics = buildInvite({ ...base, method: "REQUEST", summary: "x", description: "y", location: address });
    const event = new ICAL.Component(ICAL.parse(ics)).getFirstSubcomponent("vevent")!;
    expect(event.getFirstPropertyValue("location")).toBe(address);
    expect(event.getFirstPropertyValue("url")).toBeNull();
  });

  it("cancels with METHOD:CANCEL and STATUS:CANCELLED on the same UID", () => {
    const ics = buildInvite({ ...base, method: "CANCEL", summary: "x", description: "y" });
    const cal = new ICAL.Component(ICAL.parse(ics));
    expect(cal.getFirstPropertyValue("method")).toBe("CANCEL");
    expect(cal.getFirstSubcomponent("vevent")!.getFirstPropertyValue("status")).toBe("CANCELLED");
    expect(cal.getFirstSubcomponent("vevent")!.getFirstPropertyValue("uid")).toBe("3f2c@healthflow");
  });

  it("formats and escapes as RFC 5545 says", () => {
    expect(icsDate(new Date("2031-01-02T03:04:05.678Z"))).toBe("20310102T030405Z");
    expect(escapeText("a;b,c\\d\ne")).toBe("a\\;b\\,c\\\\d\\ne");
    expect(
      foldLine("x".repeat(150))
        .split("\r\n ")
        .map((l) => l.length),
    ).toEqual([75, 74, 1]);
  });
});

describe("iCalendar subscription feeds", () => {
  it("publish many events with no e-mail address, cancelled ones transparent, read alike by ical.js and node-ical", () => {
    const event = (uid: string, status: "CONFIRMED" | "CANCELLED") => ({
      uid,
      sequence: status === "CANCELLED" ? 2 : 0,
      start: new Date("2031-11-02T12:30:00Z"),
      end: new Date("2031-11-02T13:00:00Z"),
      stamp: new Date("2031-11-01T09:00:00Z"),
      summary: "Consulta com Zé 🩺",
      description: "Teleconsulta.\nSala: https://app.example/room/abc",
      url: "https://app.example/room/abc",
      status,
    });
    const ics = buildFeed({
      name: "HealthFlow — minha agenda",
      refreshMinutes: 60,
      events: [event("a@healthflow", "CONFIRMED"), event("b@healthflow", "CANCELLED")],
    });
    for (const line of ics.split("\r\n")) expect(Buffer.byteLength(line, "utf8")).toBeLessThanOrEqual(75);
    expect(ics).not.toMatch(/ORGANIZER|ATTENDEE|mailto:/);
    const cal = new ICAL.Component(ICAL.parse(ics));
    expect(cal.getFirstPropertyValue("method")).toBe("PUBLISH");
    expect(cal.getFirstPropertyValue("x-wr-calname")).toBe("HealthFlow — minha agenda");
    const vevents = cal.getAllSubcomponents("vevent");
    expect(vevents.map((v) => [v.getFirstPropertyValue("uid"), v.getFirstPropertyValue("transp")])).toEqual([
      ["a@healthflow", "OPAQUE"],
      ["b@healthflow", "TRANSPARENT"],
    ]);
    const parsed = nodeIcal.sync.parseICS(ics);
    const b = parsed["b@healthflow"] as VEvent;
    expect([b.status, Number(b.sequence), b.summary, new Date(b.start).toISOString()]).toEqual([
      "CANCELLED",
      2,
      "Consulta com Zé 🩺",
      "2031-11-02T12:30:00.000Z",
    ]);
  });
});
