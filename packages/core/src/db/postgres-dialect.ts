import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import type { DB } from "./database.js";
import type { DatabaseHandle, DbConfig } from "./db-config.js";
import { isServerFull } from "./pg-errors.js";

/**
 * A bounded pool with guard rails (medplum's habit): every connection gets a statement timeout, and
 * connecting gives up quickly so that a dead server becomes a 503 rather than a hung request.
 */
export function openPostgres(config: Extract<DbConfig, { kind: "postgres" }>): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolMax ?? 10,
    statement_timeout: config.statementTimeoutMs ?? 10_000,
    connectionTimeoutMillis: config.connectTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client whose server went away emits 'error' on the pool; unhandled, that kills the
  // process. The next query will fail (and be answered 503) or reconnect; nothing to do here.
  pool.on("error", () => {});
  // A client checked out when its connection drops (server restart mid-query) emits 'error' with no
  // pool listener attached: unhandled, that is an uncaught exception. Its query rejects anyway (503).
  pool.on("connect", (client) => {
    client.on("error", () => {});
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: waitingForServerSlots(pool, config) }) });
  return {
    kind: "postgres",
    db,
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}

/**
 * The pool as Kysely sees it, except that a connection the server refuses because it is full
 * (53300 "too many clients", other processes holding every slot for a moment) is tried again with
 * a short backoff until the connect timeout, instead of failing a request that only had to wait.
 */
function waitingForServerSlots(pool: pg.Pool, config: Extract<DbConfig, { kind: "postgres" }>) {
  const patienceMs = config.connectTimeoutMs ?? 5_000;
  return {
    async connect() {
      const deadline = Date.now() + patienceMs;
      for (let delay = 25; ; delay = Math.min(delay * 2, 250)) {
        try {
          return await pool.connect();
        } catch (err) {
          if (!isServerFull(err) || Date.now() + delay > deadline) throw err;
          await new Promise((resolve) => setTimeout(resolve, delay));
        }
      }
    },
    end: () => pool.end(),
  };
}
