/**
 * An optional CPF (Cadastro de Pessoas Físicas) on patients, shown as an identifier on the FHIR
 * `Patient`. Stored as its 11 digits; the check digits are validated at the edge (users/cpf.ts),
 * the format here. At most one account per CPF. FROZEN once landed.
 */
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table users add column cpf text check (cpf ~ '^[0-9]{11}$')`.execute(db);
  await sql`alter table users add constraint users_cpf_patient_only check (cpf is null or role = 'patient')`.execute(
    db,
  );
  await sql`create unique index users_cpf_key on users (cpf) where cpf is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index users_cpf_key`.execute(db);
  await sql`alter table users drop constraint users_cpf_patient_only`.execute(db);
  await sql`alter table users drop column cpf`.execute(db);
}
