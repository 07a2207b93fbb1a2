/**
 * Accounts that recover themselves: sign-up with email verification, forgot/reset password,
 * change password, sign out everywhere, invitations, the language preference.
 *
 * Nothing here reveals whether an email has an account: sign-up, resend and forgot-password do the
 * same work and give the same answer either way (the owner of an existing account is told by mail
 * instead). Every message is enqueued in the transaction of its change; every change is audited.
 */
import { recordAudit } from "../audit/audit.js";
import type { Db, Language } from "../db/database.js";
import { inTransaction } from "../db/transaction.js";
import { Conflict, Invalid, NotFound } from "../errors.js";
import { renderAccountMessage, TOKEN_PLACEHOLDER } from "../notifications/messages.js";
import { enqueue, mayMessage, type NewMessage, type NotifyContext } from "../notifications/outbox.js";
import { isAnonymised } from "../privacy/privacy.js";
import { hashPassword, verifyPassword } from "../users/password.js";
import { type Actor, createUser, registerPatient, updateUser } from "../users/user.js";
import type { CreateUserInput, RegisterInput, UpdateMeInput, UpdateUserInput, User } from "../users/user.schema.js";
import { findUserByEmail, findUserById, toUser } from "../users/user.sql.js";
import { consumeAccountToken } from "./account-tokens.js";

type Recipient = { id: string; email: string; name: string; language: Language; role: User["role"] };

type AccountKind = "verify_email" | "signup_existing" | "reset_password" | "password_changed" | "invite";

const LINK_PATHS = { verify_email: "/verify-email", reset_password: "/reset-password", invite: "/accept-invite" };

export function accountMessage(kind: AccountKind, to: Recipient, ctx: NotifyContext): NewMessage {
  const origin = ctx.publicOrigin;
  const tokenPurpose = kind === "verify_email" || kind === "reset_password" || kind === "invite" ? kind : undefined;
  const rendered = renderAccountMessage(kind, to.language, {
    name: to.name,
    role: to.role,
    link: tokenPurpose ? `${origin}${LINK_PATHS[tokenPurpose]}?token=${TOKEN_PLACEHOLDER}` : undefined,
    loginUrl: `${origin}/login`,
    forgotUrl: `${origin}/forgot-password`,
  });
  return { kind, to: to.email, recipientId: to.id, language: to.language, rendered, tokenPurpose };
}

/** "Someone tried to sign up with your email", at most once an hour and three times a day. */
async function tellOwnerOfSignUp(db: Db, owner: Recipient & { disabled: boolean }, ctx: NotifyContext) {
  if (owner.disabled) return;
  if (!(await mayMessage(db, owner.id, ["signup_existing"], ctx.now, { minIntervalMs: 3_600_000, perDay: 3 }))) return;
  await enqueue(db, ctx, [accountMessage("signup_existing", owner, ctx)]);
}

function recipientOf(row: NonNullable<Awaited<ReturnType<typeof findUserById>>>): Recipient & { disabled: boolean } {
  return { ...toUser(row), disabled: row.disabled_at != null };
}

/**
 * Sign-up with verification on: a new email gets an unverified patient and a verification link;
 * an existing one gets nothing new, and its owner a warning. The caller answers 202 either way.
 */
export async function registerWithVerification(db: Db, input: RegisterInput, ctx: NotifyContext): Promise<void> {
  const existing = await findUserByEmail(db, input.email);
  if (existing) {
    await hashPassword(input.password); // the same work as creating the account: no timing oracle
    await tellOwnerOfSignUp(db, recipientOf(existing), ctx);
    return;
  }
  try {
    await registerPatient(db, input, {
      emailVerified: false,
      now: ctx.now,
      afterInsert: (trx, user) => enqueue(trx, ctx, [accountMessage("verify_email", user, ctx)]).then(() => {}),
    });
  } catch (err) {
    if (!(err instanceof Conflict && err.code === "email_taken")) throw err;
    // A concurrent sign-up with the same email won.
    const winner = await findUserByEmail(db, input.email);
    if (winner) await tellOwnerOfSignUp(db, recipientOf(winner), ctx);
  }
}

