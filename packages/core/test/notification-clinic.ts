/**
 * The notification suites' world: the real app on a database of its own (a dispatcher drains the
 * whole outbox, so suites must not share one), a real SMTP server on loopback, and a dispatcher on
 * the app's clock.
 *
 * - `TEST_DATABASE_URL`: a throw-away database on that server, dropped at the end; with
 *   `TEST_DB_ENGINE=data-api`, reached through the Data API dialect and its stand-in.
 * - otherwise: an in-memory PGlite.
 */
import { randomBytes, randomInt } from "node:crypto";
import { DataApiStandIn } from "@healthflow/test-kit/data-api-stand-in";
import { createTestClinic, openTestDatabase, type TestClinic, type TestPerson } from "@healthflow/test-kit/test-clinic";
import pg from "pg";
import type { AppConfig } from "../src/config/config.js";
import type { DatabaseHandle } from "../src/db/create-db.js";
import { smtpChannel } from "../src/notifications/channels/smtp.js";
import { type DispatcherOptions, drainOutbox } from "../src/notifications/dispatcher.js";
import { type MailSink, startMailSink } from "./mail-sink.js";

export const MAIL_FROM = "Clínica HealthFlow <agenda@clinic.example>";
export const PUBLIC_URL = "https://app.clinic.example";

export async function isolatedDatabase(label: string): Promise<{ database: DatabaseHandle; drop(): Promise<void> }> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) return { database: await openTestDatabase({ kind: "pglite" }), drop: async () => {} };
  const name = `hf_mail_${label.replace(/[^a-z0-9]/gi, "_").toLowerCase()}_${randomBytes(4).toString("hex")}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openTestDatabase(
    process.env.TEST_DB_ENGINE === "data-api"
      ? {
          kind: "data-api",
          clusterArn: "arn:aws:rds:us-east-1:000000000000:cluster:healthflow-test",
          secretArn: "arn:aws:secretsmanager:us-east-1:000000000000:secret:healthflow-test",
          database: name,
          client: new DataApiStandIn(url.toString(), { poolMax: 10 }),
        }
      : { kind: "postgres", url: url.toString(), poolMax: 12, connectTimeoutMs: 30_000 },
  );
  return {
    database,
    drop: async () => {
      await database.close();
      await admin(`drop database if exists ${name} with (force)`);
    },
  };
}

export interface MailWorld {
  clinic: TestClinic;
  sink: MailSink;
  /** Delivers everything due now (on the app's clock) through SMTP to the sink. */
  dispatch(options?: Partial<DispatcherOptions>): ReturnType<typeof drainOutbox>;
  dispatcherOptions(overrides?: Partial<DispatcherOptions>): DispatcherOptions;
  /** A doctor who sees patients around the clock, every day, in `zone`. */
  doctor(zone?: string, name?: string): Promise<TestPerson>;
  close(): Promise<void>;
}

export async function createMailWorld(
  label: string,
  options: { now?: Date; config?: Partial<AppConfig> } = {},
): Promise<MailWorld> {
  const { database, drop } = await isolatedDatabase(label);
  const sink = await startMailSink();
  const clinic = await createTestClinic({
    database,
    now: options.now,
    config: {
      publicUrl: PUBLIC_URL,
      mail: { channel: "smtp", from: MAIL_FROM, smtpUrl: sink.url },
      requireEmailVerification: true,
      ...options.config,
    },
  });
  const channel = smtpChannel(sink.url, { pool: false });
  const dispatcherOptions = (overrides: Partial<DispatcherOptions> = {}): DispatcherOptions => ({
    db: clinic.db,
    channel,
    mailFrom: MAIL_FROM,
    now: clinic.clock.now,
    ...overrides,
  });
  return {
    clinic,
    sink,
    dispatch: async (overrides) => {
      const report = await drainOutbox(dispatcherOptions(overrides));
      await sink.settled();
      return report;
    },
    dispatcherOptions,
    doctor: async (zone = "America/Sao_Paulo", name?: string) => {
      const d = await clinic.person("doctor", {
        ...(name ? { name } : {}),
        // A CRM the council could have issued: unique per state, so random per test doctor.
        doctor: { timezone: zone, slotMinutes: 30, crm: String(randomInt(100_000, 999_999_999)), crmState: "SP" },
      });
      const res = await clinic.call("PUT", `/api/doctors/${d.user.id}/availability`, {
        as: d,
        body: { rules: [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start: "00:00", end: "24:00" })) },
      });
      if (res.status !== 200) throw new Error(`availability: ${res.status} ${JSON.stringify(res.body)}`);
      return d;
    },
    close: async () => {
      await channel.close?.();
      await sink.close();
      await clinic.close();
      await drop();
    },
  };
}

/** The `token` of the first link to `path` in a text. */
export function tokenFromLink(text: string, path: string): string {
  const m = new RegExp(`${PUBLIC_URL.replace(/\./g, "\\.")}${path}\\?token=([A-Za-z0-9_-]+)`).exec(text);
  if (!m) throw new Error(`no ${path} link in:\n${text}`);
  return m[1]!;
}
