import { createRoute, z } from "@hono/zod-openapi";
import { auditEventSchema, auditQuerySchema } from "../../audit/audit.schema.js";
import { listAuditEvents } from "../../audit/audit-log.js";
import { requireUser } from "../auth.js";
import { errorResponses, jsonResponse, newRouter, security } from "../router.js";

const list = createRoute({
  method: "get",
  path: "/api/audit",
  operationId: "listAuditEvents",
  tags: ["audit"],
  summary: "The audit trail, newest first, filtered and keyset-paginated (admins only)",
  security,
  request: { query: auditQuerySchema },
  responses: {
    200: jsonResponse(z.object({ events: z.array(auditEventSchema), nextCursor: z.string().nullable() }), "Events"),
    ...errorResponses(400, 401, 403),
  },
});

export const auditRoutes = newRouter().openapi(list, async (c) => {
  await requireUser(c, "admin");
  return c.json(await listAuditEvents(c.get("deps").db, c.req.valid("query")), 200);
});
