/**
 * Hostile input: a fast-check property over generated requests (5,000 by default,
 * RELIABILITY_HOSTILE_RUNS) to every route of the app (as src/server.ts assembles it).
 *
 * Four in five requests are well formed (the right method, real ids, a valid body and query, an
 * actor the route admits) with exactly ONE hostile part: a body field, a query value, a path
 * parameter or a header. Those get past validation often enough that the domain and the database
 * see the hostile value; the suite counts how many did and fails when too few do. The fifth is
 * hostile everywhere at once (wrong types, malformed JSON, wrong content types, garbage tokens).
 * Hostile values include SQL and HTML injection, unicode, huge strings, and generated strings shaped
 * like times, dates, instants, JSON, numbers, UUIDs and booleans (the Data API engine once typed
 * parameters by their shape).
 *
 * No answer may be a 5xx, every 4xx has the error shape, and afterwards the database invariants hold
 * (no overlapping active consultations per doctor or patient, no orphan rows). In-process
 * `app.request` against PostgreSQL in a throw-away database, or through the Data API dialect with
 * TEST_DB_ENGINE=data-api.
 */

import { DEFAULT_CONSENT_VERSION } from "@healthflow/core";
import { checkInvariants, cleanInvariants, reportFigures, tally } from "@healthflow/test-kit/reliability-support";
import { type ActorKey, createWorld, type World } from "@healthflow/test-kit/reliability-world";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { servedModules } from "../../src/served-modules.js";

const url = process.env.TEST_DATABASE_URL;
const RUNS = Number(process.env.RELIABILITY_HOSTILE_RUNS ?? 5000) || 5000;

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

const pad = (n: number, width = 2) => String(n).padStart(width, "0");
const anyDate = fc.date({
  min: new Date("0001-01-01T00:00:00Z"),
  max: new Date("9999-12-31T23:59:59Z"),
  noInvalidDate: true,
});
/** Strings that look like another type: a dialect that guesses SQL types from shapes trips on them. */
const shapedString = fc.oneof(
  // times, in and out of range
  fc.tuple(fc.nat(30), fc.nat(75)).map(([h, m]) => `${pad(h)}:${pad(m)}`),
  fc.tuple(fc.nat(23), fc.nat(59), fc.nat(59)).map(([h, m, sec]) => `${pad(h)}:${pad(m)}:${pad(sec)}`),
  // dates, real and impossible
  anyDate.map((d) => d.toISOString().slice(0, 10)),
  fc.tuple(fc.nat(9999), fc.nat(14), fc.nat(35)).map(([y, m, d]) => `${pad(y, 4)}-${pad(m)}-${pad(d)}`),
  // instants, with and without offsets
  anyDate.map((d) => d.toISOString()),
  fc
    .tuple(anyDate, fc.constantFrom("Z", "+03:00", "-14:00", "+99:99", "", " UTC"))
    .map(([d, offset]) => `${d.toISOString().slice(0, 19)}${offset}`),
  // JSON documents
  fc.json({ maxDepth: 2 }),
  // numbers
  fc.oneof(fc.integer(), fc.double(), fc.bigInt()).map(String),
  fc.constantFrom("1e400", "-0", "NaN", "Infinity", "0x1F", "1_000", "007"),
  // UUIDs
  fc.uuid(),
  fc.uuid().map((u) => u.toUpperCase()),
  fc.uuid().map((u) => `{${u}}`),
  // booleans
  fc.constantFrom("true", "false", "TRUE", "t", "f", "yes", "no", "on", "off", "1", "0", "null"),
);

