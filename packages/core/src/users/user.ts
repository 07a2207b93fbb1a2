/**
 * People: creating accounts, signing in, listing. Every function takes its database (or the
 * caller's transaction) as the first argument.
 */
import type { Transaction } from "kysely";
import { recordAudit } from "../audit/audit.js";
import type { DB, Db } from "../db/database.js";
import { decodeCursor, keyPart, toPage } from "../db/keyset.js";
import { isUniqueViolation, violatedConstraint } from "../db/pg-errors.js";
import { Conflict, Forbidden, Invalid, NotFound, Unauthenticated } from "../errors.js";
import { formatLicense, parseLicense } from "../telemedicine/crm.js";
import { dummyHash, hashPassword, needsRehash, verifyPassword } from "./password.js";
import { searchWords } from "./search-text.js";
import type { CreateUserInput, RegisterInput, Role, UpdateUserInput, User, UserStatusFilter } from "./user.schema.js";
import { findUserByEmail, findUserById, listUsers, listDoctors as selectDoctors, toUser } from "./user.sql.js";

export interface Actor {
  id: string;
  role: Role;
}

/** A password hash no password verifies (fails the format check): an invited account before it is accepted. */
export const INVITED_PASSWORD_HASH = "!invited";

export interface CreateUserOptions {
  /** Whether the email counts as confirmed (default true: admins, seed, tests; self sign-up passes false). */
  emailVerified?: boolean;
  /** Runs inside the creating transaction (the outbox rows of a welcome or invitation message). */
  afterInsert?: (trx: Transaction<DB>, user: User) => Promise<void>;
  now?: Date;
}

/** Creates any kind of account (admin tooling, seed, registration, invitations). */
export async function createUser(
  db: Db,
  input: CreateUserInput,
  actor: Actor | null,
  options: CreateUserOptions = {},
): Promise<User> {
  const passwordHash = input.password !== undefined ? await hashPassword(input.password) : INVITED_PASSWORD_HASH;
  const verifiedAt = options.emailVerified === false ? null : (options.now ?? new Date());
  try {
    return await db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto("users")
        .values({
          email: input.email,
          name: input.name,
          role: input.role,
          password_hash: passwordHash,
          language: input.language ?? "pt-BR",
          email_verified_at: verifiedAt,
          cpf: input.role === "patient" ? (input.cpf ?? null) : null,
          phone: input.phone ?? null,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      if (input.role === "doctor" && input.doctor) {
        const crm = resolveCrm(input.doctor);
        await trx
          .insertInto("doctor_profiles")
          .values({
            user_id: row.id,
            specialty: input.doctor.specialty,
            license_number: crm.licenseNumber,
            crm: crm.crm,
            crm_state: crm.crmState,
            timezone: input.doctor.timezone,
            slot_minutes: input.doctor.slotMinutes,
          })
          .execute();
      }
      await recordAudit(trx, {
        actorId: actor?.id ?? row.id,
        action: actor ? "user.create" : "user.register",
        entity: "user",
        entityId: row.id,
        details: { role: input.role, email: input.email, ...(input.invite ? { invited: true } : {}) },
      });
      const created = toUser((await findUserById(trx, row.id))!);
      await options.afterInsert?.(trx, created);
      return created;
    });
  } catch (err) {
    if (isUniqueViolation(err)) {
      if (/license|crm/.test(violatedConstraint(err) ?? "")) {
        throw new Conflict("license_taken", "Another doctor already has this CRM licence number.");
      }
      if (violatedConstraint(err)?.includes("cpf")) {
        throw new Conflict("cpf_taken", "Another patient already has this CPF.");
      }
      throw new Conflict("email_taken", "An account with this email already exists.");
    }
    throw err;
  }
}

/**
 * The CRM columns of a profile: from `crm` + `crmState`, else read from the licence. A licence that
 * does not read as a CRM (only internal callers can pass one: the HTTP edge refuses it) is kept as
 * written with no CRM.
 */
export function resolveCrm(doctor: { crm?: string | null; crmState?: string | null; licenseNumber?: string }): {
  crm: string | null;
  crmState: string | null;
  licenseNumber: string;
} {
  if (doctor.crm && doctor.crmState) {
    return { crm: doctor.crm, crmState: doctor.crmState, licenseNumber: formatLicense(doctor.crm, doctor.crmState) };
  }
  const parsed = doctor.licenseNumber ? parseLicense(doctor.licenseNumber) : null;
  if (parsed) return { ...parsed, licenseNumber: formatLicense(parsed.crm, parsed.crmState) };
  if (!doctor.licenseNumber) throw new Invalid("crm_required", "A doctor needs a CRM number and state.");
  return { crm: null, crmState: null, licenseNumber: doctor.licenseNumber };
}

export interface UpdateUserOptions {
  /** A new email counts as unconfirmed (the app verifies emails); default false. */
  resetVerification?: boolean;
  /** Runs inside the transaction when the email changed (the outbox row of a new link). */
  afterEmailChange?: (trx: Transaction<DB>, user: User, invited: boolean) => Promise<void>;
}

/**
 * Edits an account's name, email and, for a doctor, their profile (CRM as a pair, specialty, time
 * zone, slot length). Audited with the fields changed (names of fields, not values).
 */
