/**
 * HealthFlow ↔ FHIR R4. Pure functions from our rows to resources (and back, for the Appointment
 * that a client books). The mapping, with every system URI and status value, is written down in
 * docs/fhir.md: change both together.
 */
import type { ConsultationRow } from "../scheduling/consultation.sql.js";
import type { ConsultationStatus } from "../scheduling/scheduling.schema.js";
import type { DoctorRow, PatientRow } from "./fhir.sql.js";

export type FhirResource = { resourceType: string; id?: string } & Record<string, unknown>;

/** Our namespace for identifiers and codes that no national authority names. */
export const HEALTHFLOW_NS = "https://healthflow.dev/fhir";
/** The CPF, as the RNDS (Rede Nacional de Dados em Saúde) names it. */
export const CPF_SYSTEM = "http://rnds.saude.gov.br/fhir/r4/NamingSystem/cpf";
/** CRM registrations: one system per state council, `.../crm/SP` for CRM-SP. */
export const CRM_SYSTEM_BASE = `${HEALTHFLOW_NS}/NamingSystem/crm`;
/** Our error codes (`slot_taken`...), in OperationOutcome.issue.details.coding. */
export const ERROR_CODE_SYSTEM = `${HEALTHFLOW_NS}/CodeSystem/error-code`;
/** The IANA zone of a doctor's schedule (an HL7 extension). */
export const TIMEZONE_EXTENSION = "http://hl7.org/fhir/StructureDefinition/timezone";
const V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203";

export const BRAZILIAN_STATES = new Set(
  "AC AL AP AM BA CE DF ES GO MA MT MS MG PA PB PR PE PI RJ RN RS RO RR SC SP SE TO".split(" "),
);

/**
 * A CRM licence as the clinic typed it ("CRM/SP 123456", "CRM-SP 123.456", "123456/SP") split
 * into state and number; null when no state can be read from it.
 */
export function parseCrm(license: string): { state: string; number: string } | null {
  const text = license.toUpperCase();
  const state = [...text.matchAll(/(?:^|[^A-Z])([A-Z]{2})(?![A-Z])/g)]
    .map((m) => m[1]!)
    .find((s) => BRAZILIAN_STATES.has(s));
  const digits = text.match(/\d[\d.]*/)?.[0]?.replace(/\./g, "");
  return state && digits ? { state, number: digits } : null;
}

export function crmIdentifier(license: string) {
  const crm = parseCrm(license);
  return {
    use: "official",
    type: { coding: [{ system: V2_0203, code: "MD", display: "Medical License number" }], text: "CRM" },
    system: crm ? `${CRM_SYSTEM_BASE}/${crm.state}` : CRM_SYSTEM_BASE,
    value: crm ? crm.number : license,
    ...(crm ? { assigner: { display: `CRM-${crm.state}` } } : {}),
  };
}

export function cpfIdentifier(cpf: string) {
  return {
    use: "official",
    type: { coding: [{ system: V2_0203, code: "TAX", display: "Tax ID number" }], text: "CPF" },
    system: CPF_SYSTEM,
    value: cpf,
  };
}

export function toPractitioner(d: DoctorRow): FhirResource {
  return {
    resourceType: "Practitioner",
    id: d.id,
    identifier: [crmIdentifier(d.licenseNumber)],
    active: d.active,
    name: [{ text: d.name }],
  };
}

export function toPractitionerRole(d: DoctorRow): FhirResource {
  return {
    resourceType: "PractitionerRole",
    id: d.id,
    active: d.active,
    practitioner: { reference: `Practitioner/${d.id}`, display: d.name },
    code: [{ coding: [{ system: "http://terminology.hl7.org/CodeSystem/practitioner-role", code: "doctor" }] }],
    specialty: [{ text: d.specialty }],
  };
}

export function toSchedule(d: DoctorRow): FhirResource {
  return {
    resourceType: "Schedule",
    id: d.id,
    extension: [{ url: TIMEZONE_EXTENSION, valueCode: d.timezone }],
    active: d.active,
    specialty: [{ text: d.specialty }],
    actor: [{ reference: `Practitioner/${d.id}`, display: d.name }, { reference: `PractitionerRole/${d.id}` }],
    comment: `Slots of ${d.slotMinutes} minutes; free ones at Slot?schedule=Schedule/${d.id}`,
  };
}

