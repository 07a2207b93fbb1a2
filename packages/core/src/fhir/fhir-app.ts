/**
 * The FHIR R4 API, a Hono sub-app mounted at /fhir/R4 by the app factory. One table (RESOURCES)
 * declares each resource type's interactions and search parameters: the routes are registered from
 * it and the CapabilityStatement is written from it, so `GET /metadata` lists exactly what is served.
 *
 * Same sessions and visibility as /api: a patient sees themself and their appointments, a doctor
 * their agenda and its patients, an admin everything; what the caller may not see is 404.
 * Practitioners, their roles, schedules and free slots are visible to anyone signed in (as
 * GET /api/doctors is). Bookings and changes go through `Consultation.book` / `Consultation.update`.
 */
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { recordAudit } from "../audit/audit.js";
import { Invalid, NotFound, Unavailable } from "../errors.js";
import { requireUser } from "../http/auth.js";
import { clockOf } from "../http/clock.js";
import type { AppEnv } from "../http/context.js";
import { assertMayBook, notifyContextOf } from "../http/notify-context.js";
import { requestTimeout } from "../http/request-limits.js";
import { listSlots } from "../scheduling/availability.js";
import * as Consultation from "../scheduling/consultation.js";
import { type ConsultationStatus, MAX_RANGE_DAYS } from "../scheduling/scheduling.schema.js";
import { normaliseCpf } from "../users/cpf.js";
import type { Actor } from "../users/user.js";
import { applyJsonPatch, applyMergePatch, bookingFrom, changeFrom } from "./appointment-input.js";
import { type DoctorRow, selectAppointments, selectDoctors, selectPatients } from "./fhir.sql.js";
import {
  CPF_SYSTEM,
  crmIdentifier,
  FHIR_APPOINTMENT_STATUSES,
  type FhirResource,
  FROM_FHIR_STATUS,
  HEALTHFLOW_NS,
  parseSlotId,
  TIMEZONE_EXTENSION,
  toAppointment,
  toPatient,
  toPractitioner,
  toPractitionerRole,
  toSchedule,
  toSlot,
} from "./mapping.js";
import { fhirJson, handleFhirError, outcomeResponse } from "./operation-outcome.js";
import {
  dateBounds,
  type Params,
  paging,
  readParams,
  referenceId,
  type SearchParamDef,
  searchset,
  single,
  token,
  UUID,
} from "./search.js";

export const FHIR_BASE_PATH = "/fhir/R4";
/** Without `start` bounds, a Slot search looks this far ahead. */
const SLOT_DEFAULT_DAYS = 7;

interface Ctx {
  c: Context<AppEnv>;
  actor: Actor;
  base: string;
}

type Interaction = "read" | "search-type" | "create" | "update" | "patch";

interface ResourceDef {
  type: string;
  documentation: string;
  interactions: Interaction[];
  searchParams: SearchParamDef[];
  read(ctx: Ctx, id: string): Promise<FhirResource | undefined>;
  search(
    ctx: Ctx,
    params: Params,
    page: { count: number; offset: number },
  ): Promise<{ total: number; resources: FhirResource[] }>;
}

const db = (ctx: Ctx) => ctx.c.get("deps").db;

/** Token values of one parameter: commas are OR. */
const anyOf = (params: Params, name: string) => params.get(name)?.map((v) => v.split(","));

function matchesAll(params: Params, name: string, test: (value: string) => boolean): boolean {
  return (anyOf(params, name) ?? []).every((alternatives) => alternatives.some(test));
}

function pageOf<T>(items: T[], page: { count: number; offset: number }): T[] {
  return items.slice(page.offset, page.offset + page.count);
}

/** Practitioner, PractitionerRole and Schedule: one each per doctor, filtered in memory. */
function doctorResource(
  type: string,
  documentation: string,
  toResource: (d: DoctorRow) => FhirResource,
  searchParams: SearchParamDef[],
  matches: (d: DoctorRow, params: Params) => boolean,
): ResourceDef {
  return {
    type,
    documentation,
    interactions: ["read", "search-type"],
    searchParams: [{ name: "_id", type: "token", documentation: "The doctor's id" }, ...searchParams],
    async read(ctx, id) {
      if (!UUID.test(id)) return undefined;
      const [d] = await selectDoctors(db(ctx), id);
      return d ? toResource(d) : undefined;
    },
    async search(ctx, params, page) {
      const all = (await selectDoctors(db(ctx))).filter(
        (d) => matchesAll(params, "_id", (v) => v === d.id) && matches(d, params),
      );
      return { total: all.length, resources: pageOf(all, page).map(toResource) };
    },
  };
}

