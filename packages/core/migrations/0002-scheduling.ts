/**
 * Scheduling: weekly availability, time off, consultations. FROZEN once landed.
 *
 * The no-double-booking guarantee lives here, not in application code: two EXCLUDE constraints
 * (btree_gist, for the uuid equality inside a GiST index) forbid any two active consultations of
 * one doctor, or of one patient, from overlapping. Concurrent inserts serialise on the index, so
 * exactly one of N racing bookings wins, on PostgreSQL 15+ and on PGlite alike.
 */
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create extension if not exists btree_gist`.execute(db);

  await sql`
    create table availability_rules (
      id uuid primary key default gen_random_uuid(),
      doctor_id uuid not null references users (id) on delete cascade,
      weekday smallint not null check (weekday between 0 and 6),
      start_minute smallint not null check (start_minute between 0 and 1439),
      end_minute smallint not null check (end_minute between 1 and 1440),
      check (end_minute > start_minute)
    )`.execute(db);
  await sql`create index availability_rules_doctor_idx on availability_rules (doctor_id, weekday)`.execute(db);

  await sql`
    create table time_off (
      id uuid primary key default gen_random_uuid(),
      doctor_id uuid not null references users (id) on delete cascade,
      starts_at timestamptz not null,
      ends_at timestamptz not null,
      reason text check (length(reason) <= 500),
      created_by uuid references users (id) on delete set null,
      created_at timestamptz not null default now(),
      check (ends_at > starts_at)
    )`.execute(db);
  await sql`create index time_off_doctor_idx on time_off (doctor_id, starts_at)`.execute(db);

  await sql`
    create table consultations (
      id uuid primary key default gen_random_uuid(),
      doctor_id uuid not null references users (id),
      patient_id uuid not null references users (id),
      starts_at timestamptz not null,
      ends_at timestamptz not null,
      status text not null default 'scheduled'
        check (status in ('scheduled', 'in_progress', 'completed', 'cancelled', 'no_show')),
      reason text check (length(reason) <= 1000),
      notes text check (length(notes) <= 20000),
      cancel_reason text check (length(cancel_reason) <= 500),
      room_name text not null unique,
      created_by uuid references users (id) on delete set null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      check (ends_at > starts_at),
      check (doctor_id <> patient_id),
      constraint consultations_doctor_no_overlap exclude using gist (
        doctor_id with =, tstzrange(starts_at, ends_at, '[)') with &&
      ) where (status in ('scheduled', 'in_progress')),
      constraint consultations_patient_no_overlap exclude using gist (
        patient_id with =, tstzrange(starts_at, ends_at, '[)') with &&
      ) where (status in ('scheduled', 'in_progress'))
    )`.execute(db);
  await sql`create index consultations_doctor_idx on consultations (doctor_id, starts_at)`.execute(db);
  await sql`create index consultations_patient_idx on consultations (patient_id, starts_at)`.execute(db);
  await sql`create index consultations_starts_idx on consultations (starts_at, id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table consultations`.execute(db);
  await sql`drop table time_off`.execute(db);
  await sql`drop table availability_rules`.execute(db);
}
