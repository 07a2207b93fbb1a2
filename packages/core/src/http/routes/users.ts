import { createRoute, z } from "@hono/zod-openapi";
import { createUser, listDoctors, listUsersByRole } from "../../users/user.js";
import { createUserInputSchema, doctorSummarySchema, roleSchema, userSchema } from "../../users/user.schema.js";
import { requireUser } from "../auth.js";
import { errorResponses, jsonBody, jsonResponse, newRouter, security } from "../router.js";

const create = createRoute({
  method: "post",
  path: "/api/users",
  tags: ["users"],
  summary: "Create an account of any role (admins only)",
  security,
  request: { body: jsonBody(createUserInputSchema) },
  responses: { 201: jsonResponse(z.object({ user: userSchema }), "Created"), ...errorResponses(400, 401, 403, 409) },
});

const list = createRoute({
  method: "get",
  path: "/api/users",
  tags: ["users"],
  summary: "List accounts, optionally by role (admins only)",
  security,
  request: { query: z.object({ role: roleSchema.optional() }) },
  responses: {
    200: jsonResponse(z.object({ users: z.array(userSchema) }), "Accounts"),
    ...errorResponses(400, 401, 403),
  },
});

const doctors = createRoute({
  method: "get",
  path: "/api/doctors",
  tags: ["users"],
  summary: "Doctors one can book with",
  security,
  responses: {
    200: jsonResponse(z.object({ doctors: z.array(doctorSummarySchema) }), "Doctors"),
    ...errorResponses(401),
  },
});

export const userRoutes = newRouter()
  .openapi(create, async (c) => {
    const actor = await requireUser(c, "admin");
    const user = await createUser(c.get("deps").db, c.req.valid("json"), actor);
    return c.json({ user }, 201);
  })
  .openapi(list, async (c) => {
    await requireUser(c, "admin");
    return c.json({ users: await listUsersByRole(c.get("deps").db, c.req.valid("query").role) }, 200);
  })
  .openapi(doctors, async (c) => {
    await requireUser(c);
    return c.json({ doctors: await listDoctors(c.get("deps").db) }, 200);
  });