const nameMatches = (name: string, wanted: string) => {
  const n = name.toLowerCase();
  const w = wanted.toLowerCase();
  return n.startsWith(w) || n.includes(` ${w}`);
};

async function auditPatientReads(ctx: Ctx, ids: string[], interaction: "read" | "search-type"): Promise<void> {
  for (const id of ids) {
    await recordAudit(db(ctx), {
      actorId: ctx.actor.id,
      action: "patient.read",
      entity: "user",
      entityId: id,
      details: { via: "fhir", interaction },
    });
  }
}

function statusesOf(params: Params): ConsultationStatus[] | undefined {
  const groups = anyOf(params, "status");
  if (!groups) return undefined;
  let result: ConsultationStatus[] | undefined;
  for (const alternatives of groups) {
    for (const s of alternatives) {
      if (!FHIR_APPOINTMENT_STATUSES.has(s)) {
        throw new Invalid("invalid_search", `status: ${s} is not an appointmentstatus code.`, [{ path: "status" }]);
      }
    }
    const ours = alternatives.map((s) => FROM_FHIR_STATUS[s]).filter((s): s is ConsultationStatus => !!s);
    result = result ? result.filter((s) => ours.includes(s)) : ours;
  }
  return result;
}

const RESOURCES: ResourceDef[] = [
  doctorResource(
    "Practitioner",
    `Doctors. Identifier: the CRM registration, system ${HEALTHFLOW_NS}/NamingSystem/crm/<UF>.`,
    toPractitioner,
    [
      { name: "identifier", type: "token", documentation: "CRM: system|number (system ends with the state)" },
      { name: "name", type: "string", documentation: "Start of the name or of any word in it" },
    ],
    (d, params) => {
      const id = crmIdentifier(d.licenseNumber);
      return (
        matchesAll(params, "identifier", (v) => {
          const t = token(v);
          return (t.system === undefined || t.system === id.system) && t.code === id.value;
        }) && matchesAll(params, "name", (v) => nameMatches(d.name, v))
      );
    },
  ),
  doctorResource(
    "PractitionerRole",
    "A doctor's role at the clinic, with the specialty (text).",
    toPractitionerRole,
    [
      { name: "practitioner", type: "reference", documentation: "Practitioner/<id>" },
      { name: "specialty", type: "token", documentation: "The specialty's text, case-insensitive" },
    ],
    (d, params) =>
      matchesAll(params, "practitioner", (v) => referenceId(v, ["Practitioner"], "practitioner") === d.id) &&
      matchesAll(params, "specialty", (v) => token(v).code.toLowerCase() === d.specialty.toLowerCase()),
  ),
  doctorResource(
    "Schedule",
    `One per doctor; the doctor's IANA zone in the ${TIMEZONE_EXTENSION} extension.`,
    toSchedule,
    [{ name: "actor", type: "reference", documentation: "Practitioner/<id> or PractitionerRole/<id>" }],
    (d, params) =>
      matchesAll(params, "actor", (v) => referenceId(v, ["Practitioner", "PractitionerRole"], "actor") === d.id),
  ),
  {
    type: "Slot",
    documentation: `Free slots, computed from the weekly hours, time off, bookings and the minimum notice. Search needs schedule; start ranges span at most ${MAX_RANGE_DAYS} days (default: the next ${SLOT_DEFAULT_DAYS}).`,
    interactions: ["read", "search-type"],
    searchParams: [
      { name: "schedule", type: "reference", documentation: "Schedule/<id> (required)" },
      { name: "start", type: "date", documentation: "ge/gt/le/lt/eq bounds on the slot's start" },
      { name: "status", type: "token", documentation: "Only free slots exist" },
    ],
    async read(ctx, id) {
      const parsed = parseSlotId(id);
      if (!parsed) return undefined;
      const slots = await listSlots(
        db(ctx),
        parsed.doctorId,
        parsed.start,
        new Date(parsed.start.getTime() + 60_000),
        clockOf(ctx.c),
      ).catch((err) => {
        if (err instanceof NotFound) return [];
        throw err;
      });
      const slot = slots.find((s) => Date.parse(s.startsAt) === parsed.start.getTime());
      return slot ? toSlot(parsed.doctorId, slot) : undefined;
    },
    async search(ctx, params, page) {
      const schedule = single(params, "schedule");
      if (!schedule)
        throw new Invalid("invalid_search", "Slot search needs schedule=Schedule/<id>.", [{ path: "schedule" }]);
      const doctorId = referenceId(schedule, ["Schedule"], "schedule");
      const { from, to } = dateBounds(params.get("start") ?? [], "start");
      const now = ctx.c.get("deps").now();
      const lower = from?.at ?? now;
      const upper = to?.at ?? new Date(lower.getTime() + SLOT_DEFAULT_DAYS * 86_400_000);
      if (upper.getTime() - lower.getTime() > MAX_RANGE_DAYS * 86_400_000) {
        throw new Invalid("range_too_long", `A Slot search spans at most ${MAX_RANGE_DAYS} days.`, [{ path: "start" }]);
      }
      const wantsFree = matchesAll(params, "status", (v) => token(v).code === "free");
      const slots =
        !UUID.test(doctorId) || !wantsFree || upper <= lower
          ? []
          : await listSlots(db(ctx), doctorId, lower, upper, clockOf(ctx.c)).catch((err) => {
              if (err instanceof NotFound) return [];
              throw err;
            });
      return { total: slots.length, resources: pageOf(slots, page).map((s) => toSlot(doctorId, s)) };
    },
  },
  {
    type: "Patient",
    documentation: `Patients the caller may see. Identifier: the CPF (${CPF_SYSTEM}) when recorded. Every read is audited.`,
    interactions: ["read", "search-type"],
    searchParams: [
      { name: "_id", type: "token", documentation: "The patient's id" },
      { name: "identifier", type: "token", documentation: `CPF: ${CPF_SYSTEM}|<11 digits>` },
      { name: "name", type: "string", documentation: "Start of the name or of any word in it" },
      { name: "email", type: "token", documentation: "Email, case-insensitive" },
    ],
    async read(ctx, id) {
      if (!UUID.test(id)) return undefined;
      const { rows } = await selectPatients(db(ctx), { id }, ctx.actor, { offset: 0, count: 1 });
      if (rows.length === 0) return undefined;
      await auditPatientReads(ctx, [id], "read");
      return toPatient(rows[0]!);
    },
    async search(ctx, params, page) {
      const id = single(params, "_id");
      const identifier = single(params, "identifier");
      const name = single(params, "name");
      const email = single(params, "email");
      let cpf: string | undefined;
      if (identifier !== undefined) {
        const t = token(identifier);
        const normalised = normaliseCpf(t.code);
        if ((t.system !== undefined && t.system !== CPF_SYSTEM) || !normalised) return { total: 0, resources: [] };
        cpf = normalised;
      }
      if (id !== undefined && !UUID.test(id)) return { total: 0, resources: [] };
      const { rows, total } = await selectPatients(
        db(ctx),
        { id, cpf, name: name?.toLowerCase(), email },
        ctx.actor,
        page,
      );
      await auditPatientReads(
        ctx,
        rows.map((r) => r.id),
        "search-type",
      );
      return { total, resources: rows.map(toPatient) };
    },
  },
  {
    type: "Appointment",
    documentation:
      "Consultations the caller may see. Create books through the same rules as POST /api/consultations; update and patch change the status (cancel) or the time.",
    interactions: ["read", "search-type", "create", "update", "patch"],
    searchParams: [
      { name: "_id", type: "token", documentation: "The appointment's id" },
      { name: "date", type: "date", documentation: "ge/gt/le/lt/eq bounds on the start" },
      { name: "practitioner", type: "reference", documentation: "Practitioner/<id>" },
      { name: "patient", type: "reference", documentation: "Patient/<id>" },
      { name: "status", type: "token", documentation: "booked, arrived, fulfilled, cancelled, noshow (comma: any of)" },
    ],
    async read(ctx, id) {
      if (!UUID.test(id)) return undefined;
      const { rows } = await selectAppointments(db(ctx), { id }, ctx.actor, { offset: 0, count: 1 });
      return rows[0] ? toAppointment(rows[0]) : undefined;
    },
    async search(ctx, params, page) {
      const id = single(params, "_id");
      const practitioner = single(params, "practitioner");
      const patient = single(params, "patient");
      const doctorId = practitioner ? referenceId(practitioner, ["Practitioner"], "practitioner") : undefined;
      const patientId = patient ? referenceId(patient, ["Patient"], "patient") : undefined;
      if ([id, doctorId, patientId].some((v) => v !== undefined && !UUID.test(v))) return { total: 0, resources: [] };
      const { from, to } = dateBounds(params.get("date") ?? [], "date");
      const { rows, total } = await selectAppointments(
        db(ctx),
        { id, doctorId, patientId, statuses: statusesOf(params), startFrom: from, startTo: to },
        ctx.actor,
        page,
      );
      return { total, resources: rows.map(toAppointment) };
    },
  },
];

