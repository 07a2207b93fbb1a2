/**
 * What a client may send about an Appointment, turned into the inputs of the scheduling domain:
 * a booking (`Consultation.book`'s BookInput) or a change (`Consultation.update`'s input). No rule
 * about times or people is checked here; the domain checks them, for the FHIR API as for the rest.
 */
import { z } from "zod";
import { Invalid } from "../errors.js";
import {
  type BookInput,
  bookInputSchema,
  type ConsultationStatus,
  instantSchema,
  type PatchConsultationInput,
} from "../scheduling/scheduling.schema.js";
import {
  FHIR_APPOINTMENT_STATUSES,
  type FhirResource,
  FROM_FHIR_STATUS,
  MODE_CODES,
  MODE_SYSTEM,
  parseSlotId,
} from "./mapping.js";

const reference = z.object({ reference: z.string().max(300) }).passthrough();
const codeableText = z.object({ text: z.string().max(1000).optional() }).passthrough();

/** The elements we read; any other element a client sends is accepted and ignored. */
const appointmentSchema = z
  .object({
    resourceType: z.literal("Appointment"),
    id: z.string().max(64).optional(),
    status: z.string().refine((s) => FHIR_APPOINTMENT_STATUSES.has(s), "not an appointmentstatus code"),
    start: instantSchema.optional(),
    end: instantSchema.optional(),
    minutesDuration: z.number().int().positive().max(480).optional(),
    slot: z.array(reference).max(8).optional(),
    participant: z
      .array(z.object({ actor: reference.optional() }).passthrough())
      .min(1)
      .max(10),
    reasonCode: z.array(codeableText).max(5).optional(),
    description: z.string().max(1000).optional(),
    /** In person or video: ActCode `AMB` or `VR` (mapping.ts); video when absent. */
    appointmentType: z
      .object({
        coding: z
          .array(
            z.object({ system: z.string().max(300).optional(), code: z.string().max(64).optional() }).passthrough(),
          )
          .max(5)
          .optional(),
      })
      .passthrough()
      .optional(),
    cancelationReason: codeableText.optional(),
  })
  .passthrough();
type AppointmentInput = z.infer<typeof appointmentSchema>;

function parse(body: unknown): AppointmentInput {
  const result = appointmentSchema.safeParse(body);
  if (!result.success) {
    throw new Invalid(
      "invalid_request",
      "The Appointment is invalid.",
      result.error.issues.map((i) => ({ path: ["Appointment", ...i.path].join("."), message: i.message })),
    );
  }
  return result.data;
}

