/**
 * Sign-in, sessions and CSRF through the real app and a real database (PGlite, or PostgreSQL when
 * TEST_DATABASE_URL is set).
 */

import { createTestClinic, TEST_PASSWORD, type TestClinic, uniqueEmail } from "@healthflow/test-kit/test-clinic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashToken } from "../../auth/session.js";

const HOUR = 3_600_000;
const T0 = new Date("2031-03-10T12:00:00Z");

let clinic: TestClinic;
beforeAll(async () => {
  // Sign-up here is the one without email verification (201 with a session); the verified flow is in
  // notifications/account-recovery.int.test.ts.
  clinic = await createTestClinic({ now: T0, config: { requireEmailVerification: false } });
});
afterAll(async () => {
  await clinic?.close();
});

/** Registers a patient through the API and returns their credentials. */
async function newPatient(name = "Paciente Teste") {
  const email = uniqueEmail("patient");
  const res = await clinic.call("POST", "/api/auth/register", { body: { email, password: TEST_PASSWORD, name } });
  expect(res.status).toBe(201);
  return { email, id: res.body.user.id as string, token: res.body.token as string };
}

async function login(email: string, password = TEST_PASSWORD, url = "/api/auth/login") {
  const res = await clinic.app.request(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  return { res, body: (await res.json()) as any };
}

function sessionCookie(res: Response): string {
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith("hf_session="));
  expect(cookie, "a hf_session cookie").toBeDefined();
  return cookie!;
}

const me = (headers: Record<string, string>) => clinic.call("GET", "/api/auth/me", { headers });

