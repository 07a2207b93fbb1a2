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
}

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
  /** Bumped to revoke every room link issued before (migration 0003). */
  room_link_generation: ColumnType<number, number | undefined, number>;
  created_by: string | null;
  created_at: GeneratedTimestamp;
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
  rate_limit_counters: RateLimitCountersTable;
}

/** Token buckets shared across processes (migration 0003, security/db-rate-limiter.ts). */
export interface RateLimitCountersTable {
  key: string;
  at: Timestamp;
  tokens: number;
  allowed: boolean;
}

/** Normalises a timestamp column (Date from pg/PGlite, string from the Data API). */
export function toDate(value: Date | string): Date {
  return value instanceof Date
    ? value
    : new Date(value.includes("T") || value.endsWith("Z") ? value : `${value.replace(" ", "T")}Z`);
}