/** Uses a verification link: the email is confirmed and the caller signs in as its owner. */
export async function verifyEmail(db: Db, token: string, now: Date): Promise<User> {
  return inTransaction(db, async (trx) => {
    const owner = await consumeAccountToken(trx, token, "verify_email", now);
    await trx
      .updateTable("users")
      .set((eb) => ({ email_verified_at: eb.fn.coalesce("email_verified_at", eb.val(now)) }))
      .where("id", "=", owner.userId)
      .execute();
    await recordAudit(trx, {
      actorId: owner.userId,
      action: "user.verify_email",
      entity: "user",
      entityId: owner.userId,
    });
    return toUser((await findUserById(trx, owner.userId))!);
  });
}

/** Another verification link, when the account exists, is unverified and has not had one too recently. */
export async function resendVerification(db: Db, email: string, ctx: NotifyContext): Promise<void> {
  const row = await findUserByEmail(db, email);
  if (!row || row.disabled_at || row.email_verified_at) return;
  if (!(await mayMessage(db, row.id, ["verify_email"], ctx.now))) return;
  await enqueue(db, ctx, [accountMessage("verify_email", toUser(row), ctx)]);
}

/** A reset link (30 minutes, single use), when the account exists and has not had one too recently. */
export async function requestPasswordReset(db: Db, email: string, ctx: NotifyContext): Promise<void> {
  const row = await findUserByEmail(db, email);
  if (!row || row.disabled_at) return;
  if (!(await mayMessage(db, row.id, ["reset_password"], ctx.now))) return;
  await enqueue(db, ctx, [accountMessage("reset_password", toUser(row), ctx)]);
}

/** Sets a new password from a reset link; every session of the account ends. */
export async function resetPassword(db: Db, token: string, password: string, ctx: NotifyContext): Promise<void> {
  const hash = await hashPassword(password);
  await inTransaction(db, async (trx) => {
    const owner = await consumeAccountToken(trx, token, "reset_password", ctx.now);
    await trx
      .updateTable("users")
      // The link reached its owner's inbox: that confirms the email too.
      .set((eb) => ({ password_hash: hash, email_verified_at: eb.fn.coalesce("email_verified_at", eb.val(ctx.now)) }))
      .where("id", "=", owner.userId)
      .execute();
    await trx.deleteFrom("sessions").where("user_id", "=", owner.userId).execute();
    await recordAudit(trx, {
      actorId: owner.userId,
      action: "user.password_reset",
      entity: "user",
      entityId: owner.userId,
    });
    const user = toUser((await findUserById(trx, owner.userId))!);
    await enqueue(trx, ctx, [accountMessage("password_changed", user, ctx)]);
  });
}

/** Changes the password (the current one is required); the account's other sessions end. */
export async function changePassword(
  db: Db,
  userId: string,
  input: { currentPassword: string; newPassword: string },
  keepSessionId: string | undefined,
  ctx: NotifyContext,
): Promise<void> {
  const row = await findUserById(db, userId);
  if (!row || row.disabled_at) throw new NotFound("user_not_found", "No such user.");
  if (!(await verifyPassword(input.currentPassword, row.password_hash))) {
    throw new Invalid("wrong_password", "The current password is not correct.");
  }
  const hash = await hashPassword(input.newPassword);
  await inTransaction(db, async (trx) => {
    await trx.updateTable("users").set({ password_hash: hash }).where("id", "=", userId).execute();
    let others = trx.deleteFrom("sessions").where("user_id", "=", userId);
    if (keepSessionId) others = others.where("id", "<>", keepSessionId);
    await others.execute();
    await recordAudit(trx, { actorId: userId, action: "user.password_change", entity: "user", entityId: userId });
    await enqueue(trx, ctx, [accountMessage("password_changed", toUser(row), ctx)]);
  });
}

