/**
 * Hostile input: a fast-check property over at least 5,000 generated requests to every route of the
 * app (as src/server.ts assembles it): wrong types, huge strings, unicode, SQL and HTML injection
 * strings, bad dates, negative and enormous numbers, missing and extra fields, wrong content types,
 * malformed JSON, bad path parameters and headers. No answer may be a 5xx, every 4xx has the error
 * shape, and afterwards the database invariants hold (no overlapping active consultations per doctor
 * or patient, no orphan rows). In-process `app.request` against PostgreSQL, in a throw-away database.
 */
import { checkInvariants, cleanInvariants, reportFigures, tally } from "@healthflow/core/reliability/support";
import { type ActorKey, createWorld, type World } from "@healthflow/core/reliability/world";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { servedModules } from "../served-modules.js";

const url = process.env.TEST_DATABASE_URL;
const RUNS = Math.max(5000, Number(process.env.RELIABILITY_HOSTILE_RUNS ?? 5000) || 5000);

const SQL = [
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  "1; select pg_sleep(10)--",
  "' UNION SELECT password_hash FROM users --",
  "00000000-0000-0000-0000-000000000000' OR 1=1 --",
  "\\'; truncate consultations; --",
  "$1",
  "%' --",
];
const HTML = [
  '<script>alert("x")</script>',
  '"><img src=x onerror=alert(1)>',
  "javascript:alert(1)",
  "{{7*7}}",
  "$" + "{7*7}",
];
const DATES = [
  "2031-02-30T10:00:00Z",
  "2031-06-10T25:00:00Z",
  "2031-06-10T10:00:00",
  "0000-01-01T00:00:00Z",
  "9999-12-31T23:59:59Z",
  "+275760-09-13T00:00:00Z",
  "-000001-01-01T00:00:00Z",
  "2031-06-10",
  "yesterday",
  "1e400",
  "2031-06-10T10:00:00+99:99",
  "2031-06-10T10:00:00.123456789Z",
];
const UNICODE = ["ﷺ", "👩‍⚕️🩺", "\u0000", "\u202Eevil", "Ṱ̺̺̕o͞ ̷i̲̬͇̪͙n̝̗͕v̟̜̘̦͟o̶̙̰̠kè͚̮̺̪̹̱̤ ̖t̝͕̳̣̻̪͞h̼͓̲̦̳̘̲e͇̣̰̦̬͎", "\uD800", "\uFFFF", "Ａ＠ｂ．ｃｏｍ"];
const NUMBERS = [-1, 0, 1, -2147483649, 2147483648, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 0.5, 5e-324];
const PATH_RAW = [
  "%",
  "%E0%A4%A",
  "%00",
  "..",
  "..%2F..%2Fetc%2Fpasswd",
  "%2e%2e",
  "a%20b",
  "%FF%FE",
  "null",
  "undefined",
  "-1",
  "0",
];

/** encodeURIComponent throws on a lone surrogate; a browser would send U+FFFD instead. */
const encode = (s: string) =>
  encodeURIComponent(
    s.replace(/[\uD800-\uDFFF]/g, (c, i: number) =>
      /[\uD800-\uDBFF][\uDC00-\uDFFF]/.test(s.slice(i, i + 2)) ||
      /[\uD800-\uDBFF][\uDC00-\uDFFF]/.test(s.slice(i - 1, i + 1))
        ? c
        : "\uFFFD",
    ),
  );

const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary", maxLength: 50 }),
  fc.constantFrom(...SQL, ...HTML, ...DATES, ...UNICODE),
  fc.constantFrom("", " ", "a".repeat(300), "x".repeat(5_000), "y".repeat(70_000)),
  fc.uuid(),
);
const hostileNumber = fc.oneof(
  fc.constantFrom(...NUMBERS),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 2, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}, [null], { $gt: "" }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

/** A valid body per route (its fields), which the generator then breaks field by field. */
function templates(w: World): Record<string, Record<string, unknown>> {
  const p = w.people;
  return {
    "POST /api/auth/login": { email: p.patientA.user.email, password: "correct horse battery staple" },
    "POST /api/auth/register": {
      email: "hostile@test.healthflow.local",
      password: "long enough pass",
      name: "Hostile",
    },
    "POST /api/users": {
      email: "made@test.healthflow.local",
      name: "Made",
      role: "doctor",
      password: "long enough pass",
      doctor: { specialty: "X", licenseNumber: "CRM/H 1", timezone: "UTC", slotMinutes: 30 },
    },
    "PUT /api/doctors/:id/availability": {
      timezone: "UTC",
      slotMinutes: 30,
      rules: [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start: "00:00", end: "24:00" })),
    },
    "POST /api/doctors/:id/time-off": { startsAt: "2035-01-01T10:00:00Z", endsAt: "2035-01-01T12:00:00Z", reason: "x" },
    "POST /api/consultations": {
      doctorId: "DOCTOR",
      startsAt: "SLOT",
      durationMinutes: "DURATION",
      reason: "r",
      patientId: p.patientA.user.id,
    },
    "PATCH /api/consultations/:id": { startsAt: "SLOT", durationMinutes: "DURATION", status: "STATUS", notes: "n" },
    "POST /api/consultations/:id/cancel": { reason: "r" },
    "POST /api/consultations/:id/room-link": { for: "patient" },
    "POST /fhir/R4/Appointment": {
      resourceType: "Appointment",
      status: "booked",
      start: "SLOT",
      minutesDuration: "DURATION",
      participant: [
        { actor: { reference: `Practitioner/${p.doctorX.user.id}` } },
        { actor: { reference: `Patient/${p.patientA.user.id}` } },
      ],
    },
    "PATCH /fhir/R4/Appointment/:id": { status: "cancelled", start: "SLOT", minutesDuration: "DURATION" },
  };
}

