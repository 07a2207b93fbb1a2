/**
 * Teleconsultation routes (issue 15): the consent text and the patient's agreement, check-in, and
 * the doctor's waiting room, as server-sent events and as a plain polling endpoint.
 *
 * The patient acts with their session or with their room link (`roomToken` in the body): the room
 * page needs no session. A cookie session must come from our own origin (CSRF), as everywhere.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { currentConsentText } from "../../telemedicine/consent-text.js";
import { type Caller, checkIn, giveConsent, waitingRoom, withdrawConsent } from "../../telemedicine/telemedicine.js";
import {
  checkInInputSchema,
  consentSchema,
  consentTextSchema,
  giveConsentInputSchema,
  waitingRoomSchema,
} from "../../telemedicine/telemedicine.schema.js";
import { assertSameOrigin, currentSession, requireUser } from "../auth.js";
import type { AppEnv } from "../context.js";
import { errorResponses, jsonBody, jsonResponse, newRouter, security } from "../router.js";

const idParams = z.object({ id: z.string().uuid() });
const consentText = (c: Context<AppEnv>) => currentConsentText(c.get("deps").config.telemedicineConsentFile);

/** The caller as the telemedicine rules see them: a session, a room link, or both. */
async function callerOf(c: Context<AppEnv>, roomToken: string | undefined): Promise<Caller> {
  const session = await currentSession(c);
  if (session?.via === "cookie") assertSameOrigin(c, true);
  return { user: session?.user, roomToken, secret: c.get("deps").config.secret };
}