function ref(value: string): { type: string; id: string } | null {
  const m = /^(?:.*\/)?([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(value);
  return m ? { type: m[1]!, id: m[2]! } : null;
}

/** The doctor (a Practitioner or PractitionerRole participant) and the patient named by the participants. */
function people(a: AppointmentInput): { doctorId?: string; patientId?: string } {
  const out: { doctorId?: string; patientId?: string } = {};
  for (const p of a.participant) {
    if (!p.actor) continue;
    const r = ref(p.actor.reference);
    if (!r) throw new Invalid("invalid_reference", `Cannot read the reference ${p.actor.reference}.`);
    const key =
      r.type === "Patient" ? "patientId" : ["Practitioner", "PractitionerRole"].includes(r.type) ? "doctorId" : null;
    if (!key)
      throw new Invalid("invalid_reference", `A participant must be a Patient or a Practitioner, not ${r.type}.`);
    if (out[key] && out[key] !== r.id)
      throw new Invalid("invalid_reference", "One patient and one practitioner, please.");
    out[key] = r.id;
  }
  return out;
}

function minutesBetween(start: Date, end: Date): number {
  const minutes = (end.getTime() - start.getTime()) / 60_000;
  if (!Number.isInteger(minutes) || minutes <= 0) {
    throw new Invalid("invalid_request", "end must be a whole number of minutes after start.", [
      { path: "Appointment.end", message: "after start, in whole minutes" },
    ]);
  }
  return minutes;
}

/**
 * A new Appointment → a booking. The time comes from `start` (+ `end` or `minutesDuration`) or from
 * one `slot` (`Slot/<id>` as our Slot search gives out); the doctor from a Practitioner participant
 * or the slot. `proposed`, `pending` and `booked` are accepted: the result is always `booked`.
 */
export function bookingFrom(body: unknown): BookInput {
  const a = parse(body);
  if (!["proposed", "pending", "booked"].includes(a.status)) {
    throw new Invalid("invalid_status", "A new Appointment is booked (status booked, pending or proposed).", [
      { path: "Appointment.status", message: a.status },
    ]);
  }
  let { doctorId, patientId } = people(a);
  let start = a.start;
  if (a.slot?.length) {
    if (a.slot.length > 1) throw new Invalid("invalid_request", "Book one slot at a time (or give start and end).");
    const r = ref(a.slot[0]!.reference);
    const slot = r?.type === "Slot" ? parseSlotId(r.id) : null;
    if (!slot) throw new Invalid("invalid_reference", "slot must reference a Slot this server gave out.");
    if (doctorId && doctorId !== slot.doctorId)
      throw new Invalid("invalid_reference", "The slot is another practitioner's.");
    if (start && start.getTime() !== slot.start.getTime())
      throw new Invalid("invalid_request", "start is not the slot's.");
    doctorId = slot.doctorId;
    start = slot.start;
  }
  if (!start)
    throw new Invalid("invalid_request", "Say when: start (and end), or a slot.", [{ path: "Appointment.start" }]);
  if (!doctorId) {
    throw new Invalid("invalid_request", "Say with whom: a Practitioner participant, or a slot.", [
      { path: "Appointment.participant" },
    ]);
  }
  const fromEnd = a.end ? minutesBetween(start, a.end) : undefined;
  if (fromEnd !== undefined && a.minutesDuration !== undefined && fromEnd !== a.minutesDuration) {
    throw new Invalid("invalid_request", "minutesDuration does not match start and end.");
  }
  const reason = a.reasonCode?.find((r) => r.text)?.text ?? a.description;
  const modeCode = a.appointmentType?.coding?.find((c) => c.system === MODE_SYSTEM)?.code;
  const mode =
    modeCode === MODE_CODES.in_person.code ? "in_person" : modeCode === MODE_CODES.video.code ? "video" : undefined;
  if (modeCode !== undefined && mode === undefined) {
    throw new Invalid("invalid_request", "appointmentType: VR (video) or AMB (in person).", [
      { path: "Appointment.appointmentType", message: modeCode },
    ]);
  }
  const input = bookInputSchema.safeParse({
    doctorId,
    startsAt: start.toISOString(),
    durationMinutes: fromEnd ?? a.minutesDuration,
    reason,
    patientId,
    mode,
  });
  if (!input.success) {
    throw new Invalid(
      "invalid_request",
      "The Appointment is invalid.",
      input.error.issues.map((i) => ({ path: `booking.${i.path.join(".")}`, message: i.message })),
    );
  }
  return input.data;
}

/**
 * The change a PUT (the whole resource) or a patch (applied to the current resource first) asks
 * for: a status (cancelling, mostly) or a new time, as `Consultation.update` takes them. Who takes
 * part cannot change. Nothing to change is `null`.
 */
export function changeFrom(
  current: FhirResource,
  body: unknown,
): (PatchConsultationInput & { cancelReason?: string }) | null {
  const a = parse(body);
  if (a.id !== undefined && a.id !== current.id) {
    throw new Invalid("id_mismatch", "The resource id does not match the URL.", [{ path: "Appointment.id" }]);
  }
  const before = people(parse(current));
  const after = people(a);
  if (
    (after.doctorId && after.doctorId !== before.doctorId) ||
    (after.patientId && after.patientId !== before.patientId)
  ) {
    throw new Invalid("not_supported", "The participants of an appointment cannot change; book a new one.");
  }
  const change: PatchConsultationInput & { cancelReason?: string } = {};
  if (a.status !== current.status) {
    const status: ConsultationStatus | undefined = FROM_FHIR_STATUS[a.status];
    if (!status) {
      throw new Invalid("invalid_status", `HealthFlow appointments are never ${a.status}.`, [
        { path: "Appointment.status", message: a.status },
      ]);
    }
    change.status = status;
    if (status === "cancelled" && a.cancelationReason?.text) change.cancelReason = a.cancelationReason.text;
  }
  const start = a.start ?? new Date(String(current.start));
  const end = a.end ?? (a.start ? undefined : new Date(String(current.end)));
  const duration = end ? minutesBetween(start, end) : (a.minutesDuration ?? Number(current.minutesDuration));
  if (start.getTime() !== Date.parse(String(current.start))) change.startsAt = start;
  if (duration !== Number(current.minutesDuration)) change.durationMinutes = duration;
  if (change.status && (change.startsAt || change.durationMinutes)) {
    throw new Invalid("invalid_request", "Change the time or the status, not both at once.");
  }
  return Object.keys(change).length > 0 ? change : null;
}

/** RFC 6902 JSON Patch (add, replace, remove, test) applied to a copy of `doc`. */
export function applyJsonPatch(doc: FhirResource, patch: unknown): unknown {
  const ops = z
    .array(
      z.object({
        op: z.enum(["add", "replace", "remove", "test"]),
        path: z.string().max(200),
        value: z.unknown().optional(),
      }),
    )
    .max(20)
    .safeParse(patch);
  if (!ops.success)
    throw new Invalid("invalid_patch", "A JSON Patch is an array of add, replace, remove or test operations.");
  const out = structuredClone(doc) as Record<string, unknown>;
  for (const op of ops.data) {
    const keys = op.path
      .split("/")
      .slice(1)
      .map((k) => k.replace(/~1/g, "/").replace(/~0/g, "~"));
    if (!op.path.startsWith("/") || keys.length === 0 || keys.some((k) => k === "__proto__" || k === "constructor")) {
      throw new Invalid("invalid_patch", `Bad JSON Pointer: ${op.path}.`);
    }
    let parent: any = out;
    for (const k of keys.slice(0, -1)) {
      parent = parent?.[k];
      if (parent === null || typeof parent !== "object")
        throw new Invalid("invalid_patch", `No such path: ${op.path}.`);
    }
    const last = keys[keys.length - 1]!;
    const isArray = Array.isArray(parent);
    if (op.op === "test") {
      if (JSON.stringify(parent[last]) !== JSON.stringify(op.value)) {
        throw new Invalid("patch_test_failed", `The test at ${op.path} failed.`);
      }
    } else if (op.op === "remove") {
      if (!(last in parent)) throw new Invalid("invalid_patch", `No such path: ${op.path}.`);
      if (isArray) parent.splice(Number(last), 1);
      else delete parent[last];
    } else if (isArray && op.op === "add") {
      parent.splice(last === "-" ? parent.length : Number(last), 0, op.value);
    } else {
      if (op.op === "replace" && !(last in parent)) throw new Invalid("invalid_patch", `No such path: ${op.path}.`);
      parent[last] = op.value;
    }
  }
  return out;
}

/** RFC 7396 JSON Merge Patch applied to a copy of `doc`. */
export function applyMergePatch(doc: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    doc !== null && typeof doc === "object" && !Array.isArray(doc) ? { ...(doc as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === "__proto__" || k === "constructor") continue;
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}
