/**
 * Where a consultation takes place, as the API shows it: an in-person consultation carries the
 * clinic's address (HEALTHFLOW_CLINIC_ADDRESS, a setting, so it is added on the way out rather
 * than stored in every row); a video consultation has its room instead, and no location.
 */
import type { Consultation } from "./scheduling.schema.js";

export function locate<C extends Pick<Consultation, "mode" | "location">>(c: C, clinicAddress: string | undefined): C {
  return { ...c, location: c.mode === "in_person" ? (clinicAddress ?? null) : null };
}