/** Slot ids name the doctor and the start minute: `<doctor uuid>-<yyyymmddhhmm UTC>`. */
export function slotId(doctorId: string, start: Date): string {
  return `${doctorId}-${start.toISOString().slice(0, 16).replace(/[-:T]/g, "")}`;
}

export function parseSlotId(id: string): { doctorId: string; start: Date } | null {
  const m = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(
    id,
  );
  if (!m) return null;
  const [, doctorId, y, mo, d, h, mi] = m;
  const start = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi)));
  // Reject 2031-02-30 and friends: the date must format back to the same digits.
  if (Number.isNaN(start.getTime()) || slotId(doctorId!, start) !== id) return null;
  return { doctorId: doctorId!, start };
}

export function toSlot(doctorId: string, slot: { startsAt: string; endsAt: string }): FhirResource {
  return {
    resourceType: "Slot",
    id: slotId(doctorId, new Date(slot.startsAt)),
    schedule: { reference: `Schedule/${doctorId}` },
    status: "free",
    start: slot.startsAt,
    end: slot.endsAt,
  };
}

export function toPatient(p: PatientRow): FhirResource {
  // An anonymised patient's placeholder address (@invalid) is nobody's email.
  const email = p.email.endsWith("@invalid") ? undefined : p.email;
  return {
    resourceType: "Patient",
    id: p.id,
    ...(p.cpf ? { identifier: [cpfIdentifier(p.cpf)] } : {}),
    active: p.active,
    name: [{ text: p.name }],
    ...(email ? { telecom: [{ system: "email", value: email, use: "home" }] } : {}),
  };
}

/** Our consultation status → FHIR Appointment.status (value set appointmentstatus, required). */
export const TO_FHIR_STATUS: Record<ConsultationStatus, string> = {
  scheduled: "booked",
  in_progress: "arrived",
  completed: "fulfilled",
  cancelled: "cancelled",
  no_show: "noshow",
};
export const FROM_FHIR_STATUS: Record<string, ConsultationStatus> = Object.fromEntries(
  Object.entries(TO_FHIR_STATUS).map(([ours, fhir]) => [fhir, ours as ConsultationStatus]),
);
/** Every code of the R4 appointmentstatus value set: the ones we never produce match nothing. */
export const FHIR_APPOINTMENT_STATUSES = new Set([
  "proposed",
  "pending",
  "booked",
  "arrived",
  "fulfilled",
  "cancelled",
  "noshow",
  "entered-in-error",
  "checked-in",
  "waitlist",
]);

/** The FHIR view of a consultation. Clinical notes never appear: FHIR reads are not notes reads. */
/**
 * In person or video (issue #13) as `Appointment.appointmentType`, coded with the HL7 v3 ActCode
 * encounter classes: `VR` (virtual) for video, `AMB` (ambulatory) for in person.
 */
export const MODE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
export const MODE_CODES = {
  video: { code: "VR", display: "virtual" },
  in_person: { code: "AMB", display: "ambulatory" },
} as const;

export function toAppointmentType(mode: "video" | "in_person") {
  return {
    coding: [{ system: MODE_SYSTEM, ...MODE_CODES[mode] }],
    text: mode === "video" ? "video" : "in person",
  };
}

export function toAppointment(row: ConsultationRow): FhirResource {
  const start = row.starts_at;
  const end = row.ends_at;
  return {
    resourceType: "Appointment",
    id: row.id,
    meta: { lastUpdated: row.updated_at.toISOString() },
    status: TO_FHIR_STATUS[row.status],
    appointmentType: toAppointmentType(row.mode),
    ...(row.status === "cancelled" && row.cancel_reason ? { cancelationReason: { text: row.cancel_reason } } : {}),
    specialty: [{ text: row.doctor_specialty }],
    ...(row.reason ? { reasonCode: [{ text: row.reason }] } : {}),
    start: start.toISOString(),
    end: end.toISOString(),
    minutesDuration: Math.round((end.getTime() - start.getTime()) / 60_000),
    created: row.created_at.toISOString(),
    participant: [
      {
        actor: { reference: `Patient/${row.patient_id}`, display: row.patient_name },
        required: "required",
        status: "accepted",
      },
      {
        actor: { reference: `Practitioner/${row.doctor_id}`, display: row.doctor_name },
        required: "required",
        status: "accepted",
      },
    ],
  };
}
