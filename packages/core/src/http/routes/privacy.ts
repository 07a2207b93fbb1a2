import { createRoute, z } from "@hono/zod-openapi";
import { anonymisePatient, exportOwnData } from "../../privacy/privacy.js";
import { userSchema } from "../../users/user.schema.js";
import { requireUser } from "../auth.js";
import { errorResponses, jsonResponse, newRouter, security } from "../router.js";

const exportRoute = createRoute({
  method: "get",
  path: "/api/me/export",
  operationId: "exportMyData",
  tags: ["privacy"],
  summary: "Everything HealthFlow holds about the caller, as JSON (LGPD art. 18); the export is audited",
  security,
  responses: {
    200: jsonResponse(z.record(z.string(), z.unknown()), "The caller's data"),
    ...errorResponses(401),
  },
});

const anonymiseRoute = createRoute({
  method: "post",
  path: "/api/users/{id}/anonymise",
  operationId: "anonymiseUser",
  tags: ["privacy"],
  summary: "Anonymise a patient: identity replaced, sessions ended, consultations kept (admins only)",
  security,
  request: { params: z.object({ id: z.string().uuid() }) },
  responses: {
    200: jsonResponse(z.object({ user: userSchema }), "Anonymised"),
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

export const privacyRoutes = newRouter()
  .openapi(exportRoute, async (c) => {
    const actor = await requireUser(c);
    const { db, now } = c.get("deps");
    const data = await exportOwnData(db, actor, now());
    c.header("Content-Disposition", `attachment; filename="healthflow-export-${data.exportedAt.slice(0, 10)}.json"`);
    c.header("Cache-Control", "no-store");
    return c.json(data as unknown as Record<string, unknown>, 200);
  })
  .openapi(anonymiseRoute, async (c) => {
    const actor = await requireUser(c, "admin");
    const { db, now } = c.get("deps");
    return c.json({ user: await anonymisePatient(db, c.req.valid("param").id, actor, now()) }, 200);
  });
