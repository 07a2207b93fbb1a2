import type { Selectable } from "kysely";
import type { Db, DoctorProfilesTable, UsersTable } from "../db/database.js";
import type { DoctorSummary, User, UserStatusFilter } from "./user.schema.js";

type UserRow = Selectable<UsersTable> & {
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

export async function listUsers(
  db: Db,
  role?: User["role"],
  page?: { limit: number; after?: { name: string; id: string } },
  /** User management (issue 13): the admin's table lists disabled accounts too. */
  status: UserStatusFilter = "active",
) {
  let q = selectUsers(db);
  if (status !== "all") q = q.where("users.disabled_at", status === "active" ? "is" : "is not", null);
  if (role) q = q.where("users.role", "=", role);
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
  return page ? q.limit(page.limit).execute() : q.execute();
}

export async function listDoctors(db: Db): Promise<DoctorSummary[]> {
  const rows = await db
    .selectFrom("users")
    .innerJoin("doctor_profiles", "doctor_profiles.user_id", "users.id")
    .select(["users.id", "users.name", "specialty", "crm", "crm_state", "timezone", "slot_minutes"])
    .where("users.disabled_at", "is", null)
    .orderBy("users.name")
    .execute();
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
