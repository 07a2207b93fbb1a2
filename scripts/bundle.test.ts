/**
 * The pod images hold only the bundle (no node_modules), so the bundle itself must run: copied to a
 * folder with no node_modules above it, the migrate entry migrates a real PostgreSQL and the server
 * entry answers /healthz and /readyz, then drains and exits 0 on SIGTERM. Needs TEST_DATABASE_URL
 * (a server where the role may create databases); skipped without it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundle } from "./bundle.js";

const adminUrl = process.env.TEST_DATABASE_URL;
const videoEntry = resolve(import.meta.dirname, "../packages/functions/src/video-server.ts");

function hasNodeModulesAbove(dir: string): boolean {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, "node_modules"))) return true;
    if (dirname(d) === d) return false;
  }
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
    s.on("error", rej);
  });
}

function run(
  file: string,
  env: Record<string, string>,
): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
  let out = "";
  // Only what the pod would have: no inherited DATABASE_URL or NODE_PATH from the test runner.
  const child = spawn(process.execPath, [file], { cwd: dirname(file), env: { PATH: process.env.PATH ?? "", ...env } });
  child.stdout!.on("data", (d) => {
    out += d;
  });
  child.stderr!.on("data", (d) => {
    out += d;
  });
  const exit = new Promise<number | null>((res) => child.on("exit", (code) => res(code)));
  return { child, output: () => out, exit };
}

async function waitFor200(url: string, timeoutMs: number): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const r = await fetch(url);
      if (r.status === 200) return r;
      last = `status ${r.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer 200 in ${timeoutMs} ms (last: ${last})`);
}

describe.skipIf(!adminUrl)("bundled pod entries", () => {
  const work = mkdtempSync(join(tmpdir(), "hf-bundle-"));
  const dbName = `hf_bundle_${randomBytes(4).toString("hex")}`;
  let databaseUrl = "";
  const baseEnv = () => ({
    DATABASE_URL: databaseUrl,
    HEALTHFLOW_SECRET: randomBytes(32).toString("base64url"),
    HEALTHFLOW_DATA_DIR: join(work, "data"),
    LOG_FORMAT: "json",
    DB_CONNECT_TIMEOUT_SECONDS: "20",
  });

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${dbName}`);
    await admin.end();
    const u = new URL(adminUrl!);
    u.pathname = `/${dbName}`;
    databaseUrl = u.toString();
    await bundle({ only: "core", outdir: join(work, "dist") });
  });

  afterAll(async () => {
    rmSync(work, { recursive: true, force: true });
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.end();
  });

  it("runs from a folder with no node_modules anywhere above it", () => {
    expect(hasNodeModulesAbove(join(work, "dist", "core"))).toBe(false);
    expect(existsSync(join(work, "dist", "core", "server.mjs"))).toBe(true);
    expect(existsSync(join(work, "dist", "core", "migrate.mjs"))).toBe(true);
  });

  it("migrate.mjs applies the migrations and exits 0", async () => {
    const p = run(join(work, "dist", "core", "migrate.mjs"), baseEnv());
    expect(await p.exit, p.output()).toBe(0);
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    const { rows } = await db.query("select name from kysely_migration order by name");
    await db.end();
    expect(rows.length).toBeGreaterThan(0);
  });

  it("migrate.mjs exits non-zero when the database cannot be reached", async () => {
    const port = await freePort();
    const p = run(join(work, "dist", "core", "migrate.mjs"), {
      ...baseEnv(),
      DATABASE_URL: `postgres://nobody:nothing@127.0.0.1:${port}/none`,
      DB_CONNECT_TIMEOUT_SECONDS: "1",
    });
    expect(await p.exit).not.toBe(0);
  });

  it("server.mjs answers /healthz and /readyz, then drains and exits 0 on SIGTERM", async () => {
    const port = await freePort();
    const p = run(join(work, "dist", "core", "server.mjs"), {
      ...baseEnv(),
      PORT: String(port),
      HOST: "127.0.0.1",
      SHUTDOWN_GRACE_MS: "2000",
      HEALTHFLOW_ADMIN_EMAIL: "ops@example.test",
      HEALTHFLOW_ADMIN_PASSWORD: randomBytes(12).toString("base64url"),
    });
    try {
      const live = await waitFor200(`http://127.0.0.1:${port}/healthz`, 20_000);
      expect(await live.json()).toEqual({ status: "ok" });
      const ready = await waitFor200(`http://127.0.0.1:${port}/readyz`, 30_000);
      expect(await ready.json()).toEqual({ status: "ready" });
      p.child.kill("SIGTERM");
      expect(await p.exit, p.output()).toBe(0);
      expect(p.output()).toContain("stopped");
    } finally {
      p.child.kill("SIGKILL");
    }
  });

  it.skipIf(!existsSync(videoEntry))("video/server.mjs bundles and answers /healthz", async () => {
    const [entry] = await bundle({ only: "video", outdir: join(work, "dist") });
    const port = await freePort();
    const p = run(entry!, { ...baseEnv(), PORT: String(port), HOST: "127.0.0.1", SHUTDOWN_GRACE_MS: "2000" });
    try {
      const live = await waitFor200(`http://127.0.0.1:${port}/healthz`, 20_000);
      expect(live.status).toBe(200);
      await waitFor200(`http://127.0.0.1:${port}/readyz`, 30_000);
      p.child.kill("SIGTERM");
      expect(await p.exit, p.output()).toBe(0);
    } finally {
      p.child.kill("SIGKILL");
    }
  });
});