describe("POST /api/auth/login", () => {
  it("answers 200 {user:{id,email,name,role},token} and sets an HttpOnly SameSite=Lax cookie, not Secure on localhost", async () => {
    const p = await newPatient("Ana Login");
    const { res, body } = await login(p.email.toUpperCase());
    expect(res.status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(["token", "user"]);
    expect(body.user).toEqual({
      id: p.id,
      email: p.email,
      name: "Ana Login",
      role: "patient",
      language: "pt-BR",
      emailVerified: true,
    });
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookie = sessionCookie(res);
    expect(cookie).toContain(`hf_session=${body.token}`);
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Lax/i);
    expect(cookie).toMatch(/;\s*Path=\//i);
    expect(cookie).not.toMatch(/;\s*Secure/i);
    // lives as long as the session's maximum lifetime, counted from the app's clock
    expect(cookie).toMatch(/;\s*Max-Age=604800(;|$)/);
    // the token works as a bearer token
    expect((await me({ authorization: `Bearer ${body.token}` })).body.user.id).toBe(p.id);
  });

  it("marks the cookie Secure when the host is not local", async () => {
    const p = await newPatient();
    const { res } = await login(p.email, TEST_PASSWORD, "http://clinic.example.org/api/auth/login");
    expect(res.status).toBe(200);
    expect(sessionCookie(res)).toMatch(/;\s*Secure/i);
  });

  it("stores only a hash of the token", async () => {
    const p = await newPatient();
    const { body } = await login(p.email);
    const rows = await clinic.db.selectFrom("sessions").select("token_hash").where("user_id", "=", p.id).execute();
    expect(rows.map((r) => r.token_hash)).toContain(hashToken(body.token));
    expect(rows.map((r) => r.token_hash)).not.toContain(body.token);
  });

  it("gives the identical 401 invalid_credentials body for a wrong password and an unknown email", async () => {
    const p = await newPatient();
    const wrong = await login(p.email, "not the password");
    const unknown = await login(uniqueEmail("nobody"), TEST_PASSWORD);
    expect(wrong.res.status).toBe(401);
    expect(unknown.res.status).toBe(401);
    expect(wrong.body).toEqual({ error: { code: "invalid_credentials", message: expect.any(String) } });
    expect(unknown.body).toEqual(wrong.body);
    expect(wrong.res.headers.getSetCookie()).toEqual([]);
  });

  it("refuses a disabled account with the same 401", async () => {
    const p = await newPatient();
    await clinic.db.updateTable("users").set({ disabled_at: T0 }).where("id", "=", p.id).execute();
    const { res, body } = await login(p.email);
    expect(res.status).toBe(401);
    expect(body.error.code).toBe("invalid_credentials");
    // and the session it already had stops working
    expect((await me({ authorization: `Bearer ${p.token}` })).status).toBe(401);
  });
});

describe("sessions", () => {
  it("GET /api/auth/session is 200 {user:null} without a session, and the user with one", async () => {
    for (const headers of [{}, { cookie: "hf_session=forged-token-value-0123456789" }] as Record<string, string>[]) {
      const res = await clinic.call("GET", "/api/auth/session", { headers });
      expect([res.status, res.body]).toEqual([200, { user: null }]);
    }
    const p = await newPatient("Ana Sessão");
    const res = await clinic.call("GET", "/api/auth/session", { headers: { authorization: `Bearer ${p.token}` } });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: p.id, name: "Ana Sessão", role: "patient" });
  });

  it("GET /api/auth/me is 401 with the error shape without a valid session", async () => {
    const variants: Record<string, string>[] = [
      {},
      { authorization: "Bearer not-a-real-token-but-long-enough" },
      { authorization: "Basic dXNlcjpwYXNz" },
      { cookie: "hf_session=forged-token-value-0123456789" },
    ];
    for (const headers of variants) {
      const res = await me(headers);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: { code: "unauthenticated", message: expect.any(String) } });
    }
  });

  it("logout answers 204, clears the cookie, and the token then gives 401", async () => {
    const p = await newPatient();
    const { body } = await login(p.email);
    const auth = { authorization: `Bearer ${body.token}` };
    expect((await me(auth)).status).toBe(200);
    const res = await clinic.app.request("/api/auth/logout", { method: "POST", headers: auth });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    expect(sessionCookie(res)).toMatch(/hf_session=;.*Max-Age=0/i);
    expect((await me(auth)).status).toBe(401);
    // only that session ended: the one from registration still works
    expect((await me({ authorization: `Bearer ${p.token}` })).status).toBe(200);
    // logging out again is 401, not 500
    expect((await clinic.call("POST", "/api/auth/logout", { headers: auth })).status).toBe(401);
  });

  it("expires after 12 h idle, and deletes the row", async () => {
    const p = await newPatient();
    const auth = { authorization: `Bearer ${p.token}` };
    try {
      clinic.clock.set(new Date(T0.getTime() + 11 * HOUR + 59 * 60_000));
      expect((await me(auth)).status).toBe(200);
      // that request counted as activity: another 11 h 59 min later it still works
      clinic.clock.advance(11 * HOUR + 59 * 60_000);
      expect((await me(auth)).status).toBe(200);
      clinic.clock.advance(12 * HOUR + 60_000);
      expect((await me(auth)).status).toBe(401);
      const left = clinic.db.selectFrom("sessions").select("id").where("token_hash", "=", hashToken(p.token));
      expect(await left.execute()).toEqual([]);
      // even if the clock went back, a revoked session stays revoked
      clinic.clock.set(T0);
      expect((await me(auth)).status).toBe(401);
    } finally {
      clinic.clock.set(T0);
    }
  });

  it("ends at the maximum lifetime (7 days) however active the session is", async () => {
    const p = await newPatient();
    const auth = { authorization: `Bearer ${p.token}` };
    try {
      for (let h = 10; h < 168; h += 10) {
        clinic.clock.set(new Date(T0.getTime() + h * HOUR));
        expect((await me(auth)).status, `at ${h} h`).toBe(200);
      }
      clinic.clock.set(new Date(T0.getTime() + 168 * HOUR - 60_000));
      expect((await me(auth)).status).toBe(200);
      clinic.clock.set(new Date(T0.getTime() + 168 * HOUR + 1));
      expect((await me(auth)).status).toBe(401);
    } finally {
      clinic.clock.set(T0);
    }
  });

  it("honours a configured idle period", async () => {
    const short = await createTestClinic({ database: clinic.database, now: T0, config: { sessionIdleMinutes: 15 } });
    const p = await short.person("patient");
    short.clock.advance(14 * 60_000);
    expect((await short.call("GET", "/api/auth/me", { as: p })).status).toBe(200);
    short.clock.advance(16 * 60_000);
    expect((await short.call("GET", "/api/auth/me", { as: p })).status).toBe(401);
  });
});

