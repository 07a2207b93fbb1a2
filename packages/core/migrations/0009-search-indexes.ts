import { type Kysely, sql } from "kysely";
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table users add column phone text`.execute(db);
}
export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table users drop column phone`.execute(db);
}
