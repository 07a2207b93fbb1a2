/**
 * Request-budget leases (issue #16's database time). FROZEN once landed.
 *
 * `rate_limit_counters.granted`: how many tokens the last statement on a bucket handed out. A
 * process takes the request budget in leases of several tokens (security/leased-rate-limiter.ts)
 * instead of one upsert per request, and needs to know how many it got when fewer were left.
 */
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table rate_limit_counters add column granted integer not null default 0`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table rate_limit_counters drop column granted`.execute(db);
}
