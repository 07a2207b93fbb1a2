import { createRoute, z } from "@hono/zod-openapi";
import {
  addTimeOff,
  deleteTimeOff,
  getAvailability,
  listSlots,
  listTimeOff,
  putAvailability,
} from "../../scheduling/availability.js";
import {
  availabilitySchema,
  bookingRulesSchema,
  instantSchema,
  putAvailabilitySchema,
  slotListSchema,
  slotRangeQuerySchema,
  timeOffEnvelopeSchema,
  timeOffInputSchema,
  timeOffListSchema,
} from "../../scheduling/scheduling.schema.js";
import { requireUser } from "../auth.js";
import { clockOf } from "../clock.js";
import { errorResponses, jsonBody, jsonResponse, newRouter, security } from "../router.js";

const doctorParams = z.object({ id: z.string().uuid() });

const getAvail = createRoute({
  method: "get",
  path: "/api/doctors/{id}/availability",
  operationId: "getAvailability",
  tags: ["scheduling"],
  summary: "A doctor's weekly availability (local wall-clock times in the doctor's zone)",
  security,
  request: { params: doctorParams },
  responses: { 200: jsonResponse(availabilitySchema, "Availability"), ...errorResponses(400, 401, 404) },
});

const putAvail = createRoute({
  method: "put",
  path: "/api/doctors/{id}/availability",
  operationId: "putAvailability",
  tags: ["scheduling"],
  summary: "Replace a doctor's weekly availability (that doctor or an admin)",
  description:
    "Each rule may say which `modes` its slots offer (`video`, `in_person`; both when absent). Bookings in a " +
    "mode a slot's rule does not offer are 422 `mode_not_offered`; consultations already booked stay.",
  security,
  request: { params: doctorParams, body: jsonBody(putAvailabilitySchema) },
  responses: { 200: jsonResponse(availabilitySchema, "Availability"), ...errorResponses(400, 401, 403, 404) },
});

const postTimeOff = createRoute({
  method: "post",
  path: "/api/doctors/{id}/time-off",
  operationId: "addTimeOff",
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
  operationId: "listTimeOff",
  tags: ["scheduling"],
  summary: "A doctor's time off, optionally within a range",
  description:
    "Every signed-in user sees the intervals; the `reason` only the doctor themself and admins (others get null).",
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
  operationId: "deleteTimeOff",
  tags: ["scheduling"],
  summary: "Remove a time-off block",
  security,
  request: { params: z.object({ id: z.string().uuid(), timeOffId: z.string().uuid() }) },
  responses: { 204: { description: "Removed" }, ...errorResponses(400, 401, 403, 404) },
});

const slots = createRoute({
  method: "get",
  path: "/api/doctors/{id}/slots",
  operationId: "listSlots",
  tags: ["scheduling"],
  summary: "Free slots in [from, to), at most 62 days, UTC",
  description:
    "Each slot says which modes (`video`, `in_person`) the weekly rule covering it offers; `mode` keeps only " +
    "the slots offering that mode.",
  security,
  request: { params: doctorParams, query: slotRangeQuerySchema },
  responses: {
    200: jsonResponse(slotListSchema, "Free slots"),
    ...errorResponses(400, 401, 404),
  },
});

const bookingRulesRoute = createRoute({
  method: "get",
  path: "/api/booking-rules",
  operationId: "getBookingRules",
  tags: ["scheduling"],
  summary: "What a patient may book by themselves",
  description:
    "HEALTHFLOW_BOOKING_HORIZON_DAYS, HEALTHFLOW_MAX_ACTIVE_BOOKINGS, HEALTHFLOW_MAX_ACTIVE_BOOKINGS_PER_DOCTOR and " +
    "HEALTHFLOW_MIN_NOTICE_MINUTES, so the dashboard can say them before a booking is refused.",
  security,
  responses: {
    200: jsonResponse(bookingRulesSchema, "The rules"),
    ...errorResponses(401),
  },
});

export const scheduleRoutes = newRouter()
  .openapi(bookingRulesRoute, async (c) => {
    await requireUser(c);
    const { booking, minNoticeMinutes } = c.get("deps").config;
    return c.json({ ...booking, minNoticeMinutes }, 200);
  })
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
    const actor = await requireUser(c);
    const { id } = c.req.valid("param");
    return c.json({ timeOff: await listTimeOff(c.get("deps").db, id, c.req.valid("query"), actor) }, 200);
  })
  .openapi(delTimeOff, async (c) => {
    const actor = await requireUser(c, "doctor", "admin");
    const { id, timeOffId } = c.req.valid("param");
    await deleteTimeOff(c.get("deps").db, id, timeOffId, actor);
    return c.body(null, 204);
  })
  .openapi(slots, async (c) => {
    await requireUser(c);
    const { from, to, mode } = c.req.valid("query");
    const slots = await listSlots(c.get("deps").db, c.req.valid("param").id, from, to, clockOf(c), mode);
    return c.json({ slots }, 200);
  });
