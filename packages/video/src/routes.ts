/**
 * The room service's HTTP surface: what a shareable room link opens. No session needed: the
 * signed token in the URL is the credential.
 */

import { openRoom, Unavailable } from "@healthflow/core";
import { errorResponses, jsonResponse, newRouter } from "@healthflow/core/http";
import { roomSchema } from "@healthflow/core/schemas";
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
    "consultation's current one); 425 `room_not_open` before the room opens, with " +
    "`details: {consultation, role, opensAt, closesAt}` so the page can show a countdown.",
  request: { params: z.object({ token: z.string().min(1).max(2048) }) },
  responses: {
    200: jsonResponse(roomResponseSchema, "The room and its Jitsi configuration"),
    ...errorResponses(400, 401, 410, 425),
  },
});

export const roomRoutes = newRouter().openapi(openRoute, async (c) => {
  const { db, config, now } = c.get("deps");
  if (!config.secret) throw new Unavailable("rooms_not_configured", "Rooms need HEALTHFLOW_SECRET to be set.");
  const room = await openRoom(db, c.req.valid("param").token, config.secret, now());
  const jitsi = await jitsiRoomConfig(
    config.jitsi,
    room.roomName,
    { ...room.participant, role: room.role },
    { opensAt: new Date(room.opensAt), closesAt: new Date(room.closesAt) },
  );
  c.header("Cache-Control", "no-store");
  return c.json(
    { consultation: room.consultation, role: room.role, jitsi, opensAt: room.opensAt, closesAt: room.closesAt },
    200,
  );
});
