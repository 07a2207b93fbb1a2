/**
 * Search (issue #13): find a patient by name, email or phone as one types, and a doctor by name or
 * specialty, from an index. FROZEN once landed.
 *
 * - `users.phone`: optional, stored normalised as an optional "+" and 8 to 15 digits (the edge
 *   strips spaces, dashes, dots and parentheses: users/user.schema.ts `phoneSchema`).
 * - `hf_search_fold(text)`: the one folding of search text, IMMUTABLE so a generated column and an
 *   index may use it. Plain `translate()`: `unaccent` is not immutable and not in PGlite, and
 *   `lower()` depends on the collation (under "C" it leaves "Ã" alone). It maps A-Z and the Latin
 *   letters with accents used in Portuguese, Spanish and French to plain lower-case letters, drops
 *   combining accents (a name typed in NFD), and turns separators (. , ; : @ + - ( ) / ' " ’ and
 *   tab) into spaces, so "João.Silva@Clínica.com" reads " joao silva clinica com". Other scripts are
 *   kept as they are. The same mapping is written once more in TypeScript (users/search-text.ts)
 *   for the query side; a test compares the two.
 * - `users.search_text`: a STORED generated column, " " + fold(name email phone), so it is right
 *   after every insert and update whoever writes the row (account flows, anonymisation, seed, tools).
 * - A trigram GIN index (pg_trgm: PostgreSQL contrib, a trusted extension; PGlite ships it as a
 *   contrib module, Aurora supports it) answers `search_text LIKE '% joao%'` (a word that starts
 *   with "joao") and `LIKE '%98765%'` (digits anywhere: phone numbers), from the first letter on.
 * - The specialty filter and "first available" compare fold(specialty) and use an index on it.
 */
import { type Kysely, sql } from "kysely";

/** What folds to what, pairwise; the combining accents at the end of FOLD_FROM have no pair: dropped. */
const PAIRS: Array<[string, string]> = [
  ["ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"],
  ["ÁÀÂÃÄÅáàâãäå", "a".repeat(12)],
  ["ÉÈÊËéèêë", "e".repeat(8)],
  ["ÍÌÎÏíìîï", "i".repeat(8)],
  ["ÓÒÔÕÖóòôõö", "o".repeat(10)],
  ["ÚÙÛÜúùûü", "u".repeat(8)],
  ["ÇçÑñÝýÿ", "ccnnyyy"],
  [".,;:@+-()/'\"\u2019\t", " ".repeat(14)],
];
const COMBINING_ACCENTS = "\u0300\u0301\u0302\u0303\u0308\u0327";
const FOLD_FROM = PAIRS.map(([from]) => from).join("") + COMBINING_ACCENTS;
const FOLD_TO = PAIRS.map(([, to]) => to).join("");
const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db);
  await sql`alter table users add column phone text check (phone ~ '^[+]?[0-9]{8,15}$')`.execute(db);
  await sql
    .raw(`create function hf_search_fold(t text) returns text
    language sql immutable parallel safe strict
    as $fold$ select pg_catalog.translate(t, ${literal(FOLD_FROM)}, ${literal(FOLD_TO)}) $fold$`)
    .execute(db);
  await sql`alter table users add column search_text text
    generated always as (hf_search_fold(' ' || name || ' ' || email || ' ' || coalesce(phone, ''))) stored`.execute(db);
  await sql`create index users_search_trgm_idx on users using gin (search_text gin_trgm_ops)
    with (fastupdate = off)`.execute(db);
  await sql`create index doctor_profiles_specialty_fold_idx on doctor_profiles (hf_search_fold(specialty))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index doctor_profiles_specialty_fold_idx`.execute(db);
  await sql`drop index users_search_trgm_idx`.execute(db);
  await sql`alter table users drop column search_text`.execute(db);
  await sql`drop function hf_search_fold(text)`.execute(db);
  await sql`alter table users drop column phone`.execute(db);
}
