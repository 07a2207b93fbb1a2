/**
 * Telemedicine as Resolução CFM nº 2.314/2022 requires. FROZEN once landed.
 *
 * - Doctors are identified by CRM number and state (UF). Existing free-text licence numbers that
 *   read as a CRM ("CRM-SP 123456", "CRM/SP 123456", "123456-SP", "CRM 123456 SP") are split into
 *   the two columns and rewritten as "CRM-SP 123456"; anything else is left as it was, with the
 *   CRM columns empty, for an administrator to complete.
 * - The patient's consent to teleconsultation: one row per agreement, with the text's version and
 *   hash, where and how it was given; withdrawal closes it (the row stays, as evidence).
 * - The record of each teleconsultation: modality, the consent it relied on, when each participant
 *   checked in and opened the room, when it started and completed and who did each.
 */
import { type Kysely, sql } from "kysely";

const UFS = [
  "AC",
  "AL",
  "AP",
  "AM",
  "BA",
  "CE",
  "DF",
  "ES",
  "GO",
  "MA",
  "MT",
  "MS",
  "MG",
  "PA",
  "PB",
  "PR",
  "PE",
  "PI",
  "RJ",
  "RN",
  "RS",
  "RO",
  "RR",
  "SC",
  "SP",
  "SE",
  "TO",
];

export async function up(db: Kysely<any>): Promise<void> {
  const ufList = sql.join(UFS.map((uf) => sql.lit(uf)));
  await sql`alter table doctor_profiles add column crm text check (crm ~ '^[0-9]{1,10}$')`.execute(db);
  await sql`alter table doctor_profiles add column crm_state text check (crm_state in (${ufList}))`.execute(db);
  await sql`alter table doctor_profiles add constraint doctor_profiles_crm_pair
    check ((crm is null) = (crm_state is null))`.execute(db);

  // Backfill from the licence number: "CRM" optional, then state and digits in either order.
  await sql`
    with raw as (
      select user_id, license_number,
        coalesce(
          substring(upper(license_number) from '^\\s*(?:CRM)?\\s*[-/ ]?\\s*([A-Z]{2})\\s*[-/ ]?\\s*[0-9]{1,10}\\s*$'),
          substring(upper(license_number) from '^\\s*(?:CRM)?\\s*[-/ ]?\\s*[0-9]{1,10}\\s*[-/ ]?\\s*([A-Z]{2})\\s*$')
        ) as uf,
        ltrim(substring(license_number from '([0-9]{1,10})'), '0') as digits
      from doctor_profiles
    ), parsed as (
      -- Two licences that read as the same CRM are both left for a person to sort out.
      select *, count(*) over (partition by uf, digits) as same from raw
    )
    update doctor_profiles dp
    set crm = p.digits, crm_state = p.uf, license_number = 'CRM-' || p.uf || ' ' || p.digits
    from parsed p
    where dp.user_id = p.user_id and p.uf in (${ufList}) and p.digits <> '' and p.same = 1
      and not exists (
        select 1 from doctor_profiles other
        where other.user_id <> dp.user_id
          and upper(other.license_number) = 'CRM-' || p.uf || ' ' || p.digits
      )`.execute(db);
  await sql`create unique index doctor_profiles_crm_key on doctor_profiles (crm_state, crm) where crm is not null`.execute(
    db,
  );

  await sql`
    create table telemedicine_consents (
      id uuid primary key default gen_random_uuid(),
      patient_id uuid not null references users (id) on delete cascade,
      consultation_id uuid references consultations (id) on delete set null,
      version text not null check (length(version) between 1 and 64),
      text_hash text not null check (length(text_hash) between 1 and 128),
      given_at timestamptz not null,
      client_ip text check (length(client_ip) <= 64),
      user_agent text check (length(user_agent) <= 512),
      withdrawn_at timestamptz,
      check (withdrawn_at is null or withdrawn_at >= given_at)
    )`.execute(db);
  // One agreement in force per patient and text version.
  await sql`create unique index telemedicine_consents_active_key on telemedicine_consents (patient_id, version)
    where withdrawn_at is null`.execute(db);
  await sql`create index telemedicine_consents_patient_idx on telemedicine_consents (patient_id, given_at)`.execute(db);

  await sql`
    create table teleconsultation_records (
      consultation_id uuid primary key references consultations (id) on delete cascade,
      modality text not null default 'teleconsulta' check (modality in ('teleconsulta')),
      consent_id uuid references telemedicine_consents (id) on delete set null,
      patient_checked_in_at timestamptz,
      doctor_checked_in_at timestamptz,
      patient_opened_at timestamptz,
      doctor_opened_at timestamptz,
      started_at timestamptz,
      started_by uuid references users (id) on delete set null,
      completed_at timestamptz,
      completed_by uuid references users (id) on delete set null,
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index teleconsultation_records_waiting_idx on teleconsultation_records (patient_checked_in_at)
    where patient_checked_in_at is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table teleconsultation_records`.execute(db);
  await sql`drop table telemedicine_consents`.execute(db);
  await sql`drop index doctor_profiles_crm_key`.execute(db);
  await sql`alter table doctor_profiles drop constraint doctor_profiles_crm_pair`.execute(db);
  await sql`alter table doctor_profiles drop column crm_state`.execute(db);
  await sql`alter table doctor_profiles drop column crm`.execute(db);
}
