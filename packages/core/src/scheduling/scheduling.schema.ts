/**
 * Scheduling shapes on the wire, shared by the API and the web app. Instants are ISO 8601: any
 * offset accepted in, always UTC (`...Z`) out.
 */
import { z } from "zod";
import { consultationConsentSchema, teleconsultationRecordSchema } from "../telemedicine/telemedicine.schema.js";
import { timeZoneSchema } from "../users/user.schema.js";

const MIN_YEAR = 2000;
const MAX_YEAR = 2200;

/** An ISO 8601 instant with an offset or Z, parsed to a Date. */
export const instantSchema = z.iso
  .datetime({ offset: true })
  .transform((s) => new Date(s))
  .refine((d) => d.getUTCFullYear() >= MIN_YEAR && d.getUTCFullYear() <= MAX_YEAR, {
    message: `must be between ${MIN_YEAR} and ${MAX_YEAR}`,
  });

/** Cross-field checks run even when a field failed to parse, so they must not assume types. */
const bothDates = (a: unknown, b: unknown): [Date, Date] | null =>
  a instanceof Date && b instanceof Date ? [a, b] : null;
const ordered = (a: unknown, b: unknown) => {
  const d = bothDates(a, b);
  return d === null || d[1] > d[0];
};

/** In person or video (issue #13): a consult room, or the clinic's address. */
export const consultationModeSchema = z.enum(["video", "in_person"]);
export type ConsultationMode = z.infer<typeof consultationModeSchema>;
export const CONSULTATION_MODES: readonly ConsultationMode[] = ["video", "in_person"];
/** The modes a weekly rule offers: one or both, each once. */
export const ruleModesSchema = z
  .array(consultationModeSchema)
  .min(1)
  .max(2)
  .refine((m) => new Set(m).size === m.length, { message: "each mode once" });

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, "HH:MM, 00:00 to 24:00");

export const availabilityRuleSchema = z
  .object({
    weekday: z.number().int().min(0).max(6),
    start: hhmm,
    end: hhmm,
    /** Which modes the rule's slots offer; both when absent. */
    modes: ruleModesSchema.optional(),
  })
  .refine((r) => typeof r.start !== "string" || typeof r.end !== "string" || r.start < r.end, {
    message: "start must be before end",
    path: ["end"],
  });
export type AvailabilityRule = z.infer<typeof availabilityRuleSchema>;

export const availabilitySchema = z.object({
  timezone: z.string(),
  slotMinutes: z.number().int(),
  rules: z.array(
    z.object({
      weekday: z.number().int(),
      start: z.string(),
      end: z.string(),
      modes: z.array(consultationModeSchema),
    }),
  ),
});
export type Availability = z.infer<typeof availabilitySchema>;

export const putAvailabilitySchema = z.object({
  timezone: timeZoneSchema.optional(),
  slotMinutes: z.number().int().min(5).max(240).optional(),
  rules: z.array(availabilityRuleSchema).max(100),
});
export type PutAvailabilityInput = z.infer<typeof putAvailabilitySchema>;

export const timeOffInputSchema = z
  .object({ startsAt: instantSchema, endsAt: instantSchema, reason: z.string().trim().max(500).optional() })
  .refine((t) => ordered(t.startsAt, t.endsAt), { message: "endsAt must be after startsAt", path: ["endsAt"] });
export type TimeOffInput = z.infer<typeof timeOffInputSchema>;

export const timeOffSchema = z.object({
  id: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  reason: z.string().nullable(),
});
export type TimeOff = z.infer<typeof timeOffSchema>;

export const MAX_RANGE_DAYS = 62;

const rangeOrdered = (q: { from?: unknown; to?: unknown }) => ordered(q.from, q.to);
const rangeBounded = (q: { from?: unknown; to?: unknown }) => {
  const d = bothDates(q.from, q.to);
  return d === null || d[1].getTime() - d[0].getTime() <= MAX_RANGE_DAYS * 86_400_000;
};

export const rangeQuerySchema = z
  .object({ from: instantSchema, to: instantSchema })
  .refine(rangeOrdered, { message: "to must be after from", path: ["to"] })
  .refine(rangeBounded, {
    message: `at most ${MAX_RANGE_DAYS} days`,
    path: ["to"],
  });

/** `GET /api/doctors/{id}/slots`: a range, and optionally only the slots offering one mode. */
export const slotRangeQuerySchema = z
  .object({ from: instantSchema, to: instantSchema, mode: consultationModeSchema.optional() })
  .refine(rangeOrdered, { message: "to must be after from", path: ["to"] })
  .refine(rangeBounded, { message: `at most ${MAX_RANGE_DAYS} days`, path: ["to"] });

export const slotSchema = z.object({
  startsAt: z.string(),
  endsAt: z.string(),
  /** The modes the rule covering this slot offers. */
  modes: z.array(consultationModeSchema),
});
export type Slot = z.infer<typeof slotSchema>;

export const consultationStatusSchema = z.enum(["scheduled", "in_progress", "completed", "cancelled", "no_show"]);
export type ConsultationStatus = z.infer<typeof consultationStatusSchema>;

