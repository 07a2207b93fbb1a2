/**
 * Telemedicine shapes on the wire (consent, check-in, the waiting room, the record), shared by the
 * API and the web app. Plain zod: the browser bundle must not pull in server code.
 */
import { z } from "zod";

export const consentTextSchema = z.object({
  version: z.string(),
  hash: z.string(),
  text: z.object({ "pt-BR": z.string(), en: z.string() }),
});
export type ConsentTextBody = z.infer<typeof consentTextSchema>;

/**
 * A room link is the patient's credential on the room page, which needs no session: the page
 * passes it as `roomToken` and the server checks it names this consultation's patient.
 */
const roomTokenField = z.string().min(1).max(2048).optional();

export const giveConsentInputSchema = z.object({ version: z.string().min(1).max(64), roomToken: roomTokenField });
export type GiveConsentInput = z.infer<typeof giveConsentInputSchema>;

export const checkInInputSchema = z.object({ roomToken: roomTokenField });

export const consentSchema = z.object({
  id: z.string(),
  version: z.string(),
  hash: z.string(),
  givenAt: z.string(),
  consultationId: z.string().nullable(),
  withdrawnAt: z.string().nullable(),
});
export type Consent = z.infer<typeof consentSchema>;

/** The consent a consultation relied on, as its doctor reads it. */
export const consultationConsentSchema = z.object({
  version: z.string(),
  givenAt: z.string(),
  withdrawnAt: z.string().nullable().optional(),
});

/** What the record keeps of a teleconsultation: every step, when and by whom. */
export const teleconsultationRecordSchema = z.object({
  modality: z.literal("teleconsulta"),
  patientCheckedInAt: z.string().nullable(),
  doctorCheckedInAt: z.string().nullable(),
  patientOpenedAt: z.string().nullable(),
  doctorOpenedAt: z.string().nullable(),
  startedAt: z.string().nullable(),
  startedBy: z.string().nullable(),
  completedAt: z.string().nullable(),
  completedBy: z.string().nullable(),
});
export type TeleconsultationRecord = z.infer<typeof teleconsultationRecordSchema>;

export const waitingEntrySchema = z.object({
  consultationId: z.string(),
  doctorId: z.string(),
  patient: z.object({ id: z.string(), name: z.string() }),
  startsAt: z.string(),
  endsAt: z.string(),
  status: z.enum(["scheduled", "in_progress"]),
  /** When the patient said "I'm ready"; null while they have not checked in. */
  checkedInAt: z.string().nullable(),
  startedAt: z.string().nullable(),
});
export type WaitingEntry = z.infer<typeof waitingEntrySchema>;

export const waitingRoomSchema = z.object({
  serverTime: z.string(),
  /** Consultations whose room is open now, checked in or not. */
  consultations: z.array(waitingEntrySchema),
});
export type WaitingRoom = z.infer<typeof waitingRoomSchema>;

export const roomStatusSchema = z.object({
  status: z.string(),
  checkedInAt: z.string().nullable(),
  startedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  doctorOpenedAt: z.string().nullable(),
});
export type RoomStatus = z.infer<typeof roomStatusSchema>;