/** The CapabilityStatement, written from RESOURCES. */
export function capabilityStatement(base: string, date: string): FhirResource {
  return {
    resourceType: "CapabilityStatement",
    status: "active",
    date,
    publisher: "HealthFlow",
    kind: "instance",
    software: { name: "HealthFlow" },
    implementation: { description: "HealthFlow clinic scheduling, FHIR R4 API", url: base },
    fhirVersion: "4.0.1",
    format: ["json", "application/fhir+json"],
    patchFormat: ["application/json-patch+json", "application/merge-patch+json"],
    rest: [
      {
        mode: "server",
        documentation:
          "Sign in with POST /api/auth/login and send the token as `Authorization: Bearer <token>`. Search results page with _count (default 50, at most 500) and _offset.",
        security: {
          cors: false,
          description: "Bearer session token from POST /api/auth/login (the same sessions as the rest of the API).",
        },
        resource: RESOURCES.map((r) => ({
          type: r.type,
          profile: `http://hl7.org/fhir/StructureDefinition/${r.type}`,
          documentation: r.documentation,
          interaction: r.interactions.map((code) => ({ code })),
          versioning: "no-version",
          readHistory: false,
          updateCreate: false,
          ...(r.interactions.includes("create") ? { conditionalCreate: false } : {}),
          searchParam: r.searchParams.map((p) => ({ name: p.name, type: p.type, documentation: p.documentation })),
        })),
      },
    ],
  };
}

