/**
 * Authorization matrix: every route of the app × six callers (anonymous, patient A, patient B,
 * doctor X, doctor Y, admin) × ownership (the caller's own consultation/doctor, or someone else's),
 * each with its expected status. The route list comes from the app itself, so a route added without
 * a row here fails the suite. Every response body is scanned for the other patient's identifiers.
 *
 * The app is assembled as src/server.ts assembles it (core API + the room service's routes), so the
 * room routes are in the matrix too. Runs on PostgreSQL (TEST_DATABASE_URL), in a throw-away database.
 */

import {
  consultationFor,
  doctorFor,
  everyone,
  expectRowForEveryRoute,
  type MatrixCell,
  type MatrixRow,
  ownOnly as ownConsultation,
  patientFor,
  runAuthorizationMatrix,
  signedIn,
} from "@healthflow/test-kit/authorization-matrix";
import { type ActorKey, createWorld, forbiddenFor, type World } from "@healthflow/test-kit/reliability-world";
import { TEST_PASSWORD, uniqueEmail } from "@healthflow/test-kit/test-clinic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { servedModules } from "../../src/served-modules.js";

const url = process.env.TEST_DATABASE_URL;

const adminOnly = (status: number): Record<ActorKey, MatrixCell> => ({
  anonymous: 401,
  patientA: 403,
  patientB: 403,
  doctorX: 403,
  doctorY: 403,
  admin: status,
});
/** Schedule changes: the doctor themself or an admin; patients are refused whatever the doctor. */
const manageSchedule = (ok: number): Record<ActorKey, MatrixCell> => ({
  anonymous: 401,
  patientA: 403,
  patientB: 403,
  doctorX: { own: ok, other: 403 },
  doctorY: { own: ok, other: 403 },
  admin: ok,
});

/** The consultation's patient only: its doctor and admins are refused (403), strangers get 404. */
const patientOnly = (ok: number): Record<ActorKey, MatrixCell> => ({
  anonymous: 401,
  patientA: { own: ok, other: 404 },
  patientB: { own: ok, other: 404 },
  doctorX: { own: 403, other: 404 },
  doctorY: { own: 403, other: 404 },
  admin: 403,
});
const doctorsAndAdmins = (status: number): Record<ActorKey, MatrixCell> => ({
  anonymous: 401,
  patientA: 403,
  patientB: 403,
  doctorX: status,
  doctorY: status,
  admin: status,
});
/** Calendar feeds (issue 14): doctors and patients have one; an admin has no agenda of their own. */
const feedOwners = (status: number): Record<ActorKey, MatrixCell> => ({
  anonymous: 401,
  patientA: status,
  patientB: status,
  doctorX: status,
  doctorY: status,
  admin: 403,
});
/** The world's stored sessions of `actor` ended (logout-all, change-password): give it a new one. */
async function renewSessions(w: World, actor: ActorKey): Promise<void> {
  if (actor === "anonymous") return;
  const token = await w.freshToken(actor);
  w.people[actor].token = token;
  w.people[actor].headers = { authorization: `Bearer ${token}` };
}
/** A token of the right shape that no account ever had. */
const BOGUS_TOKEN = "Zm9yZ2VkLXRva2VuLXRoYXQtZG9lcy1ub3QtZXhpc3Q";

