/**
 * Wire types, every one derived from the zod schemas the API validates and documents with
 * (`@healthflow/core`'s `*.schema.ts`; type-only imports: no server code, and no zod, reaches the
 * bundle). Requests use `z.input` (what the client sends, ISO strings); responses `z.infer` of the
 * very schema the route declares, so a field added on one side cannot be missing on the other.
 */
import type {
  bookInputSchema,
  consultationEnvelopeSchema,
  consultationPageSchema,
  currentSessionSchema,
  doctorListSchema,
  doctorLoadSchema,
  firstAvailableListSchema,
  listConsultationsQuerySchema,
  patchConsultationSchema,
  putAvailabilitySchema,
  roomLinkSchema,
  roomNotOpenSchema,
  roomRoleSchema,
  roomSchema,
  sessionResponseSchema,
  slotListSchema,
  timeOffEnvelopeSchema,
  timeOffListSchema,
  updateMeInputSchema,
  updateUserInputSchema,
  userEnvelopeSchema,
  userPageSchema,
  userStatusFilterSchema,
} from "@healthflow/core/schemas";
import type { z } from "zod";

export type {
  Availability,
  AvailabilityRule,
  BookingRules,
  CalendarFeedCreated,
  CalendarFeedStatus,
  ConsentTextBody as ConsentText,
  Consultation,
  ConsultationStatus,
  CreateCalendarFeedInput,
  CreateUserInput,
  CreateUserRequest,
  DoctorSummary,
  Language,
  LoginInput,
  MessageDetail,
  MessageStatus,
  MessageSummary,
  RegisterInput,
  Role,
  RoomStatus,
  Slot,
  TimeOff,
  User,
  WaitingEntry,
  WaitingRoom,
} from "@healthflow/core/schemas";

export type BookInput = z.input<typeof bookInputSchema>;
export type ConsultationPatch = z.input<typeof patchConsultationSchema>;
export type PutAvailabilityInput = z.input<typeof putAvailabilitySchema>;
/** The list's query parameters, by the schema's own names (query strings on the wire). */
export type ConsultationQuery = Partial<Record<keyof z.input<typeof listConsultationsQuerySchema>, string>>;

export type RoomRole = z.infer<typeof roomRoleSchema>;
export type RoomLink = z.infer<typeof roomLinkSchema>;
export type Room = z.infer<typeof roomSchema>;
export type RoomNotOpen = z.infer<typeof roomNotOpenSchema>;

/** Response bodies, by route. */
export interface Responses {
  session: z.infer<typeof sessionResponseSchema>;
  currentSession: z.infer<typeof currentSessionSchema>;
  user: z.infer<typeof userEnvelopeSchema>;
  userPage: z.infer<typeof userPageSchema>;
  doctors: z.infer<typeof doctorListSchema>;
  consultation: z.infer<typeof consultationEnvelopeSchema>;
  consultationPage: z.infer<typeof consultationPageSchema>;
  slots: z.infer<typeof slotListSchema>;
  timeOff: z.infer<typeof timeOffEnvelopeSchema>;
  timeOffList: z.infer<typeof timeOffListSchema>;
}

// User management (issue 13): an admin's edit, one's own profile, a doctor's upcoming load.
export type UpdateUserRequest = z.input<typeof updateUserInputSchema>;
export type UpdateMeRequest = z.input<typeof updateMeInputSchema>;
export type DoctorLoad = z.infer<typeof doctorLoadSchema>;
export type UserStatusFilter = z.infer<typeof userStatusFilterSchema>;
/** Search (issue #13): `GET /api/slots/first-available`. */
export type FirstAvailableList = z.infer<typeof firstAvailableListSchema>;
export type FirstAvailableSlot = FirstAvailableList["slots"][number];

/** The `details` of a 403 `consent_required` from `GET /api/rooms/:token` (issue 15). */
export interface ConsentRequired {
  version: string;
  hash: string;
  consultationId: string;
  doctor: { name: string; crm: string | null; crmState: string | null; licenseNumber: string | null };
}

// In person or video, and the patient's history (issue #13).
export type { ConsultationMode } from "@healthflow/core/schemas";
export type PatientHistory = z.infer<typeof import("@healthflow/core/schemas").patientHistorySchema>;
