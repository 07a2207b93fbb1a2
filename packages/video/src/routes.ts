/**
 * The room service's HTTP surface: what a shareable room link opens. No session needed: the
 * signed token in the URL is the credential.
 */

import {
  consentGate,
  currentConsentText,
  openRoom,
  roomOpened,
  roomStatus,
  roomStatusForLink,
  Unavailable,
} from "@healthflow/core";
import { errorResponses, jsonResponse, newRouter } from "@healthflow/core/http";
import { roomSchema, roomStatusSchema } from "@healthflow/core/schemas";
import { createRoute, z } from "@hono/zod-openapi";
import { jitsiRoomConfig } from "./jitsi.js";

/** The shape lives with the other room shapes in core, where the web app takes its types from. */
export const roomResponseSchema = roomSchema;

const openRoute = createRoute({
  method: "get",
  path: "/api/rooms/{token}",
  operationId: "openRoom",
  security: [], // public: no session needed
  tags: ["rooms"],
  summary: "Open a consult room from its link",
  description:
    "401 for a token that is not ours or was tampered with; 410 once expired or the consultation is " +
    "cancelled, completed or a no-show, 410 `link_revoked` once the consultation's links were revoked " +
    "(DELETE /api/consultations/{id}/room-links); a link follows reschedules (the window is the " +
    "consultation's current one); 403 `consent_required` for a patient who has not agreed to the " +
    "current telemedicine consent text, with `details: {version, hash, consultationId, doctor: {name, crm, " +
    "crmState}}` (the doctor is never asked); 425 `room_not_open` before the room opens, with " +
    "`details: {consultation, role, opensAt, closesAt}` so the page can show a countdown. An in-person " +
    "consultation has no room: 409 `no_room` (no link is ever issued for one).",
  request: { params: z.object({ token: z.string().min(1).max(2048) }) },
  responses: {
    200: jsonResponse(roomResponseSchema, "The room and its Jitsi configuration"),
    ...errorResponses(400, 401, 403, 409, 410, 425),
  },
});

const statusRoute = createRoute({
  method: "get",
  path: "/api/rooms/{token}/status",
  operationId: "roomStatus",
  security: [], // public: the room link is the credential
  tags: ["rooms"],
  summary: "Where the room's consultation stands (the waiting patient's page polls it)",
  description:
    "The consultation's status and the record's check-in, start and completion times; nothing personal, " +
    "not audited. 401 for a forged link, 410 once it has expired or was revoked (`link_revoked`).",
  request: { params: z.object({ token: z.string().min(1).max(2048) }) },
  responses: { 200: jsonResponse(roomStatusSchema, "The room's status"), ...errorResponses(400, 401, 410) },
});

export const roomRoutes = newRouter()
  .openapi(statusRoute, async (c) => {
    const { db, config, now } = c.get("deps");
    if (!config.secret) throw new Unavailable("rooms_not_configured", "Rooms need HEALTHFLOW_SECRET to be set.");
    c.header("Cache-Control", "no-store");
    return c.json(await roomStatusForLink(db, c.req.valid("param").token, config.secret, now()), 200);
  })
  .openapi(openRoute, async (c) => {
    const { db, config, now } = c.get("deps");
    if (!config.secret) throw new Unavailable("rooms_not_configured", "Rooms need HEALTHFLOW_SECRET to be set.");
    const room = await openRoom(db, c.req.valid("param").token, config.secret, now(), {
      gate: consentGate(db, currentConsentText(config.telemedicineConsentFile)),
      opened: (row, role, at) => roomOpened(db, row.id, role, at),
    });
    const jitsi = await jitsiRoomConfig(
      config.jitsi,
      room.roomName,
      { ...room.participant, role: room.role },
      { opensAt: new Date(room.opensAt), closesAt: new Date(room.closesAt) },
    );
    c.header("Cache-Control", "no-store");
    return c.json(
      {
        consultation: room.consultation,
        role: room.role,
        jitsi,
        opensAt: room.opensAt,
        closesAt: room.closesAt,
        progress: await roomStatus(db, room.consultation.id),
      },
      200,
    );
  });
