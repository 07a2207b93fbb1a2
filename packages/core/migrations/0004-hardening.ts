/**
 * Hardening (issue #11). FROZEN once landed.
 *
 * - `consultations.room_link_generation`: every room link carries the generation it was issued in;
 *   revoking a consultation's links bumps it, so every link issued before stops working at once
 *   (no list of issued tokens to keep).
 * - `rate_limit_counters`: token buckets shared by every process on the database (pods, Lambda
 *   containers): sign-in and sign-up limits and the general request budget. One row per key, so a
 *   hit is one `INSERT ... ON CONFLICT DO UPDATE ... RETURNING`. Keys are hashed: no email or
 *   address is stored.
 */
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table consultations add column room_link_generation integer not null default 0`.execute(db);
  await sql`
    create table rate_limit_counters (
      key text primary key,
      at timestamptz not null,
      tokens double precision not null,
      allowed boolean not null
    )`.execute(db);
  await sql`create index rate_limit_counters_at_idx on rate_limit_counters (at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table rate_limit_counters`.execute(db);
  await sql`alter table consultations drop column room_link_generation`.execute(db);
}
