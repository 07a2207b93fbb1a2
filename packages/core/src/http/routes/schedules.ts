import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import {
  addTimeOff,
  type Clock,
  deleteTimeOff,
  getAvailability,
  listSlots,
  listTimeOff,
  putAvailability,
} from "../../scheduling/availability.js";
import {
  availabilitySchema,
  instantSchema,
  putAvailabilitySchema,
  rangeQuerySchema,
  slotListSchema,
  timeOffEnvelopeSchema,
  timeOffInputSchema,
  timeOffListSchema,
} from "../../scheduling/scheduling.schema.js";
import { requireUser } from "../auth.js";
import type { AppEnv } from "../context.js";
import { errorResponses, jsonBody, jsonResponse, newRouter, security } from "../router.js";

export function clockOf(c: Context<AppEnv>): Clock {
  const { now, config } = c.get("deps");
  return { now: now(), minNoticeMinutes: config.minNoticeMinutes };
}

const doctorParams = z.object({ id: z.string().uuid() });

const getAvail = createRoute({
  method: "get",
  path: "/api/doctors/{id}/availability",
  tags: ["scheduling"],
  summary: "A doctor's weekly availability (local wall-clock times in the doctor's zone)",
  security,
  request: { params: doctorParams },
  responses: { 200: jsonResponse(availabilitySchema, "Availability"), ...errorResponses(400, 401, 404) },
});

const putAvail = createRoute({
  method: "put",
  path: "/api/doctors/{id}/availability",
  tags: ["scheduling"],
  summary: "Replace a doctor's weekly availability (that doctor or an admin)",
  security,
  request: { params: doctorParams, body: jsonBody(putAvailabilitySchema) },
  responses: { 200: jsonResponse(availabilitySchema, "Availability"), ...errorResponses(400, 401, 403, 404) },
});

const postTimeOff = createRoute({
  method: "post",
  path: "/api/doctors/{id}/time-off",
  tags: ["scheduling"],
  summary: "Block an interval (vacation, congress)",
  security,
  request: { params: doctorParams, body: jsonBody(timeOffInputSchema) },
  responses: {
    201: jsonResponse(timeOffEnvelopeSchema, "Created"),
    ...errorResponses(400, 401, 403, 404),
  },
});

const getTimeOff = createRoute({
  method: "get",
  path: "/api/doctors/{id}/time-off",
  tags: ["scheduling"],
  summary: "A doctor's time off, optionally within a range",
  security,
  request: {
    params: doctorParams,
    query: z.object({ from: instantSchema.optional(), to: instantSchema.optional() }),
  },
  responses: {
    200: jsonResponse(timeOffListSchema, "Time off"),
    ...errorResponses(400, 401, 404),
  },
});

const delTimeOff = createRoute({
  method: "delete",
  path: "/api/doctors/{id}/time-off/{timeOffId}",
  tags: ["scheduling"],
  summary: "Remove a time-off block",
  security,
  request: { params: z.object({ id: z.string().uuid(), timeOffId: z.string().uuid() }) },
  responses: { 204: { description: "Removed" }, ...errorResponses(400, 401, 403, 404) },
});

const slots = createRoute({
  method: "get",
  path: "/api/doctors/{id}/slots",
  tags: ["scheduling"],
  summary: "Free slots in [from, to), at most 62 days, UTC",
  security,
  request: { params: doctorParams, query: rangeQuerySchema },
  responses: {
    200: jsonResponse(slotListSchema, "Free slots"),
    ...errorResponses(400, 401, 404),
  },
});

export const scheduleRoutes = newRouter()
  .openapi(getAvail, async (c) => {
    await requireUser(c);
    return c.json(await getAvailability(c.get("deps").db, c.req.valid("param").id), 200);
  })
  .openapi(putAvail, async (c) => {
    const actor = await requireUser(c, "doctor", "admin");
    return c.json(await putAvailability(c.get("deps").db, c.req.valid("param").id, c.req.valid("json"), actor), 200);
  })
  .openapi(postTimeOff, async (c) => {
    const actor = await requireUser(c, "doctor", "admin");
    const timeOff = await addTimeOff(c.get("deps").db, c.req.valid("param").id, c.req.valid("json"), actor);
    return c.json({ timeOff }, 201);
  })
  .openapi(getTimeOff, async (c) => {
    await requireUser(c);
    return c.json({ timeOff: await listTimeOff(c.get("deps").db, c.req.valid("param").id, c.req.valid("query")) }, 200);
  })
  .openapi(delTimeOff, async (c) => {
    const actor = await requireUser(c, "doctor", "admin");
    const { id, timeOffId } = c.req.valid("param");
    await deleteTimeOff(c.get("deps").db, id, timeOffId, actor);
    return c.body(null, 204);
  })
  .openapi(slots, async (c) => {
    await requireUser(c);
    const { from, to } = c.req.valid("query");
    return c.json({ slots: await listSlots(c.get("deps").db, c.req.valid("param").id, from, to, clockOf(c)) }, 200);
  });
