/**
 * Search (issue #13) through the HTTP API: patients by name, email or phone (admins; doctors: only
 * their own patients), doctors by name or specialty, and the first free slot per doctor of a
 * specialty. Runs on PGlite by default, PostgreSQL with TEST_DATABASE_URL, and the Data API
 * stand-in with TEST_DB_ENGINE=data-api (the safety part: who sees whom, hostile queries).
 *
 * The database is shared with other test files: every name carries a random tag so a search finds
 * only this test's people, and assertions that cannot be scoped check a property of every result.
 * The clock stands at Monday 2030-03-04 09:00 in Sao Paulo (12:00Z).
 */
import { randomUUID } from "node:crypto";
import { createTestClinic, type TestClinic, type TestPerson } from "@healthflow/test-kit/test-clinic";
import type { QueryResult, RootOperationNode, UnknownRow } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstAvailable } from "../../scheduling/first-available.js";
import { foldSearchText } from "../../users/search-text.js";

const NOW = new Date("2030-03-04T12:00:00Z");
let clinic: TestClinic;
let admin: TestPerson;

beforeAll(async () => {
  clinic = await createTestClinic({ now: NOW, config: { booking: undefined } });
  admin = await clinic.person("admin");
});
afterAll(() => clinic?.close());

/** A random word of letters only (digits would make it a phone-style word). */
function tag(): string {
  return `Zq${randomUUID()
    .replace(/[^a-f]/g, "")
    .slice(0, 8)}`;
}

async function search(as: TestPerson, query: string) {
  return clinic.call("GET", `/api/users?${query}`, { as });
}
const names = (res: { body: { users: Array<{ name: string }> } }) => res.body.users.map((u) => u.name).sort();

async function book(doctor: TestPerson, patient: TestPerson, startsAt: string) {
  const res = await clinic.call("POST", "/api/consultations", {
    as: admin,
    body: { doctorId: doctor.user.id, patientId: patient.user.id, startsAt },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.consultation as { id: string };
}

async function weekOf(
  doctor: TestPerson,
  rules: Array<{ weekday: number; start: string; end: string; modes?: ("video" | "in_person")[] }>,
) {
  const res = await clinic.call("PUT", `/api/doctors/${doctor.user.id}/availability`, { as: admin, body: { rules } });
  expect(res.status).toBe(200);
}
const weekdays = (start: string, end: string) => [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start, end }));

