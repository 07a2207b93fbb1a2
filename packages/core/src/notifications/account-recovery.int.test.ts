/**
 * Accounts that recover themselves, through the app and a real SMTP server: sign-up without an
 * email oracle, verification and its resend cap, forgot/reset, change password, sign out everywhere,
 * invitations. Tokens: expiry, single use, wrong account, never in the database in clear, never in
 * a log.
 */

import { randomInt } from "node:crypto";
import { TEST_PASSWORD, uniqueEmail } from "@healthflow/test-kit/test-clinic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMailWorld, type MailWorld, PUBLIC_URL, tokenFromLink } from "../../test/notification-clinic.js";
import { hashToken } from "../auth/session.js";
import { createApp } from "../http/app.js";
import { createLogger } from "../log/logger.js";

const T0 = new Date("2031-05-05T12:00:00Z");
const MIN = 60_000;
const NEW_PASSWORD = "a much better passphrase";

let w: MailWorld;
beforeAll(async () => {
  w = await createMailWorld("accounts", { now: T0 });
});
afterAll(async () => {
  await w?.close();
});

async function signUp(email: string, extra: Record<string, unknown> = {}) {
  return w.clinic.call("POST", "/api/auth/register", {
    body: { email, password: TEST_PASSWORD, name: "Bia Rocha", ...extra },
  });
}

/** Delivers what is due and returns the token of the newest link to `path` sent to `email`. */
async function linkToken(email: string, path: string): Promise<string> {
  await w.dispatch();
  const mails = w.sink.to(email).filter((m) => m.text.includes(`${PUBLIC_URL}${path}?token=`));
  if (mails.length === 0) throw new Error(`no ${path} mail to ${email}`);
  return tokenFromLink(mails[mails.length - 1]!.text, path);
}

async function verifiedPatient() {
  const email = uniqueEmail("pat");
  expect((await signUp(email)).status).toBe(202);
  const res = await w.clinic.call("POST", "/api/auth/verify-email", {
    body: { token: await linkToken(email, "/verify-email") },
  });
  expect(res.status).toBe(200);
  return { email, id: res.body.user.id as string, token: res.body.token as string };
}

const login = (email: string, password: string) =>
  w.clinic.call("POST", "/api/auth/login", { body: { email, password } });
const me = (token: string) => w.clinic.call("GET", "/api/auth/me", { as: token });

