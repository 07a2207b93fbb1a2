/**
 * The dispatcher against a real SMTP server on loopback: retries with backoff then `failed` with the
 * last error, permanent refusals, lease take-over, admin retry; three dispatchers racing on one
 * outbox; and the SMTP server down for 30 s in the middle of a booking load, after which every
 * message has been delivered exactly once. The races and the outage need PostgreSQL.
 */

import type { TestPerson } from "@healthflow/test-kit/test-clinic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMailSink } from "../../test/mail-sink.js";
import { createMailWorld, MAIL_FROM, type MailWorld } from "../../test/notification-clinic.js";
import { smtpChannel } from "./channels/smtp.js";
import { backoffMs, drainOutbox, startDispatcherLoop } from "./dispatcher.js";
import { renderAccountMessage } from "./messages.js";
import { enqueue } from "./outbox.js";

const url = process.env.TEST_DATABASE_URL;
const T0 = new Date("2031-07-01T12:00:00Z");

describe("backoff", () => {
  it("doubles from the base with ±20 % jitter and stops at the cap", () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(n, 1000, 60_000, () => 0.5))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffMs(20, 1000, 60_000, () => 0.5)).toBe(60_000);
    expect(backoffMs(1, 1000, 60_000, () => 0)).toBe(800);
    expect(backoffMs(1, 1000, 60_000, () => 1)).toBe(1200);
  });
});

async function enqueueMany(w: MailWorld, n: number, tag: string) {
  const messages = Array.from({ length: n }, (_, i) => ({
    kind: "password_changed" as const,
    to: `race-${tag}-${i}@test.healthflow.local`,
    language: "pt-BR" as const,
    rendered: renderAccountMessage("password_changed", "pt-BR", { name: `Pessoa ${i}`, forgotUrl: "https://x/f" }),
  }));
  for (let i = 0; i < messages.length; i += 100) {
    await enqueue(w.clinic.db, { now: w.clinic.clock.now(), mailFrom: MAIL_FROM }, messages.slice(i, i + 100));
  }
}