describe("GET /api/users?q= (admins)", () => {
  it("finds by any word's prefix, ignoring case and accents, by email and by phone digits", async () => {
    const t = tag();
    const joao = await clinic.person("patient", {
      name: `João ${t} Conceição`,
      email: `joao.${t.toLowerCase()}@clinica.example`,
      phone: "+5511987654321",
    });
    await clinic.person("patient", { name: `Maria ${t} Souza` });
    await clinic.person("doctor", { name: `Dr. Joana ${t}` });

    // Through the API a phone is normalised to "+" and digits.
    const viaApi = await clinic.call("POST", "/api/users", {
      as: admin,
      body: {
        email: `p-${t}@x.example`,
        name: `Pedro ${t}`,
        role: "patient",
        password: "long enough pw",
        phone: "+55 (21) 3333-4444",
      },
    });
    expect([viaApi.status, viaApi.body.user?.phone]).toEqual([201, "+552133334444"]);
    const bad = await clinic.call("POST", "/api/users", {
      as: admin,
      body: { email: `q-${t}@x.example`, name: "X", role: "patient", password: "long enough pw", phone: "call me" },
    });
    expect(bad.status).toBe(400);
    expect(names(await search(admin, `role=patient&q=${t}`))).toEqual([
      `João ${t} Conceição`,
      `Maria ${t} Souza`,
      `Pedro ${t}`,
    ]);
    // Accents and case on either side, a word's prefix, several words (every one must match).
    for (const q of ["joao", "JOÃO", "jo", "concei", "CONCEICAO", "joão conc"]) {
      expect(names(await search(admin, `role=patient&q=${encodeURIComponent(`${q} ${t}`)}`)), q).toEqual([
        `João ${t} Conceição`,
      ]);
    }
    // Not the middle of a word.
    expect((await search(admin, `role=patient&q=${encodeURIComponent(`oao ${t}`)}`)).body.users).toEqual([]);
    // Email: the whole address or its parts.
    const byEmail = await search(admin, `q=${encodeURIComponent(`joao.${t.toLowerCase()}@clinica.example`)}`);
    expect(byEmail.body.users.map((u: { id: string }) => u.id)).toEqual([joao.user.id]);
    // Phone: as typed, or any run of its digits.
    for (const q of ["+55 (11) 98765-4321", "98765-4321", "987654321"]) {
      const res = await search(admin, `role=patient&q=${encodeURIComponent(q)}`);
      expect(res.status).toBe(200);
      expect(
        res.body.users.map((u: { id: string }) => u.id),
        q,
      ).toContain(joao.user.id);
      for (const u of res.body.users) expect(u.phone.replace(/\D/g, "")).toContain(q.replace(/\D/g, ""));
    }
    // Without role: every account that matches (the doctor too).
    expect(names(await search(admin, `q=${t}`))).toEqual([
      `Dr. Joana ${t}`,
      `João ${t} Conceição`,
      `Maria ${t} Souza`,
      `Pedro ${t}`,
    ]);
    expect(names(await search(admin, `role=doctor&q=${t}`))).toEqual([`Dr. Joana ${t}`]);
  });

  it("pages through matches with limit and cursor, each once", async () => {
    const t = tag();
    for (let i = 0; i < 5; i++) await clinic.person("patient", { name: `Ana ${t} ${String.fromCharCode(97 + i)}` });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: any } = await search(
        admin,
        `role=patient&q=${t}&limit=2${cursor ? `&cursor=${cursor}` : ""}`,
      );
      expect(res.status).toBe(200);
      seen.push(...res.body.users.map((u: { name: string }) => u.name));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(["a", "b", "c", "d", "e"].map((l) => `Ana ${t} ${l}`));
  });

  it("keeps the search text right after a rename and an anonymisation (generated column)", async () => {
    const t = tag();
    const u = tag();
    const p = await clinic.person("patient", { name: `Before ${t}` });
    const patch = await clinic.call("PATCH", `/api/users/${p.user.id}`, { as: admin, body: { name: `Após ${u}` } });
    expect(patch.status).toBe(200);
    expect((await search(admin, `q=${t}`)).body.users).toEqual([]);
    expect(names(await search(admin, `q=apos+${u}`))).toEqual([`Após ${u}`]);
    const anonymised = await clinic.call("POST", `/api/users/${p.user.id}/anonymise`, { as: admin });
    expect(anonymised.status).toBe(200);
    const row = await clinic.db
      .selectFrom("users")
      .select(["search_text", "phone"])
      .where("id", "=", p.user.id)
      .executeTakeFirstOrThrow();
    expect(row.search_text).not.toContain(u.toLowerCase());
    expect(row.phone).toBeNull();
    expect((await search(admin, `q=${u}`)).body.users).toEqual([]);
  });

  it("finds a self-registered patient at once (the database fills the search text on insert)", async () => {
    const t = tag();
    const email = `self-${t.toLowerCase()}@x.example`;
    const res = await clinic.call("POST", "/api/auth/register", {
      body: { email, password: "long enough password", name: `Autocadastro Ávila ${t}` },
      headers: { origin: "http://localhost" },
    });
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    const found = await search(admin, `role=patient&q=${encodeURIComponent(`avila ${t}`)}`);
    expect(found.body.users.map((u: { email: string }) => u.email)).toEqual([email]);
  });

  it("folds a query exactly as the database folds stored text", async () => {
    const samples = [
      "João Conceição",
      "ÁÀÂÃÄÅ áàâãäå ÉÈÊË éèêë ÍÌÎÏ íìîï ÓÒÔÕÖ óòôõö ÚÙÛÜ úùûü Ç ç Ñ ñ Ý ý ÿ",
      "D'Ávila-Souza (Jr.); a,b:c/d@e+f\"g’h\ti",
      "Jose\u0301 Conceic\u0327a\u0303o",
      "Иван 李 ß Œuvre",
      "%_\\ 100%",
    ];
    for (const s of samples) {
      const row = await clinic.db
        .selectNoFrom((eb) => eb.fn<string>("hf_search_fold", [eb.val(s)]).as("folded"))
        .executeTakeFirstOrThrow();
      expect(foldSearchText(s), s).toBe(row.folded);
    }
    expect(foldSearchText("Jose\u0301 Conceic\u0327a\u0303o")).toBe("jose conceicao");
  });
});