/** Ends every session of the account, this one included. */
export async function signOutEverywhere(db: Db, userId: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    await trx.deleteFrom("sessions").where("user_id", "=", userId).execute();
    await recordAudit(trx, { actorId: userId, action: "user.logout_all", entity: "user", entityId: userId });
  });
}

/**
 * An admin creates an account. With `invite: true` it has no usable password until its owner
 * accepts the invitation link (7 days); otherwise the admin's password is set and the email counts
 * as verified.
 */
export async function createAccount(db: Db, input: CreateUserInput, actor: Actor, ctx: NotifyContext): Promise<User> {
  if (!input.invite) return createUser(db, input, actor, { now: ctx.now });
  return createUser(db, { ...input, password: undefined }, actor, {
    emailVerified: false,
    now: ctx.now,
    afterInsert: (trx, user) => enqueue(trx, ctx, [accountMessage("invite", user, ctx)]).then(() => {}),
  });
}

/** Accepts an invitation: the password is set, the email confirmed, and the caller signs in. */
export async function acceptInvite(db: Db, token: string, password: string, ctx: NotifyContext): Promise<User> {
  const hash = await hashPassword(password);
  return inTransaction(db, async (trx) => {
    const owner = await consumeAccountToken(trx, token, "invite", ctx.now);
    await trx
      .updateTable("users")
      .set({ password_hash: hash, email_verified_at: ctx.now })
      .where("id", "=", owner.userId)
      .execute();
    await recordAudit(trx, {
      actorId: owner.userId,
      action: "user.accept_invite",
      entity: "user",
      entityId: owner.userId,
    });
    return toUser((await findUserById(trx, owner.userId))!);
  });
}

/**
 * The signed-in person's own profile: name, phone (`null` removes it) and the language of their
 * messages and screens. Never role or email. A change of name or phone is audited (field names only).
 */
export async function updateProfile(db: Db, userId: string, input: UpdateMeInput): Promise<User> {
  return inTransaction(db, async (trx) => {
    const changes: { name?: string; phone?: string | null; language?: Language } = {};
    if (input.name !== undefined) changes.name = input.name;
    if (input.phone !== undefined) changes.phone = input.phone;
    if (input.language !== undefined) changes.language = input.language;
    if (Object.keys(changes).length > 0) {
      await trx.updateTable("users").set(changes).where("id", "=", userId).execute();
    }
    const audited = Object.keys(changes).filter((k) => k !== "language");
    if (audited.length > 0) {
      await recordAudit(trx, {
        actorId: userId,
        action: "user.update_profile",
        entity: "user",
        entityId: userId,
        details: { changed: audited },
      });
    }
    const row = await findUserById(trx, userId);
    if (!row) throw new NotFound("user_not_found", "No such user.");
    return toUser(row);
  });
}

/**
 * An admin edits an account (issue 13). A new email is bound at once (409 `email_taken` when another
 * account has it, whatever the case); links sent to the old address stop working (tokens are bound
 * to the address). When the app verifies emails, the new address counts as unconfirmed and a
 * confirmation link goes to it; an account still waiting on its invitation gets a new invitation
 * at the new address instead.
 */
export async function updateAccount(
  db: Db,
  id: string,
  input: UpdateUserInput,
  actor: Actor,
  ctx: NotifyContext,
  verifyEmails: boolean,
): Promise<User> {
  // An anonymised patient stays anonymous: editing them would put an identity back.
  const row = await findUserById(db, id);
  if (row && isAnonymised(row)) {
    throw new Conflict("anonymised", "This patient was anonymised: the account cannot be edited.");
  }
  return updateUser(db, id, input, actor, {
    resetVerification: verifyEmails,
    afterEmailChange: async (trx, user, invited) => {
      if (invited) await enqueue(trx, ctx, [accountMessage("invite", user, ctx)]);
      else if (verifyEmails) await enqueue(trx, ctx, [accountMessage("verify_email", user, ctx)]);
    },
  });
}
