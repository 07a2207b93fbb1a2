/**
 * Notifications and self-service accounts: a language preference and an email-verified mark on
 * users, single-use account tokens (stored hashed), the outbox of messages, and the iCalendar
 * sequence of each consultation. FROZEN once landed.
 *
 * Accounts that exist before this migration were made by an administrator, the seed or an earlier
 * sign-up without verification: they count as verified, so nobody is locked out by an upgrade.
 */
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table users add column language text not null default 'pt-BR' check (language in ('pt-BR', 'en'))`.execute(
    db,
  );
  await sql`alter table users add column email_verified_at timestamptz`.execute(db);
  await sql`update users set email_verified_at = created_at`.execute(db);

  // SEQUENCE of the consultation's calendar invite (RFC 5545): bumped on every reschedule and cancel.
  await sql`alter table consultations add column calendar_sequence integer not null default 0`.execute(db);

  await sql`
    create table account_tokens (
      id uuid primary key default gen_random_uuid(),
      user_id uuid not null references users (id) on delete cascade,
      purpose text not null check (purpose in ('verify_email', 'reset_password', 'invite')),
      token_hash text not null unique,
      email text not null,
      created_at timestamptz not null,
      expires_at timestamptz not null,
      used_at timestamptz
    )`.execute(db);
  await sql`create index account_tokens_user_idx on account_tokens (user_id, purpose)`.execute(db);

  await sql`
    create table outbox (
      id uuid primary key,
      kind text not null,
      channel text not null default 'email' check (channel in ('email')),
      recipient text not null check (length(recipient) between 3 and 320),
      recipient_id uuid references users (id) on delete set null,
      consultation_id uuid references consultations (id) on delete cascade,
      language text not null,
      subject text not null,
      body_text text not null,
      body_html text not null,
      calendar text,
      calendar_method text check (calendar_method in ('REQUEST', 'CANCEL')),
      token_purpose text check (token_purpose in ('verify_email', 'reset_password', 'invite')),
      message_id text not null unique,
      status text not null default 'pending'
        check (status in ('pending', 'sending', 'sent', 'failed', 'cancelled', 'skipped')),
      attempts integer not null default 0,
      due_at timestamptz not null,
      not_after timestamptz,
      locked_until timestamptz,
      locked_by text,
      last_error text,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      sent_at timestamptz
    )`.execute(db);
  // What the dispatchers scan: only the rows still to deliver.
  await sql`create index outbox_due_idx on outbox (due_at) where status in ('pending', 'sending')`.execute(db);
  await sql`create index outbox_created_idx on outbox (created_at, id)`.execute(db);
  await sql`create index outbox_consultation_idx on outbox (consultation_id, kind) where consultation_id is not null`.execute(
    db,
  );
  await sql`create index outbox_recipient_idx on outbox (recipient_id, kind, created_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table outbox`.execute(db);
  await sql`drop table account_tokens`.execute(db);
  await sql`alter table consultations drop column calendar_sequence`.execute(db);
  await sql`alter table users drop column email_verified_at`.execute(db);
  await sql`alter table users drop column language`.execute(db);
}
