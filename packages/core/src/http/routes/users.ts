import { createRoute, z } from "@hono/zod-openapi";
import { createAccount, updateAccount } from "../../auth/account-flows.js";
import { Forbidden } from "../../errors.js";
import { LIST_DEFAULT_LIMIT, LIST_MAX_LIMIT } from "../../scheduling/scheduling.schema.js";
import { listDoctors, listUsersFor } from "../../users/user.js";
import {
  createUserInputSchema,
  doctorListSchema,
  doctorLoadSchema,
  roleSchema,
  updateUserInputSchema,
  userEnvelopeSchema,
  userPageSchema,
  userStatusFilterSchema,
} from "../../users/user.schema.js";
import { disableUser, doctorLoad, enableUser } from "../../users/user-admin.js";
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
  summary: "Edit an account's name, email and a doctor's profile (admins only)",
  description:
    "A doctor's CRM is given as `doctor: {crm, crmState}` (digits and the two-letter state); `licenseNumber` " +
    'is derived from them ("CRM-SP 123456"). A licence that reads as a CRM is accepted in their place. ' +
    "A doctor's `timezone` (IANA) and `slotMinutes` are edited the same way. `email` is unique whatever its " +
    "case (409 `email_taken`); when the app verifies emails the new address counts as unconfirmed and a " +
    "confirmation link goes to it (an account still invited gets a new invitation there). An anonymised " +
    "patient cannot be edited (409 `anonymised`).",
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
    "search every account. Doctors must ask for `role=patient` and find only active patients with a " +
    "consultation with them (any status, cancelled included); other roles are 403. `status` (admins): " +
    "`active` (the default: what pickers want), `disabled`, or `all` (the users table: disabled accounts " +
    "carry `disabledAt`).",
  security,
  request: {
    query: z.object({
      role: roleSchema.optional(),
      /** User management (issue 13): `all` or `disabled` lists disabled accounts (the admin's table asks `all`). */
      status: userStatusFilterSchema.default("active"),
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

// --- User management (issue 13): disable, enable, a doctor's load ---------------------------------

const idParam = z.object({ id: z.string().uuid() });

const disable = createRoute({
  method: "post",
  path: "/api/users/{id}/disable",
  operationId: "disableUser",
  tags: ["users"],
  summary: "Disable an account: every session of it ends at once, sign-in refuses it (admins only)",
  description:
    "409 `cannot_disable_self` for one's own account, 409 `last_admin` for the last active admin. A " +
    "disabled doctor leaves `/api/doctors` and booking; their future consultations stay (see " +
    "`GET /api/doctors/{id}/load`) for an admin to cancel or rebook. Disabling a disabled account changes nothing.",
  security,
  request: { params: idParam },
  responses: {
    200: jsonResponse(userEnvelopeSchema, "The account, with `disabledAt`"),
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

const enable = createRoute({
  method: "post",
  path: "/api/users/{id}/enable",
  operationId: "enableUser",
  tags: ["users"],
  summary: "Re-enable a disabled account (admins only)",
  description: "409 `anonymised` for an anonymised patient. Enabling an active account changes nothing.",
  security,
  request: { params: idParam },
  responses: {
    200: jsonResponse(userEnvelopeSchema, "The account, active"),
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

const load = createRoute({
  method: "get",
  path: "/api/doctors/{id}/load",
  operationId: "getDoctorLoad",
  tags: ["users"],
  summary: "A doctor's upcoming load (admins, and the doctor themself)",
  description:
    "Consultations still `scheduled` that have not ended: in all, starting within 7 and 30 days, and the " +
    "next start. 404 `doctor_not_found`.",
  security,
  request: { params: idParam },
  responses: {
    200: jsonResponse(doctorLoadSchema, "The load"),
    ...errorResponses(400, 401, 403, 404),
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
    const { db, config } = c.get("deps");
    const id = c.req.valid("param").id;
    const user = await updateAccount(
      db,
      id,
      c.req.valid("json"),
      actor,
      notifyContextOf(c),
      config.requireEmailVerification,
    );
    return c.json({ user }, 200);
  })
  .openapi(disable, async (c) => {
    const actor = await requireUser(c, "admin");
    const { db, now } = c.get("deps");
    return c.json({ user: await disableUser(db, c.req.valid("param").id, actor, now()) }, 200);
  })
  .openapi(enable, async (c) => {
    const actor = await requireUser(c, "admin");
    return c.json({ user: await enableUser(c.get("deps").db, c.req.valid("param").id, actor) }, 200);
  })
  .openapi(load, async (c) => {
    const actor = await requireUser(c, "admin", "doctor");
    const id = c.req.valid("param").id;
    if (actor.role === "doctor" && actor.id !== id) {
      throw new Forbidden("forbidden", "A doctor sees only their own load.");
    }
    const { db, now } = c.get("deps");
    return c.json(await doctorLoad(db, id, now()), 200);
  })
  .openapi(list, async (c) => {
    const actor = await requireUser(c, "admin", "doctor");
    return c.json(await listUsersFor(c.get("deps").db, actor, c.req.valid("query")), 200);
  })
  .openapi(doctors, async (c) => {
    await requireUser(c);
    return c.json({ doctors: await listDoctors(c.get("deps").db, c.req.valid("query")) }, 200);
  });
