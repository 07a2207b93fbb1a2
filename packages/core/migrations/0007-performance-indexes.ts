/**
 * Performance (issue #16): agenda reads whose cost does not grow with history. FROZEN once landed.
 *
 * An agenda asks for the consultations overlapping a window (`ends_at > from and starts_at < to`).
 * On a btree over (doctor_id, starts_at) or (starts_at, id) only `starts_at < to` bounds the scan,
 * so PostgreSQL walks every past consultation of the doctor (or of the clinic) up to the window:
 * with 100,000 past consultations the week's agenda took ~20× longer than with 5,000. GiST indexes
 * over the consultation's period answer the overlap from both sides, for every status (the
 * EXCLUDE constraints' GiST indexes cover only scheduled and in-progress consultations, which is
 * what the slots query uses).
 */
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index consultations_doctor_period_idx on consultations
    using gist (doctor_id, tstzrange(starts_at, ends_at, '[)'))`.execute(db);
  await sql`create index consultations_period_idx on consultations
    using gist (tstzrange(starts_at, ends_at, '[)'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index consultations_period_idx`.execute(db);
  await sql`drop index consultations_doctor_period_idx`.execute(db);
}
