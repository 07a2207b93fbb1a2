/** The patient's history for the doctor (issue #13): GET /api/patients/{id}/history. */
import { createRoute, z } from "@hono/zod-openapi";
import { locate } from "../../scheduling/consultation-location.js";
import { patientHistory } from "../../scheduling/patient-history.js";
import { historyQuerySchema, patientHistorySchema } from "../../scheduling/scheduling.schema.js";
import { requireUser } from "../auth.js";
import { errorResponses, jsonResponse, newRouter, security } from "../router.js";

const historyRoute = createRoute({
  method: "get",
  path: "/api/patients/{id}/history",
  operationId: "getPatientHistory",
  tags: ["consultations"],
  summary: "A patient's past consultations with the clinic, every doctor, newest first; keyset-paginated",
  description:
    "Admins, and doctors who have seen the patient or are booked with them (any other doctor, or an id that " +
    "is not a patient's: 404 `patient_not_found`); patients 403. Past: started before now (any status), or already in progress, completed or a no-show. " +
    "Clinical notes as for one consultation: the consultation's own doctor and admins (elsewhere `notes` is " +
    "absent); each note read is audited (`consultation.notes_read`).",
  security,
  request: { params: z.object({ id: z.string().uuid() }), query: historyQuerySchema },
  responses: {
    200: jsonResponse(patientHistorySchema, "The patient's history"),
    ...errorResponses(400, 401, 403, 404),
  },
});

export const patientHistoryRoutes = newRouter().openapi(historyRoute, async (c) => {
  const actor = await requireUser(c);
  const { db, now, config } = c.get("deps");
  const history = await patientHistory(db, c.req.valid("param").id, c.req.valid("query"), actor, now());
  const consultations = history.consultations.map((x) => locate(x, config.clinicAddress));
  return c.json({ ...history, consultations }, 200);
});