export const consultationSchema = z.object({
  id: z.string(),
  doctorId: z.string(),
  patientId: z.string(),
  doctor: z.object({
    id: z.string(),
    name: z.string(),
    specialty: z.string(),
    crm: z.string().nullable().optional(),
    crmState: z.string().nullable().optional(),
  }),
  patient: z.object({ id: z.string(), name: z.string() }),
  startsAt: z.string(),
  endsAt: z.string(),
  status: consultationStatusSchema,
  /** Chosen at booking, kept by reschedules. */
  mode: consultationModeSchema,
  /** In person: the clinic's address (HEALTHFLOW_CLINIC_ADDRESS; null when not configured). Video: null. */
  location: z.string().nullable(),
  reason: z.string().nullable(),
  notes: z.string().nullable().optional(),
  cancelReason: z.string().nullable().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** The teleconsultation record (issue 15): the consent relied on and each step's time. */
  consent: consultationConsentSchema.nullable().optional(),
  checkedInAt: z.string().nullable().optional(),
  startedAt: z.string().nullable().optional(),
  completedAt: z.string().nullable().optional(),
  teleconsultation: teleconsultationRecordSchema.optional(),
});
export type Consultation = z.infer<typeof consultationSchema>;

/** Response bodies, as the routes declare them and the web app reads them. */
export const consultationEnvelopeSchema = z.object({ consultation: consultationSchema });
export const consultationPageSchema = z.object({
  consultations: z.array(consultationSchema),
  nextCursor: z.string().nullable(),
});
export const slotListSchema = z.object({ slots: z.array(slotSchema) });

/** Search (issue #13): `GET /api/slots/first-available`, one slot per doctor of a specialty. */
export const firstAvailableQuerySchema = z.object({
  specialty: z.string().trim().min(1).max(120),
  from: instantSchema.optional(),
  /** Only slots offering this mode (in person or video). */
  mode: consultationModeSchema.optional(),
});
export const firstAvailableSlotSchema = z.object({
  doctorId: z.string(),
  doctorName: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  /** The modes the slot offers (its weekly rule's). */
  modes: z.array(consultationModeSchema),
});
export type FirstAvailableSlot = z.infer<typeof firstAvailableSlotSchema>;
export const firstAvailableListSchema = z.object({ slots: z.array(firstAvailableSlotSchema) });
export const timeOffListSchema = z.object({ timeOff: z.array(timeOffSchema) });
export const timeOffEnvelopeSchema = z.object({ timeOff: timeOffSchema });

const uuid = z.string().uuid();
const durationSchema = z.number().int().min(5).max(480);

export const bookInputSchema = z.object({
  doctorId: uuid,
  startsAt: instantSchema,
  durationMinutes: durationSchema.optional(),
  reason: z.string().trim().max(1000).optional(),
  patientId: uuid.optional(),
  /** `video` when absent; the slot's rule must offer it (422 `mode_not_offered`). */
  mode: consultationModeSchema.optional(),
});
export type BookInput = z.infer<typeof bookInputSchema>;

export const patchConsultationSchema = z
  .object({
    startsAt: instantSchema.optional(),
    durationMinutes: durationSchema.optional(),
    status: consultationStatusSchema.optional(),
    notes: z.string().max(20000).optional(),
  })
  .refine((p) => typeof p !== "object" || p === null || Object.values(p).some((v) => v !== undefined), {
    message: "nothing to change",
  })
  .refine((p) => !(p.status && (p.startsAt || p.durationMinutes)), {
    message: "change the time or the status, not both at once",
  });
export type PatchConsultationInput = z.infer<typeof patchConsultationSchema>;

export const cancelInputSchema = z.object({ reason: z.string().trim().max(500).optional() });

export const LIST_DEFAULT_LIMIT = 100;
export const LIST_MAX_LIMIT = 500;

export const listConsultationsQuerySchema = z.object({
  from: instantSchema.optional(),
  to: instantSchema.optional(),
  status: z
    .string()
    .transform((s) => s.split(","))
    .pipe(z.array(consultationStatusSchema).min(1).max(5))
    .optional(),
  doctorId: uuid.optional(),
  patientId: uuid.optional(),
  limit: z.coerce.number().int().min(1).max(LIST_MAX_LIMIT).default(LIST_DEFAULT_LIMIT),
  cursor: z.string().max(200).optional(),
});
export type ListConsultationsQuery = z.infer<typeof listConsultationsQuerySchema>;

/** What a patient may book by themselves (fair booking); staff are not limited. */
export const bookingRulesSchema = z.object({
  horizonDays: z.number().int(),
  maxActive: z.number().int(),
  maxActivePerDoctor: z.number().int(),
  minNoticeMinutes: z.number().int(),
});
export type BookingRules = z.infer<typeof bookingRulesSchema>;

/** The patient's history for the doctor (`GET /api/patients/{id}/history`), newest first. */
export const HISTORY_DEFAULT_LIMIT = 20;
export const historyQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(HISTORY_DEFAULT_LIMIT),
  cursor: z.string().max(200).optional(),
});
export type HistoryQuery = z.infer<typeof historyQuerySchema>;
export const patientHistorySchema = z.object({
  patient: z.object({ id: z.string(), name: z.string() }),
  /** `notes` present (a string, or null when none were written) only where the caller may read them. */
  consultations: z.array(consultationSchema),
  nextCursor: z.string().nullable(),
});
export type PatientHistory = z.infer<typeof patientHistorySchema>;
