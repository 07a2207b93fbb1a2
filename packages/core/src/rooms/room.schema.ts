/**
 * Room shapes on the wire, shared by the core API (links), the room service (what a link opens)
 * and the web app (its types are `z.infer` of these): one definition, so a field added here is
 * there on every side.
 */
import { z } from "zod";
import { consultationStatusSchema } from "../scheduling/scheduling.schema.js";

export const roomRoleSchema = z.enum(["doctor", "patient"]);

export const roomLinkRequestSchema = z.object({ for: roomRoleSchema.optional() });

/** `POST /api/consultations/{id}/room-link`. */
export const roomLinkSchema = z.object({ url: z.string(), expiresAt: z.string(), role: roomRoleSchema });

/** The consultation as a room shows it (names only: the room link is shareable). */
export const roomConsultationSchema = z.object({
  id: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  status: consultationStatusSchema,
  doctor: z.object({ name: z.string() }),
  patient: z.object({ name: z.string() }),
});

/** `GET /api/rooms/{token}`; before the window, a 425 whose details are this without `jitsi`. */
export const roomSchema = z.object({
  consultation: roomConsultationSchema,
  role: roomRoleSchema,
  jitsi: z.object({ domain: z.string(), roomName: z.string(), jwt: z.string().optional() }),
  opensAt: z.string(),
  closesAt: z.string(),
});

/** The 425 `room_not_open` details: the room without its Jitsi configuration. */
export const roomNotOpenSchema = roomSchema.omit({ jitsi: true });
