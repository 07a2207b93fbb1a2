import type { Kysely, Transaction } from "kysely";
import type { DB } from "./database.js";

/** Runs `fn` in the caller's transaction when given one, else in a new transaction. */
export function inTransaction<T>(
  db: Kysely<DB> | Transaction<DB>,
  fn: (trx: Transaction<DB>) => Promise<T>,
): Promise<T> {
  return db.isTransaction ? fn(db as Transaction<DB>) : db.transaction().execute(fn);
}
