/**
 * Start-up on the embedded database, as `npm start` does it: the first admin, the demo clinic, and
 * data that survives a restart. Each test uses its own PGlite folder in a temp dir.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createApp } from "../http/app.js";
import { createLogger } from "../log/logger.js";
import { GENERATED_ADMIN_EMAIL } from "../seed/bootstrap-admin.js";
import { DEMO_CLINIC_ADDRESS } from "../seed/demo.js";
import { DEMO_REASONS } from "../seed/demo-clinic.js";
import { openPlatform, type Platform } from "./platform.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "healthflow-platform-"));
  dirs.push(dir);
  return dir;
}

/** Opens the platform on a data folder, waits for start-up, and returns it with its log lines. */
async function start(env: Record<string, string>) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ write: (l) => lines.push(JSON.parse(l)) });
  const platform = await openPlatform({ env, logger });
  const report = await platform.ready;
  return { platform, report, lines, app: createApp(platform.deps) };
}

async function login(platform: Platform, email: string, password: string) {
  const res = await createApp(platform.deps).request("/api/auth/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function roles(platform: Platform) {
  const rows = await platform.database.db.selectFrom("users").select(["role", "email"]).execute();
  return rows;
}

describe("first start on an empty embedded database", () => {
  it("without HEALTHFLOW_ADMIN_*: generates a strong admin password once, and data survives a restart", async () => {
    const dir = tempDir();
    const env = { HEALTHFLOW_DATA_DIR: dir, HEALTHFLOW_DEMO: "0" };
    const first = await start(env);
    const generated = first.report.admin.generated!;
    try {
      expect(first.platform.dbConfig).toEqual({ kind: "pglite", dataDir: dir });
      expect(first.report.appliedMigrations.length).toBeGreaterThan(0);
      expect(generated.email).toBe(GENERATED_ADMIN_EMAIL);
      expect(generated.password.length).toBeGreaterThanOrEqual(20);
      expect(generated.password).not.toMatch(/^(123|admin|password|healthflow)/i);
      // demo off: the admin is the only account
      expect(await roles(first.platform)).toEqual([{ role: "admin", email: GENERATED_ADMIN_EMAIL }]);
      expect(first.report.demoLogins).toEqual([]);
      const signedIn = await login(first.platform, generated.email, generated.password);
      expect(signedIn.status).toBe(200);
      expect(signedIn.body.user.role).toBe("admin");
      // the password is never written to the logs (it is shown once, by the banner)
      expect(JSON.stringify(first.lines)).not.toContain(generated.password);
      const ready = await first.app.request("/readyz");
      expect(ready.status).toBe(200);
    } finally {
      await first.platform.close();
    }

    // Restart on the same folder: nothing re-created, nothing generated, the same password works.
    const second = await start(env);
    try {
      expect(second.report.appliedMigrations).toEqual([]);
      expect(second.report.admin).toEqual({ created: false });
      expect(await roles(second.platform)).toHaveLength(1);
      expect((await login(second.platform, generated.email, generated.password)).status).toBe(200);
    } finally {
      await second.platform.close();
    }
    // the room-token key was generated once, kept owner-only
    const secret = join(dir, "secret");
    expect(readFileSync(secret, "utf8").trim().length).toBeGreaterThanOrEqual(32);
    expect(statSync(secret).mode & 0o777).toBe(0o600);
  });

  it("generates a different password for every new install", async () => {
    const a = await start({ HEALTHFLOW_DATA_DIR: tempDir(), HEALTHFLOW_DEMO: "0" });
    await a.platform.close();
    const b = await start({ HEALTHFLOW_DATA_DIR: tempDir(), HEALTHFLOW_DEMO: "0" });
    await b.platform.close();
    expect(a.report.admin.generated!.password).not.toBe(b.report.admin.generated!.password);
  });

  it("with HEALTHFLOW_ADMIN_EMAIL + PASSWORD and HEALTHFLOW_DEMO=1: that admin and the demo clinic, once", async () => {
    const dir = tempDir();
    const env = {
      HEALTHFLOW_DATA_DIR: dir,
      HEALTHFLOW_DEMO: "1",
      HEALTHFLOW_ADMIN_EMAIL: "Chefe@Clinica.Example",
      HEALTHFLOW_ADMIN_PASSWORD: "a long operator passphrase",
    };
    const first = await start(env);
    let logins = first.report.demoLogins;
    try {
      expect(first.report.admin).toEqual({ created: true });
      expect(first.lines.some((l) => l.msg === "administrator created from HEALTHFLOW_ADMIN_EMAIL")).toBe(true);
      const admin = await login(first.platform, "chefe@clinica.example", "a long operator passphrase");
      expect(admin.status).toBe(200);
      expect(admin.body.user).toMatchObject({ email: "chefe@clinica.example", role: "admin" });

      // Three doctors of different specialties in three different zones, and some patients.
      const doctors = await first.app.request("/api/doctors", {
        headers: { authorization: `Bearer ${admin.body.token}` },
      });
      const list = ((await doctors.json()) as any).doctors as { specialty: string; timezone: string }[];
      expect(list).toHaveLength(3);
      expect(new Set(list.map((d) => d.timezone)).size).toBe(3);
      expect(new Set(list.map((d) => d.specialty)).size).toBe(3);
      // Every demo consultation, upcoming or past, has a reason that fits its doctor's specialty.
      const consultations = await first.app.request("/api/consultations?limit=500", {
        headers: { authorization: `Bearer ${admin.body.token}` },
      });
      const booked = ((await consultations.json()) as any).consultations as {
        reason: string;
        doctor: { specialty: string };
      }[];
      expect(booked.length).toBeGreaterThan(6);
      for (const c of booked) expect(DEMO_REASONS[c.doctor.specialty], c.doctor.specialty).toContain(c.reason);
      expect(booked.filter((c) => c.doctor.specialty === "Dermatologia" && /peito/i.test(c.reason))).toEqual([]);
      // In person or video (issue #13): both kinds, the in-person ones at the demo clinic's address.
      const modes = booked as unknown as { mode: string; location: string | null }[];
      expect(modes.filter((c) => c.mode === "video").length).toBeGreaterThan(0);
      const inPerson = modes.filter((c) => c.mode === "in_person");
      expect(inPerson.length).toBeGreaterThan(0);
      for (const c of inPerson) expect(c.location).toBe(DEMO_CLINIC_ADDRESS);
      const all = await roles(first.platform);
      expect(all.filter((u) => u.role === "patient").length).toBeGreaterThanOrEqual(2);
      expect(all.filter((u) => u.role === "admin")).toHaveLength(1);

      // Every printed login works; passwords are random, long and distinct, never "123"-style.
      expect(logins.map((l) => l.role).sort()).toEqual(
        all
          .filter((u) => u.role !== "admin")
          .map((u) => u.role)
          .sort(),
      );
      expect(new Set(logins.map((l) => l.password)).size).toBe(logins.length);
      for (const l of logins) {
        expect(l.password.length).toBeGreaterThanOrEqual(20);
        expect(l.password).not.toMatch(/^(123|demo|password|senha|healthflow)/i);
        expect((await login(first.platform, l.email, l.password)).status, l.email).toBe(200);
      }
      const file = join(dir, "demo-logins.json");
      expect(statSync(file).mode & 0o777).toBe(0o600);
    } finally {
      await first.platform.close();
    }

    const second = await start(env);
    try {
      expect(second.report.admin).toEqual({ created: false });
      const all = await roles(second.platform);
      expect(all.filter((u) => u.role === "admin")).toHaveLength(1);
      expect(all.filter((u) => u.role === "doctor")).toHaveLength(3);
      // the banner can show the same demo logins again, read back from the data folder
      expect(second.report.demoLogins).toEqual(logins);
      logins = [];
    } finally {
      await second.platform.close();
    }
  });

  it("HEALTHFLOW_DEMO=0 with an operator admin starts with that admin only", async () => {
    const started = await start({
      HEALTHFLOW_DATA_DIR: tempDir(),
      HEALTHFLOW_DEMO: "0",
      HEALTHFLOW_ADMIN_EMAIL: "ops@clinica.example",
      HEALTHFLOW_ADMIN_PASSWORD: "another long passphrase",
    });
    try {
      expect(started.report.admin).toEqual({ created: true });
      expect(started.report.demoLogins).toEqual([]);
      expect(await roles(started.platform)).toEqual([{ role: "admin", email: "ops@clinica.example" }]);
    } finally {
      await started.platform.close();
    }
  });
});

describe("seed source", () => {
  it("ships no fixed password: no password literal anywhere in the seed code", () => {
    const dir = join(import.meta.dirname, "../seed");
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.includes(".test."))) {
      const text = readFileSync(join(dir, file), "utf8");
      expect(text, file).not.toMatch(/password\s*[:=]\s*["'`]/i);
      expect(text, file).not.toMatch(/["'`]123["'`]/);
    }
  });
});
