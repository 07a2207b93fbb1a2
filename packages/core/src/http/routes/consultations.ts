import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import * as Consultation from "../../scheduling/consultation.js";
import { locate } from "../../scheduling/consultation-location.js";
import {
  bookInputSchema,
  type Consultation as ConsultationWire,
  cancelInputSchema,
  consultationEnvelopeSchema,
  consultationPageSchema,
  listConsultationsQuerySchema,
  patchConsultationSchema,
} from "../../scheduling/scheduling.schema.js";
import { requireUser } from "../auth.js";
import { clockOf } from "../clock.js";
import type { AppEnv } from "../context.js";
import { assertMayBook, notifyContextOf } from "../notify-context.js";
import { errorResponses, jsonBody, jsonResponse, newRouter, security } from "../router.js";

const idParams = z.object({ id: z.string().uuid() });
/** An in-person consultation shows the clinic's address (HEALTHFLOW_CLINIC_ADDRESS). */
const located = (c: Context<AppEnv>, x: ConsultationWire) => locate(x, c.get("deps").config.clinicAddress);
const one = consultationEnvelopeSchema;

const bookRoute = createRoute({
  method: "post",
  path: "/api/consultations",
  operationId: "bookConsultation",
  tags: ["consultations"],
  summary: "Book a consultation (patients for themselves; doctors and admins give patientId)",
  description:
    "409 `slot_taken` (with `nextSlots`); 422 `outside_availability`, `time_off`, `too_soon`; 400 `invalid_duration`. " +
    "`mode`: `video` (default) or `in_person`; a slot whose weekly rule does not offer it is 422 `mode_not_offered` " +
    "(`details: {mode, offered}`). " +
    "Fair booking, for patients only: one slot of the doctor's length (400 `invalid_duration`), at most " +
    "HEALTHFLOW_BOOKING_HORIZON_DAYS ahead (422 `too_far_ahead`, `details.horizonDays`), at most " +
    "HEALTHFLOW_MAX_ACTIVE_BOOKINGS upcoming consultations they booked themselves and 2 with one doctor " +
    "(422 `booking_limit`, `details: {scope, maxActive, maxActivePerDoctor, active, activeWithDoctor}`).",
  security,
  request: { body: jsonBody(bookInputSchema) },
  responses: { 201: jsonResponse(one, "Booked"), ...errorResponses(400, 401, 403, 404, 409, 422) },
});

const listRoute = createRoute({
  method: "get",
  path: "/api/consultations",
  operationId: "listConsultations",
  tags: ["consultations"],
  summary: "Consultations visible to the caller, ordered by start; keyset-paginated",
  security,
  request: { query: listConsultationsQuerySchema },
  responses: {
    200: jsonResponse(consultationPageSchema, "Consultations"),
    ...errorResponses(400, 401),
  },
});

const getRoute = createRoute({
  method: "get",
  path: "/api/consultations/{id}",
  operationId: "getConsultation",
  tags: ["consultations"],
  summary: "One consultation (clinical notes for its doctor and admins; the read is audited)",
  security,
  request: { params: idParams },
  responses: { 200: jsonResponse(one, "The consultation"), ...errorResponses(400, 401, 404) },
});

const patchRoute = createRoute({
  method: "patch",
  path: "/api/consultations/{id}",
  operationId: "updateConsultation",
  tags: ["consultations"],
  summary: "Reschedule, change status, or write notes",
  description:
    "A patient moving a consultation is held to the fair-booking horizon and length (422 `too_far_ahead`, " +
    "400 `invalid_duration`); a patient cannot cancel after the start (409 `too_late`). A reschedule keeps " +
    "the mode: the new time's hours must offer it (422 `mode_not_offered`).",
  security,
  request: { params: idParams, body: jsonBody(patchConsultationSchema) },
  responses: { 200: jsonResponse(one, "Updated"), ...errorResponses(400, 401, 403, 404, 409, 422) },
});

const cancelRoute = createRoute({
  method: "post",
  path: "/api/consultations/{id}/cancel",
  operationId: "cancelConsultation",
  tags: ["consultations"],
  summary: "Cancel a scheduled consultation; its slot is free again at once",
  description: "A patient cannot cancel once the consultation has started: 409 `too_late` (staff can).",
  security,
  request: {
    params: idParams,
    body: { required: false, content: { "application/json": { schema: cancelInputSchema } } },
  },
  responses: { 200: jsonResponse(one, "Cancelled"), ...errorResponses(400, 401, 403, 404, 409) },
});

export const consultationRoutes = newRouter()
  .openapi(bookRoute, async (c) => {
    const actor = await requireUser(c);
    assertMayBook(c, actor);
    const consultation = await Consultation.book(
      c.get("deps").db,
      c.req.valid("json"),
      actor,
      clockOf(c),
      notifyContextOf(c),
    );
    return c.json({ consultation: located(c, consultation) }, 201);
  })
  .openapi(listRoute, async (c) => {
    const actor = await requireUser(c);
    const page = await Consultation.list(c.get("deps").db, c.req.valid("query"), actor);
    return c.json({ ...page, consultations: page.consultations.map((x) => located(c, x)) }, 200);
  })
  .openapi(getRoute, async (c) => {
    const actor = await requireUser(c);
    const consultation = await Consultation.get(c.get("deps").db, c.req.valid("param").id, actor);
    return c.json({ consultation: located(c, consultation) }, 200);
  })
  .openapi(patchRoute, async (c) => {
    const actor = await requireUser(c);
    const { db } = c.get("deps");
    const id = c.req.valid("param").id;
    const clock = clockOf(c);
    const consultation = await Consultation.change(db, id, c.req.valid("json"), actor, clock, notifyContextOf(c));
    return c.json({ consultation: located(c, consultation) }, 200);
  })
  .openapi(cancelRoute, async (c) => {
    const actor = await requireUser(c);
    const body = c.req.valid("json") ?? {};
    const consultation = await Consultation.cancel(
      c.get("deps").db,
      c.req.valid("param").id,
      body.reason,
      actor,
      clockOf(c),
      notifyContextOf(c),
    );
    return c.json({ consultation: located(c, consultation) }, 200);
  });
