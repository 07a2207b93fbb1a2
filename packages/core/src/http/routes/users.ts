import { createRoute, z } from "@hono/zod-openapi";
import { createAccount } from "../../auth/account-flows.js";
import { LIST_DEFAULT_LIMIT, LIST_MAX_LIMIT } from "../../scheduling/scheduling.schema.js";
import { listDoctors, listUsersFor, updateUser } from "../../users/user.js";
import {
  createUserInputSchema,
  doctorListSchema,
  roleSchema,
  updateUserInputSchema,
  userEnvelopeSchema,
  userPageSchema,
} from "../../users/user.schema.js";
import { requireUser } from "../auth.js";
import { notifyContextOf } from "../notify-context.js";
import { errorResponses, jsonBody, jsonResponse, newRouter, security } from "../router.js";
import { searchQuerySchema } from "./search-query.js";

const create = createRoute({
  method: "post",
  path: "/api/users",
  operationId: "createUser",
  tags: ["users"],
  summary: "Create an account of any role (admins only)",
  description:
    "With `password`, the account is ready and its email counts as verified. With `invite: true` instead, " +
    "the person receives a link `<public origin>/accept-invite?token=…` (valid 7 days) to choose their own password.",
  security,
  request: { body: jsonBody(createUserInputSchema) },
  responses: { 201: jsonResponse(userEnvelopeSchema, "Created"), ...errorResponses(400, 401, 403, 409) },
});

const update = createRoute({
  method: "patch",
  path: "/api/users/{id}",
  operationId: "updateUser",
  tags: ["users"],
  summary: "Edit an account's name and a doctor's profile (admins only)",
  description:
    "A doctor's CRM is given as `doctor: {crm, crmState}` (digits and the two-letter state); `licenseNumber` " +
    'is derived from them ("CRM-SP 123456"). A licence that reads as a CRM is accepted in their place.',
  security,
  request: { params: z.object({ id: z.string().uuid() }), body: jsonBody(updateUserInputSchema) },
  responses: {
    200: jsonResponse(userEnvelopeSchema, "Updated"),
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

const list = createRoute({
  method: "get",
  path: "/api/users",
  operationId: "listUsers",
  tags: ["users"],
  summary: "List or search accounts by name, optionally by role; keyset-paginated (admins; doctors: their patients)",
  description:
    "`q` searches name, email and phone as one types: every word of it must start a word of the name or " +
    "email (case and accents aside: `joao` finds João); digits match anywhere in the phone number. Admins " +
    "search every account. Doctors must ask for `role=patient` and find only patients with a consultation " +
    "with them (any status, cancelled included); other roles are 403.",
  security,
  request: {
    query: z.object({
      role: roleSchema.optional(),
      q: searchQuerySchema.optional(),
      limit: z.coerce.number().int().min(1).max(LIST_MAX_LIMIT).default(LIST_DEFAULT_LIMIT),
      cursor: z.string().max(600).optional(),
    }),
  },
  responses: {
    200: jsonResponse(userPageSchema, "Accounts"),
    ...errorResponses(400, 401, 403),
  },
});

const doctors = createRoute({
  method: "get",
  path: "/api/doctors",
  operationId: "listDoctors",
  tags: ["users"],
  summary: "Doctors one can book with; search by name or specialty",
  description:
    "`q`: every word must start a word of the doctor's name or specialty (case and accents aside). " +
    "`specialty`: only that specialty (compared without case and accents). Without either: every doctor.",
  security,
  request: {
    query: z.object({
      q: searchQuerySchema.optional(),
      specialty: z.string().trim().min(1).max(120).optional(),
    }),
  },
  responses: {
    200: jsonResponse(doctorListSchema, "Doctors"),
    ...errorResponses(400, 401),
  },
});

export const userRoutes = newRouter()
  .openapi(create, async (c) => {
    const actor = await requireUser(c, "admin");
    const user = await createAccount(c.get("deps").db, c.req.valid("json"), actor, notifyContextOf(c));
    return c.json({ user }, 201);
  })
  .openapi(update, async (c) => {
    const actor = await requireUser(c, "admin");
    const user = await updateUser(c.get("deps").db, c.req.valid("param").id, c.req.valid("json"), actor);
    return c.json({ user }, 200);
  })
  .openapi(list, async (c) => {
    const actor = await requireUser(c, "admin", "doctor");
    return c.json(await listUsersFor(c.get("deps").db, actor, c.req.valid("query")), 200);
  })
  .openapi(doctors, async (c) => {
    await requireUser(c);
    return c.json({ doctors: await listDoctors(c.get("deps").db, c.req.valid("query")) }, 200);
  });
