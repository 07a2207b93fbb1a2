/**
 * Calendar subscription feeds (issue 14) through the app: create, replace, revoke, hashed storage,
 * ETag/304, disabled accounts, what a doctor's and a patient's feed show (and never show), folding of
 * long non-ASCII names, the doctor's reason opt-in. Every feed is read by two independent parsers
 * (ical.js and node-ical) and its events compared with `GET /api/consultations` for the same user,
 * across New York's DST change (2026-11-01), a reschedule (SEQUENCE grows) and a cancel.
 *
 * The safety part (revoked and replaced tokens, another user's consultations) also runs on the Data
 * API stand-in: `TEST_DB_ENGINE=data-api`.
 */
import { randomInt } from "node:crypto";
import { createApp, createLogger } from "@healthflow/core";
import { createTestClinic, type TestClinic, type TestPerson } from "@healthflow/test-kit/test-clinic";
import ICAL from "ical.js";
import nodeIcal, { type VEvent } from "node-ical";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyRoomToken } from "../rooms/room-token.js";
import { feedTokenHash } from "./calendar-feed.js";

const PUBLIC_URL = "https://app.clinic.example";
const T0 = new Date("2026-10-20T12:00:00Z");
const DAY = 86_400_000;

let clinic: TestClinic;
beforeAll(async () => {
  clinic = await createTestClinic({ now: T0, config: { publicUrl: PUBLIC_URL, booking: undefined } });
});
afterAll(async () => {
  await clinic?.close();
});

/** A doctor available around the clock, every day, in `zone`. */
async function doctor(zone: string, name?: string): Promise<TestPerson> {
  const d = await clinic.person("doctor", {
    ...(name ? { name } : {}),
    doctor: { timezone: zone, slotMinutes: 30, crm: String(randomInt(100_000, 999_999_999)), crmState: "SP" },
  });
  const res = await clinic.call("PUT", `/api/doctors/${d.user.id}/availability`, {
    as: d,
    body: { rules: [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start: "00:00", end: "24:00" })) },
  });
  expect(res.status).toBe(200);
  return d;
}

