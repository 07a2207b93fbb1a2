import { createRoute, z } from "@hono/zod-openapi";
import { Unavailable } from "../../errors.js";
import { emailLink } from "../../notifications/consultation-notices.js";
import { issueLink, revokeLinks } from "../../rooms/room.js";
import { roomLinkRequestSchema, roomLinkSchema } from "../../rooms/room.schema.js";
import { requireUser } from "../auth.js";
import { notifyContextOf } from "../notify-context.js";
import { publicOrigin } from "../public-origin.js";
import { errorResponses, jsonResponse, newRouter, security } from "../router.js";

const linkRoute = createRoute({
  method: "post",
  path: "/api/consultations/{id}/room-link",
  operationId: "createRoomLink",
  tags: ["rooms"],
  summary: "A shareable, signed, expiring consult-room URL for the caller's role",
  description:
    "Its doctor, its patient, or an admin. Admins and the consultation's doctor may choose `for`: doctor " +
    "or patient (doctor by default), so staff can share the patient's link. Issued any time from booking; " +
    "it opens the room from 15 minutes before the start until 30 minutes after the end of the consultation " +
    "as it is when the link is used (a link follows reschedules); `expiresAt` is that end as of now. " +
    "The URL names HEALTHFLOW_PUBLIC_URL (503 `public_url_not_configured` when unset and the Host is not loopback). " +
    "An in-person consultation has no room: 409 `no_room`.",
  security,
  request: {
    params: z.object({ id: z.string().uuid() }),
    body: {
      required: false,
      content: { "application/json": { schema: roomLinkRequestSchema } },
    },
  },
  responses: {
    200: jsonResponse(roomLinkSchema, "The room link"),
    ...errorResponses(400, 401, 403, 404, 409, 410, 503),
  },
});

const revokeRoute = createRoute({
  method: "delete",
  path: "/api/consultations/{id}/room-links",
  operationId: "revokeRoomLinks",
  tags: ["rooms"],
  summary: "Revoke every room link of a consultation",
  description:
    "The consultation's doctor or an admin (its patient: 403). Every link issued so far then answers " +
    "410 `link_revoked`; links issued afterwards work. An in-person consultation has no room: 409 `no_room`.",
  security,
  request: { params: z.object({ id: z.string().uuid() }) },
  responses: {
    204: { description: "Revoked" },
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

const emailRoute = createRoute({
  method: "post",
  path: "/api/consultations/{id}/room-link/email",
  operationId: "emailRoomLink",
  tags: ["rooms"],
  summary: "Mail the patient their room link again",
  description:
    "Its patient, its doctor, or an admin. The patient receives the booking confirmation again, with a fresh " +
    "room link and the same calendar invite (same UID and SEQUENCE: one event in their calendar). At most one " +
    "a minute and five a day per consultation, its first confirmation included: 429 `rate_limited`. In person: " +
    "409 `no_room`; the consultation over: 410 `room_closed` or `room_expired`; the patient's account disabled: " +
    "409 `recipient_disabled`.",
  security,
  request: { params: z.object({ id: z.string().uuid() }) },
  responses: {
    202: jsonResponse(z.object({ status: z.literal("queued") }), "The mail is queued"),
    ...errorResponses(400, 401, 404, 409, 410, 429, 503),
  },
});

export const roomLinkRoutes = newRouter()
  .openapi(linkRoute, async (c) => {
    const actor = await requireUser(c);
    const { db, config, now } = c.get("deps");
    if (!config.secret) throw new Unavailable("rooms_not_configured", "Room links need HEALTHFLOW_SECRET to be set.");
    const body = c.req.valid("json") ?? {};
    const link = await issueLink(
      db,
      c.req.valid("param").id,
      actor,
      body.for,
      { secret: config.secret, publicOrigin: publicOrigin(c) },
      now(),
    );
    return c.json(link, 200);
  })
  .openapi(emailRoute, async (c) => {
    const actor = await requireUser(c);
    if (!c.get("deps").config.secret) {
      throw new Unavailable("rooms_not_configured", "Room links need HEALTHFLOW_SECRET to be set.");
    }
    await emailLink(c.get("deps").db, c.req.valid("param").id, actor, notifyContextOf(c));
    return c.json({ status: "queued" as const }, 202);
  })
  .openapi(revokeRoute, async (c) => {
    const actor = await requireUser(c);
    await revokeLinks(c.get("deps").db, c.req.valid("param").id, actor);
    return c.body(null, 204);
  });