export async function updateUser(
  db: Db,
  id: string,
  input: UpdateUserInput,
  actor: Actor,
  options: UpdateUserOptions = {},
): Promise<User> {
  try {
    return await db.transaction().execute(async (trx) => {
      const row = await findUserById(trx, id);
      if (!row) throw new NotFound("user_not_found", "No such user.");
      if (input.doctor && row.role !== "doctor") {
        throw new Invalid("not_a_doctor", "Only a doctor has a `doctor` profile.");
      }
      if (input.name !== undefined)
        await trx.updateTable("users").set({ name: input.name }).where("id", "=", id).execute();
      // User management (issue 13): a new email (the unique index is case-insensitive).
      const emailChanged = input.email !== undefined && input.email !== row.email.toLowerCase();
      if (emailChanged) {
        await trx
          .updateTable("users")
          .set({ email: input.email!, ...(options.resetVerification ? { email_verified_at: null } : {}) })
          .where("id", "=", id)
          .execute();
      }
      const d = input.doctor;
      if (d) {
        const changes: Record<string, unknown> = {};
        if (d.specialty !== undefined) changes.specialty = d.specialty;
        if (d.timezone !== undefined) changes.timezone = d.timezone;
        if (d.slotMinutes !== undefined) changes.slot_minutes = d.slotMinutes;
        if (d.crm && d.crmState) {
          changes.crm = d.crm;
          changes.crm_state = d.crmState;
          changes.license_number = formatLicense(d.crm, d.crmState);
        }
        if (Object.keys(changes).length > 0) {
          await trx.updateTable("doctor_profiles").set(changes).where("user_id", "=", id).execute();
        }
      }
      const changed = [
        ...(input.name !== undefined ? ["name"] : []),
        ...(emailChanged ? ["email"] : []),
        ...Object.keys(d ?? {}).filter((k) => (d as Record<string, unknown>)[k] !== undefined),
      ];
      await recordAudit(trx, {
        actorId: actor.id,
        action: "user.update",
        entity: "user",
        entityId: id,
        details: { changed, ...(emailChanged && options.resetVerification ? { emailVerificationReset: true } : {}) },
      });
      const updated = toUser((await findUserById(trx, id))!);
      if (emailChanged) await options.afterEmailChange?.(trx, updated, row.password_hash === INVITED_PASSWORD_HASH);
      return updated;
    });
  } catch (err) {
    if (isUniqueViolation(err)) {
      if (/email/.test(violatedConstraint(err) ?? "")) {
        throw new Conflict("email_taken", "An account with this email already exists.");
      }
      throw new Conflict("license_taken", "Another doctor already has this CRM.");
    }
    throw err;
  }
}

/** Self-service sign-up: always a patient. */
export function registerPatient(db: Db, input: RegisterInput, options: CreateUserOptions = {}): Promise<User> {
  return createUser(db, { ...input, role: "patient" }, null, options);
}

/**
 * Checks an email and password. Unknown email, disabled account and wrong password give the same
 * error after the same amount of work, so the answer does not reveal who has an account.
 */
export async function authenticate(db: Db, email: string, password: string): Promise<User> {
  const row = await findUserByEmail(db, email);
  const ok = await verifyPassword(password, row?.password_hash ?? (await dummyHash()));
  if (!row || !ok || row.disabled_at) {
    throw new Unauthenticated("invalid_credentials", "Email or password is incorrect.");
  }
  if (needsRehash(row.password_hash)) {
    await db
      .updateTable("users")
      .set({ password_hash: await hashPassword(password) })
      .where("id", "=", row.id)
      .execute();
  }
  return toUser(row);
}

/** One page of accounts ordered by (name, id), keyset-paginated like consultations. */
export async function listUsersPage(
  db: Db,
  query: {
    role?: Role;
    limit: number;
    cursor?: string;
    q?: string;
    consultedBy?: string;
    status?: UserStatusFilter;
  },
): Promise<{ users: User[]; nextCursor: string | null }> {
  const after = query.cursor ? decodeCursor<[string, string]>(query.cursor, [keyPart.text, keyPart.uuid]) : undefined;
  const words = query.q !== undefined ? searchWords(query.q) : [];
  const rows = await listUsers(
    db,
    query.role,
    { limit: query.limit + 1, after: after && { name: after[0], id: after[1] } },
    { words, consultedBy: query.consultedBy, status: query.status },
  );
  const page = toPage(rows, query.limit, toUser, (u) => [u.name, u.id]);
  return { users: page.items, nextCursor: page.nextCursor };
}

/**
 * `GET /api/users` for its caller (issue #13). Admins list and search every account. A doctor may
 * only search patients (`role=patient`), and only those with a consultation with them, in any
 * status: a cancelled booking still shows that patient in the doctor's own agenda, so finding them
 * again (to rebook) reveals nothing new. Anyone else is refused.
 */
export function listUsersFor(
  db: Db,
  actor: Actor,
  query: { role?: Role; limit: number; cursor?: string; q?: string; status?: UserStatusFilter },
): Promise<{ users: User[]; nextCursor: string | null }> {
  if (actor.role === "admin") return listUsersPage(db, query);
  if (actor.role === "doctor" && query.role === "patient") {
    // A doctor looks for someone to see: active accounts only, whatever `status` asks.
    return listUsersPage(db, { ...query, status: "active", consultedBy: actor.id });
  }
  throw new Forbidden(
    "forbidden",
    actor.role === "doctor"
      ? "Doctors may only search their own patients (role=patient)."
      : "Only administrators and doctors may list accounts.",
  );
}

/** `GET /api/doctors`: every bookable doctor, or those matching `q` (name, specialty) and `specialty`. */
export function listDoctors(db: Db, query: { q?: string; specialty?: string } = {}) {
  return selectDoctors(db, {
    words: query.q !== undefined ? searchWords(query.q) : undefined,
    specialty: query.specialty,
  });
}

export { countUsers } from "./user.sql.js";