describe("GET /api/users?q= safety (who may search whom; hostile queries)", () => {
  it("a doctor finds only patients with a consultation with them (any status); others are 403", async () => {
    const t = tag();
    const doctor = await clinic.person("doctor", { name: `Dr ${t}` });
    const other = await clinic.person("doctor");
    await weekOf(doctor, weekdays("08:00", "18:00"));
    await weekOf(other, weekdays("08:00", "18:00"));
    const seen = await clinic.person("patient", { name: `Seen ${t}` });
    const cancelledOnly = await clinic.person("patient", { name: `Cancelled ${t}` });
    const stranger = await clinic.person("patient", { name: `Stranger ${t}` });
    const othersPatient = await clinic.person("patient", { name: `Elsewhere ${t}` });
    await book(doctor, seen, "2030-03-05T12:00:00Z");
    const c = await book(doctor, cancelledOnly, "2030-03-05T13:00:00Z");
    const cancel = await clinic.call("PATCH", `/api/consultations/${c.id}`, {
      as: admin,
      body: { status: "cancelled" },
    });
    expect(cancel.status).toBe(200);
    await book(other, othersPatient, "2030-03-05T12:00:00Z");

    const mine = await search(doctor, `role=patient&q=${t}`);
    expect(mine.status).toBe(200);
    expect(names(mine)).toEqual([`Cancelled ${t}`, `Seen ${t}`]);
    expect(JSON.stringify(mine.body)).not.toContain(stranger.user.id);
    expect(JSON.stringify(mine.body)).not.toContain(othersPatient.user.id);
    // Without q: still only their own patients (never the whole clinic).
    const all = await search(doctor, "role=patient&limit=500");
    expect(all.status).toBe(200);
    const ids = all.body.users.map((u: { id: string }) => u.id);
    expect(ids).toEqual(expect.arrayContaining([seen.user.id, cancelledOnly.user.id]));
    expect(ids).not.toContain(stranger.user.id);
    expect(ids).not.toContain(othersPatient.user.id);
    // The admin sees all four.
    expect(names(await search(admin, `role=patient&q=${t}`))).toHaveLength(4);

    for (const query of [`q=${t}`, `role=doctor&q=${t}`, `role=admin`, ""]) {
      const res = await search(doctor, query);
      expect([query, res.status, res.body.error?.code]).toEqual([query, 403, "forbidden"]);
    }
    for (const query of [`role=patient&q=${t}`, "role=patient", ""]) {
      const res = await search(seen, query);
      expect([query, res.status, res.body.error?.code]).toEqual([query, 403, "forbidden"]);
    }
    expect((await clinic.call("GET", `/api/users?role=patient&q=${t}`)).status).toBe(401);
  });

  it("answers hostile queries with 400 or correct results, never 500; LIKE wildcards are literal", async () => {
    const t = tag();
    const doctor = await clinic.person("doctor");
    await weekOf(doctor, weekdays("08:00", "18:00"));
    const odd = await clinic.person("patient", { name: `Odd_${t} 100% back\\slash` });
    await book(doctor, odd, "2030-03-06T12:00:00Z");
    const hostile = [
      "%",
      "_",
      "\\",
      "%%",
      "_%",
      "\\%",
      "'",
      "' or 1=1 --",
      "); drop table users; --",
      "*",
      "[a-z]",
      ".*",
      "😀",
      "李",
      "\u202e",
      "a".repeat(100),
      " ",
      "---",
    ];
    for (const actor of [admin, doctor]) {
      for (const q of hostile) {
        const res = await search(actor, `role=patient&q=${encodeURIComponent(q)}&limit=50`);
        expect([q, res.status]).toEqual([q, 200]);
        const words = q.trim().length > 0 && foldSearchText(q).trim().length > 0;
        if (!words) continue;
        // Every match really contains the query's words: a wildcard never matched "anything".
        for (const u of res.body.users as Array<{ name: string; email: string }>) {
          const text = ` ${foldSearchText(`${u.name} ${u.email}`)}`;
          for (const w of foldSearchText(q).split(/\s+/).filter(Boolean)) {
            expect(text, `${q} → ${u.name}`).toContain(/^\d+$/.test(w) ? w : ` ${w}`);
          }
        }
      }
    }
    // The literal characters are found where they are.
    expect(names(await search(admin, `role=patient&q=${encodeURIComponent(`odd_${t}`)}`))).toEqual([odd.user.name]);
    expect(names(await search(admin, `role=patient&q=${encodeURIComponent(`back\\ odd_${t}`)}`))).toEqual([
      odd.user.name,
    ]);
    expect((await search(admin, `role=patient&q=${encodeURIComponent(`odd%${t}`)}`)).body.users).toEqual([]);
    expect((await search(admin, `role=patient&q=${encodeURIComponent(`o_d ${t}`)}`)).body.users).toEqual([]);
    // Too long, control characters, malformed percent-encoding: 400 with the one error shape.
    for (const raw of [`q=${"a".repeat(101)}`, "q=a%00b", "q=%0a"]) {
      const res = await search(admin, `role=patient&${raw}`);
      expect([raw, res.status]).toEqual([raw, 400]);
      expect(res.body.error.code).toEqual(expect.any(String));
    }
    for (const raw of ["q=%E0%A4%A", "q=%FF", "q=%", "q=a&q=b"]) {
      const res = await search(admin, `role=patient&${raw}`);
      expect([raw, res.status < 500]).toEqual([raw, true]);
    }
  });
});

