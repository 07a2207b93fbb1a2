/**
 * `statement_timeout` on every pooled connection: a query that runs too long is cancelled by the
 * server, and the error handler answers it 503 (retry), not 500. Needs a real PostgreSQL server.
 */
import { Hono } from "hono";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppEnv } from "../http/context.js";
import { handleError } from "../http/error-handler.js";
import { silentLogger } from "../log/logger.js";
import { createDb, type DatabaseHandle } from "./create-db.js";
import { isUnavailable } from "./pg-errors.js";

const url = process.env.TEST_DATABASE_URL;
let handle: DatabaseHandle;

describe.skipIf(!url)("statement_timeout (PostgreSQL)", () => {
  beforeAll(async () => {
    handle = await createDb({ kind: "postgres", url: url!, poolMax: 2, statementTimeoutMs: 200 });
  });
  afterAll(async () => {
    await handle?.close();
  });

  it("is set on every connection of the pool", async () => {
    const shows = await Promise.all(
      [0, 1].map(() => sql<{ statement_timeout: string }>`show statement_timeout`.execute(handle.db)),
    );
    for (const s of shows) expect(s.rows[0]!.statement_timeout).toBe("200ms");
  });

  it("cancels a long query, which the error handler answers 503 database_unavailable", async () => {
    const started = performance.now();
    const err = await sql`select pg_sleep(5)`.execute(handle.db).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(3_000);
    expect((err as { code?: string }).code).toBe("57014"); // query_canceled
    expect(isUnavailable(err)).toBe(true);

    const app = new Hono<AppEnv>();
    app.use("*", async (c, next) => {
      c.set("log", silentLogger);
      await next();
    });
    app.get("/slow", async (c) => {
      await sql`select pg_sleep(5)`.execute(handle.db);
      return c.text("never");
    });
    app.onError(handleError);
    const res = await app.request("/slow");
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    expect((await res.json()).error.code).toBe("database_unavailable");
    // The connection is still usable afterwards.
    expect((await sql<{ one: number }>`select 1 as one`.execute(handle.db)).rows[0]!.one).toBe(1);
  });
});