async function book(patient: TestPerson, doc: TestPerson, startsAt: string, reason?: string): Promise<string> {
  const res = await clinic.call("POST", "/api/consultations", {
    as: patient,
    body: { doctorId: doc.user.id, startsAt, ...(reason ? { reason } : {}) },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.consultation.id;
}

async function createFeed(person: TestPerson, body?: unknown): Promise<string> {
  const res = await clinic.call("POST", "/api/me/calendar-feed", { as: person, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect(Object.keys(res.body)).toEqual(["url"]);
  const url = String(res.body.url);
  expect(url).toMatch(new RegExp(`^${PUBLIC_URL.replace(/\./g, "\\.")}/cal/[A-Za-z0-9_-]{43}\\.ics$`));
  return url;
}

/** GET of a feed URL, by its path, anonymously. */
async function fetchFeed(url: string, headers: Record<string, string> = {}) {
  const res = await clinic.app.request(new URL(url).pathname, { headers });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** The text with its folds undone, so a `not.toContain` cannot pass because a fold split the word. */
const unfold = (text: string) => text.replace(/\r\n /g, "");

const tokenOf = (url: string) => /\/cal\/([A-Za-z0-9_-]+)\.ics$/.exec(url)![1]!;

interface ParsedEvent {
  uid: string;
  start: string;
  end: string;
  status: string;
  sequence: number;
  summary: string;
  description: string;
  url: string | undefined;
}

/** ical.js: the calendar's properties and its events. */
function readWithIcalJs(text: string) {
  const cal = new ICAL.Component(ICAL.parse(text));
  const events: ParsedEvent[] = cal.getAllSubcomponents("vevent").map((v) => {
    const e = new ICAL.Event(v);
    return {
      uid: e.uid,
      start: e.startDate.toJSDate().toISOString(),
      end: e.endDate.toJSDate().toISOString(),
      status: String(v.getFirstPropertyValue("status")),
      sequence: e.sequence,
      summary: e.summary,
      description: e.description,
      url: (v.getFirstPropertyValue("url") as string | null) ?? undefined,
    };
  });
  return {
    method: cal.getFirstPropertyValue("method"),
    name: cal.getFirstPropertyValue("x-wr-calname"),
    prodid: cal.getFirstPropertyValue("prodid"),
    events: events.sort((a, b) => a.uid.localeCompare(b.uid)),
  };
}

/** node-ical: an independent parser; its events in the same shape. */
function readWithNodeIcal(text: string): ParsedEvent[] {
  const parsed = nodeIcal.sync.parseICS(text);
  const events: ParsedEvent[] = [];
  for (const item of Object.values(parsed)) {
    if (item?.type !== "VEVENT") continue;
    const e = item as VEvent;
    const value = (v: unknown) => (typeof v === "object" && v !== null && "val" in v ? String(v.val) : String(v ?? ""));
    events.push({
      uid: e.uid,
      start: new Date(e.start).toISOString(),
      end: new Date(e.end!).toISOString(),
      status: String(e.status),
      sequence: Number(e.sequence),
      summary: value(e.summary),
      description: value(e.description),
      url: e.url ? value(e.url) : undefined,
    });
  }
  return events.sort((a, b) => a.uid.localeCompare(b.uid));
}

/** Both parsers read the same events; returns them. */
function readFeed(text: string) {
  const a = readWithIcalJs(text);
  const b = readWithNodeIcal(text);
  expect(b).toEqual(a.events);
  return a;
}

/** Every line at most 75 octets, CRLF-terminated (RFC 5545 3.1). */
function expectFolded(text: string) {
  expect(text.endsWith("\r\n")).toBe(true);
  for (const line of text.slice(0, -2).split("\r\n")) expect(Buffer.byteLength(line, "utf8")).toBeLessThanOrEqual(75);
  expect(text.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
}

/** What the API says of the user's consultations in the feed's window, in the feed's terms. */
async function apiEvents(person: TestPerson) {
  const now = clinic.clock.now().getTime();
  const res = await clinic.call(
    "GET",
    `/api/consultations?from=${new Date(now - 31 * DAY).toISOString()}&to=${new Date(now + 365 * DAY).toISOString()}&limit=500`,
    { as: person },
  );
  expect(res.status).toBe(200);
  const sequences = await clinic.db
    .selectFrom("consultations")
    .select(["id", "calendar_sequence"])
    .where(
      "id",
      "in",
      res.body.consultations.map((c: { id: string }) => c.id),
    )
    .execute();
  const seq = new Map(sequences.map((r) => [r.id, r.calendar_sequence]));
  return res.body.consultations
    .map((c: { id: string; startsAt: string; endsAt: string; status: string }) => ({
      uid: `${c.id}@healthflow`,
      start: new Date(c.startsAt).toISOString(),
      end: new Date(c.endsAt).toISOString(),
      status: c.status === "cancelled" ? "CANCELLED" : "CONFIRMED",
      sequence: seq.get(c.id),
    }))
    .sort((a: { uid: string }, b: { uid: string }) => a.uid.localeCompare(b.uid));
}

const essentials = (events: ParsedEvent[]) =>
  events.map(({ uid, start, end, status, sequence }) => ({ uid, start, end, status, sequence }));

/** The wall-clock hour of an instant in a zone. */
const localHour = (iso: string, zone: string) =>
  new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(
    new Date(iso),
  );

describe("calendar feed API", () => {
  it("creates, shows status without the URL, replaces (the old URL is 404 at once) and revokes", async () => {
    const patient = await clinic.person("patient");
    const none = await clinic.call("GET", "/api/me/calendar-feed", { as: patient });
    expect(none.status).toBe(200);
    expect(none.body).toEqual({ active: false, createdAt: null, includeReason: false });

    const first = await createFeed(patient);
    const status = await clinic.call("GET", "/api/me/calendar-feed", { as: patient });
    expect(status.body).toEqual({ active: true, createdAt: T0.toISOString(), includeReason: false });
    expect(JSON.stringify(status.body)).not.toContain(tokenOf(first));
    // No consultation yet: an empty calendar, still valid for both parsers.
    const empty = await fetchFeed(first);
    expect(empty.status).toBe(200);
    expectFolded(empty.text);
    expect(readFeed(empty.text)).toMatchObject({
      method: "PUBLISH",
      name: "HealthFlow — minhas consultas",
      events: [],
    });

    // Only the hash is stored: the raw token appears nowhere in the table.
    const rows = await clinic.db
      .selectFrom("calendar_feeds")
      .selectAll()
      .where("user_id", "=", patient.user.id)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).toBe(feedTokenHash(tokenOf(first)));
    expect(JSON.stringify(rows)).not.toContain(tokenOf(first));

    const second = await createFeed(patient);
    expect(second).not.toBe(first);
    expect((await fetchFeed(first)).status).toBe(404);
    expect((await fetchFeed(second)).status).toBe(200);
    expect(
      await clinic.db.selectFrom("calendar_feeds").select("id").where("user_id", "=", patient.user.id).execute(),
    ).toHaveLength(1);

    const revoked = await clinic.call("DELETE", "/api/me/calendar-feed", { as: patient });
    expect(revoked.status).toBe(204);
    const gone = await fetchFeed(second);
    expect(gone.status).toBe(404);
    expect(JSON.parse(gone.text)).toEqual({ error: { code: "calendar_feed_not_found", message: expect.any(String) } });
    expect((await clinic.call("GET", "/api/me/calendar-feed", { as: patient })).body.active).toBe(false);
    // Revoking again is fine.
    expect((await clinic.call("DELETE", "/api/me/calendar-feed", { as: patient })).status).toBe(204);
  });

  it("is for doctors and patients: admins 403, anonymous 401; malformed and unknown tokens 404", async () => {
    const admin = await clinic.person("admin");
    for (const method of ["POST", "GET", "DELETE"]) {
      expect((await clinic.call(method, "/api/me/calendar-feed", { as: admin })).status).toBe(403);
      expect((await clinic.call(method, "/api/me/calendar-feed")).status).toBe(401);
    }
    expect((await clinic.app.request(`/cal/${"A".repeat(43)}.ics`)).status).toBe(404);
    expect((await clinic.app.request("/cal/short.ics")).status).toBe(404);
    expect((await clinic.app.request(`/cal/${"A".repeat(43)}`)).status).toBe(404);
  });

  it("answers text/calendar with a strong ETag, 304 on If-None-Match, and a new ETag when an event changes", async () => {
    const doc = await doctor("America/Sao_Paulo");
    const patient = await clinic.person("patient");
    const id = await book(patient, doc, "2026-10-26T13:00:00Z");
    const url = await createFeed(patient);
    const first = await fetchFeed(url);
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
    expect(first.headers.get("cache-control")).toMatch(/^private, max-age=\d+$/);
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);

    // The same body on the next poll (room links included), so the same ETag.
    const again = await fetchFeed(url);
    expect(again.text).toBe(first.text);
    expect(again.headers.get("etag")).toBe(etag);

    // HEAD (some clients probe with it): the same headers, no body.
    const head = await clinic.app.request(new URL(url).pathname, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("etag")).toBe(etag);
    expect(await head.text()).toBe("");

    const notModified = await fetchFeed(url, { "if-none-match": etag });
    expect(notModified.status).toBe(304);
    expect(notModified.text).toBe("");
    expect(notModified.headers.get("etag")).toBe(etag);
    expect((await fetchFeed(url, { "if-none-match": `"other", W/${etag}` })).status).toBe(304);
    expect((await fetchFeed(url, { "if-none-match": '"other"' })).status).toBe(200);

    const moved = await clinic.call("PATCH", `/api/consultations/${id}`, {
      as: patient,
      body: { startsAt: "2026-10-27T13:00:00Z" },
    });
    expect(moved.status).toBe(200);
    const changed = await fetchFeed(url, { "if-none-match": etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(etag);
  });

  it("counts against the anonymous request budget of the caller's address, known token or not (429)", async () => {
    const limited = await createTestClinic({
      now: T0,
      database: clinic.database,
      config: { publicUrl: PUBLIC_URL, trustProxyHops: 1, requestBudgetPerMinute: 2 },
    });
    const patient = await clinic.person("patient");
    const url = await createFeed(patient);
    const ip = `10.${randomInt(0, 250)}.${randomInt(0, 250)}.${randomInt(1, 250)}`;
    const get = (path: string) => limited.app.request(path, { headers: { "x-forwarded-for": ip } });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get(new URL(url).pathname)).status);
    statuses.push((await get(`/cal/${"B".repeat(43)}.ics`)).status);
    const refused = await get(new URL(url).pathname);
    expect([...statuses, refused.status]).toEqual([200, 200, 200, 404, 429]);
    expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
    await limited.close();
  });

  it("never writes a feed token to the log (request lines are redacted)", async () => {
    const lines: string[] = [];
    const app = createApp({ ...clinic.deps, logger: createLogger({ level: "debug", write: (l) => lines.push(l) }) });
    const patient = await clinic.person("patient");
    const res = await app.request("/api/me/calendar-feed", { method: "POST", headers: patient.headers });
    expect(res.status).toBe(201);
    const url = (await res.json()).url as string;
    const path = new URL(url).pathname;
    for (const p of [path, `${path}?x=1`, path.replace(/\.ics$/, ""), `${path}/`]) await app.request(p);
    const feedLines = lines.filter((l) => l.includes("/cal/"));
    expect(feedLines).toHaveLength(4);
    for (const l of feedLines) expect(l).toContain("[redacted]");
    expect(lines.join("\n")).not.toContain(tokenOf(url));
  });

  it("stops working when the account is disabled", async () => {
    const patient = await clinic.person("patient");
    const url = await createFeed(patient);
    expect((await fetchFeed(url)).status).toBe(200);
    await clinic.db
      .updateTable("users")
      .set({ disabled_at: clinic.clock.now() })
      .where("id", "=", patient.user.id)
      .execute();
    expect((await fetchFeed(url)).status).toBe(404);
  });

  it("is deleted when an admin anonymises the patient", async () => {
    const admin = await clinic.person("admin");
    const patient = await clinic.person("patient");
    const url = await createFeed(patient);
    const res = await clinic.call("POST", `/api/users/${patient.user.id}/anonymise`, { as: admin });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await fetchFeed(url)).status).toBe(404);
    const rows = await clinic.db
      .selectFrom("calendar_feeds")
      .select("id")
      .where("user_id", "=", patient.user.id)
      .execute();
    expect(rows).toEqual([]);
  });
});

describe("calendar feed content", () => {
  it("matches the API's consultations for the doctor and the patient, across New York's DST change, a reschedule and a cancel", async () => {
    const zone = "America/New_York";
    const doc = await doctor(zone, "Dra. Maria da Conceição");
    const ana = await clinic.person("patient", { name: "Ana Beatriz", language: "en" });
    const other = await clinic.person("patient", { name: "Outra Pessoa Secreta" });

    // 10:00 in New York before (EDT, -4) and after (EST, -5) the change of 2026-11-01, and after the
    // spring change of 2027-03-14 (EDT again).
    const beforeDst = await book(ana, doc, "2026-10-30T14:00:00Z", "Dor de cabeça");
    const afterDst = await book(ana, doc, "2026-11-02T15:00:00Z");
    const spring = await book(ana, doc, "2027-03-15T14:00:00Z");
    const toMove = await book(ana, doc, "2026-11-05T15:00:00Z");
    const toCancel = await book(ana, doc, "2026-11-06T15:00:00Z");
    const someoneElses = await book(other, doc, "2026-11-03T15:00:00Z", "Assunto reservado");

    const moved = await clinic.call("PATCH", `/api/consultations/${toMove}`, {
      as: ana,
      body: { startsAt: "2026-11-09T16:00:00Z" },
    });
    expect(moved.status).toBe(200);
    const cancelled = await clinic.call("POST", `/api/consultations/${toCancel}/cancel`, { as: ana, body: {} });
    expect(cancelled.status).toBe(200);

    // --- the patient's feed ------------------------------------------------------------------------
    const anaFeed = await fetchFeed(await createFeed(ana));
    expect(anaFeed.status).toBe(200);
    expectFolded(anaFeed.text);
    const anaCal = readFeed(anaFeed.text);
    expect(anaCal.method).toBe("PUBLISH");
    expect(anaCal.name).toBe("HealthFlow — my consultations");
    expect(anaCal.prodid).toContain("HealthFlow");
    expect(essentials(anaCal.events)).toEqual(await apiEvents(ana));
    expect(anaCal.events.map((e) => e.uid)).not.toContain(`${someoneElses}@healthflow`);
    expect(unfold(anaFeed.text)).not.toContain("Outra Pessoa Secreta");
    expect(unfold(anaFeed.text)).not.toContain("Assunto reservado");

    const byId = (events: ParsedEvent[], id: string) => events.find((e) => e.uid === `${id}@healthflow`)!;
    // The wall clock in New York is 10:00 on both sides of the change; the instants differ by 25 h.
    for (const id of [beforeDst, afterDst, spring])
      expect(localHour(byId(anaCal.events, id).start, zone)).toBe("10:00");
    expect(byId(anaCal.events, beforeDst).start).toBe("2026-10-30T14:00:00.000Z");
    expect(byId(anaCal.events, afterDst).start).toBe("2026-11-02T15:00:00.000Z");
    // The reschedule moved the event and raised its SEQUENCE; the cancel is STATUS:CANCELLED.
    expect(byId(anaCal.events, toMove)).toMatchObject({ start: "2026-11-09T16:00:00.000Z", sequence: 1 });
    expect(byId(anaCal.events, beforeDst).sequence).toBe(0);
    expect(byId(anaCal.events, toCancel)).toMatchObject({ status: "CANCELLED", sequence: 1 });
    // English, the doctor's name, the patient's own reason, and the patient's room link.
    const first = byId(anaCal.events, beforeDst);
    expect(first.summary).toBe("Consultation with Dra. Maria da Conceição");
    expect(first.description).toContain("Reason: Dor de cabeça");
    expect(first.url).toMatch(
      new RegExp(`^${PUBLIC_URL.replace(/\./g, "\\.")}/room/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$`),
    );
    expect(first.description).toContain(`Room: ${first.url}`);
    // The room link is a valid room token for that consultation, as its patient.
    const verified = await verifyRoomToken(clinic.deps.config.secret!, first.url!.split("/room/")[1]!, T0);
    expect(verified).toMatchObject({ ok: true, claims: { consultationId: beforeDst, role: "patient" } });
    // A cancelled consultation links to the dashboard, not to a closed room.
    expect(byId(anaCal.events, toCancel).url).toBe(`${PUBLIC_URL}/consultations`);

    // --- the doctor's feed: every patient of theirs, no reasons (no opt-in), no room links ---------------
    const docFeed = await fetchFeed(await createFeed(doc));
    expectFolded(docFeed.text);
    const docCal = readFeed(docFeed.text);
    expect(docCal.name).toBe("HealthFlow — minha agenda");
    expect(essentials(docCal.events)).toEqual(await apiEvents(doc));
    expect(docCal.events.map((e) => e.uid)).toContain(`${someoneElses}@healthflow`);
    expect(byId(docCal.events, beforeDst).summary).toBe("Consulta com Ana Beatriz");
    expect(byId(docCal.events, someoneElses).summary).toBe("Consulta com Outra Pessoa Secreta");
    expect(unfold(docFeed.text)).not.toContain("Dor de cabeça");
    expect(unfold(docFeed.text)).not.toContain("Assunto reservado");
    expect(unfold(docFeed.text)).not.toContain("/room/");
    expect(byId(docCal.events, beforeDst).url).toBe(`${PUBLIC_URL}/agenda`);
  });

  it("keeps notes out always, and shows reasons on a doctor's feed only when the doctor opts in", async () => {
    const doc = await doctor("America/Sao_Paulo");
    const patient = await clinic.person("patient");
    const id = await book(patient, doc, "2026-10-28T13:00:00Z", "Retorno; exames, resultado");
    const notes = await clinic.call("PATCH", `/api/consultations/${id}`, {
      as: doc,
      body: { notes: "NOTA CLÍNICA SIGILOSA" },
    });
    expect(notes.status).toBe(200);

    const plain = await fetchFeed(await createFeed(doc));
    expect(unfold(plain.text)).not.toContain("Retorno");
    expect(unfold(plain.text)).not.toContain("SIGILOSA");

    const optIn = await fetchFeed(await createFeed(doc, { includeReason: true }));
    expect((await clinic.call("GET", "/api/me/calendar-feed", { as: doc })).body.includeReason).toBe(true);
    const event = readFeed(optIn.text).events.find((e) => e.uid === `${id}@healthflow`)!;
    // Escaped in the file (\; and \,), whole once parsed.
    expect(optIn.text.replace(/\r\n /g, "")).toContain("Retorno\\; exames\\, resultado");
    expect(event.description).toContain("Motivo: Retorno; exames, resultado");
    expect(unfold(optIn.text)).not.toContain("SIGILOSA");

    const patientFeed = await fetchFeed(await createFeed(patient));
    expect(readFeed(patientFeed.text).events[0]!.description).toContain("Motivo: Retorno; exames, resultado");
    expect(unfold(patientFeed.text)).not.toContain("SIGILOSA");
    // A patient cannot turn a doctor-only setting on for themselves: it is simply not theirs.
    await createFeed(patient, { includeReason: true });
    expect((await clinic.call("GET", "/api/me/calendar-feed", { as: patient })).body.includeReason).toBe(false);
  });

  it("folds long names with accents and emoji without splitting a character, and both parsers read them whole", async () => {
    const longName = `Dra. Conceição Ávila de Souza Gonçalves 🩺👩🏽‍⚕️ ${"Íñigo Ñandú Çaçapava ".repeat(4)}`.trim();
    const doc = await doctor("America/Sao_Paulo", longName);
    const patient = await clinic.person("patient", { name: "José Ümlaut, Jr.; 😀" });
    const id = await book(patient, doc, "2026-10-29T13:00:00Z", "Dor nas costas — há 3 semanas 🙁");
    const feed = await fetchFeed(await createFeed(patient));
    expectFolded(feed.text);
    // Folding did happen on the long lines.
    expect(feed.text).toMatch(/\r\n [^\r\n]/);
    const event = readFeed(feed.text).events.find((e) => e.uid === `${id}@healthflow`)!;
    expect(event.summary).toBe(`Consulta com ${longName}`);
    expect(event.description).toContain("Motivo: Dor nas costas — há 3 semanas 🙁");

    const docFeed = await fetchFeed(await createFeed(doc));
    expectFolded(docFeed.text);
    expect(readFeed(docFeed.text).events[0]!.summary).toBe("Consulta com José Ümlaut, Jr.; 😀");
  });

  it("shows 30 days back to a year ahead; cancelled consultations for 30 days after their cancellation", async () => {
    const doc = await doctor("America/Sao_Paulo");
    const patient = await clinic.person("patient");
    const soon = await book(patient, doc, "2026-10-22T13:00:00Z");
    const cancelledEarly = await book(patient, doc, "2026-12-01T13:00:00Z");
    expect(
      (await clinic.call("POST", `/api/consultations/${cancelledEarly}/cancel`, { as: patient, body: {} })).status,
    ).toBe(200);
    const farAhead = await book(patient, doc, "2028-01-10T13:00:00Z"); // beyond a year from T0 (and from T0 + 60 days)
    const url = await createFeed(patient);
    const uids = async () => readFeed((await fetchFeed(url)).text).events.map((e) => e.uid);
    expect(await uids()).toEqual([`${soon}@healthflow`, `${cancelledEarly}@healthflow`].sort());

    // 31 days later: the cancellation is over 30 days old and is gone; `soon` is 29 days past.
    clinic.clock.set(new Date(T0.getTime() + 31 * DAY));
    try {
      expect(await uids()).toEqual([`${soon}@healthflow`]);
      // 40 days later, `soon` is more than 30 days past, and `farAhead` is not yet within the year.
      clinic.clock.set(new Date(T0.getTime() + 60 * DAY));
      expect(await uids()).toEqual([]);
      clinic.clock.set(new Date(T0.getTime() + 366 * DAY));
      expect(await uids()).toEqual([`${farAhead}@healthflow`]);
    } finally {
      clinic.clock.set(T0);
    }
  });
});
