import { createRoute } from "@hono/zod-openapi";
import { firstAvailable } from "../../scheduling/first-available.js";
import { firstAvailableListSchema, firstAvailableQuerySchema } from "../../scheduling/scheduling.schema.js";
import { requireUser } from "../auth.js";
import { clockOf } from "../clock.js";
import { errorResponses, jsonResponse, newRouter, security } from "../router.js";

const route = createRoute({
  method: "get",
  path: "/api/slots/first-available",
  operationId: "firstAvailableSlots",
  tags: ["scheduling"],
  summary: "The first free slot of each doctor of a specialty, earliest first (at most 10)",
  description:
    "Looks at most 62 days ahead of `from` (default: now), with the same rules as a doctor's slot list " +
    "(time off, booked consultations, minimum notice); for a patient, not past the booking horizon. " +
    "`specialty` is compared without case and accents.",
  security,
  request: { query: firstAvailableQuerySchema },
  responses: {
    200: jsonResponse(firstAvailableListSchema, "One slot per doctor"),
    ...errorResponses(400, 401),
  },
});

/** Search (issue #13): "Primeiro horário disponível" across the doctors of a specialty. */
export const firstAvailableRoutes = newRouter().openapi(route, async (c) => {
  const actor = await requireUser(c);
  const slots = await firstAvailable(c.get("deps").db, c.req.valid("query"), actor, clockOf(c));
  return c.json({ slots }, 200);
});