const hostileString = fc.oneof(
  { weight: 3, arbitrary: shapedString },
  fc.string(),
  fc.string({ unit: "binary", maxLength: 50 }),
  fc.constantFrom(...SQL, ...HTML, ...DATES, ...UNICODE),
  fc.constantFrom("", " ", "a".repeat(300), "x".repeat(5_000), "y".repeat(70_000)),
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

/** Stand-ins in the templates, replaced by valid values drawn from small pools (so writes collide). */
type Valid = "SLOT" | "DURATION" | "DOCTOR" | "STATUS";

/**
 * Well-formed bodies per route (alternatives where a route takes different shapes), which the
 * generator breaks in one field (focused requests) or in many (wild requests).
 */
function templates(w: World): Record<string, Record<string, unknown>[]> {
  const p = w.people;
  return {
    "POST /api/auth/login": [{ email: p.patientA.user.email, password: "correct horse battery staple" }],
    "POST /api/auth/register": [
      { email: "hostile@test.healthflow.local", password: "long enough pass", name: "Hostile" },
    ],
    "POST /api/users": [
      {
        email: "made@test.healthflow.local",
        name: "Made",
        role: "doctor",
        password: "long enough pass",
        doctor: { specialty: "X", crm: "1", crmState: "SP", timezone: "UTC", slotMinutes: 30 },
      },
    ],
    "PUT /api/doctors/:id/availability": [
      {
        timezone: "UTC",
        slotMinutes: 30,
        rules: [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start: "00:00", end: "24:00" })),
      },
    ],
    "POST /api/doctors/:id/time-off": [
      { startsAt: "2035-01-01T10:00:00Z", endsAt: "2035-01-01T12:00:00Z", reason: "x" },
    ],
    "POST /api/consultations": [
      { doctorId: "DOCTOR", startsAt: "SLOT", durationMinutes: "DURATION", reason: "r", patientId: p.patientA.user.id },
    ],
    "PATCH /api/consultations/:id": [
      { startsAt: "SLOT", durationMinutes: "DURATION" },
      { status: "STATUS" },
      { notes: "n" },
      { startsAt: "SLOT", durationMinutes: "DURATION", status: "STATUS", notes: "n" },
    ],
    "POST /api/consultations/:id/cancel": [{ reason: "r" }],
    "POST /api/consultations/:id/room-link": [{ for: "patient" }],
    "POST /api/consultations/:id/consent": [{ version: DEFAULT_CONSENT_VERSION, roomToken: "x.y.z" }],
    "POST /api/consultations/:id/check-in": [{}],
    "PATCH /api/users/:id": [
      { name: "n", doctor: { crm: "2", crmState: "RJ" } },
      // User management (issue 13): email and the rest of a doctor's profile.
      { email: "edited@test.healthflow.local", doctor: { timezone: "America/Sao_Paulo", slotMinutes: 20 } },
    ],
    "POST /fhir/R4/Appointment": [
      {
        resourceType: "Appointment",
        status: "booked",
        start: "SLOT",
        minutesDuration: "DURATION",
        participant: [
          { actor: { reference: `Practitioner/${p.doctorX.user.id}` } },
          { actor: { reference: `Patient/${p.patientA.user.id}` } },
        ],
      },
    ],
    "PATCH /fhir/R4/Appointment/:id": [{ status: "cancelled", start: "SLOT", minutesDuration: "DURATION" }],
    // Account recovery (issue #12): well-formed tokens that name no account reach the token check.
    "POST /api/auth/verify-email": [{ token: "t".repeat(43) }],
    "POST /api/auth/verify-email/resend": [{ email: p.patientA.user.email }],
    "POST /api/auth/forgot-password": [{ email: p.patientA.user.email }],
    "POST /api/auth/reset-password": [{ token: "t".repeat(43), password: "long enough pass" }],
    "POST /api/auth/accept-invite": [{ token: "t".repeat(43), password: "long enough pass" }],
    "POST /api/auth/change-password": [
      { currentPassword: "correct horse battery staple", newPassword: "correct horse battery staple" },
    ],
    "PATCH /api/auth/me": [{ language: "en" }, { name: "Own Name", phone: "+55 11 91234-5678", language: "pt-BR" }],
  };
}

/** Well-formed queries of the routes that take one. */
const QUERIES: Record<string, Record<string, string>> = {
  "GET /api/consultations": {
    from: "2031-06-01T00:00:00Z",
    to: "2031-09-01T00:00:00Z",
    status: "scheduled,in_progress",
    limit: "20",
  },
  "GET /api/doctors/:id/slots": { from: "2031-07-01T00:00:00Z", to: "2031-07-03T00:00:00Z" },
  "GET /api/doctors/:id/time-off": { from: "2031-06-01T00:00:00Z", to: "2035-12-01T00:00:00Z" },
  "GET /api/audit": { entity: "consultation", limit: "20" },
  "GET /api/users": { role: "patient", limit: "10", status: "all" },
  "GET /api/messages": { status: "failed", limit: "10" },
};

