/**
 * Once per e2e run: build the web app if its sources changed, start the real server (packages/functions/src/server.ts) on
 * a free port with a fresh database (a throw-away PostgreSQL database when TEST_DATABASE_URL is
 * set, else PGlite in a temp dir), an empty clinic and a known admin with a random password. The
 * tests get the address and credentials through vitest's `inject("e2e")`.
 *
 * Without Chromium the run is skipped loudly, except in CI (CI=true), where it fails.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { TestProject } from "vitest/node";
import { ensureWebBuild } from "../scripts/ensure-build.js";

export interface E2EContext {
  skip?: string;
  baseURL: string;
  adminEmail: string;
  adminPassword: string;
  jitsiDomain: string;
  chromium: string;
  database: "postgres" | "pglite";
}

declare module "vitest" {
  export interface ProvidedContext {
    e2e: E2EContext;
  }
}

const ROOT = resolve(import.meta.dirname, "../../..");
export const ARTIFACTS = join(ROOT, "artifacts");
export const JITSI_TEST_DOMAIN = "jitsi.e2e.test";
/** In person or video (issue #13): where in-person consultations take place in the e2e clinic. */
export const E2E_CLINIC_ADDRESS = "Rua Augusta, 500 – Consolação, São Paulo – SP";

export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
}

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => ok(port));
    });
  });
}

async function waitReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`the server exited with code ${child.exitCode}; see artifacts/e2e-server.log`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`the server at ${url} was not ready within ${timeoutMs} ms; see artifacts/e2e-server.log`);
}

export default async function setup(project: TestProject) {
  const chromium = chromiumPath();
  const blank: E2EContext = {
    baseURL: "",
    adminEmail: "",
    adminPassword: "",
    jitsiDomain: "",
    chromium,
    database: "pglite",
  };
  if (!existsSync(chromium)) {
    const why = `Chromium not found at ${chromium}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`;
    if (process.env.CI === "true") throw new Error(`E2E FAILED TO START: ${why}`);
    const bar = "!".repeat(100);
    console.warn(`\n${bar}\n!! E2E TESTS SKIPPED: ${why}\n${bar}\n`);
    project.provide("e2e", { ...blank, skip: why });
    return;
  }

  mkdirSync(join(ARTIFACTS, "screenshots"), { recursive: true });
  // The same production bundle `npm start` serves, built only when its sources changed (never a
  // test-only build over the one users get).
  if (process.env.E2E_SKIP_BUILD !== "1") ensureWebBuild();

  const dataDir = mkdtempSync(join(tmpdir(), "healthflow-e2e-"));
  const adminEmail = `admin-${randomBytes(3).toString("hex")}@e2e.healthflow.test`;
  const adminPassword = randomBytes(18).toString("base64url");
  const port = await freePort();
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PORT: String(port),
    HOST: "127.0.0.1",
    HEALTHFLOW_DATA_DIR: dataDir,
    HEALTHFLOW_DEMO: "0",
    HEALTHFLOW_ADMIN_EMAIL: adminEmail,
    HEALTHFLOW_ADMIN_PASSWORD: adminPassword,
    HEALTHFLOW_MIN_NOTICE_MINUTES: "0",
    // The journeys sign up and book at once; the verification screens have their own checks.
    HEALTHFLOW_REQUIRE_EMAIL_VERIFICATION: "0",
    JITSI_DOMAIN: JITSI_TEST_DOMAIN,
    HEALTHFLOW_CLINIC_ADDRESS: E2E_CLINIC_ADDRESS,
    // Every browser in the run signs in from 127.0.0.1: the per-IP limit would stop the suite.
    HEALTHFLOW_AUTH_MAX_PER_IP: "10000",
    LOG_FORMAT: "json",
    LOG_LEVEL: "warn",
  };
  delete env.DATABASE_URL;
  delete env.JITSI_APP_ID;
  delete env.JITSI_APP_SECRET;

  let dropDatabase: (() => Promise<void>) | undefined;
  if (process.env.TEST_DATABASE_URL) {
    const pg = (await import("pg")).default;
    const name = `healthflow_e2e_${randomBytes(4).toString("hex")}`;
    const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(process.env.TEST_DATABASE_URL);
    url.pathname = `/${name}`;
    env.DATABASE_URL = url.toString();
    dropDatabase = async () => {
      const c = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  }

  const log = createWriteStream(join(ARTIFACTS, "e2e-server.log"));
  const child = spawn(process.execPath, ["--import", "tsx", "packages/functions/src/server.ts"], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const baseURL = `http://127.0.0.1:${port}`;

  const teardown = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    await dropDatabase?.().catch((err) => console.warn("dropping the e2e database failed:", err));
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    await waitReady(baseURL, child, 120_000);
  } catch (err) {
    await teardown();
    throw err;
  }
  project.provide("e2e", {
    baseURL,
    adminEmail,
    adminPassword,
    jitsiDomain: JITSI_TEST_DOMAIN,
    chromium,
    database: env.DATABASE_URL ? "postgres" : "pglite",
  });
  return teardown;
}
