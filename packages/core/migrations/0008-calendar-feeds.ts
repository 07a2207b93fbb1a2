/**
 * Calendar subscription feeds (issue 14): one private feed per user, `GET /cal/<token>.ics`. Only the
 * token's SHA-256 is kept (a leaked table cannot be replayed); one row per user, so creating a new
 * feed replaces the old one and deleting the row revokes it. FROZEN once landed.
 */
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table calendar_feeds (
      id uuid primary key default gen_random_uuid(),
      user_id uuid not null unique references users (id) on delete cascade,
      token_hash text not null unique,
      include_reason boolean not null default false,
      created_at timestamptz not null
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table calendar_feeds`.execute(db);
}
