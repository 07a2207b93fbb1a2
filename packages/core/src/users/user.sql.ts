import { type Selectable, sql } from "kysely";
import type { Db, DoctorProfilesTable, UsersTable } from "../db/database.js";
import { foldSearchText, matchesEveryWord } from "./search-text.js";
import type { DoctorSummary, User, UserStatusFilter } from "./user.schema.js";

type UserRow = Omit<Selectable<UsersTable>, "search_text"> & {
  [K in keyof Selectable<DoctorProfilesTable>]?: Selectable<DoctorProfilesTable>[K] | null;
};

const userColumns = [
  "users.id",
  "users.email",
  "users.name",
  "users.role",
  "users.password_hash",
  "users.created_at",
  "users.disabled_at",
  "users.language",
  "users.email_verified_at",
  "users.cpf",
  "users.phone",
  "doctor_profiles.specialty",
  "doctor_profiles.license_number",
  "doctor_profiles.crm",
  "doctor_profiles.crm_state",
  "doctor_profiles.timezone",
  "doctor_profiles.slot_minutes",
] as const;

export function selectUsers(db: Db) {
  return db.selectFrom("users").leftJoin("doctor_profiles", "doctor_profiles.user_id", "users.id").select(userColumns);
}

/** The public face of a row: never the password hash. */
export function toUser(row: UserRow): User {
  const user: User = {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    language: row.language,
    emailVerified: row.email_verified_at != null,
  };
  if (row.cpf) user.cpf = row.cpf;
  if (row.phone) user.phone = row.phone;
  if (row.disabled_at) user.disabledAt = new Date(row.disabled_at).toISOString();
  if (row.role === "doctor" && row.specialty != null) {
    user.doctor = {
      specialty: row.specialty,
      licenseNumber: row.license_number ?? "",
      crm: row.crm ?? null,
      crmState: row.crm_state ?? null,
      timezone: row.timezone ?? "UTC",
      slotMinutes: row.slot_minutes ?? 30,
    };
  }
  return user;
}

export async function findUserById(db: Db, id: string) {
  return selectUsers(db).where("users.id", "=", id).executeTakeFirst();
}

export async function findUserByEmail(db: Db, email: string) {
  return selectUsers(db)
    .where((eb) => eb(eb.fn("lower", ["users.email"]), "=", email.toLowerCase()))
    .executeTakeFirst();
}

/** Narrows a list (issue #13): folded query words, and a doctor's own patients. */
export interface UserFilter {
  /** Every word must match `users.search_text` (search-text.ts), from its trigram index. */
  words?: string[];
  /** Only people with a consultation (any status) with this doctor. */
  consultedBy?: string;
  /** User management (issue 13): `active` (the default: pickers), `disabled`, or `all` (the admin's table). */
  status?: UserStatusFilter;
}

export function listUsersQuery(
  db: Db,
  role?: User["role"],
  page?: { limit: number; after?: { name: string; id: string } },
  filter: UserFilter = {},
) {
  const status = filter.status ?? "active";
  let q = selectUsers(db);
  if (status !== "all") q = q.where("users.disabled_at", status === "active" ? "is" : "is not", null);
  if (role) q = q.where("users.role", "=", role);
  if (filter.words && filter.words.length > 0) {
    q = q.where(matchesEveryWord(sql<string>`users.search_text`, filter.words));
  }
  const doctorId = filter.consultedBy;
  if (doctorId !== undefined) {
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom("consultations")
          .select(sql<number>`1`.as("one"))
          .whereRef("consultations.patient_id", "=", "users.id")
          .where("consultations.doctor_id", "=", doctorId),
      ),
    );
  }
  const after = page?.after;
  if (after) {
    q = q.where((eb) =>
      eb.or([
        eb("users.name", ">", after.name),
        eb.and([eb("users.name", "=", after.name), eb("users.id", ">", after.id)]),
      ]),
    );
  }
  q = q.orderBy("users.name").orderBy("users.id");
  return page ? q.limit(page.limit) : q;
}

export async function listUsers(
  db: Db,
  role?: User["role"],
  page?: { limit: number; after?: { name: string; id: string } },
  filter: UserFilter = {},
) {
  return listUsersQuery(db, role, page, filter).execute();
}

/**
 * Doctors one can book with, by name. `words`: each must start a word of the name or the specialty
 * (search-text.ts); `specialty`: equal to it once both are folded (case and accents aside).
 */
export async function listDoctors(
  db: Db,
  filter: { words?: string[]; specialty?: string } = {},
): Promise<DoctorSummary[]> {
  let q = db
    .selectFrom("users")
    .innerJoin("doctor_profiles", "doctor_profiles.user_id", "users.id")
    .select(["users.id", "users.name", "specialty", "crm", "crm_state", "timezone", "slot_minutes"])
    .where("users.disabled_at", "is", null);
  if (filter.specialty !== undefined) {
    q = q.where(sql<boolean>`hf_search_fold(doctor_profiles.specialty) = ${foldSearchText(filter.specialty.trim())}`);
  }
  if (filter.words && filter.words.length > 0) {
    const text = sql<string>`(' ' || hf_search_fold(users.name) || ' ' || hf_search_fold(doctor_profiles.specialty))`;
    q = q.where(matchesEveryWord(text, filter.words));
  }
  const rows = await q.orderBy("users.name").execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    specialty: r.specialty,
    crm: r.crm,
    crmState: r.crm_state,
    timezone: r.timezone,
    slotMinutes: r.slot_minutes,
  }));
}

export async function countUsers(db: Db): Promise<number> {
  const row = await db
    .selectFrom("users")
    .select((eb) => eb.fn.countAll<string | number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