function baseUrl(c: Context<AppEnv>): string {
  return `${new URL(c.req.url).origin}${FHIR_BASE_PATH}`;
}

async function ctxOf(c: Context<AppEnv>): Promise<Ctx> {
  return { c, actor: await requireUser(c), base: baseUrl(c) };
}

function notFound(c: Context<AppEnv>, type: string, id: string): Response {
  return outcomeResponse(c, 404, [
    { code: "not-found", errorCode: "not_found", message: `${type}/${id} is not known, or not visible to you.` },
  ]);
}

const JSON_TYPES = /^application\/(fhir\+json|json)\s*(;|$)/i;

async function jsonBody(c: Context<AppEnv>, accepted: RegExp): Promise<unknown> {
  const type = c.req.header("content-type") ?? "";
  if (!accepted.test(type)) {
    return Promise.reject(
      new UnsupportedMediaType(
        `Send the body as ${accepted === JSON_TYPES ? "application/fhir+json" : "a JSON (merge) patch or application/fhir+json"}.`,
      ),
    );
  }
  try {
    return await c.req.json();
  } catch {
    throw new Invalid("invalid_json", "The request body is not valid JSON.");
  }
}

class UnsupportedMediaType extends Error {}

export function createFhirApp(): Hono<AppEnv> {
  const fhir = new Hono<AppEnv>();

  fhir.use("*", async (c, next) => {
    if (!c.get("deps").readiness.started())
      throw new Unavailable("starting", "HealthFlow is starting; try again shortly.");
    const format = c.req.query("_format");
    if (format !== undefined && !["json", "application/json", "application/fhir+json"].includes(format)) {
      return outcomeResponse(c, 406, [{ code: "not-supported", message: "This server speaks FHIR JSON only." }]);
    }
    await next();
  });
  fhir.use("*", async (c, next) =>
    bodyLimit({
      maxSize: c.get("deps").config.maxBodyBytes,
      onError: (c) => outcomeResponse(c, 413, [{ code: "too-costly", message: "The request body is too large." }]),
    })(c, next),
  );
  fhir.use("*", async (c, next) => requestTimeout(c.get("deps").config.requestTimeoutMs)(c, next));

  fhir.get("/metadata", (c) => fhirJson(c, capabilityStatement(baseUrl(c), "2026-11-29")));

  for (const def of RESOURCES) {
    fhir.get(`/${def.type}`, async (c) => {
      const ctx = await ctxOf(c);
      const url = new URL(c.req.url);
      const strict = /handling\s*=\s*strict/i.test(c.req.header("prefer") ?? "");
      const params = readParams(url, def.searchParams, strict);
      const page = paging(params);
      const { total, resources } = await def.search(ctx, params, page);
      return fhirJson(c, searchset(ctx.base, def.type, params, page, total, resources));
    });
    fhir.get(`/${def.type}/:id`, async (c) => {
      const ctx = await ctxOf(c);
      const id = c.req.param("id");
      const resource = await def.read(ctx, id);
      return resource ? fhirJson(c, resource) : notFound(c, def.type, id);
    });
  }

  const appointments = RESOURCES.find((r) => r.type === "Appointment")!;

  fhir.post("/Appointment", async (c) => {
    const ctx = await ctxOf(c);
    const input = bookingFrom(await jsonBody(c, JSON_TYPES));
    assertMayBook(c, ctx.actor);
    const booked = await Consultation.book(
      ctx.c.get("deps").db,
      input,
      ctx.actor,
      clockOf(c),
      notifyContextOf(c),
    ).catch((err) => {
      // A reference to nobody is the client's mistake in the body, not a missing endpoint.
      if (err instanceof NotFound) throw new Invalid(err.code, err.message);
      throw err;
    });
    const resource = (await appointments.read(ctx, booked.id))!;
    c.header("Location", `${ctx.base}/Appointment/${booked.id}`);
    return fhirJson(c, resource, 201);
  });

  const change = async (c: Context<AppEnv>, desired: (current: FhirResource) => Promise<unknown>) => {
    const ctx = await ctxOf(c);
    const id = c.req.param("id") ?? "";
    const current = await appointments.read(ctx, id);
    if (!current) return notFound(c, "Appointment", id);
    const input = changeFrom(current, await desired(current));
    if (input) await Consultation.change(ctx.c.get("deps").db, id, input, ctx.actor, clockOf(c), notifyContextOf(c));
    return fhirJson(c, (await appointments.read(ctx, id))!);
  };
  fhir.put("/Appointment/:id", (c) => change(c, () => jsonBody(c, JSON_TYPES)));
  fhir.patch("/Appointment/:id", (c) =>
    change(c, async (current) => {
      const type = c.req.header("content-type") ?? "";
      const body = await jsonBody(c, /^application\/(json-patch\+json|merge-patch\+json|fhir\+json|json)\s*(;|$)/i);
      if ((body as { resourceType?: unknown } | null)?.resourceType === "Parameters") {
        throw new Invalid("not_supported", "FHIRPath Patch is not supported: send a JSON Patch or a merge patch.");
      }
      return /^application\/json-patch\+json/i.test(type)
        ? applyJsonPatch(current, body)
        : applyMergePatch(current, body);
    }),
  );

  fhir.all("*", (c) => {
    const segments = new URL(c.req.url).pathname.slice(FHIR_BASE_PATH.length).split("/").slice(1);
    const type = segments[0] ?? "";
    const known = segments.length <= 2 && (type === "metadata" || RESOURCES.some((r) => r.type === type));
    return known
      ? outcomeResponse(c, 405, [{ code: "not-supported", message: `${c.req.method} is not supported here.` }])
      : outcomeResponse(c, 404, [
          {
            code: "not-supported",
            errorCode: "not_found",
            message: `No FHIR endpoint at ${new URL(c.req.url).pathname}.`,
          },
        ]);
  });

  fhir.onError((err, c) =>
    err instanceof UnsupportedMediaType
      ? outcomeResponse(c, 415 as ContentfulStatusCode, [{ code: "not-supported", message: err.message }])
      : handleFhirError(err, c),
  );
  return fhir;
}

