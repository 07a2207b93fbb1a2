/**
 * The embedded database's folder is owner-only and nothing in it is readable by others, including
 * the write-ahead log written after start-up (issue #11: it was 0644 and holds password hashes and
 * clinical notes).
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { createDb } from "./create-db.js";
import { migrateToLatest } from "./migrate.js";

const root = mkdtempSync(join(tmpdir(), "hf-private-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function walk(path: string): { path: string; mode: number; dir: boolean }[] {
  const st = statSync(path);
  const here = { path, mode: st.mode & 0o777, dir: st.isDirectory() };
  return st.isDirectory() ? [here, ...readdirSync(path).flatMap((e) => walk(join(path, e)))] : [here];
}

describe("the embedded database's folder", () => {
  it("is 0700 and nothing in it is readable by group or others, WAL included", async () => {
    const dir = join(root, "fresh", ".healthflow");
    const handle = await createDb({ kind: "pglite", dataDir: dir });
    try {
      await migrateToLatest(handle.db);
      // Enough writes to produce WAL after start-up.
      await sql`create table filler (x text)`.execute(handle.db);
      await sql`insert into filler select repeat('x', 1000) from generate_series(1, 2000)`.execute(handle.db);
      await sql`checkpoint`.execute(handle.db);
    } finally {
      await handle.close();
    }
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const entries = walk(dir);
    expect(entries.some((e) => e.path.includes("pg_wal") && !e.dir)).toBe(true);
    const open = entries.filter((e) => e.mode & 0o077);
    expect(open.map((e) => `${e.path} ${e.mode.toString(8)}`)).toEqual([]);
  });

  it("an existing folder with world-readable files is tightened at start", async () => {
    const dir = join(root, "old");
    mkdirSync(join(dir, "pg_wal"), { recursive: true, mode: 0o755 });
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, "pg_wal", "leftover"), "x", { mode: 0o644 });
    chmodSync(join(dir, "pg_wal", "leftover"), 0o644);
    const handle = await createDb({ kind: "pglite", dataDir: dir });
    await handle.close();
    const open = walk(dir).filter((e) => e.mode & 0o077);
    expect(open.map((e) => `${e.path} ${e.mode.toString(8)}`)).toEqual([]);
  });
});
