/**
 * Sign-in abuse through the real app and database: per-IP and per-account limits on login and
 * register (429 + Retry-After), reset on success, the same answer for unknown email and wrong
 * password, and a timing comparison showing the two take indistinguishable time.
 */

import { createTestClinic, TEST_PASSWORD, type TestClinic, uniqueEmail } from "@healthflow/test-kit/test-clinic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const T0 = new Date("2031-05-05T12:00:00Z");
let clinic: TestClinic;
let timing: TestClinic;

beforeAll(async () => {
  clinic = await createTestClinic({
    now: T0,
    // One trusted proxy, so tests choose the client address through X-Forwarded-For.
    config: {
      trustProxyHops: 1,
      authRateLimit: { windowSeconds: 60, maxPerIp: 6, maxPerAccount: 3 },
      requireEmailVerification: false,
    },
  });
  timing = await createTestClinic({
    database: clinic.database,
    config: {
      authRateLimit: { windowSeconds: 60, maxPerIp: 10_000, maxPerAccount: 10_000 },
      requireEmailVerification: false,
    },
  });
});
afterAll(async () => {
  await timing?.close();
  await clinic?.close();
});

// The counts live in the database, which outlives a run on PostgreSQL: a random /16 per run.
const RUN_NET = `10.${Math.floor(Math.random() * 250)}`;
let ipCounter = 0;
function freshIp() {
  ipCounter++;
  return `${RUN_NET}.${Math.floor(ipCounter / 250)}.${(ipCounter % 250) + 1}`;
}

function login(email: string, password: string, ip: string) {
  return clinic.call("POST", "/api/auth/login", { body: { email, password }, headers: { "x-forwarded-for": ip } });
}

describe("sign-in rate limits", () => {
  it("limits one IP across accounts: 429 rate_limited with Retry-After, in the error shape", async () => {
    const ip = freshIp();
    for (let i = 0; i < 6; i++) expect((await login(uniqueEmail("nobody"), "wrong-password", ip)).status).toBe(401);
    const refused = await login(uniqueEmail("nobody"), "wrong-password", ip);
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({
      error: { code: "rate_limited", message: expect.any(String), details: { retryAfterSeconds: 10 } },
    });
    expect(refused.headers.get("retry-after")).toBe("10");
    // Another address is not affected.
    expect((await login(uniqueEmail("nobody"), "wrong-password", freshIp())).status).toBe(401);
  });

  it("limits one account across IPs, and refuses even the right password while limited", async () => {
    const patient = await clinic.person("patient");
    for (let i = 0; i < 3; i++) expect((await login(patient.user.email, "wrong-password", freshIp())).status).toBe(401);
    expect((await login(patient.user.email, "wrong-password", freshIp())).status).toBe(429);
    expect((await login(patient.user.email, TEST_PASSWORD, freshIp())).status).toBe(429);
    // The window refills: after Retry-After the owner gets in.
    clinic.clock.advance(21_000);
    expect((await login(patient.user.email, TEST_PASSWORD, freshIp())).status).toBe(200);
    clinic.clock.set(T0);
  });

  it("a successful sign-in clears the account's count", async () => {
    const patient = await clinic.person("patient");
    const ip = freshIp();
    await login(patient.user.email, "wrong-password", ip);
    await login(patient.user.email, "wrong-password", ip);
    expect((await login(patient.user.email, TEST_PASSWORD, ip)).status).toBe(200);
    // Without the reset this would be the fourth attempt in the window and refused.
    for (let i = 0; i < 2; i++) expect((await login(patient.user.email, "wrong-password", ip)).status).toBe(401);
    expect((await login(patient.user.email, TEST_PASSWORD, ip)).status).toBe(200);
  });

  it("counts unknown emails exactly like known ones (no account enumeration through 429s)", async () => {
    const known = await clinic.person("patient");
    const unknown = uniqueEmail("ghost");
    const statuses = async (email: string) => {
      const out: number[] = [];
      for (let i = 0; i < 4; i++) out.push((await login(email, "wrong-password", freshIp())).status);
      return out;
    };
    expect(await statuses(known.user.email)).toEqual([401, 401, 401, 429]);
    expect(await statuses(unknown)).toEqual([401, 401, 401, 429]);
  });

  it("limits register per IP and per email", async () => {
    const ip = freshIp();
    const register = (email: string, from: string) =>
      clinic.call("POST", "/api/auth/register", {
        body: { email, password: TEST_PASSWORD, name: "Paciente" },
        headers: { "x-forwarded-for": from },
      });
    for (let i = 0; i < 6; i++) expect((await register(uniqueEmail("reg"), ip)).status).toBe(201);
    const refused = await register(uniqueEmail("reg"), ip);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);

    const email = uniqueEmail("dup");
    expect((await register(email, freshIp())).status).toBe(201);
    expect((await register(email, freshIp())).status).toBe(409);
    expect((await register(email, freshIp())).status).toBe(409);
    expect((await register(email, freshIp())).status).toBe(429);
  });
});

describe("unknown email and wrong password", () => {
  it("give byte-identical answers", async () => {
    const patient = await timing.person("patient");
    const a = await timing.app.request("/api/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: patient.user.email, password: "wrong-password" }),
    });
    const b = await timing.app.request("/api/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: uniqueEmail("ghost"), password: "wrong-password" }),
    });
    expect(a.status).toBe(401);
    expect(b.status).toBe(401);
    expect(await a.text()).toBe(await b.text());
  });

  it("take statistically indistinguishable time (medians of alternating attempts within 1.5x)", async () => {
    const patient = await timing.person("patient");
    const measure = async (email: string) => {
      const started = performance.now();
      const res = await timing.call("POST", "/api/auth/login", { body: { email, password: "wrong-password" } });
      expect(res.status).toBe(401);
      return performance.now() - started;
    };
    // Warm up (dummy hash computed once, connections opened).
    await measure(uniqueEmail("ghost"));
    await measure(patient.user.email);
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 25; i++) {
      // Alternate the order so drift in machine load falls on both sides equally.
      if (i % 2 === 0) {
        known.push(await measure(patient.user.email));
        unknown.push(await measure(uniqueEmail("ghost")));
      } else {
        unknown.push(await measure(uniqueEmail("ghost")));
        known.push(await measure(patient.user.email));
      }
    }
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
    const ratio = median(known) / median(unknown);
    console.info(
      `sign-in timing: wrong password median ${median(known).toFixed(1)} ms, unknown email median ${median(unknown).toFixed(1)} ms, ratio ${ratio.toFixed(3)}`,
    );
    // A missing dummy-hash verification would make unknown emails ~100x faster (no scrypt at all).
    expect(ratio).toBeGreaterThan(1 / 1.5);
    expect(ratio).toBeLessThan(1.5);
  });
});
