/**
 * Wire types, taken from `@healthflow/core`'s zod schemas (type-only imports: no server code, and
 * no zod, reaches the first bundle). Inputs use `z.input` (what the client sends, ISO strings);
 * outputs the schema's own types. Only the room shapes are local: the room API is the next issue.
 */
import type { bookInputSchema, ConsultationStatus, patchConsultationSchema } from "@healthflow/core/schemas";
import type { z } from "zod";

export type {
  Availability,
  AvailabilityRule,
  BookingRules,
  Consultation,
  ConsultationStatus,
  DoctorSummary,
  Role,
  Slot,
  TimeOff,
  User,
} from "@healthflow/core/schemas";

export type BookInput = z.input<typeof bookInputSchema>;
export type ConsultationPatch = z.input<typeof patchConsultationSchema>;

export interface ConsultationQuery {
  from?: string;
  to?: string;
  /** One status or several, comma-separated. */
  status?: ConsultationStatus | string;
  doctorId?: string;
  patientId?: string;
}

export type RoomRole = "doctor" | "patient";

/** `POST /api/consultations/:id/room-link` (issue 5). */
export interface RoomLink {
  url: string;
  expiresAt: string;
  role: RoomRole;
}

/** `GET /api/rooms/:token` (issue 5). */
export interface Room {
  consultation: {
    id: string;
    startsAt: string;
    endsAt: string;
    doctor: { name: string };
    patient: { name: string };
  };
  role: RoomRole;
  jitsi: { domain: string; roomName: string; jwt?: string };
  opensAt: string;
  closesAt: string;
}