describe("GET /api/doctors?q=&specialty=", () => {
  it("finds doctors by name or specialty, accents aside; specialty filters exactly; no params lists all", async () => {
    const t = tag();
    const specialty = `Cardiologia ${t}`;
    const ana = await clinic.person("doctor", { name: `Dra. Ana ${t}`, doctor: { specialty } });
    const bruno = await clinic.person("doctor", { name: `Dr. Bruno ${t}`, doctor: { specialty: `Dermatologia ${t}` } });
    const dn = (res: { body: { doctors: Array<{ name: string }> } }) => res.body.doctors.map((d) => d.name);
    const call = (q: string) => clinic.call("GET", `/api/doctors?${q}`, { as: admin });

    expect(dn(await call(`q=${t}`)).sort()).toEqual([bruno.user.name, ana.user.name].sort());
    expect(dn(await call(`q=${encodeURIComponent(`cardio ${t}`)}`))).toEqual([ana.user.name]);
    expect(dn(await call(`q=${encodeURIComponent(`ANA ${t}`)}`))).toEqual([ana.user.name]);
    expect(dn(await call(`specialty=${encodeURIComponent(specialty.toUpperCase())}`))).toEqual([ana.user.name]);
    expect(dn(await call(`specialty=${encodeURIComponent(`cárdiologia ${t.toLowerCase()}`)}`))).toEqual([
      ana.user.name,
    ]);
    // Exact: a prefix of the specialty is not it.
    expect(dn(await call("specialty=Cardio"))).not.toContain(ana.user.name);
    expect(dn(await call(`q=${t}&specialty=${encodeURIComponent(`Dermatologia ${t}`)}`))).toEqual([bruno.user.name]);
    // Doctors' emails are not searched.
    expect(dn(await call(`q=${encodeURIComponent(ana.user.email)}`))).toEqual([]);

    const all = await call("");
    expect(all.status).toBe(200);
    expect(all.body.doctors.map((d: { id: string }) => d.id)).toEqual(
      expect.arrayContaining([ana.user.id, bruno.user.id]),
    );
    expect(Object.keys(all.body.doctors[0]).sort()).toEqual(
      ["id", "name", "specialty", "crm", "crmState", "timezone", "slotMinutes"].sort(),
    );
    for (const q of ["%", "_", "\\", "😀"]) {
      const res = await call(`q=${encodeURIComponent(q)}`);
      expect([q, res.status]).toEqual([q, 200]);
      for (const d of res.body.doctors) expect(foldSearchText(`${d.name} ${d.specialty}`)).toContain(foldSearchText(q));
    }
    expect((await clinic.call("GET", `/api/doctors?q=${t}`)).status).toBe(401);
  });
});

