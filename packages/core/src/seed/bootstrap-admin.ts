/**
 * The first administrator. Either named by the operator (`HEALTHFLOW_ADMIN_EMAIL` +
 * `HEALTHFLOW_ADMIN_PASSWORD`), or, on the first start of an empty database, created with a strong
 * random password that is printed once. There is no default password anywhere.
 */

import type { Db } from "../db/database.js";
import { Conflict } from "../errors.js";
import type { Logger } from "../log/logger.js";
import { generatePassword } from "../users/password.js";
import { countUsers, createUser } from "../users/user.js";
import { findUserByEmail } from "../users/user.sql.js";

export const GENERATED_ADMIN_EMAIL = "admin@healthflow.local";

/**
 * Several pods may start on an empty database at once: the one whose insert loses on the unique
 * email simply finds the administrator made by another.
 */
function lostRace(err: unknown): undefined {
  if (err instanceof Conflict && err.code === "email_taken") return undefined;
  throw err;
}

export interface BootstrapResult {
  /** Set only when a password was generated now; shown to the operator once. */
  generated?: { email: string; password: string };
  created: boolean;
}

export async function bootstrapAdmin(
  db: Db,
  env: { email?: string; password?: string },
  logger: Logger,
): Promise<BootstrapResult> {
  if (env.email && env.password) {
    if (await findUserByEmail(db, env.email)) return { created: false };
    const made = await createUser(
      db,
      { email: env.email.toLowerCase(), name: "Administrator", role: "admin", password: env.password },
      null,
    ).catch(lostRace);
    if (!made) return { created: false };
    logger.info("administrator created from HEALTHFLOW_ADMIN_EMAIL", { email: env.email });
    return { created: true };
  }
  if ((await countUsers(db)) > 0) return { created: false };
  const email = (env.email ?? GENERATED_ADMIN_EMAIL).toLowerCase();
  const password = generatePassword();
  const made = await createUser(db, { email, name: "Administrator", role: "admin", password }, null).catch(lostRace);
  if (!made) return { created: false };
  return { created: true, generated: { email, password } };
}