describe("delivery and retries", () => {
  let w: MailWorld;
  beforeAll(async () => {
    w = await createMailWorld("dispatch", { now: T0 });
  });
  afterAll(async () => {
    await w?.close();
  });

  it("retries with backoff while the server is down, then fails with the last error; an admin retry delivers it", async () => {
    const email = "unlucky@test.healthflow.local";
    await enqueue(w.clinic.db, { now: T0, mailFrom: MAIL_FROM }, [
      {
        kind: "password_changed",
        to: email,
        language: "pt-BR",
        rendered: renderAccountMessage("password_changed", "pt-BR", { name: "Azar", forgotUrl: "https://x/f" }),
      },
    ]);
    await w.sink.stop();
    const row = () =>
      w.clinic.db.selectFrom("outbox").selectAll().where("recipient", "=", email).executeTakeFirstOrThrow();
    const options = { maxAttempts: 3, backoffBaseMs: 10_000, backoffMaxMs: 60_000 };
    expect((await w.dispatch(options)).retried).toBe(1);
    const first = await row();
    expect(first).toMatchObject({ status: "pending", attempts: 1 });
    expect(first.last_error).toMatch(/ECONNREFUSED/);
    const wait = new Date(first.due_at).getTime() - T0.getTime();
    expect(wait).toBeGreaterThanOrEqual(8_000);
    expect(wait).toBeLessThanOrEqual(12_000);
    // not due yet: nothing happens
    expect((await w.dispatch(options)).claimed).toBe(0);
    w.clinic.clock.advance(13_000);
    expect((await w.dispatch(options)).retried).toBe(1);
    expect((await row()).attempts).toBe(2);
    w.clinic.clock.advance(25_000);
    expect((await w.dispatch(options)).failed).toBe(1);
    const failed = await row();
    expect(failed).toMatchObject({ status: "failed", attempts: 3 });
    expect(failed.last_error).toMatch(/ECONNREFUSED/);

    await w.sink.start();
    const admin = await w.clinic.person("admin");
    const listed = await w.clinic.call("GET", "/api/messages?status=failed", { as: admin });
    expect(listed.body.messages.map((m: { id: string }) => m.id)).toContain(failed.id);
    expect(listed.body.messages.find((m: { id: string }) => m.id === failed.id).lastError).toMatch(/ECONNREFUSED/);
    const retried = await w.clinic.call("POST", `/api/messages/${failed.id}/retry`, { as: admin });
    expect(retried.status).toBe(200);
    expect(retried.body.message).toMatchObject({ status: "pending", attempts: 0 });
    await w.dispatch(options);
    expect(await row()).toMatchObject({ status: "sent", last_error: null });
    expect(w.sink.to(email)).toHaveLength(1);
    const again = await w.clinic.call("POST", `/api/messages/${failed.id}/retry`, { as: admin });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("not_retryable");
  });

  it("fails a message at once when the server refuses it for good (5xx)", async () => {
    const strict = await startMailSink({ rejectRecipients: /^bounce@/ });
    const channel = smtpChannel(strict.url, { pool: false });
    try {
      await enqueue(w.clinic.db, { now: w.clinic.clock.now(), mailFrom: MAIL_FROM }, [
        {
          kind: "password_changed",
          to: "bounce@test.healthflow.local",
          language: "en",
          rendered: renderAccountMessage("password_changed", "en", { name: "Bounce", forgotUrl: "https://x/f" }),
        },
      ]);
      const report = await drainOutbox(w.dispatcherOptions({ channel }));
      expect(report.failed).toBe(1);
      const r = await w.clinic.db
        .selectFrom("outbox")
        .selectAll()
        .where("recipient", "=", "bounce@test.healthflow.local")
        .executeTakeFirstOrThrow();
      expect(r).toMatchObject({ status: "failed", attempts: 1 });
      expect(r.last_error).toMatch(/SMTP 550/);
    } finally {
      await strict.close();
    }
  });

  it("takes over a row whose dispatcher died mid-send once its lease has run out", async () => {
    const email = "orphan@test.healthflow.local";
    await enqueue(w.clinic.db, { now: w.clinic.clock.now(), mailFrom: MAIL_FROM }, [
      {
        kind: "password_changed",
        to: email,
        language: "pt-BR",
        rendered: renderAccountMessage("password_changed", "pt-BR", { name: "Órfã", forgotUrl: "https://x/f" }),
      },
    ]);
    const now = w.clinic.clock.now();
    await w.clinic.db
      .updateTable("outbox")
      .set({ status: "sending", attempts: 1, locked_by: "dead-worker", locked_until: new Date(now.getTime() + 60_000) })
      .where("recipient", "=", email)
      .execute();
    expect((await w.dispatch()).claimed).toBe(0); // still leased
    w.clinic.clock.advance(61_000);
    expect((await w.dispatch()).sent).toBe(1);
    expect(w.sink.to(email)).toHaveLength(1);
  });
});

describe.skipIf(!url)("several dispatchers at once (PostgreSQL)", () => {
  let w: MailWorld;
  beforeAll(async () => {
    w = await createMailWorld("race", { now: T0 });
  });
  afterAll(async () => {
    await w?.close();
  });

  it("three dispatchers racing on one outbox: every message delivered once, nothing left behind", async () => {
    const N = 300;
    await enqueueMany(w, N, "three");
    const channels = [0, 1, 2].map(() => smtpChannel(w.sink.url, { maxConnections: 2 }));
    try {
      const reports = await Promise.all(
        channels.map((channel, i) =>
          drainOutbox(w.dispatcherOptions({ channel, workerId: `racer-${i}`, batchSize: 10, concurrency: 3 })),
        ),
      );
      await w.sink.settled();
      const rows = await w.clinic.db.selectFrom("outbox").select(["message_id", "status", "attempts"]).execute();
      expect(rows).toHaveLength(N);
      expect(rows.filter((r) => r.status !== "sent")).toEqual([]);
      expect(rows.every((r) => r.attempts === 1)).toBe(true);
      expect(reports.reduce((s, r) => s + r.sent, 0)).toBe(N);
      // every racer did part of the work
      expect(reports.filter((r) => r.sent > 0).length).toBe(3);
      expect(w.sink.received).toHaveLength(N);
      const ids = w.sink.received.map((m) => m.messageId);
      expect(new Set(ids).size).toBe(N);
      expect(new Set(ids)).toEqual(new Set(rows.map((r) => r.message_id)));
      console.log(
        `RELIABILITY outbox-race ${JSON.stringify({ messages: N, dispatchers: 3, perDispatcher: reports.map((r) => r.sent), duplicates: 0 })}`,
      );
    } finally {
      for (const c of channels) await c.close?.();
    }
  });
});

