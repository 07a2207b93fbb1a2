/**
 * Kysely's view of the schema. Written by hand to match packages/core/migrations: the migrations are
 * the truth, this file is the type-level mirror (checked by the integration tests that read and
 * write every table). Every engine gives the JavaScript types `pg` gives (timestamptz: Date,
 * jsonb: parsed, int8: string), so these types hold whichever engine runs.
 */
import type { ColumnType, Generated, Kysely, Transaction } from "kysely";

export type Timestamp = ColumnType<Date, Date, Date>;
/** A timestamp the database fills in by default. */
export type GeneratedTimestamp = ColumnType<Date, Date | undefined, Date>;
export type Role = "admin" | "doctor" | "patient";

export interface UsersTable {
  id: Generated<string>;
  email: string;
  name: string;
  role: Role;
  password_hash: string;
  created_at: GeneratedTimestamp;
  disabled_at: Timestamp | null;
  /** Patients only: the CPF's 11 digits (migration 0003). */
  cpf: ColumnType<string | null, string | null | undefined, string | null>;
  language: ColumnType<Language, Language | undefined, Language>;
  email_verified_at: ColumnType<Date | string | null, Date | string | null | undefined, Date | string | null>;
}

export type Language = "pt-BR" | "en";

export interface DoctorProfilesTable {
  user_id: string;
  specialty: string;
  license_number: string;
  /** CRM digits and state (UF); null only for a licence that migration 0005 could not read. */
  crm: ColumnType<string | null, string | null | undefined, string | null>;
  crm_state: ColumnType<string | null, string | null | undefined, string | null>;
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
  details: ColumnType<Record<string, unknown>, Record<string, unknown>, Record<string, unknown>>;
}

export interface AvailabilityRulesTable {
  id: Generated<string>;
  doctor_id: string;
  weekday: number;
  start_minute: number;
  end_minute: number;
  /** Which modes the rule's slots offer (migration 0011); both by default. */
  modes: ColumnType<ConsultationMode[], ConsultationMode[] | undefined, ConsultationMode[]>;
}

/** A consultation by video (a consult room) or in person at the clinic (migration 0011). */
export type ConsultationMode = "video" | "in_person";

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
  /** Bumped to revoke every room link issued before (migration 0003). */
  room_link_generation: ColumnType<number, number | undefined, number>;
  created_by: string | null;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
  calendar_sequence: ColumnType<number, number | undefined, number>;
  mode: ColumnType<ConsultationMode, ConsultationMode | undefined, ConsultationMode>;
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

export interface TelemedicineConsentsTable {
  id: Generated<string>;
  patient_id: string;
  consultation_id: string | null;
  version: string;
  text_hash: string;
  given_at: Timestamp;
  client_ip: string | null;
  user_agent: string | null;
  withdrawn_at: Timestamp | null;
}

export interface TeleconsultationRecordsTable {
  consultation_id: string;
  modality: ColumnType<"teleconsulta", "teleconsulta" | undefined, "teleconsulta">;
  consent_id: string | null;
  patient_checked_in_at: Timestamp | null;
  doctor_checked_in_at: Timestamp | null;
  patient_opened_at: Timestamp | null;
  doctor_opened_at: Timestamp | null;
  started_at: Timestamp | null;
  started_by: string | null;
  completed_at: Timestamp | null;
  completed_by: string | null;
  updated_at: GeneratedTimestamp;
}

export interface DB {
  users: UsersTable;
  doctor_profiles: DoctorProfilesTable;
  sessions: SessionsTable;
  audit_events: AuditEventsTable;
  availability_rules: AvailabilityRulesTable;
  time_off: TimeOffTable;
  consultations: ConsultationsTable;
  telemedicine_consents: TelemedicineConsentsTable;
  teleconsultation_records: TeleconsultationRecordsTable;
  rate_limit_counters: RateLimitCountersTable;
  account_tokens: AccountTokensTable;
  outbox: OutboxTable;
}

/** Token buckets shared across processes (migration 0003, security/db-rate-limiter.ts). */
export interface RateLimitCountersTable {
  key: string;
  at: Timestamp;
  tokens: number;
  allowed: boolean;
}

/** What every domain function takes: the database, or the caller's transaction. */
export type Db = Kysely<DB> | Transaction<DB>;
