/**
 * In person or video (issue #13). FROZEN once landed.
 *
 * - A consultation is `video` (a consult room) or `in_person` (at the clinic's address, no room),
 *   chosen at booking; existing consultations were all video.
 * - A weekly availability rule says which modes its slots offer; existing rules offer both.
 */
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table consultations add column mode text not null default 'video'
    constraint consultations_mode_check check (mode in ('video', 'in_person'))`.execute(db);
  await sql`alter table availability_rules add column modes text[] not null default '{video,in_person}'
    constraint availability_rules_modes_check
    check (cardinality(modes) between 1 and 2 and modes <@ array['video', 'in_person']::text[])`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table availability_rules drop column modes`.execute(db);
  await sql`alter table consultations drop column mode`.execute(db);
}