/** A room token issued to the patient of a fresh consultation (admins issue for either side). */
async function roomToken(w: World, patient: "patientA" | "patientB"): Promise<string> {
  const c = await w.book(patient);
  const res = await w.clinic.call("POST", `/api/consultations/${c.id}/room-link`, {
    as: w.people.admin,
    body: { for: "patient" },
  });
  if (res.status !== 200) throw new Error(`room link: ${res.status} ${JSON.stringify(res.body)}`);
  return decodeURIComponent(String(res.body.url).split("/room/")[1]!);
}
async function consentVersion(w: World): Promise<string> {
  return (await w.clinic.call("GET", "/api/consent/telemedicine")).body.version;
}
/** The patient agrees to teleconsultation in this consultation (as the room page would). */
async function giveConsent(w: World, consultationId: string, patient: "patientA" | "patientB"): Promise<void> {
  const res = await w.clinic.call("POST", `/api/consultations/${consultationId}/consent`, {
    as: w.people[patient],
    body: { version: await consentVersion(w) },
  });
  if (res.status !== 201) throw new Error(`consent: ${res.status} ${JSON.stringify(res.body)}`);
}
/** A patient's room token for a consultation they have consented to teleconsultation in. */
async function consentedRoomToken(w: World, patient: "patientA" | "patientB"): Promise<string> {
  const token = await roomToken(w, patient);
  const c = w.consultations[w.consultations.length - 1]!;
  await giveConsent(w, c.id, patient);
  return token;
}
/** The same token with one character of its middle changed: a forgery. */
function tamper(token: string): string {
  const i = Math.floor(token.length / 2);
  return token.slice(0, i) + (token[i] === "A" ? "B" : "A") + token.slice(i + 1);
}

const FAR = "2036-01-05T10:00:00Z";
/** The patients booked once for the history rows, per world (issue #13). */
const historyBookings = new WeakMap<World, Set<string>>();