/** Who may call a route, for well-formed requests (the others get a 403 before the domain). */
function actorsFor(key: string): ActorKey[] {
  if (/^(GET|POST) \/api\/(users|audit|messages)\b/.test(key)) return ["admin"];
  if (/\/api\/doctors\/:id\/(availability|time-off)/.test(key) && !key.startsWith("GET")) return ["doctorX", "admin"];
  if (/^POST \/api\/auth\/(login|register)$/.test(key) || /^GET \/(healthz|readyz)$|\/api\/rooms\//.test(key))
    return ["anonymous"];
  return ["patientA", "doctorX", "admin"];
}

/**
 * True when a request got past the edge (routing, authentication, role gate, body and schema
 * validation) and was decided by the domain or the database: a success, or an error the domain raised.
 */
function reachedDomain(status: number, body: any): boolean {
  if (status < 400) return true;
  const code: unknown = body?.error?.code;
  const message = String(body?.error?.message ?? "");
  if (code === "invalid_request" && Array.isArray(body?.error?.details)) return false; // the schema said no
  const edge = [
    "bad_request",
    "unsupported_media_type",
    "unauthenticated",
    "csrf_origin",
    "payload_too_large",
    "method_not_allowed",
    "request_timeout",
    "rate_limited",
  ];
  if (typeof code !== "string" || edge.includes(code)) return false;
  if (code === "not_found" && message.startsWith("No route")) return false;
  if (code === "forbidden" && message === "Your role may not do this.") return false;
  return true;
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

interface GeneratedRequest {
  key: string;
  focus: "wild" | "body" | "query" | "param" | "header";
  method: string;
  /** Path parameters: "KNOWN" (a real id of the right kind) or an encoded hostile value. */
  params: string[];
  query: Record<string, string>;
  rawQuery: string | null;
  body: string | undefined;
  contentType: string;
  actor: ActorKey | "garbage";
  origin: string | null;
}

describe.skipIf(!url)("hostile input", { timeout: 900_000 }, () => {
  let world: World;
  const tokens = new Map<ActorKey, string>();
  const ids = { consultations: [] as string[], timeOff: [] as string[], roomTokens: [] as string[] };

  beforeAll(async () => {
    world = await createWorld(url!, "hostile", { modules: servedModules });
    // The agenda's event stream sends one snapshot and closes (as on Lambda), so every body ends.
    world.clinic.deps.config.agendaStreamSeconds = 0;
    for (const a of ["patientA", "patientB", "doctorX", "doctorY", "admin"] as const)
      tokens.set(a, await world.freshToken(a));
    for (const patient of ["patientA", "patientA", "patientB"] as const) await world.book(patient);
    const off = await world.clinic.call("POST", `/api/doctors/${world.people.doctorX.user.id}/time-off`, {
      as: world.people.doctorX,
      body: { startsAt: "2036-01-01T10:00:00Z", endsAt: "2036-01-01T12:00:00Z", reason: "away" },
    });
    expect(off.status, JSON.stringify(off.body)).toBe(201);
    ids.timeOff.push(off.body.timeOff?.id ?? off.body.id);
    const link = await world.clinic.call("POST", `/api/consultations/${world.consultations[0]!.id}/room-link`, {
      as: world.people.patientA,
      body: {},
    });
    expect(link.status, JSON.stringify(link.body)).toBe(200);
    ids.roomTokens.push(String(link.body.url).split("/").pop()!);
  });
  afterAll(async () => {
    await world?.close();
  });

  it(`${RUNS} generated requests over every route: never a 5xx, always the error shape, invariants hold, the domain is reached`, async () => {
    const routes = [...new Set(world.app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path}`))];
    const bodies = templates(world);

    /** A real id of the kind the route's n-th parameter wants. */
    const knownId = (key: string, n: number, pick: number): string => {
      const at = <T>(xs: T[]) => xs[pick % xs.length]!;
      if (key.includes("/time-off/:timeOffId") && n === 1) return at(ids.timeOff);
      if (key.includes("/api/doctors/:id")) return at([world.people.doctorX.user.id, world.people.doctorY.user.id]);
      if (key.includes("/api/users/:id")) return world.extraPatient.user.id;
      if (key.includes("/api/rooms/")) return at(ids.roomTokens);
      return at([...world.consultations.map((c) => c.id), ...ids.consultations]);
    };
    const validValue = (v: unknown, pick: number): unknown => {
      const valid: Record<Valid, unknown> = {
        SLOT: new Date(Date.UTC(2031, 6, 1, 10) + (pick % 8) * 1_800_000).toISOString(),
        DURATION: [30, 60, 90][pick % 3],
        DOCTOR: (pick >> 3) % 2 ? world.people.doctorX.user.id : world.people.doctorY.user.id,
        STATUS: ["cancelled", "in_progress", "completed", "no_show", "scheduled"][(pick >> 4) % 5],
      };
      return typeof v === "string" && v in valid ? valid[v as Valid] : v;
    };
    const wellFormed = (t: Record<string, unknown>, pick: number) =>
      Object.fromEntries(Object.entries(t).map(([k, v]) => [k, validValue(v, pick)]));

    const pathParam = fc.oneof(
      { weight: 3, arbitrary: fc.constant("KNOWN") },
      { weight: 2, arbitrary: fc.uuid().map(encode) },
      { weight: 3, arbitrary: hostileString.map((s) => encode(s.slice(0, 3000))) },
      { weight: 2, arbitrary: fc.constantFrom(...PATH_RAW) },
    );
    const hostilePathParam = fc.oneof(
      { weight: 2, arbitrary: fc.uuid().map(encode) },
      { weight: 3, arbitrary: hostileString.map((s) => encode(s.slice(0, 3000))) },
      { weight: 2, arbitrary: fc.constantFrom(...PATH_RAW) },
    );
    const wildBody = (key: string) => {
      const alternatives = bodies[key] ?? [{}];
      const mutated = fc.tuple(fc.nat(alternatives.length - 1), fc.nat()).chain(([which, pick]) => {
        const t = alternatives[which]!;
        const n = Object.keys(t).length;
        return fc
          .tuple(
            fc.array(fc.constantFrom("keep", "keep", "keep", "keep", "keep", "keep", "break", "drop"), {
              minLength: n,
              maxLength: n,
            }),
            fc.array(hostileValue, { minLength: n, maxLength: n }),
            fc.option(
              fc.tuple(
                fc.constantFrom("__proto__", "constructor", "role", "id", "status", "extra", "patientId"),
                hostileValue,
              ),
            ),
          )
          .map(([ops, values, extra]) => {
            const out: Record<string, unknown> = {};
            Object.entries(t).forEach(([k, v], i) => {
              if (ops[i] === "keep") out[k] = validValue(v, pick);
              else if (ops[i] === "break") out[k] = values[i];
            });
            if (extra) out[extra[0]] = extra[1];
            return JSON.stringify(out);
          });
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

    /** Everything hostile at once: the request of a fuzzer, not of a client. */
    const wild = (key: string): fc.Arbitrary<GeneratedRequest> =>
      fc.record({
        key: fc.constant(key),
        focus: fc.constant("wild" as const),
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
        body: wildBody(key),
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
      });

    /** A well-formed request with exactly one hostile part. */
    const focused = (key: string): fc.Arbitrary<GeneratedRequest> => {
      const method = key.split(" ")[0]!;
      const paramCount = (key.match(/:[A-Za-z]+/g) ?? []).length;
      const alternatives = bodies[key];
      const query = QUERIES[key];
      const parts: GeneratedRequest["focus"][] = ["header"];
      if (alternatives) parts.push("body", "body", "body");
      if (query) parts.push("query", "query", "query");
      if (paramCount > 0) parts.push("param", "param");
      return fc
        .record({
          focus: fc.constantFrom(...parts),
          pick: fc.nat(),
          which: fc.nat(Math.max(0, (alternatives?.length ?? 1) - 1)),
          actor: fc.constantFrom(...actorsFor(key)),
          field: fc.nat(),
          value: hostileValue,
          text: hostileString.map((s) => s.slice(0, 4000)),
          param: hostilePathParam,
          bodyEdit: fc.constantFrom("replace", "replace", "replace", "drop", "extra"),
          extraKey: fc.constantFrom("__proto__", "constructor", "role", "id", "status", "extra", "patientId"),
          header: fc.constantFrom("content-type", "actor", "origin", "method"),
          contentType: fc.constantFrom(
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=zz",
            "application/json; charset=utf-16",
            "application/xml",
            "",
          ),
          otherMethod: fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"),
          otherActor: fc.constantFrom<ActorKey | "garbage">("garbage", "anonymous", "patientB", "doctorY"),
          origin: fc.constantFrom("https://evil.example", "null"),
        })
        .map((g): GeneratedRequest => {
          const r: GeneratedRequest = {
            key,
            focus: g.focus,
            method,
            params: Array.from({ length: 2 }, () => "KNOWN"),
            query: { ...(query ?? {}) },
            rawQuery: null,
            body: undefined,
            contentType: "application/json",
            actor: g.actor,
            origin: null,
          };
          let body = alternatives ? wellFormed(alternatives[g.which]!, g.pick) : undefined;
          if (g.focus === "body" && body) {
            const keys = Object.keys(body);
            const k = keys[g.field % keys.length]!;
            if (g.bodyEdit === "replace") body[k] = g.value;
            else if (g.bodyEdit === "drop") delete body[k];
            else body = { ...body, [g.extraKey]: g.value };
          } else if (g.focus === "query") {
            const keys = [...Object.keys(query ?? {}), ...QUERY_KEYS];
            r.query[keys[g.field % keys.length]!] = g.text;
          } else if (g.focus === "param") {
            r.params[g.field % paramCount] = g.param;
          } else if (g.focus === "header") {
            if (g.header === "content-type") r.contentType = g.contentType;
            else if (g.header === "actor") r.actor = g.otherActor;
            else if (g.header === "origin") r.origin = g.origin;
            else r.method = g.otherMethod;
          }
          r.body = body === undefined ? undefined : JSON.stringify(body);
          return r;
        });
    };

    // The writes that could break the agenda's invariants come up three times as often.
    const weighted = routes.flatMap((k) =>
      /^(POST|PATCH) \/(api\/consultations|fhir\/R4\/Appointment)/.test(k) ? [k, k, k] : [k],
    );
    const request = fc
      .constantFrom(...weighted)
      .chain((key) => fc.oneof({ weight: 4, arbitrary: focused(key) }, { weight: 1, arbitrary: wild(key) }));

    const statuses: number[] = [];
    let sent = 0;
    let fiveXx = 0;
    let badShape = 0;
    const reached = { all: 0, focused: 0, focusedSent: 0, bookings: 0, bookingsSent: 0 };
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        let k = 0;
        const path = r.key.split(" ")[1]!.replace(/:[A-Za-z]+/g, () => {
          const n = k++;
          const p = r.params[n]!;
          return p === "KNOWN" ? knownId(r.key, n, sent) : p;
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
        // A logout (or signing out everywhere, or a password change) ends that actor's sessions:
        // give them a new one so the run keeps its coverage.
        if (
          ["POST /api/auth/logout", "POST /api/auth/logout-all", "POST /api/auth/change-password"].includes(r.key) &&
          res.status === 204 &&
          r.actor !== "anonymous" &&
          r.actor !== "garbage"
        ) {
          tokens.set(r.actor, await world.freshToken(r.actor));
        }
        if (res.status >= 500) fiveXx++;
        const context = `${r.method} ${path}${qs} as ${r.actor} → ${res.status} ${text.slice(0, 300)}`;
        expect(res.status, context).toBeLessThan(500);
        let body: any;
        if (res.status >= 400 && r.method !== "HEAD") {
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
        const domain = r.method !== "HEAD" && reachedDomain(res.status, body);
        const booking = r.method === "POST" && r.key === "POST /api/consultations";
        if (domain) reached.all++;
        if (r.focus !== "wild") {
          reached.focusedSent++;
          if (domain) reached.focused++;
        }
        if (booking) {
          reached.bookingsSent++;
          if (domain) reached.bookings++;
          if (res.status === 201) ids.consultations.push(JSON.parse(text).consultation.id);
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
      reachedDomain: reached.all,
      focusedRequests: reached.focusedSent,
      focusedReachedDomain: reached.focused,
      bookingRequests: reached.bookingsSent,
      bookingsReachedDomain: reached.bookings,
      consultationsInDb: Number(bookedBy.n),
      invariantViolations: Object.values(invariants).reduce((a, b) => a + b, 0),
      seconds: Math.round((performance.now() - started) / 1000),
      statuses: Object.entries(t)
        .map(([s, n]) => `${s}:${n}`)
        .join(","),
    });
    expect(sent).toBe(RUNS);
    expect(invariants).toEqual(cleanInvariants);
    // The point of one hostile field: most well-formed requests get past validation, and a good share
    // of the booking attempts reach the booking rules and the database.
    expect(reached.focused / reached.focusedSent).toBeGreaterThan(0.3);
    expect(reached.bookings / reached.bookingsSent).toBeGreaterThan(0.2);
  });
});
