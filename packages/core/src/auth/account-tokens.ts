/**
 * Single-use account tokens: email verification (48 h), password reset (30 min) and invitations
 * (7 days). The token travels only in a link to its owner; the database keeps its SHA-256, the
 * account it belongs to and the email it was sent to. Using one is a conditional UPDATE, so two
 * racing uses of one token cannot both succeed.
 */
import { randomBytes } from "node:crypto";
import type { Db, Language, TokenPurpose } from "../db/database.js";
import { Invalid } from "../errors.js";
import { hashToken } from "./session.js";

/** Timestamps as read back (Date from pg and the Data API dialect; a string from raw JSON). */
const toDate = (v: Date | string): Date => (v instanceof Date ? v : new Date(v));

export const TOKEN_TTL_MINUTES: Record<TokenPurpose, number> = {
  verify_email: 48 * 60,
  reset_password: 30,
  invite: 7 * 24 * 60,
};

/** Creates a token for a user (at the moment its message is sent) and returns it in clear, once. */
export async function issueAccountToken(
  db: Db,
  input: { userId: string; email: string; purpose: TokenPurpose; now: Date },
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(input.now.getTime() + TOKEN_TTL_MINUTES[input.purpose] * 60_000);
  await db
    .insertInto("account_tokens")
    .values({
      user_id: input.userId,
      purpose: input.purpose,
      token_hash: hashToken(token),
      email: input.email.toLowerCase(),
      created_at: input.now,
      expires_at: expiresAt,
    })
    .execute();
  return { token, expiresAt };
}

export interface TokenOwner {
  userId: string;
  email: string;
  role: "admin" | "doctor" | "patient";
  language: Language;
}

const invalid = () => new Invalid("invalid_token", "This link is not valid. Ask for a new one.");

/**
 * Uses a token: 400 `invalid_token` (unknown, another purpose, or its account changed email or was
 * disabled since), `token_expired`, `token_used`. On success every other unused token of the same
 * purpose for that account is spent too (one reset ends all pending reset links). Run it inside the
 * transaction that applies the change, so a failure later in it leaves the token unused.
 */
export async function consumeAccountToken(
  db: Db,
  token: string,
  purpose: TokenPurpose,
  now: Date,
): Promise<TokenOwner> {
  if (token.length < 20 || token.length > 200) throw invalid();
  const hash = hashToken(token);
  const row = await db
    .selectFrom("account_tokens as t")
    .innerJoin("users as u", "u.id", "t.user_id")
    .select([
      "t.id",
      "t.user_id",
      "t.purpose",
      "t.email",
      "t.expires_at",
      "t.used_at",
      "u.email as user_email",
      "u.disabled_at",
      "u.role",
      "u.language",
    ])
    .where("t.token_hash", "=", hash)
    .executeTakeFirst();
  if (!row || row.purpose !== purpose) throw invalid();
  if (row.used_at) throw new Invalid("token_used", "This link was already used.");
  if (toDate(row.expires_at).getTime() <= now.getTime()) {
    throw new Invalid("token_expired", "This link has expired. Ask for a new one.");
  }
  // Issued to another address than the account has now (anonymised, changed): not this account's.
  if (row.user_email.toLowerCase() !== row.email || row.disabled_at) throw invalid();
  const spent = await db
    .updateTable("account_tokens")
    .set({ used_at: now })
    .where("id", "=", row.id)
    .where("used_at", "is", null)
    .returning("id")
    .executeTakeFirst();
  // Another request used it between our read and our write.
  if (!spent) throw new Invalid("token_used", "This link was already used.");
  await db
    .updateTable("account_tokens")
    .set({ used_at: now })
    .where("user_id", "=", row.user_id)
    .where("purpose", "=", purpose)
    .where("used_at", "is", null)
    .execute();
  return { userId: row.user_id, email: row.user_email, role: row.role, language: row.language };
}