describe("cookie authentication and CSRF", () => {
  async function cookieSession() {
    const p = await newPatient();
    const { res } = await login(p.email);
    const cookie = sessionCookie(res).split(";")[0]!;
    return { ...p, cookie };
  }

  it("a cookie authenticates a GET without any Origin", async () => {
    const p = await cookieSession();
    const res = await me({ cookie: p.cookie });
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(p.id);
  });

  it("a cookie-authenticated POST without Origin, or from a foreign Origin, is 403 csrf_origin and has no effect", async () => {
    const p = await cookieSession();
    const forgeries: Record<string, string>[] = [
      { cookie: p.cookie },
      { cookie: p.cookie, origin: "https://evil.example" },
      { cookie: p.cookie, origin: "http://localhost.evil.example" },
      { cookie: p.cookie, origin: "null" },
    ];
    for (const headers of forgeries) {
      const res = await clinic.call("POST", "/api/auth/logout", { headers });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: { code: "csrf_origin", message: expect.any(String) } });
    }
    // the session survived every forged logout
    expect((await me({ cookie: p.cookie })).status).toBe(200);
  });

  it("a cookie-authenticated POST from the same origin goes through", async () => {
    const p = await cookieSession();
    const res = await clinic.call("POST", "/api/auth/logout", {
      headers: { cookie: p.cookie, origin: "http://localhost" },
    });
    expect(res.status).toBe(204);
    expect((await me({ cookie: p.cookie })).status).toBe(401);
  });

  it("accepts the configured public origin", async () => {
    const web = await createTestClinic({
      database: clinic.database,
      now: T0,
      config: { publicUrl: "https://app.healthflow.example" },
    });
    const p = await cookieSession();
    const foreign = await web.call("POST", "/api/auth/logout", {
      headers: { cookie: p.cookie, origin: "https://other.healthflow.example" },
    });
    expect(foreign.status).toBe(403);
    const own = await web.call("POST", "/api/auth/logout", {
      headers: { cookie: p.cookie, origin: "https://app.healthflow.example" },
    });
    expect(own.status).toBe(204);
  });

  it("a cookie-authenticated admin write needs the Origin too", async () => {
    const admin = await clinic.person("admin");
    const { res } = await login(admin.user.email);
    const cookie = sessionCookie(res).split(";")[0]!;
    const body = { email: uniqueEmail("csrf"), name: "Via Cookie", role: "patient", password: TEST_PASSWORD };
    const forged = await clinic.call("POST", "/api/users", { body, headers: { cookie } });
    expect(forged.status).toBe(403);
    expect(forged.body.error.code).toBe("csrf_origin");
    const ok = await clinic.call("POST", "/api/users", { body, headers: { cookie, origin: "http://localhost" } });
    expect(ok.status).toBe(201);
  });

  it("bearer authentication needs no Origin, and a foreign Origin does not matter", async () => {
    const p = await newPatient();
    const res = await clinic.call("POST", "/api/auth/logout", { as: p.token });
    expect(res.status).toBe(204);
    const q = await newPatient();
    const res2 = await clinic.call("POST", "/api/auth/logout", {
      as: q.token,
      headers: { origin: "https://elsewhere.example" },
    });
    expect(res2.status).toBe(204);
  });

  it("a login posted from a foreign origin is refused (login CSRF)", async () => {
    const p = await newPatient();
    const res = await clinic.call("POST", "/api/auth/login", {
      body: { email: p.email, password: TEST_PASSWORD },
      headers: { origin: "https://evil.example" },
    });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("csrf_origin");
    expect(res.headers.getSetCookie()).toEqual([]);
  });
});

describe("POST /api/auth/register", () => {
  it("creates a patient, signs them in, and answers 201 {user,token}", async () => {
    const email = uniqueEmail("New.Patient");
    const res = await clinic.call("POST", "/api/auth/register", {
      body: { email: `  ${email.toUpperCase()} `, password: TEST_PASSWORD, name: "  Maria Nova  " },
    });
    expect(res.status).toBe(201);
    expect(res.body.user).toEqual({
      id: expect.any(String),
      email: email.toLowerCase(),
      name: "Maria Nova",
      role: "patient",
      language: "pt-BR",
      // with verification off, sign-up counts as verified
      emailVerified: true,
    });
    expect(res.headers.getSetCookie().some((c) => c.startsWith("hf_session="))).toBe(true);
    expect((await me({ authorization: `Bearer ${res.body.token}` })).body.user.id).toBe(res.body.user.id);
    expect((await login(email)).res.status).toBe(200);
  });

  it("always makes a patient, whatever role the body claims", async () => {
    const res = await clinic.call("POST", "/api/auth/register", {
      body: { email: uniqueEmail("sneaky"), password: TEST_PASSWORD, name: "Sneaky", role: "admin" },
    });
    expect(res.status).toBe(201);
    expect(res.body.user.role).toBe("patient");
    const row = await clinic.db
      .selectFrom("users")
      .select("role")
      .where("id", "=", res.body.user.id)
      .executeTakeFirst();
    expect(row?.role).toBe("patient");
  });

  it("refuses a duplicate email, whatever its case, with 409 email_taken", async () => {
    const p = await newPatient();
    const [local, domain] = p.email.split("@") as [string, string];
    for (const email of [p.email, p.email.toUpperCase(), `${local.toUpperCase()}@${domain}`]) {
      const res = await clinic.call("POST", "/api/auth/register", {
        body: { email, password: TEST_PASSWORD, name: "Twin" },
      });
      expect(res.status).toBe(409);
      expect(res.body).toEqual({ error: { code: "email_taken", message: expect.any(String) } });
    }
    const count = await clinic.db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll().as("n"))
      .where((eb) => eb(eb.fn("lower", ["email"]), "=", p.email))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
  });

  it("refuses a password shorter than 8 characters with 400", async () => {
    const res = await clinic.call("POST", "/api/auth/register", {
      body: { email: uniqueEmail("short"), password: "1234567", name: "Short" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
    expect(res.body.error.details).toContainEqual({ path: "password", message: expect.any(String) });
  });

  it("writes an audit event for the registration", async () => {
    const p = await newPatient();
    const events = await clinic.db
      .selectFrom("audit_events")
      .selectAll()
      .where("entity", "=", "user")
      .where("entity_id", "=", p.id)
      .execute();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: "user.register", actor_id: p.id });
  });
});
