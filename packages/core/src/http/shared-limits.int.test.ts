/**
 * Limits that hold across processes (issue #11): two app instances on one database, as two pods
 * or two Lambda containers would be, share the sign-in and sign-up counts and the request budget.
 * Runs on PGlite, PostgreSQL and the Data API stand-in alike.
 */
import { randomUUID } from "node:crypto";
import { createTestClinic, TEST_PASSWORD, type TestClinic, uniqueEmail } from "@healthflow/test-kit/test-clinic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppConfig } from "../config/config.js";

const T0 = new Date("2032-03-01T12:00:00Z");
// Counts outlive a run on a PostgreSQL server: a fresh address range per run.
const NET = `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
let host = 0;
const freshIp = () => `${NET}.${++host}`;

let a: TestClinic;
let b: TestClinic;

const config: Partial<AppConfig> = {
  trustProxyHops: 1,
  authRateLimit: { windowSeconds: 60, maxPerIp: 4, maxPerAccount: 3 },
  requestBudgetPerMinute: 5,
  // Sign-ups answer 201 with a session (the verification flow is notifications/account-recovery).
  requireEmailVerification: false,
};

beforeAll(async () => {
  a = await createTestClinic({ now: T0, config });
  b = await createTestClinic({ now: T0, config, database: a.database });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

const instances = () => [a, b];

describe("two app instances on one database", () => {
  it("share the per-account sign-in count: 3 failures spread over both, then 429 on either", async () => {
    const patient = await a.person("patient");
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const app = instances()[i % 2]!;
      const res = await app.call("POST", "/api/auth/login", {
        body: { email: patient.user.email, password: "wrong-password" },
        headers: { "x-forwarded-for": freshIp() },
      });
      statuses.push(res.status);
      if (res.status === 429) expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    }
    // Per process, each instance would have seen 2 attempts and allowed all 4.
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it("share the per-IP sign-up count", async () => {
    const ip = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await instances()[i % 2]!.call("POST", "/api/auth/register", {
        body: { email: uniqueEmail("shared"), password: TEST_PASSWORD, name: "Shared Count" },
        headers: { "x-forwarded-for": ip },
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([201, 201, 201, 201, 429]);
  });

  it("share the request budget of a session (5 per minute here): 429 with Retry-After, then refilled", async () => {
    const patient = await a.person("patient");
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 7; i++) {
      const res = await instances()[i % 2]!.call("GET", "/api/auth/me", { as: patient });
      statuses.push(res.status);
      if (res.status === 429) {
        retryAfter = res.headers.get("retry-after");
        expect(res.body.error.code).toBe("rate_limited");
      }
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    // Another session is not affected.
    expect((await b.call("GET", "/api/auth/me", { as: await a.person("patient") })).status).toBe(200);
    // A minute later the bucket is full again.
    a.clock.advance(60_000);
    b.clock.advance(60_000);
    try {
      expect((await b.call("GET", "/api/auth/me", { as: patient })).status).toBe(200);
    } finally {
      a.clock.set(T0);
      b.clock.set(T0);
    }
  });

  it("anonymous requests count per IP, twice the budget", async () => {
    const ip = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const res = await instances()[i % 2]!.call("GET", `/api/rooms/not-a-token-${randomUUID()}`, {
        headers: { "x-forwarded-for": ip },
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 10).every((s) => s !== 429)).toBe(true);
    expect(statuses[10]).toBe(429);
    // Another address is not affected.
    expect((await a.call("GET", "/api/doctors", { headers: { "x-forwarded-for": freshIp() } })).status).toBe(401);
  });
});
