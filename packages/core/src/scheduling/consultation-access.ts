/**
 * Who may see a consultation, and its clinical notes: written once, for the consultations API and
 * the consult rooms. Everyone else gets 404 (existence is not revealed).
 */
import type { Actor } from "../users/user.js";

/** Its doctor, its patient, or an admin. */
export function canSee(actor: Actor, row: { doctor_id: string; patient_id: string }): boolean {
  return actor.role === "admin" || row.doctor_id === actor.id || row.patient_id === actor.id;
}

/** Clinical notes: the consultation's doctor and admins only. */
export function canReadNotes(actor: Actor, row: { doctor_id: string }): boolean {
  return actor.role === "admin" || (actor.role === "doctor" && row.doctor_id === actor.id);
}