/** A patient account written directly (no password to hash: the matrix makes one per cell), disabled or not. */
async function bareAccount(w: World, disabledAt: Date | null): Promise<string> {
  const row = await w.clinic.db
    .insertInto("users")
    .values({
      email: uniqueEmail("matrix-bare"),
      name: "Matrix Bare Account",
      role: "patient",
      password_hash: "!invited",
      disabled_at: disabledAt,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

const CASES: Record<string, MatrixRow> = {
  "GET /healthz": { cells: everyone(200), build: () => ({ method: "GET", path: "/healthz" }) },
  "GET /readyz": { cells: everyone(200), build: () => ({ method: "GET", path: "/readyz" }) },
  "GET /api/openapi.json": { cells: everyone(200), build: () => ({ method: "GET", path: "/api/openapi.json" }) },
  "GET /api/docs": { cells: everyone(200), build: () => ({ method: "GET", path: "/api/docs" }) },
  "POST /api/auth/login": {
    // Public: signing in with one's own credentials works whoever is already signed in.
    cells: everyone(200),
    build: (w, actor) => ({
      method: "POST",
      path: "/api/auth/login",
      body: {
        email: actor === "anonymous" ? w.extraPatient.user.email : w.people[actor].user.email,
        password: TEST_PASSWORD,
      },
    }),
  },
  "POST /api/auth/register": {
    // Email verification is on by default: the same 202 for everyone, new email or not.
    cells: everyone(202),
    build: () => ({
      method: "POST",
      path: "/api/auth/register",
      body: { email: uniqueEmail("matrix"), password: TEST_PASSWORD, name: "Matrix Registrant" },
    }),
  },
  "POST /api/auth/logout": { cells: signedIn(204), build: () => ({ method: "POST", path: "/api/auth/logout" }) },
  "POST /api/auth/logout-all": {
    cells: signedIn(204),
    build: () => ({ method: "POST", path: "/api/auth/logout-all" }),
    after: renewSessions,
  },
  "POST /api/auth/change-password": {
    cells: signedIn(204),
    build: () => ({
      method: "POST",
      path: "/api/auth/change-password",
      body: { currentPassword: TEST_PASSWORD, newPassword: TEST_PASSWORD },
    }),
    after: renewSessions,
  },
  "PATCH /api/auth/me": {
    cells: signedIn(200),
    build: () => ({ method: "PATCH", path: "/api/auth/me", body: { language: "pt-BR" } }),
  },
  // Public, answered alike for everyone: the token (or the email) is the whole credential.
  "POST /api/auth/verify-email": {
    cells: everyone(400),
    build: () => ({ method: "POST", path: "/api/auth/verify-email", body: { token: BOGUS_TOKEN } }),
  },
  "POST /api/auth/verify-email/resend": {
    cells: everyone(202),
    build: () => ({ method: "POST", path: "/api/auth/verify-email/resend", body: { email: uniqueEmail("resend") } }),
  },
  "POST /api/auth/forgot-password": {
    cells: everyone(202),
    build: () => ({ method: "POST", path: "/api/auth/forgot-password", body: { email: uniqueEmail("forgot") } }),
  },
  "POST /api/auth/reset-password": {
    cells: everyone(400),
    build: () => ({
      method: "POST",
      path: "/api/auth/reset-password",
      body: { token: BOGUS_TOKEN, password: "a brand new password" },
    }),
  },
  "POST /api/auth/accept-invite": {
    cells: everyone(400),
    build: () => ({
      method: "POST",
      path: "/api/auth/accept-invite",
      body: { token: BOGUS_TOKEN, password: "a brand new password" },
    }),
  },
  "GET /api/messages": { cells: adminOnly(200), build: () => ({ method: "GET", path: "/api/messages" }) },
  "GET /api/messages/:id": {
    cells: adminOnly(200),
    build: async (w) => {
      const row = await w.clinic.db.selectFrom("outbox").select("id").executeTakeFirstOrThrow();
      return { method: "GET", path: `/api/messages/${row.id}` };
    },
  },
  "POST /api/messages/:id/retry": {
    cells: adminOnly(200),
    build: async (w) => {
      const row = await w.clinic.db.selectFrom("outbox").select("id").executeTakeFirstOrThrow();
      await w.clinic.db
        .updateTable("outbox")
        .set({ status: "failed", last_error: "matrix" })
        .where("id", "=", row.id)
        .execute();
      return { method: "POST", path: `/api/messages/${row.id}/retry` };
    },
  },
  "GET /api/auth/me": { cells: signedIn(200), build: () => ({ method: "GET", path: "/api/auth/me" }) },
  // Who is signed in, with no error status for anyone (the web app's probe).
  "GET /api/auth/session": { cells: everyone(200), build: () => ({ method: "GET", path: "/api/auth/session" }) },
  "POST /api/users": {
    cells: adminOnly(201),
    build: () => ({
      method: "POST",
      path: "/api/users",
      body: { email: uniqueEmail("matrix-user"), name: "Made By Matrix", role: "patient", password: TEST_PASSWORD },
    }),
  },
  // Search (issue #13): doctors list and search their own patients (role=patient; "own"), any other
  // listing is 403 ("other"); the leak scan checks a doctor never sees the other doctor's patient.
  "GET /api/users": {
    cells: {
      anonymous: 401,
      patientA: 403,
      patientB: 403,
      doctorX: { own: 200, other: 403 },
      doctorY: { own: 200, other: 403 },
      admin: 200,
    },
    build: (_w, actor, v) => ({
      method: "GET",
      path: actor.startsWith("doctor") && v === "other" ? "/api/users?q=a" : "/api/users?role=patient",
    }),
  },
  "GET /api/booking-rules": { cells: signedIn(200), build: () => ({ method: "GET", path: "/api/booking-rules" }) },
  "GET /api/doctors": { cells: signedIn(200), build: () => ({ method: "GET", path: "/api/doctors" }) },
  "GET /api/doctors/:id/availability": {
    cells: signedIn(200),
    build: (w, actor, v) => ({
      method: "GET",
      path: `/api/doctors/${w.people[doctorFor(actor, v)].user.id}/availability`,
    }),
  },
  "PUT /api/doctors/:id/availability": {
    cells: manageSchedule(200),
    build: (w, actor, v) => ({
      method: "PUT",
      path: `/api/doctors/${w.people[doctorFor(actor, v)].user.id}/availability`,
      // The same week as before, so the other cells' bookings stay valid.
      body: { rules: [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start: "00:00", end: "24:00" })) },
    }),
  },
  "POST /api/doctors/:id/time-off": {
    cells: manageSchedule(201),
    build: (w, actor, v) => ({
      method: "POST",
      path: `/api/doctors/${w.people[doctorFor(actor, v)].user.id}/time-off`,
      body: { startsAt: FAR, endsAt: "2036-01-05T11:00:00Z", reason: "congress" },
    }),
  },
  "GET /api/doctors/:id/time-off": {
    cells: signedIn(200),
    build: (w, actor, v) => ({ method: "GET", path: `/api/doctors/${w.people[doctorFor(actor, v)].user.id}/time-off` }),
  },
  "DELETE /api/doctors/:id/time-off/:timeOffId": {
    cells: manageSchedule(204),
    build: async (w, actor, v) => {
      const doctor = w.people[doctorFor(actor, v)];
      const made = await w.clinic.call("POST", `/api/doctors/${doctor.user.id}/time-off`, {
        as: w.people.admin,
        body: { startsAt: FAR, endsAt: "2036-01-05T11:00:00Z" },
      });
      if (made.status !== 201) throw new Error(`time off: ${made.status}`);
      return { method: "DELETE", path: `/api/doctors/${doctor.user.id}/time-off/${made.body.timeOff.id}` };
    },
  },
  // Search (issue #13): the first free slot per doctor of a specialty, for anyone signed in.
  "GET /api/slots/first-available": {
    cells: signedIn(200),
    build: (w) => ({
      method: "GET",
      path: `/api/slots/first-available?specialty=${encodeURIComponent(w.people.doctorX.user.doctor?.specialty ?? "x")}`,
    }),
  },
  "GET /api/doctors/:id/slots": {
    cells: signedIn(200),
    build: (w, actor, v) => ({
      method: "GET",
      path: `/api/doctors/${w.people[doctorFor(actor, v)].user.id}/slots?from=2031-06-10T00:00:00Z&to=2031-06-11T00:00:00Z`,
    }),
  },
  "POST /api/consultations": {
    // own: for oneself (patients) or in one's own agenda (doctors); other: for another patient, or
    // in another doctor's agenda.
    cells: {
      anonymous: 401,
      patientA: { own: 201, other: 403 },
      patientB: { own: 201, other: 403 },
      doctorX: { own: 201, other: 403 },
      doctorY: { own: 201, other: 403 },
      admin: 201,
    },
    build: (w, actor, v) => {
      const own = patientFor(actor, "own");
      const body: Record<string, unknown> = {
        doctorId: w.people[doctorFor(actor, "own")].user.id,
        startsAt: w.nextSlot(),
      };
      if (actor === "patientA" || actor === "patientB") {
        if (v === "other") body.patientId = w.people[patientFor(actor, "other")].user.id;
      } else {
        body.patientId = w.people[own].user.id;
        if (v === "other") body.doctorId = w.people[doctorFor(actor, "other")].user.id;
        if (v === "other" && actor === "admin") body.patientId = w.people[patientFor(actor, "other")].user.id;
      }
      return { method: "POST", path: "/api/consultations", body };
    },
  },
  "GET /api/consultations": {
    // other: asking for the other patient's (or doctor's) consultations by filter.
    cells: signedIn(200),
    build: (w, actor, v) => ({
      method: "GET",
      path:
        v === "own"
          ? "/api/consultations"
          : `/api/consultations?patientId=${w.people[patientFor(actor, "other")].user.id}`,
    }),
  },
  "GET /api/consultations/:id": {
    cells: ownConsultation(200),
    build: async (w, actor, v) => ({
      method: "GET",
      path: `/api/consultations/${(await consultationFor(w, actor, v)).id}`,
    }),
  },
  "PATCH /api/consultations/:id": {
    cells: ownConsultation(200),
    build: async (w, actor, v) => ({
      method: "PATCH",
      path: `/api/consultations/${(await consultationFor(w, actor, v)).id}`,
      body: { startsAt: w.nextSlot() },
    }),
  },
  "POST /api/consultations/:id/cancel": {
    cells: ownConsultation(200),
    build: async (w, actor, v) => ({
      method: "POST",
      path: `/api/consultations/${(await consultationFor(w, actor, v)).id}/cancel`,
      body: { reason: "matrix" },
    }),
  },
  "POST /api/consultations/:id/room-link": {
    cells: ownConsultation(200),
    build: async (w, actor, v) => ({
      method: "POST",
      path: `/api/consultations/${(await consultationFor(w, actor, v)).id}/room-link`,
    }),
  },
  "POST /api/consultations/:id/room-link/email": {
    cells: ownConsultation(202),
    build: async (w, actor, v) => {
      const c = await consultationFor(w, actor, v);
      // Its confirmation went out two minutes ago: past the one-a-minute cap on mailing it again.
      await w.clinic.db
        .updateTable("outbox")
        .set({ created_at: new Date(w.clinic.clock.now().getTime() - 120_000) })
        .where("consultation_id", "=", c.id)
        .execute();
      return { method: "POST", path: `/api/consultations/${c.id}/room-link/email` };
    },
  },
  // In person or video / the patient's history (issue #13): admins, and doctors who have seen the
  // patient or are booked with them (world bookings pair patient A with doctor X, B with Y); any
  // other doctor 404 (the patient's existence is not revealed); patients 403.
  "GET /api/patients/:id/history": {
    cells: {
      anonymous: 401,
      patientA: 403,
      patientB: 403,
      doctorX: { own: 200, other: 404 },
      doctorY: { own: 200, other: 404 },
      admin: 200,
    },
    build: async (w, actor, v) => {
      // One booking of that patient (never cancelled by another cell) makes the relation for every cell.
      const patient = patientFor(actor, v);
      const booked = historyBookings.get(w) ?? new Set<string>();
      historyBookings.set(w, booked);
      if (!booked.has(patient)) {
        await w.book(patient);
        booked.add(patient);
      }
      return { method: "GET", path: `/api/patients/${w.people[patient].user.id}/history` };
    },
  },
  "DELETE /api/consultations/:id/room-links": {
    // The doctor or an admin revoke; the patient sees their consultation but may not revoke.
    cells: {
      anonymous: 401,
      patientA: { own: 403, other: 404 },
      patientB: { own: 403, other: 404 },
      doctorX: { own: 204, other: 404 },
      doctorY: { own: 204, other: 404 },
      admin: 204,
    },
    build: async (w, actor, v) => ({
      method: "DELETE",
      path: `/api/consultations/${(await consultationFor(w, actor, v)).id}/room-links`,
    }),
  },
  "GET /api/rooms/:token": {
    // The token is the credential, whoever calls: a genuine one opens the room's page (425 until
    // 15 minutes before the start, which is days after the app's clock here; the patient has
    // consented, see consentToken); a forged one is 401.
    cells: {
      anonymous: 401,
      patientA: { own: 425, other: 401 },
      patientB: { own: 425, other: 401 },
      doctorX: 401,
      doctorY: 401,
      admin: 401,
    },
    build: async (w, actor, v) => {
      const token = await consentedRoomToken(w, patientFor(actor, v));
      const own = v === "own" && (actor === "patientA" || actor === "patientB");
      return { method: "GET", path: `/api/rooms/${encodeURIComponent(own ? token : tamper(token))}` };
    },
  },
  "GET /api/rooms/:token/status": {
    // The same credential: a genuine link reads its consultation's status, a forged one is 401.
    cells: {
      anonymous: 401,
      patientA: { own: 200, other: 401 },
      patientB: { own: 200, other: 401 },
      doctorX: 401,
      doctorY: 401,
      admin: 401,
    },
    build: async (w, actor, v) => {
      const token = await roomToken(w, patientFor(actor, v));
      const own = v === "own" && (actor === "patientA" || actor === "patientB");
      return { method: "GET", path: `/api/rooms/${encodeURIComponent(own ? token : tamper(token))}/status` };
    },
  },
  "GET /api/consent/telemedicine": {
    cells: everyone(200),
    build: () => ({ method: "GET", path: "/api/consent/telemedicine" }),
  },
  "POST /api/consultations/:id/consent": {
    // The patient only: their own consultation 201, another's 404; its doctor 403; admins 403.
    cells: patientOnly(201),
    build: async (w, actor, v) => ({
      method: "POST",
      path: `/api/consultations/${(await consultationFor(w, actor, v)).id}/consent`,
      body: { version: await consentVersion(w) },
    }),
  },
  "DELETE /api/consultations/:id/consent": {
    cells: patientOnly(204),
    build: async (w, actor, v) => ({
      method: "DELETE",
      path: `/api/consultations/${(await consultationFor(w, actor, v)).id}/consent`,
    }),
  },
  "POST /api/consultations/:id/check-in": {
    // Its patient (who has consented) or its doctor: 425, the consultations here being days ahead;
    // strangers 404; admins are not participants (403).
    cells: {
      anonymous: 401,
      patientA: { own: 425, other: 404 },
      patientB: { own: 425, other: 404 },
      doctorX: { own: 425, other: 404 },
      doctorY: { own: 425, other: 404 },
      admin: 403,
    },
    build: async (w, actor, v) => {
      const c = await consultationFor(w, actor, v);
      await giveConsent(w, c.id, c.patient);
      return { method: "POST", path: `/api/consultations/${c.id}/check-in`, body: {} };
    },
  },
  "GET /api/agenda/waiting": {
    cells: doctorsAndAdmins(200),
    build: () => ({ method: "GET", path: "/api/agenda/waiting" }),
  },
  "GET /api/agenda/events": {
    // One snapshot per stream here (agendaStreamSeconds 0, set in beforeAll), so the body ends.
    cells: doctorsAndAdmins(200),
    build: () => ({ method: "GET", path: "/api/agenda/events" }),
  },
  "PATCH /api/users/:id": {
    cells: adminOnly(200),
    build: async (w) => {
      const someone = await w.clinic.person("patient", { name: "To Be Renamed" });
      return { method: "PATCH", path: `/api/users/${someone.user.id}`, body: { name: "Renamed By Matrix" } };
    },
  },
  // User management (issue 13): disable / enable (admins), a doctor's load (admins, the doctor themself).
  "POST /api/users/:id/disable": {
    cells: adminOnly(200),
    build: async (w) => ({ method: "POST", path: `/api/users/${await bareAccount(w, null)}/disable` }),
  },
  "POST /api/users/:id/enable": {
    cells: adminOnly(200),
    build: async (w) => ({ method: "POST", path: `/api/users/${await bareAccount(w, new Date())}/enable` }),
  },
  "GET /api/doctors/:id/load": {
    cells: manageSchedule(200),
    build: (w, actor, v) => ({ method: "GET", path: `/api/doctors/${w.people[doctorFor(actor, v)].user.id}/load` }),
  },
  "GET /api/audit": {
    cells: adminOnly(200),
    build: (w, actor, v) => ({
      method: "GET",
      path: `/api/audit?entity=consultation&actorId=${w.people[doctorFor(actor, v)].user.id}`,
    }),
  },
  "GET /api/me/export": {
    // Everyone exports their own data only: the leak scan proves the "only".
    cells: signedIn(200),
    build: () => ({ method: "GET", path: "/api/me/export" }),
  },
  "POST /api/users/:id/anonymise": {
    cells: adminOnly(200),
    build: async (w) => {
      const victim = await w.clinic.person("patient", { name: "To Be Forgotten" });
      return { method: "POST", path: `/api/users/${victim.user.id}/anonymise` };
    },
  },
  // --- Calendar subscription feeds (issue 14) ------------------------------------------------------
  // Doctors and patients manage their own feed; an admin has no agenda (403).
  "POST /api/me/calendar-feed": {
    cells: feedOwners(201),
    build: () => ({ method: "POST", path: "/api/me/calendar-feed", body: {} }),
  },
  "GET /api/me/calendar-feed": {
    cells: feedOwners(200),
    build: () => ({ method: "GET", path: "/api/me/calendar-feed" }),
  },
  "DELETE /api/me/calendar-feed": {
    cells: feedOwners(204),
    build: () => ({ method: "DELETE", path: "/api/me/calendar-feed" }),
  },
  "GET /cal/:token": {
    // The token is the credential, whoever sends it: one's own live feed is 200 (and the leak scan
    // proves it holds only one's own); a replaced token of someone else's feed is 404, signed in or not.
    cells: {
      anonymous: 404,
      patientA: { own: 200, other: 404 },
      patientB: { own: 200, other: 404 },
      doctorX: { own: 200, other: 404 },
      doctorY: { own: 200, other: 404 },
      admin: 404,
    },
    build: async (w, actor, v) => {
      const owner = actor === "patientA" || actor === "patientB" ? actor : doctorFor(actor, "own");
      await consultationFor(w, actor, "own");
      if (v === "own" && actor !== "anonymous" && actor !== "admin") {
        return { method: "GET", path: await feedPathOf(w, owner) };
      }
      const victim = actor === "anonymous" || actor === "admin" ? "patientA" : patientFor(actor, "other");
      const replaced = await feedPathOf(w, victim);
      await feedPathOf(w, victim);
      return { method: "GET", path: replaced };
    },
  },
};

/** A fresh feed of `who` (replacing theirs), as the path of its URL. */
async function feedPathOf(w: World, who: Exclude<ActorKey, "anonymous" | "admin">): Promise<string> {
  const res = await w.clinic.call("POST", "/api/me/calendar-feed", { as: w.people[who], body: {} });
  if (res.status !== 201) throw new Error(`calendar feed: ${res.status} ${JSON.stringify(res.body)}`);
  return new URL(String(res.body.url)).pathname;
}

/** Routes the issue promises that may land after this suite; listed so a stale row is caught. */
const ANTICIPATED = new Set<string>([]);

/** The FHIR routes (/fhir/R4) have their own matrix: packages/core/src/fhir/fhir-authorization-matrix.int.test.ts. */
function routeKeys(w: World): string[] {
  return [
    ...new Set(
      w.app.routes
        .filter((r) => r.method !== "ALL" && !r.path.startsWith("/fhir/"))
        .map((r) => `${r.method} ${r.path}`),
    ),
  ].sort();
}

describe.skipIf(!url)("authorization matrix", () => {
  let world: World;

  beforeAll(async () => {
    world = await createWorld(url!, "matrix", { modules: servedModules });
    // The agenda's event stream sends one snapshot and closes (as on Lambda), so each cell's body ends.
    world.clinic.deps.config.agendaStreamSeconds = 0;
  });
  afterAll(async () => {
    await world?.close();
  });

  it("has an expectation for every route of the app, and no row for a route that does not exist", () => {
    expectRowForEveryRoute(routeKeys(world), CASES, { atLeast: 15, anticipated: ANTICIPATED });
  });

  // Several hundred requests (a cell per route × caller × ownership): over a minute on a loaded machine.
  it("answers the expected status in every cell, with the error shape, and leaks nothing", {
    timeout: 180_000,
  }, async () => {
    await runAuthorizationMatrix(world, {
      suite: "authorization-matrix",
      routes: routeKeys(world),
      cases: CASES,
      contentType: "application/json",
      // A patient's own data export carries their own clinical notes (LGPD art. 18), nowhere else.
      forbidden: (route, actor) => forbiddenFor(world, actor, { ownNotes: route === "GET /api/me/export" }),
      check: ({ label, status, text }) => {
        if (status >= 400) {
          expect(JSON.parse(text), label).toEqual({
            error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) }),
          });
        }
      },
    });
  });

  it("a doctor cannot delete another doctor's time off through their own path (404, and it stays)", async () => {
    const { people, clinic } = world;
    const made = await clinic.call("POST", `/api/doctors/${people.doctorY.user.id}/time-off`, {
      as: people.doctorY,
      body: { startsAt: FAR, endsAt: "2036-01-05T11:00:00Z" },
    });
    expect(made.status).toBe(201);
    const res = await clinic.call("DELETE", `/api/doctors/${people.doctorX.user.id}/time-off/${made.body.timeOff.id}`, {
      as: people.doctorX,
    });
    expect(res.status).toBe(404);
    const left = await clinic.db.selectFrom("time_off").select("id").where("id", "=", made.body.timeOff.id).execute();
    expect(left).toHaveLength(1);
  });

  it("a patient's list filtered by another patient's id shows none of theirs", async () => {
    const { people, clinic } = world;
    await world.book("patientB");
    const res = await clinic.call("GET", `/api/consultations?patientId=${people.patientB.user.id}`, {
      as: people.patientA,
    });
    expect(res.status).toBe(200);
    expect(res.body.consultations).toEqual([]);
    // while the admin, with the same filter, does see B's
    const admin = await clinic.call("GET", `/api/consultations?patientId=${people.patientB.user.id}`, {
      as: people.admin,
    });
    expect(admin.body.consultations.length).toBeGreaterThan(0);
  });
});