describe("sign-up without an email oracle", () => {
  it("answers the same 202 for an existing email; its owner is warned, nothing else changes", async () => {
    w.clinic.clock.set(T0);
    const owner = await verifiedPatient();
    const fresh = await signUp(uniqueEmail("new"));
    const again = await signUp(owner.email.toUpperCase(), { name: "Intruder" });
    expect(again.status).toBe(fresh.status);
    expect(again.body).toEqual(fresh.body);
    expect(again.headers.getSetCookie()).toEqual([]);
    const users = await w.clinic.db.selectFrom("users").select("name").where("email", "=", owner.email).execute();
    expect(users).toEqual([{ name: "Bia Rocha" }]);
    await w.dispatch();
    const warning = w.sink.to(owner.email).find((m) => m.subject.startsWith("Alguém tentou"));
    expect(warning?.text).toContain(`${PUBLIC_URL}/forgot-password`);
    // The old password still signs in; the intruder's does not.
    expect((await login(owner.email, TEST_PASSWORD)).status).toBe(200);
  });

  it("chooses the language at sign-up and changes it in the profile", async () => {
    const email = uniqueEmail("lang");
    expect((await signUp(email, { language: "en" })).status).toBe(202);
    await w.dispatch();
    expect(w.sink.to(email)[0]!.subject).toBe("Confirm your email");
    const session = await w.clinic.call("POST", "/api/auth/verify-email", {
      body: { token: await linkToken(email, "/verify-email") },
    });
    expect(session.body.user.language).toBe("en");
    const changed = await w.clinic.call("PATCH", "/api/auth/me", {
      as: session.body.token,
      body: { language: "pt-BR" },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.user.language).toBe("pt-BR");
    expect(
      (await w.clinic.call("PATCH", "/api/auth/me", { as: session.body.token, body: { language: "fr" } })).status,
    ).toBe(400);
  });
});

describe("email verification", () => {
  it("is single use, valid 48 h, and the resend is capped", async () => {
    w.clinic.clock.set(T0);
    const email = uniqueEmail("ver");
    await signUp(email);
    const first = await linkToken(email, "/verify-email");
    // resend: at once → no new mail (at most one a minute); a minute later → a new link
    expect((await w.clinic.call("POST", "/api/auth/verify-email/resend", { body: { email } })).status).toBe(202);
    await w.dispatch();
    expect(w.sink.to(email)).toHaveLength(1);
    w.clinic.clock.advance(61_000);
    expect((await w.clinic.call("POST", "/api/auth/verify-email/resend", { body: { email } })).status).toBe(202);
    const second = await linkToken(email, "/verify-email");
    expect(second).not.toBe(first);
    expect(w.sink.to(email)).toHaveLength(2);
    // five a day at most
    for (let i = 0; i < 6; i++) {
      w.clinic.clock.advance(61_000);
      await w.clinic.call("POST", "/api/auth/verify-email/resend", { body: { email } });
    }
    await w.dispatch();
    expect(w.sink.to(email)).toHaveLength(5);
    // an unknown email: the same 202, no mail
    const unknown = uniqueEmail("nobody");
    expect((await w.clinic.call("POST", "/api/auth/verify-email/resend", { body: { email: unknown } })).status).toBe(
      202,
    );
    await w.dispatch();
    expect(w.sink.to(unknown)).toEqual([]);

    // expired after 48 h
    w.clinic.clock.set(new Date(T0.getTime() + 48 * 60 * MIN + 2 * MIN));
    const expired = await w.clinic.call("POST", "/api/auth/verify-email", { body: { token: first } });
    expect(expired.status).toBe(400);
    expect(expired.body.error.code).toBe("token_expired");
    w.clinic.clock.set(new Date(T0.getTime() + 47 * 60 * MIN));
    const ok = await w.clinic.call("POST", "/api/auth/verify-email", { body: { token: second } });
    expect(ok.status).toBe(200);
    expect((await w.clinic.call("POST", "/api/auth/verify-email", { body: { token: second } })).body.error.code).toBe(
      "token_used",
    );
    // verified: a resend sends nothing
    w.clinic.clock.advance(10 * MIN);
    await w.clinic.call("POST", "/api/auth/verify-email/resend", { body: { email } });
    await w.dispatch();
    expect(w.sink.to(email)).toHaveLength(5);
  });

  it("refuses made-up tokens and tokens of another kind with invalid_token", async () => {
    w.clinic.clock.set(T0);
    const p = await verifiedPatient();
    await w.clinic.call("POST", "/api/auth/forgot-password", { body: { email: p.email } });
    const reset = await linkToken(p.email, "/reset-password");
    const asVerify = await w.clinic.call("POST", "/api/auth/verify-email", { body: { token: reset } });
    expect(asVerify.status).toBe(400);
    expect(asVerify.body.error.code).toBe("invalid_token");
    const madeUp = await w.clinic.call("POST", "/api/auth/verify-email", { body: { token: "x".repeat(43) } });
    expect(madeUp.body.error.code).toBe("invalid_token");
    // the reset link still works afterwards: a refused use does not spend it
    expect(
      (await w.clinic.call("POST", "/api/auth/reset-password", { body: { token: reset, password: NEW_PASSWORD } }))
        .status,
    ).toBe(204);
  });
});

describe("forgot and reset password", () => {
  it("resets with a single-use 30-minute link and ends every session", async () => {
    w.clinic.clock.set(T0);
    const p = await verifiedPatient();
    const other = (await login(p.email, TEST_PASSWORD)).body.token as string;
    expect((await w.clinic.call("POST", "/api/auth/forgot-password", { body: { email: p.email } })).status).toBe(202);
    const token = await linkToken(p.email, "/reset-password");
    const stored = await w.clinic.db
      .selectFrom("account_tokens")
      .select("token_hash")
      .where("user_id", "=", p.id)
      .execute();
    expect(stored.map((t) => t.token_hash)).toContain(hashToken(token));
    expect(JSON.stringify(stored)).not.toContain(token);

    w.clinic.clock.advance(29 * MIN);
    const res = await w.clinic.call("POST", "/api/auth/reset-password", { body: { token, password: NEW_PASSWORD } });
    expect(res.status).toBe(204);
    expect((await me(p.token)).status).toBe(401);
    expect((await me(other)).status).toBe(401);
    expect((await login(p.email, TEST_PASSWORD)).status).toBe(401);
    expect((await login(p.email, NEW_PASSWORD)).status).toBe(200);
    const reused = await w.clinic.call("POST", "/api/auth/reset-password", {
      body: { token, password: "yet another one" },
    });
    expect(reused.body.error.code).toBe("token_used");
    await w.dispatch();
    expect(w.sink.to(p.email).some((m) => m.subject === "Sua senha foi alterada")).toBe(true);
  });

  it("expires after 30 minutes, and one reset spends every other pending link", async () => {
    w.clinic.clock.set(T0);
    const p = await verifiedPatient();
    await w.clinic.call("POST", "/api/auth/forgot-password", { body: { email: p.email } });
    const early = await linkToken(p.email, "/reset-password");
    w.clinic.clock.advance(2 * MIN);
    await w.clinic.call("POST", "/api/auth/forgot-password", { body: { email: p.email } });
    const late = await linkToken(p.email, "/reset-password");
    w.clinic.clock.advance(29 * MIN); // `early` is 31 minutes old, `late` 29
    const expired = await w.clinic.call("POST", "/api/auth/reset-password", {
      body: { token: early, password: NEW_PASSWORD },
    });
    expect(expired.status).toBe(400);
    expect(expired.body.error.code).toBe("token_expired");
    expect(
      (await w.clinic.call("POST", "/api/auth/reset-password", { body: { token: late, password: NEW_PASSWORD } }))
        .status,
    ).toBe(204);
    expect((await login(p.email, NEW_PASSWORD)).status).toBe(200);
  });

  it("answers the same 202 for an unknown email, and sends nothing", async () => {
    const nobody = uniqueEmail("ghost");
    const res = await w.clinic.call("POST", "/api/auth/forgot-password", { body: { email: nobody } });
    expect(res.status).toBe(202);
    expect(res.body).toBeNull();
    await w.dispatch();
    expect(w.sink.to(nobody)).toEqual([]);
  });

  it("binds a link to its account: someone else using it changes only that account, and an anonymised account's link is dead", async () => {
    w.clinic.clock.set(T0);
    const a = await verifiedPatient();
    const b = await verifiedPatient();
    await w.clinic.call("POST", "/api/auth/forgot-password", { body: { email: a.email } });
    const tokenA = await linkToken(a.email, "/reset-password");
    // B, signed in, uses A's link: it is A's password that changes, and B stays who they are.
    const used = await w.clinic.call("POST", "/api/auth/reset-password", {
      as: b.token,
      body: { token: tokenA, password: NEW_PASSWORD },
    });
    expect(used.status).toBe(204);
    expect((await login(a.email, NEW_PASSWORD)).status).toBe(200);
    expect((await login(b.email, TEST_PASSWORD)).status).toBe(200);
    expect((await login(b.email, NEW_PASSWORD)).status).toBe(401);
    expect((await me(b.token)).body.user.id).toBe(b.id);

    // A link issued before the account was anonymised does not work afterwards.
    w.clinic.clock.advance(2 * MIN);
    await w.clinic.call("POST", "/api/auth/forgot-password", { body: { email: b.email } });
    const tokenB = await linkToken(b.email, "/reset-password");
    const admin = await w.clinic.person("admin");
    expect((await w.clinic.call("POST", `/api/users/${b.id}/anonymise`, { as: admin })).status).toBe(200);
    const dead = await w.clinic.call("POST", "/api/auth/reset-password", {
      body: { token: tokenB, password: NEW_PASSWORD },
    });
    expect(dead.status).toBe(400);
    expect(dead.body.error.code).toBe("invalid_token");
  });

  it("lets exactly one of two racing uses of a link win", async () => {
    w.clinic.clock.set(T0);
    const p = await verifiedPatient();
    await w.clinic.call("POST", "/api/auth/forgot-password", { body: { email: p.email } });
    const token = await linkToken(p.email, "/reset-password");
    const results = await Promise.all(
      ["first racer pass", "second racer pass"].map((password) =>
        w.clinic.call("POST", "/api/auth/reset-password", { body: { token, password } }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([204, 400]);
    expect(results.find((r) => r.status === 400)!.body.error.code).toBe("token_used");
  });
});

describe("change password and sign out everywhere", () => {
  it("needs the current password, ends the other sessions and keeps this one", async () => {
    w.clinic.clock.set(T0);
    const p = await verifiedPatient();
    const other = (await login(p.email, TEST_PASSWORD)).body.token as string;
    const wrong = await w.clinic.call("POST", "/api/auth/change-password", {
      as: p.token,
      body: { currentPassword: "not my password", newPassword: NEW_PASSWORD },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe("wrong_password");
    expect((await me(other)).status).toBe(200);
    const ok = await w.clinic.call("POST", "/api/auth/change-password", {
      as: p.token,
      body: { currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD },
    });
    expect(ok.status).toBe(204);
    expect((await me(p.token)).status).toBe(200);
    expect((await me(other)).status).toBe(401);
    expect((await login(p.email, NEW_PASSWORD)).status).toBe(200);
    expect(
      (
        await w.clinic.call("POST", "/api/auth/change-password", {
          body: { currentPassword: "x", newPassword: NEW_PASSWORD },
        })
      ).status,
    ).toBe(401);
  });

  it("logout-all ends every session, this one included", async () => {
    const p = await verifiedPatient();
    const other = (await login(p.email, TEST_PASSWORD)).body.token as string;
    const res = await w.clinic.call("POST", "/api/auth/logout-all", { as: p.token });
    expect(res.status).toBe(204);
    expect((await me(p.token)).status).toBe(401);
    expect((await me(other)).status).toBe(401);
    expect((await login(p.email, TEST_PASSWORD)).status).toBe(200);
  });
});

describe("invitations", () => {
  it("lets an admin invite a doctor, who sets their own password through the link", async () => {
    w.clinic.clock.set(T0);
    const admin = await w.clinic.person("admin");
    const email = uniqueEmail("dra");
    const created = await w.clinic.call("POST", "/api/users", {
      as: admin,
      body: {
        email,
        name: "Dra. Lia Campos",
        role: "doctor",
        invite: true,
        language: "en",
        doctor: {
          specialty: "Pediatria",
          crm: String(randomInt(100_000, 999_999_999)),
          crmState: "AM",
          timezone: "America/Manaus",
        },
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.user).toMatchObject({ email, role: "doctor", emailVerified: false, language: "en" });
    // No password works before the invitation is accepted.
    expect((await login(email, "!invited")).status).toBe(401);
    const token = await linkToken(email, "/accept-invite");
    expect(w.sink.to(email)[0]!.subject).toBe("You are invited to HealthFlow");
    const accepted = await w.clinic.call("POST", "/api/auth/accept-invite", {
      body: { token, password: NEW_PASSWORD },
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body.user).toMatchObject({ email, role: "doctor", emailVerified: true });
    expect((await me(accepted.body.token)).body.user.id).toBe(created.body.user.id);
    expect((await login(email, NEW_PASSWORD)).status).toBe(200);
    const again = await w.clinic.call("POST", "/api/auth/accept-invite", {
      body: { token, password: "hijack attempt" },
    });
    expect(again.body.error.code).toBe("token_used");
    // A week later an unused invitation has expired.
    const late = uniqueEmail("late");
    await w.clinic.call("POST", "/api/users", {
      as: admin,
      body: { email: late, name: "Late Patient", role: "patient", invite: true },
    });
    const lateToken = await linkToken(late, "/accept-invite");
    w.clinic.clock.advance(7 * 24 * 60 * MIN + MIN);
    const expired = await w.clinic.call("POST", "/api/auth/accept-invite", {
      body: { token: lateToken, password: NEW_PASSWORD },
    });
    expect(expired.body.error.code).toBe("token_expired");
  });

  it("needs either a password or invite: true", async () => {
    w.clinic.clock.set(T0);
    const admin = await w.clinic.person("admin");
    const both = await w.clinic.call("POST", "/api/users", {
      as: admin,
      body: { email: uniqueEmail("x"), name: "X", role: "patient", invite: true, password: TEST_PASSWORD },
    });
    expect(both.status).toBe(400);
    const neither = await w.clinic.call("POST", "/api/users", {
      as: admin,
      body: { email: uniqueEmail("y"), name: "Y", role: "patient" },
    });
    expect(neither.status).toBe(400);
  });
});

describe("tokens never reach the logs", () => {
  it("logs neither the POSTed token nor the token of a link page's query string", async () => {
    w.clinic.clock.set(T0);
    const lines: string[] = [];
    const app = createApp({ ...w.clinic.deps, logger: createLogger({ level: "debug", write: (l) => lines.push(l) }) });
    const email = uniqueEmail("log");
    const post = (path: string, body: unknown) =>
      app.request(path, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect((await post("/api/auth/register", { email, password: TEST_PASSWORD, name: "Log Test" })).status).toBe(202);
    const verify = await linkToken(email, "/verify-email");
    await app.request(`/verify-email?token=${verify}`);
    expect((await post("/api/auth/verify-email", { token: verify })).status).toBe(200);
    await post("/api/auth/forgot-password", { email });
    const reset = await linkToken(email, "/reset-password");
    await app.request(`/reset-password?token=${reset}`);
    expect((await post("/api/auth/reset-password", { token: reset, password: NEW_PASSWORD })).status).toBe(204);
    expect(lines.length).toBeGreaterThan(5);
    const all = lines.join("\n");
    expect(all).not.toContain(verify);
    expect(all).not.toContain(reset);
    expect(all).not.toContain(NEW_PASSWORD);
  });
});
