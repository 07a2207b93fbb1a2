/**
 * Accounts, doctor profiles, sessions and the audit trail. FROZEN: never edit a landed migration;
 * add a new one.
 */
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table users (
      id uuid primary key default gen_random_uuid(),
      email text not null check (length(email) between 3 and 254),
      name text not null check (length(name) between 1 and 200),
      role text not null check (role in ('admin', 'doctor', 'patient')),
      password_hash text not null,
      created_at timestamptz not null default now(),
      disabled_at timestamptz
    )`.execute(db);
  // Case-insensitive uniqueness: Ana@x.com and ana@x.com are one person.
  await sql`create unique index users_email_lower_key on users (lower(email))`.execute(db);
  await sql`create index users_role_idx on users (role, name)`.execute(db);

  await sql`
    create table doctor_profiles (
      user_id uuid primary key references users (id) on delete cascade,
      specialty text not null check (length(specialty) between 1 and 120),
      license_number text not null check (length(license_number) between 1 and 40),
      timezone text not null,
      slot_minutes integer not null default 30 check (slot_minutes between 5 and 240)
    )`.execute(db);
  await sql`create unique index doctor_profiles_license_key on doctor_profiles (upper(license_number))`.execute(db);

  await sql`
    create table sessions (
      id uuid primary key default gen_random_uuid(),
      user_id uuid not null references users (id) on delete cascade,
      token_hash text not null unique,
      created_at timestamptz not null default now(),
      last_seen_at timestamptz not null default now(),
      expires_at timestamptz not null
    )`.execute(db);
  await sql`create index sessions_user_idx on sessions (user_id)`.execute(db);

  await sql`
    create table audit_events (
      id bigint generated always as identity primary key,
      at timestamptz not null default now(),
      actor_id uuid references users (id) on delete set null,
      action text not null,
      entity text not null,
      entity_id text,
      details jsonb not null default '{}'::jsonb
    )`.execute(db);
  await sql`create index audit_events_entity_idx on audit_events (entity, entity_id, at)`.execute(db);
  await sql`create index audit_events_actor_idx on audit_events (actor_id, at)`.execute(db);
  await sql`create index audit_events_at_idx on audit_events (at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table audit_events`.execute(db);
  await sql`drop table sessions`.execute(db);
  await sql`drop table doctor_profiles`.execute(db);
  await sql`drop table users`.execute(db);
}
