import { createRoute, z } from "@hono/zod-openapi";
import { Unavailable } from "../../errors.js";
import { issueLink } from "../../rooms/room.js";
import { roomLinkRequestSchema, roomLinkSchema } from "../../rooms/room.schema.js";
import { requireUser } from "../auth.js";
import { errorResponses, jsonResponse, newRouter, security } from "../router.js";

const linkRoute = createRoute({
  method: "post",
  path: "/api/consultations/{id}/room-link",
  tags: ["rooms"],
  summary: "A shareable, signed, expiring consult-room URL for the caller's role",
  description:
    "Its doctor, its patient, or an admin. Admins and the consultation's doctor may choose `for`: doctor " +
    "or patient (doctor by default), so staff can share the patient's link. Issued any time from booking; " +
    "it opens the room from 15 minutes before the start until 30 minutes after the end.",
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
    ...errorResponses(400, 401, 403, 404, 410),
  },
});

export const roomLinkRoutes = newRouter().openapi(linkRoute, async (c) => {
  const actor = await requireUser(c);
  const { db, config, now } = c.get("deps");
  if (!config.secret) throw new Unavailable("rooms_not_configured", "Room links need HEALTHFLOW_SECRET to be set.");
  const body = c.req.valid("json") ?? {};
  const link = await issueLink(
    db,
    c.req.valid("param").id,
    actor,
    body.for,
    { secret: config.secret, publicOrigin: config.publicUrl ?? new URL(c.req.url).origin },
    now(),
  );
  return c.json(link, 200);
});