describe.skipIf(!url)("SMTP down for 30 s in the middle of a booking load (PostgreSQL)", () => {
  let w: MailWorld;
  beforeAll(async () => {
    // The real clock: the load, the outage and the backoff all happen in real time.
    // Fair-booking limits off: 24 patients book hundreds of consultations between them.
    w = await createMailWorld("outage", {
      config: { minNoticeMinutes: 0, reminderOffsetsMinutes: [60], booking: undefined },
    });
  });
  afterAll(async () => {
    await w?.close();
  });

  it("delivers every message exactly once after the server comes back", { timeout: 180_000 }, async () => {
    const { clinic, sink } = w;
    const doctors = await Promise.all([0, 1, 2, 3].map((i) => w.doctor("UTC", `Dr. Carga ${i}`)));
    const patients: TestPerson[] = [];
    for (let i = 0; i < 24; i++) patients.push(await clinic.person("patient", { name: `Paciente Carga ${i}` }));
    const channel = smtpChannel(sink.url, { maxConnections: 3 });
    const loop = startDispatcherLoop({
      ...w.dispatcherOptions({
        channel,
        backoffBaseMs: 1_000,
        backoffMaxMs: 4_000,
        maxAttempts: 1_000,
        now: () => new Date(),
      }),
      intervalMs: 200,
    });

    const base = Math.ceil((Date.now() + 3 * 86_400_000) / 1_800_000) * 1_800_000;
    let next = 0;
    const acknowledged: string[] = [];
    const statuses: Record<number, number> = {};
    const started = Date.now();
    const LOAD_MS = 45_000;
    const client = async () => {
      while (Date.now() - started < LOAD_MS) {
        const k = next++;
        const res = await clinic.call("POST", "/api/consultations", {
          as: patients[k % patients.length]!,
          body: {
            doctorId: doctors[k % doctors.length]!.user.id,
            startsAt: new Date(base + k * 1_800_000).toISOString(),
          },
        });
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if (res.status === 201) acknowledged.push(res.body.consultation.id);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const outage = (async () => {
      await new Promise((r) => setTimeout(r, 5_000));
      await sink.stop();
      const downAt = Date.now();
      await new Promise((r) => setTimeout(r, 30_000));
      await sink.start();
      return Date.now() - downAt;
    })();
    await Promise.all([client(), client(), client(), client(), outage]);
    const downMs = await outage;

    // Let the dispatcher catch up: nothing pending or in flight.
    const deadline = Date.now() + 90_000;
    for (;;) {
      const left = await clinic.db
        .selectFrom("outbox")
        .select("id")
        .where("kind", "<>", "reminder")
        .where("status", "in", ["pending", "sending"])
        .execute();
      if (left.length === 0 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    await loop.stop();
    await sink.settled();

    const rows = await clinic.db
      .selectFrom("outbox")
      .select(["message_id", "status", "attempts", "kind"])
      .where("kind", "<>", "reminder") // reminders are due an hour before consultations days away
      .execute();
    const consultations = await clinic.db.selectFrom("consultations").select("id").execute();
    expect(statuses[201]).toBe(acknowledged.length);
    expect(consultations).toHaveLength(acknowledged.length);
    // one confirmation and one doctor's notice per booking, all sent
    expect(rows).toHaveLength(2 * acknowledged.length);
    expect(rows.filter((r) => r.status !== "sent")).toEqual([]);
    const received = new Map<string, number>();
    for (const m of sink.received) received.set(m.messageId, (received.get(m.messageId) ?? 0) + 1);
    expect([...received.values()].filter((n) => n > 1)).toEqual([]);
    expect(new Set(received.keys())).toEqual(new Set(rows.map((r) => r.message_id)));
    const retried = rows.filter((r) => r.attempts > 1).length;
    expect(retried).toBeGreaterThan(0); // the outage was felt
    console.log(
      `RELIABILITY smtp-outage ${JSON.stringify({ bookings: acknowledged.length, messages: rows.length, downMs, retriedMessages: retried, maxAttempts: Math.max(...rows.map((r) => r.attempts)), delivered: received.size, duplicates: 0, statuses })}`,
    );
  });
});