const QUERY_KEYS = [
  "from",
  "to",
  "limit",
  "cursor",
  "status",
  "role",
  "doctorId",
  "patientId",
  "entity",
  "entityId",
  "actorId",
  "for",
];

describe.skipIf(!url)("hostile input", { timeout: 600_000 }, () => {
  let world: World;
  const tokens = new Map<ActorKey, string>();

  beforeAll(async () => {
    world = await createWorld(url!, "hostile", { modules: servedModules });
    for (const a of ["patientA", "patientB", "doctorX", "doctorY", "admin"] as const)
      tokens.set(a, await world.freshToken(a));
    await world.book("patientA");
    await world.book("patientB");
  });
  afterAll(async () => {
    await world?.close();
  });

  it(`${RUNS} generated requests over every route: never a 5xx, always the error shape, invariants hold`, async () => {
    const routes = [...new Set(world.app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path}`))];
    const bodies = templates(world);
    const known = () => [
      ...world.consultations.map((c) => c.id),
      world.people.doctorX.user.id,
      world.people.patientA.user.id,
    ];

    const pathParam = fc.oneof(
      { weight: 3, arbitrary: fc.constant("KNOWN") },
      { weight: 2, arbitrary: fc.uuid().map(encode) },
      { weight: 3, arbitrary: hostileString.map((s) => encode(s.slice(0, 3000))) },
      { weight: 2, arbitrary: fc.constantFrom(...PATH_RAW) },
    );
    const bodyFor = (key: string) => {
      const t = bodies[key] ?? {};
      const mutated = fc
        .tuple(
          fc.array(fc.constantFrom("keep", "keep", "keep", "keep", "keep", "keep", "break", "drop"), {
            minLength: Object.keys(t).length,
            maxLength: Object.keys(t).length,
          }),
          fc.array(hostileValue, { minLength: Object.keys(t).length, maxLength: Object.keys(t).length }),
          fc.option(
            fc.tuple(
              fc.constantFrom("__proto__", "constructor", "role", "id", "status", "extra", "patientId"),
              hostileValue,
            ),
          ),
          fc.nat(),
        )
        .map(([ops, values, extra, pick]) => {
          // Valid values drawn from a small pool, so that bookings and reschedules really collide.
          const valid: Record<string, unknown> = {
            SLOT: new Date(Date.UTC(2031, 6, 1, 10) + (pick % 8) * 1_800_000).toISOString(),
            DURATION: [30, 60, 90][pick % 3],
            DOCTOR: (pick >> 3) % 2 ? world.people.doctorX.user.id : world.people.doctorY.user.id,
            STATUS: ["cancelled", "in_progress", "completed", "no_show", "scheduled"][(pick >> 4) % 5],
          };
          const out: Record<string, unknown> = {};
          Object.entries(t).forEach(([k, v], i) => {
            if (ops[i] === "keep") out[k] = typeof v === "string" && v in valid ? valid[v] : v;
            else if (ops[i] === "break") out[k] = values[i];
          });
          if (extra) out[extra[0]] = extra[1];
          return JSON.stringify(out);
        });
      return fc.oneof(
        { weight: 5, arbitrary: mutated },
        { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
        {
          weight: 2,
          arbitrary: fc.constantFrom(
            '{"a":',
            "[",
            "{'single':1}",
            '{"x":1}}',
            "\u0000",
            "null",
            '"str"',
            "",
            "a=1&b=2",
            '{"__proto__":{"admin":true}}',
          ),
        },
        { weight: 1, arbitrary: fc.constant(undefined) },
      );
    };
    // The writes that could break the agenda's invariants come up three times as often.
    const weighted = routes.flatMap((k) =>
      /^(POST|PATCH) \/(api\/consultations|fhir\/R4\/Appointment)/.test(k) ? [k, k, k] : [k],
    );
    const request = fc.constantFrom(...weighted).chain((key) =>
      fc.record({
        key: fc.constant(key),
        method: fc.oneof(
          { weight: 9, arbitrary: fc.constant(key.split(" ")[0]!) },
          { weight: 1, arbitrary: fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD") },
        ),
        params: fc.array(pathParam, { minLength: 2, maxLength: 2 }),
        query: fc.dictionary(
          fc.oneof(fc.constantFrom(...QUERY_KEYS), fc.string({ maxLength: 10 })),
          hostileString.map((s) => s.slice(0, 4000)),
          { maxKeys: 4 },
        ),
        rawQuery: fc.option(
          fc.constantFrom("?from=%ZZ", "?limit=1e9", "?limit=-5&limit=7", "?cursor=%00", "?status=scheduled,,", "?&&="),
        ),
        body: bodyFor(key),
        contentType: fc.constantFrom(
          "application/json",
          "application/json",
          "application/json",
          "text/plain",
          "application/x-www-form-urlencoded",
          "multipart/form-data; boundary=zz",
          "application/json; charset=utf-16",
          "",
          "application/xml",
        ),
        actor: fc.constantFrom<ActorKey | "garbage">(
          "anonymous",
          "patientA",
          "patientB",
          "doctorX",
          "doctorY",
          "admin",
          "garbage",
        ),
        origin: fc.option(fc.constantFrom("https://evil.example", "null", "http://localhost")),
      }),
    );

    const statuses: number[] = [];
    let sent = 0;
    let fiveXx = 0;
    let badShape = 0;
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        let k = 0;
        const path = r.key.split(" ")[1]!.replace(/:[A-Za-z]+/g, () => {
          const p = r.params[k++]!;
          if (p !== "KNOWN") return p;
          const ids = known();
          return ids[(k * 7 + r.key.length) % ids.length]!;
        });
        const qs =
          r.rawQuery ??
          (Object.keys(r.query).length ? `?${new URLSearchParams(r.query as Record<string, string>)}` : "");
        const headers: Record<string, string> = {};
        if (r.actor === "garbage") headers.authorization = "Bearer ' OR 1=1 --AAAAAAAAAAAAAAAAAAAAAA";
        else if (r.actor !== "anonymous") headers.authorization = `Bearer ${tokens.get(r.actor)}`;
        if (r.body !== undefined && r.contentType) headers["content-type"] = r.contentType;
        if (r.origin) headers.origin = r.origin;
        const hasBody = r.body !== undefined && r.method !== "GET" && r.method !== "HEAD";
        const res = await world.app.request(path + qs, {
          method: r.method,
          headers,
          body: hasBody ? r.body : undefined,
        });
        const text = await res.text();
        sent++;
        statuses.push(res.status);
        // A logout ends that actor's session: give them a new one so the run keeps its coverage.
        if (
          r.key === "POST /api/auth/logout" &&
          res.status === 204 &&
          r.actor !== "anonymous" &&
          r.actor !== "garbage"
        ) {
          tokens.set(r.actor, await world.freshToken(r.actor));
        }
        if (res.status >= 500) fiveXx++;
        const context = `${r.method} ${path}${qs} as ${r.actor} → ${res.status} ${text.slice(0, 300)}`;
        expect(res.status, context).toBeLessThan(500);
        if (res.status >= 400 && r.method !== "HEAD") {
          let body: any;
          try {
            body = JSON.parse(text);
          } catch {
            badShape++;
          }
          // Under /fhir/R4 every error is a FHIR OperationOutcome instead (docs/fhir.md).
          const ok = path.startsWith("/fhir/")
            ? body?.resourceType === "OperationOutcome" && Array.isArray(body.issue) && body.issue.length > 0
            : typeof body?.error?.code === "string" && typeof body?.error?.message === "string";
          if (!ok && body) badShape++;
          expect(ok, context).toBe(true);
        }
      }),
      { numRuns: RUNS, endOnFailure: true, seed: Number(process.env.RELIABILITY_SEED ?? Date.now() % 2 ** 31) },
    );
    const invariants = await checkInvariants(world.database.db);
    const bookedBy = await world.database.db
      .selectFrom("consultations")
      .select(({ fn }) => fn.countAll<string>().as("n"))
      .executeTakeFirstOrThrow();
    const t = tally(statuses);
    reportFigures("hostile-input", {
      requests: sent,
      routes: routes.length,
      "5xx": fiveXx,
      badErrorShape: badShape,
      "2xx": statuses.filter((s) => s < 300).length,
      "4xx": statuses.filter((s) => s >= 400 && s < 500).length,
      consultationsInDb: Number(bookedBy.n),
      invariantViolations: Object.values(invariants).reduce((a, b) => a + b, 0),
      seconds: Math.round((performance.now() - started) / 1000),
      statuses: Object.entries(t)
        .map(([s, n]) => `${s}:${n}`)
        .join(","),
    });
    expect(sent).toBeGreaterThanOrEqual(5000);
    expect(invariants).toEqual(cleanInvariants);
  });
});