/** For tests and docs: the resource types and their interactions, as registered. */
export const FHIR_RESOURCES = RESOURCES.map((r) => ({ type: r.type, interactions: [...r.interactions] }));

/**
 * The FHIR part of the OpenAPI document: one summary entry per interaction, pointing at the
 * CapabilityStatement (the normative description) and docs/fhir.md.
 */
export function registerFhirOpenApi(registry: OpenAPIHono<AppEnv>["openAPIRegistry"]): void {
  const resource = z.object({ resourceType: z.string() }).passthrough();
  const fhirContent = (description: string) => ({
    description,
    content: { "application/fhir+json": { schema: resource } },
  });
  const errors = Object.fromEntries(
    [400, 401, 404, 409, 422].map((s) => [s, fhirContent("An OperationOutcome (every FHIR error is one)")]),
  );
  const security = [{ bearerAuth: [] }];
  const tags = ["fhir"];
  const description =
    "FHIR R4 (application/fhir+json). The normative description is the CapabilityStatement at GET /fhir/R4/metadata; the mapping is in docs/fhir.md.";
  registry.registerPath({
    method: "get",
    path: `${FHIR_BASE_PATH}/metadata`,
    operationId: "fhirCapabilities",
    tags,
    security: [],
    summary: "FHIR CapabilityStatement: every resource, interaction and search parameter served",
    description,
    responses: {
      200: fhirContent("CapabilityStatement"),
      406: fhirContent("An OperationOutcome: the Accept header names no FHIR JSON"),
    },
  });
  for (const def of RESOURCES) {
    const params = def.searchParams.map((p) => p.name).join(", ");
    if (def.interactions.includes("search-type")) {
      registry.registerPath({
        method: "get",
        path: `${FHIR_BASE_PATH}/${def.type}`,
        operationId: `fhirSearch${def.type}`,
        tags,
        security,
        summary: `Search ${def.type} (${params}; _count, _offset): a searchset Bundle`,
        description: `${def.documentation} ${description}`,
        responses: { 200: fhirContent("Bundle (searchset, with total and paging links)"), ...errors },
      });
    }
    registry.registerPath({
      method: "get",
      path: `${FHIR_BASE_PATH}/${def.type}/{id}`,
      operationId: `fhirRead${def.type}`,
      tags,
      security,
      summary: `Read a ${def.type}`,
      description,
      request: { params: z.object({ id: z.string() }) },
      responses: { 200: fhirContent(def.type), ...errors },
    });
  }
  registry.registerPath({
    method: "post",
    path: `${FHIR_BASE_PATH}/Appointment`,
    operationId: "fhirBookAppointment",
    tags,
    security,
    summary: "Book an Appointment (the rules of POST /api/consultations; a taken slot is 409 conflict)",
    description,
    request: { body: { content: { "application/fhir+json": { schema: resource } } } },
    responses: { 201: fhirContent("The booked Appointment"), ...errors },
  });
  for (const method of ["put", "patch"] as const) {
    registry.registerPath({
      method,
      path: `${FHIR_BASE_PATH}/Appointment/{id}`,
      operationId: method === "put" ? "fhirUpdateAppointment" : "fhirPatchAppointment",
      tags,
      security,
      summary:
        method === "put"
          ? "Update an Appointment: status (cancelled...) or time"
          : "Patch an Appointment (JSON Patch or merge patch): status (cancelled...) or time",
      description,
      request: {
        params: z.object({ id: z.string() }),
        body: {
          content: {
            [method === "put" ? "application/fhir+json" : "application/json-patch+json"]: { schema: z.unknown() },
          },
        },
      },
      responses: { 200: fhirContent("The Appointment as it now is"), ...errors },
    });
  }
}
