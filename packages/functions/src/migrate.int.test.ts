/**
 * `npm run migrate` as real processes against a real PostgreSQL server: two started at once both
 * succeed and every migration is recorded exactly once; a failing migration exits non-zero naming
 * it. Each test gets a throw-away database on the TEST_DATABASE_URL server, dropped afterwards.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { migrations } from "../../core/migrations/index.js";

const serverUrl = process.env.TEST_DATABASE_URL;
const root = resolve(import.meta.dirname, "../../..");
const tsx = join(root, "node_modules/.bin/tsx");
const created: string[] = [];
// Made lazily: with the suite skipped (no server), vitest runs no hooks and nothing is left behind.
let dataDir: string | undefined;

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function throwAwayDatabase(): Promise<string> {
  const name = `healthflow_migrate_${randomBytes(4).toString("hex")}`;
  await admin((c) => c.query(`create database ${name}`));
  created.push(name);
  const url = new URL(serverUrl!);
  url.pathname = `/${name}`;
  return url.toString();
}

afterAll(async () => {
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  if (!serverUrl) return;
  for (const name of created) await admin((c) => c.query(`drop database if exists ${name} with (force)`));
});

interface Run {
  code: number | null;
  lines: Record<string, unknown>[];
  stderr: string;
}

function runMigrate(databaseUrl: string, extraEnv: Record<string, string> = {}): Promise<Run> {
  dataDir ??= mkdtempSync(join(tmpdir(), "healthflow-migrate-"));
  return new Promise((done, fail) => {
    const child = spawn(tsx, ["packages/functions/src/migrate.ts"], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        DATABASE_URL: databaseUrl,
        HEALTHFLOW_DATA_DIR: dataDir,
        ...extraEnv,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", fail);
    child.on("close", (code) => {
      clearTimeout(timer);
      const lines = out
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      done({ code, lines, stderr: err });
    });
  });
}

describe.skipIf(!serverUrl)("npm run migrate against PostgreSQL", () => {
  it("two processes started at once both exit 0 and every migration is recorded exactly once", async () => {
    const url = await throwAwayDatabase();
    const [a, b] = await Promise.all([runMigrate(url), runMigrate(url)]);
    for (const run of [a, b]) expect(run.code, run.stderr + JSON.stringify(run.lines)).toBe(0);

    const rows = await admin(async (c) => {
      await c.query(`select 1`);
      const db = new pg.Client({ connectionString: url });
      await db.connect();
      try {
        return (
          await db.query<{ name: string; n: string }>(
            "select name, count(*) as n from kysely_migration group by name order by name",
          )
        ).rows;
      } finally {
        await db.end();
      }
    });
    expect(rows).toEqual(Object.keys(migrations).map((name) => ({ name, n: "1" })));

    // One of them did the work; the other found nothing left to do.
    const appliedBy = [a, b].map((r) => (r.lines.find((l) => Array.isArray(l.applied))?.applied as string[]) ?? []);
    expect(appliedBy.flat().sort()).toEqual(Object.keys(migrations).sort());
    expect(appliedBy.filter((list) => list.length === 0)).toHaveLength(1);
    expect([a, b].some((r) => r.lines.some((l) => l.msg === "database already current"))).toBe(true);

    // A third run later is a no-op that still exits 0.
    const again = await runMigrate(url);
    expect(again.code).toBe(0);
    expect(again.lines.some((l) => l.msg === "database already current")).toBe(true);
  });

  it("exits non-zero with the failing migration's name in the message", async () => {
    const url = await throwAwayDatabase();
    // A table already in the way makes the first migration fail, as a broken migration would.
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    await db.query("create table users (id int)");
    await db.end();
    const first = Object.keys(migrations)[0]!;
    const run = await runMigrate(url);
    expect(run.code).toBe(1);
    const failure = run.lines.find((l) => l.level === "error");
    expect(failure?.msg).toMatch(new RegExp(`^migration failed: migration ${first} failed: .*users.*already exists`));
  });

  it("exits non-zero, saying why, when the server refuses the credentials", async () => {
    const url = new URL(await throwAwayDatabase());
    url.password = "definitely-wrong";
    // A refused password cannot be fixed by waiting: start-up gives up at once instead of retrying
    // for DB_CONNECT_TIMEOUT_SECONDS (300 s here, far beyond this test's own timeout).
    const run = await runMigrate(url.toString(), { DB_CONNECT_TIMEOUT_SECONDS: "300" });
    expect(run.code).toBe(1);
    expect(run.lines.find((l) => l.level === "error")?.msg).toMatch(
      /^migration failed: database refused the connection: .*password authentication failed/,
    );
  }, 30_000);
});
