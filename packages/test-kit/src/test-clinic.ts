/**
 * Test harness: a real database and the real app, with helpers to make people and call the API.
 *
 * - `TEST_DATABASE_URL` set: a real PostgreSQL server (CI). Tests share it; each test makes its own
 *   people with random emails instead of truncating tables (medplum's habit), so files run in
 *   parallel.
 * - `TEST_DB_ENGINE=data-api` (with `TEST_DATABASE_URL`): the same server, reached through the
 *   RDS Data API dialect and an in-process `RDSData` stand-in (see data-api-stand-in.ts).
 * - otherwise: an in-memory PGlite per harness, the embedded engine of `npm start`.
 */
import { randomUUID } from "node:crypto";
import { type AppConfig, createUser, defaultAppConfig, silentLogger, startSession } from "@healthflow/core";
import { createDb, type DatabaseHandle, type DB, type DbConfig, migrateToLatest } from "@healthflow/core/db";
import { type AppDeps, type AppEnv, createApp, type HealthFlowApp } from "@healthflow/core/http";
import type { CreateUserInput, DoctorProfile, Role, User } from "@healthflow/core/schemas";
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Kysely } from "kysely";
import { DataApiStandIn } from "./data-api-stand-in.js";

export const TEST_PASSWORD = "correct horse battery staple";

/** The engine the tests run on; `url` overrides TEST_DATABASE_URL (a throw-away database on that server). */
export function testDbConfig(url = process.env.TEST_DATABASE_URL): DbConfig {
  if (process.env.TEST_DB_ENGINE === "data-api") {
    if (!url) throw new Error("TEST_DB_ENGINE=data-api needs TEST_DATABASE_URL (the stand-in runs on that server)");
    // The Data API path end to end: DataApiDialect → an RDSData stand-in → the real server.
    return {
      kind: "data-api",
      clusterArn: "arn:aws:rds:us-east-1:000000000000:cluster:healthflow-test",
      secretArn: "arn:aws:secretsmanager:us-east-1:000000000000:secret:healthflow-test",
      database: "healthflow_test",
      client: new DataApiStandIn(url, { poolMax: 20 }),
    };
  }
  return url ? { kind: "postgres", url, poolMax: 20, connectTimeoutMs: 30_000 } : { kind: "pglite" };
}

export async function openTestDatabase(config: DbConfig = testDbConfig()): Promise<DatabaseHandle> {
  const handle = await createDb(config);
  await migrateToLatest(handle.db);
  return handle;
}

export interface TestPerson {
  user: User;
  token: string;
  headers: Record<string, string>;
}

export interface ApiResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface TestClinic {
  app: HealthFlowApp;
  db: Kysely<DB>;
  deps: AppDeps;
  database: DatabaseHandle;
  /** The app's clock; `clock.set(date)` moves it. */
  clock: { now(): Date; set(date: Date): void; advance(ms: number): void };
  person(
    role: Role,
    overrides?: Omit<Partial<CreateUserInput>, "doctor" | "role"> & { doctor?: Partial<DoctorProfile> },
  ): Promise<TestPerson>;
  call<T = any>(
    method: string,
    path: string,
    options?: { body?: unknown; as?: TestPerson | string; headers?: Record<string, string> },
  ): Promise<ApiResult<T>>;
  close(): Promise<void>;
}

export function uniqueEmail(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}@test.healthflow.local`;
}

export async function createTestClinic(
  options: {
    config?: Partial<AppConfig>;
    database?: DatabaseHandle;
    now?: Date;
    /** Extra route modules, as the adapters mount them (e.g. the room service's routes). */
    modules?: OpenAPIHono<AppEnv>[];
  } = {},
): Promise<TestClinic> {
  const database = options.database ?? (await openTestDatabase());
  let current: Date | undefined = options.now;
  const clock = {
    now: () => (current ? new Date(current) : new Date()),
    set: (d: Date) => {
      current = d;
    },
    advance: (ms: number) => {
      current = new Date(clock.now().getTime() + ms);
    },
  };
  const deps: AppDeps = {
    db: database.db,
    config: defaultAppConfig({ secret: "test-secret-0123456789-abcdefghijklmnop", ...options.config }),
    logger: silentLogger,
    readiness: { started: () => true, check: async () => ({ database: true, migrations: true }) },
    now: clock.now,
  };
  const app = createApp(deps, { modules: options.modules });

  const person: TestClinic["person"] = async (role, overrides = {}) => {
    const doctor =
      role === "doctor"
        ? {
            specialty: "Clínica geral",
            licenseNumber: `CRM/SP ${randomUUID().slice(0, 8)}`,
            timezone: "America/Sao_Paulo",
            slotMinutes: 30,
            ...overrides.doctor,
          }
        : undefined;
    const user = await createUser(
      database.db,
      {
        email: uniqueEmail(role),
        name: `${role} ${randomUUID().slice(0, 4)}`,
        password: TEST_PASSWORD,
        ...overrides,
        role,
        doctor,
      } as CreateUserInput,
      null,
    );
    const { token } = await startSession(database.db, user.id, clock.now(), { idleMinutes: 720, maxHours: 168 });
    return { user, token, headers: { authorization: `Bearer ${token}` } };
  };

  const call: TestClinic["call"] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    const as = typeof opts.as === "string" ? opts.as : opts.as?.token;
    if (as) headers.authorization = `Bearer ${as}`;
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
      headers["content-type"] ??= "application/json";
    }
    const res = await app.request(path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed as any, headers: res.headers };
  };

  return {
    app,
    db: database.db,
    deps,
    database,
    clock,
    person,
    call,
    close: async () => {
      if (!options.database) await database.close();
    },
  };
}