/** The address the agreement came from, as the runtime saw it (whole, not cut to a /64). */
function clientAddress(c: Context<AppEnv>): string | undefined {
  const deps = c.get("deps");
  const hops = deps.config.trustProxyHops;
  if (hops > 0) {
    const chain = (c.req.header("x-forwarded-for") ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    if (chain.length >= hops) return chain[chain.length - hops];
  }
  return deps.clientIp?.(c);
}

const textRoute = createRoute({
  method: "get",
  path: "/api/consent/telemedicine",
  operationId: "telemedicineConsentText",
  security: [], // public: the room page shows it before anyone signs in
  tags: ["telemedicine"],
  summary: "The telemedicine consent text in force: version, hash, text in pt-BR and English",
  description:
    "Public. The clinic replaces the built-in text with HEALTHFLOW_TELEMEDICINE_CONSENT_FILE; a new text carries " +
    "a new version, and consent given to an older version no longer covers teleconsultations.",
  responses: { 200: jsonResponse(consentTextSchema, "The consent text"), ...errorResponses(429) },
});

const giveRoute = createRoute({
  method: "post",
  path: "/api/consultations/{id}/consent",
  operationId: "giveTelemedicineConsent",
  tags: ["telemedicine"],
  summary: "The patient agrees to the telemedicine consent text (version from GET /api/consent/telemedicine)",
  description:
    "By the consultation's patient, with their session or their room link (`roomToken`). Stored with the text's " +
    "version and hash, the time, this consultation, the client address and user agent; audited. It covers the " +
    "patient's teleconsultations until withdrawn or until the text's version changes. 409 " +
    "`consent_version_mismatch` (current version in `details`) when the text changed meanwhile.",
  security: [...security, {}], // a session, or the room link in the body
  request: { params: idParams, body: jsonBody(giveConsentInputSchema) },
  responses: {
    201: jsonResponse(z.object({ consent: consentSchema }), "Consent recorded"),
    ...errorResponses(400, 401, 403, 404, 409, 410),
  },
});

const withdrawRoute = createRoute({
  method: "delete",
  path: "/api/consultations/{id}/consent",
  operationId: "withdrawTelemedicineConsent",
  tags: ["telemedicine"],
  summary: "The patient withdraws their telemedicine consent, for future consultations",
  description:
    "Every agreement in force is closed (kept as evidence, with its withdrawal time); past records keep the " +
    "consent they relied on. The next room visit asks again. Idempotent.",
  security,
  request: { params: idParams },
  responses: { 204: { description: "Withdrawn" }, ...errorResponses(400, 401, 403, 404) },
});

const checkInRoute = createRoute({
  method: "post",
  path: "/api/consultations/{id}/check-in",
  operationId: "checkIn",
  tags: ["telemedicine"],
  summary: '"I\'m ready": the patient checks in to the waiting room',
  description:
    "By the consultation's patient (session or `roomToken`) or its doctor, from the room's opening (15 minutes " +
    "before the start) until it closes: 425 `check_in_not_open` before, with `details.opensAt`; 403 " +
    "`consent_required` for a patient without consent in force; 410 once closed. The first check-in counts. " +
    "An in-person consultation has no room to wait for: 409 `no_room`.",
  security: [...security, {}], // a session, or the room link in the body
  request: {
    params: idParams,
    body: { required: false, content: { "application/json": { schema: checkInInputSchema } } },
  },
  responses: {
    200: jsonResponse(z.object({ checkedInAt: z.string(), role: z.enum(["doctor", "patient"]) }), "Checked in"),
    ...errorResponses(400, 401, 403, 404, 409, 410, 425),
  },
});

const waitingQuery = z.object({ doctorId: z.string().uuid().optional() });

const waitingRoute = createRoute({
  method: "get",
  path: "/api/agenda/waiting",
  operationId: "agendaWaiting",
  tags: ["telemedicine"],
  summary: "The waiting room, for polling: consultations whose room is open now, with check-in times",
  description:
    "The polling twin of `GET /api/agenda/events`, for clients or runtimes without server-sent events. Poll " +
    "every 3 seconds. Doctors see their own; admins everyone's, or one doctor's with `doctorId`.",
  security,
  request: { query: waitingQuery },
  responses: { 200: jsonResponse(waitingRoomSchema, "The waiting room"), ...errorResponses(400, 401, 403) },
});

const eventsRoute = createRoute({
  method: "get",
  path: "/api/agenda/events",
  operationId: "agendaEvents",
  tags: ["telemedicine"],
  summary: "The waiting room as server-sent events (`event: waiting`, data as GET /api/agenda/waiting)",
  description:
    "A `text/event-stream`: a `waiting` event at once and whenever a patient checks in or a consultation starts " +
    "or ends (checked every 2 seconds), a comment every 15 seconds. The stream closes after " +
    "HEALTHFLOW_AGENDA_STREAM_SECONDS and the browser's EventSource reconnects (`retry: 3000`); with 0 (Lambda, " +
    "whose responses are buffered) it sends one snapshot and closes, so EventSource polls every 3 seconds.",
  security,
  request: { query: waitingQuery },
  responses: {
    200: { description: "The event stream", content: { "text/event-stream": { schema: z.string() } } },
    ...errorResponses(400, 401, 403),
  },
});

const POLL_MS = 2000;
const HEARTBEAT_MS = 15_000;

export const telemedicineRoutes = newRouter()
  .openapi(textRoute, (c) => {
    const text = consentText(c);
    return c.json({ version: text.version, hash: text.hash, text: text.text }, 200);
  })
  .openapi(giveRoute, async (c) => {
    const body = c.req.valid("json");
    const { db, now } = c.get("deps");
    const consent = await giveConsent(
      db,
      c.req.valid("param").id,
      body.version,
      await callerOf(c, body.roomToken),
      consentText(c),
      { ip: clientAddress(c), userAgent: c.req.header("user-agent") },
      now(),
    );
    return c.json({ consent }, 201);
  })
  .openapi(withdrawRoute, async (c) => {
    const user = await requireUser(c);
    const { db, now } = c.get("deps");
    await withdrawConsent(db, c.req.valid("param").id, { user }, now());
    return c.body(null, 204);
  })
  .openapi(checkInRoute, async (c) => {
    const body = c.req.valid("json") ?? {};
    const { db, now } = c.get("deps");
    const result = await checkIn(db, c.req.valid("param").id, await callerOf(c, body.roomToken), consentText(c), now());
    return c.json(result, 200);
  })
  .openapi(waitingRoute, async (c) => {
    const actor = await requireUser(c, "doctor", "admin");
    const { db, now } = c.get("deps");
    c.header("Cache-Control", "no-store");
    return c.json(await waitingRoom(db, actor, c.req.valid("query"), now()), 200);
  })
  .openapi(eventsRoute, async (c) => {
    const actor = await requireUser(c, "doctor", "admin");
    const { db, now, config, logger } = c.get("deps");
    const query = c.req.valid("query");
    const seconds = config.agendaStreamSeconds ?? 300;
    // Fail before the stream starts (a database error is then an ordinary error response).
    const first = await waitingRoom(db, actor, query, now());
    c.header("Cache-Control", "no-store");
    c.header("X-Accel-Buffering", "no");
    return streamSSE(c, async (stream) => {
      let aborted = false;
      stream.onAbort(() => {
        aborted = true;
      });
      const snapshot = (w: typeof first) => JSON.stringify(w.consultations);
      let last = snapshot(first);
      await stream.writeSSE({ event: "waiting", data: JSON.stringify(first), retry: 3000 });
      const until = Date.now() + seconds * 1000;
      let lastBeat = Date.now();
      while (!aborted && Date.now() < until) {
        await stream.sleep(POLL_MS);
        if (aborted) break;
        try {
          const next = await waitingRoom(db, actor, query, now());
          const key = snapshot(next);
          if (key !== last) {
            last = key;
            await stream.writeSSE({ event: "waiting", data: JSON.stringify(next) });
            lastBeat = Date.now();
          } else if (Date.now() - lastBeat >= HEARTBEAT_MS) {
            await stream.write(": keep-alive\n\n");
            lastBeat = Date.now();
          }
        } catch (err) {
          // The browser reconnects and the next stream starts afresh.
          logger.warn("agenda events: reading the waiting room failed", { err: (err as Error).message });
          break;
        }
      }
    }) as never;
  });
