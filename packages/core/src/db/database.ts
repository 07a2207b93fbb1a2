/**
 * Kysely's view of the schema. Written by hand to match packages/core/migrations: the migrations are
 * the truth, this file is the type-level mirror (checked by the integration tests that read and
 * write every table).
 *
 * Timestamps are `Date` on pg and PGlite but ISO strings through the RDS Data API, so row types
 * say `Date | string` and the `*.sql.ts` mappers normalise with `toDate`.
 */
import type { ColumnType, Generated } from "kysely";

export type Timestamp = ColumnType<Date | string, Date | string, Date | string>;
/** A timestamp the database fills in by default. */
export type GeneratedTimestamp = ColumnType<Date | string, Date | string | undefined, Date | string>;
export type Role = "admin" | "doctor" | "patient";

export interface UsersTable {
  id: Generated<string>;
  email: string;
  name: string;
  role: Role;
  password_hash: string;
  created_at: GeneratedTimestamp;
  disabled_at: Timestamp | null;
  language: ColumnType<Language, Language | undefined, Language>;
  email_verified_at: ColumnType<Date | string | null, Date | string | null | undefined, Date | string | null>;
}

export type Language = "pt-BR" | "en";

export interface DoctorProfilesTable {
  user_id: string;
  specialty: string;
  license_number: string;
  timezone: string;
  slot_minutes: number;
}

export interface SessionsTable {
  id: Generated<string>;
  user_id: string;
  token_hash: string;
  created_at: GeneratedTimestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
}

export interface AuditEventsTable {
  id: Generated<string>;
  at: GeneratedTimestamp;
  actor_id: string | null;
  action: string;
  entity: string;
  entity_id: string | null;
  details: ColumnType<unknown, string, string>;
}

export interface AvailabilityRulesTable {
  id: Generated<string>;
  doctor_id: string;
  weekday: number;
  start_minute: number;
  end_minute: number;
}

export interface TimeOffTable {
  id: Generated<string>;
  doctor_id: string;
  starts_at: Timestamp;
  ends_at: Timestamp;
  reason: string | null;
  created_by: string | null;
  created_at: GeneratedTimestamp;
}

export type ConsultationStatus = "scheduled" | "in_progress" | "completed" | "cancelled" | "no_show";

export interface ConsultationsTable {
  id: Generated<string>;
  doctor_id: string;
  patient_id: string;
  starts_at: Timestamp;
  ends_at: Timestamp;
  status: ColumnType<ConsultationStatus, ConsultationStatus | undefined, ConsultationStatus>;
  reason: string | null;
  notes: string | null;
  cancel_reason: string | null;
  room_name: string;
  created_by: string | null;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
  calendar_sequence: ColumnType<number, number | undefined, number>;
}

export type TokenPurpose = "verify_email" | "reset_password" | "invite";

export interface AccountTokensTable {
  id: Generated<string>;
  user_id: string;
  purpose: TokenPurpose;
  token_hash: string;
  email: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export type OutboxStatus = "pending" | "sending" | "sent" | "failed" | "cancelled" | "skipped";

export interface OutboxTable {
  id: string;
  kind: string;
  channel: ColumnType<"email", "email" | undefined, "email">;
  recipient: string;
  recipient_id: string | null;
  consultation_id: string | null;
  language: Language;
  subject: string;
  body_text: string;
  body_html: string;
  calendar: string | null;
  calendar_method: "REQUEST" | "CANCEL" | null;
  token_purpose: TokenPurpose | null;
  message_id: string;
  status: ColumnType<OutboxStatus, OutboxStatus | undefined, OutboxStatus>;
  attempts: ColumnType<number, number | undefined, number>;
  due_at: Timestamp;
  not_after: Timestamp | null;
  locked_until: Timestamp | null;
  locked_by: string | null;
  last_error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  sent_at: Timestamp | null;
}

export interface DB {
  users: UsersTable;
  doctor_profiles: DoctorProfilesTable;
  sessions: SessionsTable;
  audit_events: AuditEventsTable;
  availability_rules: AvailabilityRulesTable;
  time_off: TimeOffTable;
  consultations: ConsultationsTable;
  account_tokens: AccountTokensTable;
  outbox: OutboxTable;
}

/** Normalises a timestamp column (Date from pg/PGlite, string from the Data API). */
export function toDate(value: Date | string): Date {
  return value instanceof Date
    ? value
    : new Date(value.includes("T") || value.endsWith("Z") ? value : `${value.replace(" ", "T")}Z`);
}