describe("GET /api/slots/first-available", () => {
  it("says which modes each slot offers, and ?mode= skips slots that do not offer it", async () => {
    const t = tag();
    const specialty = `Pediatria ${t}`;
    const both = await clinic.person("doctor", { name: `Ambos ${t}`, doctor: { specialty } });
    // Mornings in person only, afternoons by video only.
    await weekOf(both, [
      { weekday: 1, start: "10:00", end: "11:00", modes: ["in_person"] },
      { weekday: 1, start: "14:00", end: "15:00", modes: ["video"] },
    ]);
    const url = (mode?: string) =>
      `/api/slots/first-available?specialty=${encodeURIComponent(specialty)}${mode ? `&mode=${mode}` : ""}`;
    const any = await clinic.call("GET", url(), { as: admin });
    expect(any.body.slots).toEqual([
      expect.objectContaining({ startsAt: "2030-03-04T13:00:00.000Z", modes: ["in_person"] }),
    ]);
    const video = await clinic.call("GET", url("video"), { as: admin });
    expect(video.body.slots).toEqual([
      expect.objectContaining({ startsAt: "2030-03-04T17:00:00.000Z", modes: ["video"] }),
    ]);
    // The slot offered for video books as video.
    const patient = await clinic.call("POST", "/api/consultations", {
      as: admin,
      body: {
        doctorId: both.user.id,
        patientId: (await clinic.person("patient")).user.id,
        startsAt: video.body.slots[0].startsAt,
        mode: "video",
      },
    });
    expect(patient.status).toBe(201);
    expect((await clinic.call("GET", url("teleporte"), { as: admin })).status).toBe(400);
  });

  it("gives each doctor's first free slot, earliest first, past bookings, time off and notice", async () => {
    const t = tag();
    const specialty = `Neurologia ${t}`;
    const mk = (name: string) => clinic.person("doctor", { name: `${name} ${t}`, doctor: { specialty } });
    const [early, busy, away, later, idle] = await Promise.all([mk("A"), mk("B"), mk("C"), mk("D"), mk("E")]);
    // Now is Monday 09:00 local; minimum notice applies.
    await weekOf(early, weekdays("10:00", "12:00"));
    await weekOf(busy, weekdays("10:00", "12:00"));
    await weekOf(away, weekdays("10:00", "12:00"));
    await weekOf(later, [{ weekday: 4, start: "15:00", end: "16:00" }]); // Thursdays only
    // `idle` has no hours: no slot.
    const patient = await clinic.person("patient");
    await book(busy, patient, "2030-03-04T13:00:00Z"); // B's 10:00 is taken
    const off = await clinic.call("POST", `/api/doctors/${away.user.id}/time-off`, {
      as: admin,
      body: { startsAt: "2030-03-04T00:00:00Z", endsAt: "2030-03-06T03:00:00Z" }, // C away Mon and Tue
    });
    expect(off.status).toBe(201);

    const res = await clinic.call("GET", `/api/slots/first-available?specialty=${encodeURIComponent(specialty)}`, {
      as: patient,
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      slots: [
        {
          doctorId: early.user.id,
          doctorName: early.user.name,
          startsAt: "2030-03-04T13:00:00.000Z",
          endsAt: "2030-03-04T13:30:00.000Z",
          modes: ["video", "in_person"],
        },
        {
          doctorId: busy.user.id,
          doctorName: busy.user.name,
          startsAt: "2030-03-04T13:30:00.000Z",
          endsAt: "2030-03-04T14:00:00.000Z",
          modes: ["video", "in_person"],
        },
        {
          doctorId: away.user.id,
          doctorName: away.user.name,
          startsAt: "2030-03-06T13:00:00.000Z",
          endsAt: "2030-03-06T13:30:00.000Z",
          modes: ["video", "in_person"],
        },
        {
          doctorId: later.user.id,
          doctorName: later.user.name,
          startsAt: "2030-03-07T18:00:00.000Z",
          endsAt: "2030-03-07T18:30:00.000Z",
          modes: ["video", "in_person"],
        },
      ],
    });
    expect(JSON.stringify(res.body)).not.toContain(idle.user.id);

    // Each one is bookable as offered, through the ordinary booking.
    const first = res.body.slots[2];
    const booked = await clinic.call("POST", "/api/consultations", {
      as: patient,
      body: { doctorId: first.doctorId, startsAt: first.startsAt },
    });
    expect(booked.status).toBe(201);
    const again = await clinic.call("GET", `/api/slots/first-available?specialty=${encodeURIComponent(specialty)}`, {
      as: patient,
    });
    expect(again.body.slots.find((s: { doctorId: string }) => s.doctorId === away.user.id).startsAt).toBe(
      "2030-03-06T13:30:00.000Z",
    );

    // `from`, and the specialty compared without case and accents.
    const from = await clinic.call(
      "GET",
      `/api/slots/first-available?specialty=${encodeURIComponent(specialty.toLowerCase())}&from=2030-03-07T00:00:00Z`,
      { as: admin },
    );
    expect(from.body.slots.map((s: { startsAt: string }) => s.startsAt)).toEqual([
      "2030-03-07T13:00:00.000Z",
      "2030-03-07T13:00:00.000Z",
      "2030-03-07T13:00:00.000Z",
      "2030-03-07T18:00:00.000Z",
    ]);
  });

  it("returns at most 10, one per doctor, and looks past empty weeks", async () => {
    const t = tag();
    const specialty = `Geriatria ${t}`;
    const doctors = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        clinic.person("doctor", { name: `G${String(i).padStart(2, "0")} ${t}`, doctor: { specialty } }),
      ),
    );
    for (const d of doctors) await weekOf(d, weekdays("08:00", "09:00"));
    const lone = await clinic.person("doctor", { name: `Lone ${t}`, doctor: { specialty: `Rara ${t}` } });
    await weekOf(lone, weekdays("08:00", "09:00"));
    await clinic.call("POST", `/api/doctors/${lone.user.id}/time-off`, {
      as: admin,
      body: { startsAt: "2030-03-01T00:00:00Z", endsAt: "2030-04-20T00:00:00Z" },
    });
    const res = await clinic.call("GET", `/api/slots/first-available?specialty=${encodeURIComponent(specialty)}`, {
      as: admin,
    });
    expect(res.status).toBe(200);
    expect(res.body.slots).toHaveLength(10);
    expect(new Set(res.body.slots.map((s: { doctorId: string }) => s.doctorId)).size).toBe(10);
    const starts = res.body.slots.map((s: { startsAt: string }) => s.startsAt);
    expect([...starts].sort()).toEqual(starts);
    expect(starts[0]).toBe("2030-03-05T11:00:00.000Z"); // Tuesday 08:00 local: today's hours are past

    const rare = await clinic.call("GET", `/api/slots/first-available?specialty=${encodeURIComponent(`Rara ${t}`)}`, {
      as: admin,
    });
    expect(rare.body.slots).toEqual([
      {
        doctorId: lone.user.id,
        doctorName: lone.user.name,
        startsAt: "2030-04-22T11:00:00.000Z", // the Monday after the time off (the 20th is a Saturday)
        endsAt: "2030-04-22T11:30:00.000Z",
        modes: ["video", "in_person"],
      },
    ]);
    const none = await clinic.call("GET", "/api/slots/first-available?specialty=Ninguem%20aqui", { as: admin });
    expect(none.body).toEqual({ slots: [] });

    // Cost: doctors free tomorrow are found in the first window (doctors, rules, one busy-time
    // query); the doctor away seven weeks takes one query per growing window (6), not per day.
    const counted = () => {
      const counter = {
        queries: 0,
        transformQuery(args: { node: RootOperationNode }) {
          return args.node;
        },
        // Once per query run (transformQuery also sees the parts of a UNION).
        async transformResult(args: { result: QueryResult<UnknownRow> }) {
          counter.queries++;
          return args.result;
        },
      };
      return counter;
    };
    const clock = { now: NOW, minNoticeMinutes: 60 };
    const free = counted();
    const slots = await firstAvailable(clinic.db.withPlugin(free), { specialty }, admin.user, clock);
    expect(slots).toHaveLength(10);
    expect(free.queries).toBe(3);
    const away = counted();
    expect(
      await firstAvailable(clinic.db.withPlugin(away), { specialty: `Rara ${t}` }, admin.user, clock),
    ).toHaveLength(1);
    expect(away.queries).toBe(2 + 6);
  });

  it("offers a patient nothing past the booking horizon; staff see it", async () => {
    const limited = await createTestClinic({
      database: clinic.database,
      now: NOW,
      config: { booking: { horizonDays: 2, maxActive: 10, maxActivePerDoctor: 10 } },
    });
    const t = tag();
    const specialty = `Horizonte ${t}`;
    const thursdays = await limited.person("doctor", { doctor: { specialty } });
    const res0 = await limited.call("PUT", `/api/doctors/${thursdays.user.id}/availability`, {
      as: thursdays,
      body: { rules: [{ weekday: 4, start: "15:00", end: "16:00" }] },
    });
    expect(res0.status).toBe(200);
    const patient = await limited.person("patient");
    const path = `/api/slots/first-available?specialty=${encodeURIComponent(specialty)}`;
    expect((await limited.call("GET", path, { as: patient })).body).toEqual({ slots: [] });
    const staff = await limited.call("GET", path, { as: thursdays });
    expect(staff.body.slots.map((s: { startsAt: string }) => s.startsAt)).toEqual(["2030-03-07T18:00:00.000Z"]);
    await limited.close();
  });

  it("refuses a missing or blank specialty with 400, and anonymous callers with 401", async () => {
    for (const q of [
      "",
      "?specialty=",
      "?specialty=%20%20",
      `?specialty=${"x".repeat(121)}`,
      "?specialty=a&from=nope",
    ]) {
      const res = await clinic.call("GET", `/api/slots/first-available${q}`, { as: admin });
      expect([q, res.status]).toEqual([q, 400]);
      expect(res.body).toEqual({
        error: expect.objectContaining({ code: "invalid_request", message: expect.any(String) }),
      });
    }
    expect((await clinic.call("GET", "/api/slots/first-available?specialty=x")).status).toBe(401);
  });
});
