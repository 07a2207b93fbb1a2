/**
 * The account screens in Chromium at 360 px, against the real server whose mail goes to the local
 * mailbox (no SMTP in this run): forgot → reset through the link the mailbox received, an
 * invitation accepted, a bad verification link, my account (language, password), and the admin's
 * outbox screen in English. Links are read back as an admin reads them: GET /api/messages/:id.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { en } from "../src/lib/messages.js";
import {
  Api,
  e2e,
  launch,
  newPage,
  newPassword,
  pt,
  screenshot,
  signIn,
  skip,
  uniq,
  unlabelledControls,
} from "./harness.js";

/** Waits until the dispatcher delivered the newest message of `kind` to `email`; returns its link path. */
async function mailedLink(admin: Api, email: string, kind: string, path: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { messages } = await admin.call<{ messages: { id: string; to: string; kind: string; status: string }[] }>(
      "GET",
      "/api/messages?limit=100",
    );
    const m = messages.find((x) => x.to === email && x.kind === kind && x.status === "sent");
    if (m) {
      const { message } = await admin.call<{ message: { mailbox: { text: string } | null } }>(
        "GET",
        `/api/messages/${m.id}`,
      );
      const link = new RegExp(`https?://[^/\\s]+(${path}\\?token=[A-Za-z0-9_-]+)`).exec(message.mailbox?.text ?? "");
      if (link) return link[1]!;
    }
    if (Date.now() > deadline) throw new Error(`no ${kind} mail to ${email}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function heading(page: Page): Promise<string | null> {
  return page.getByRole("heading", { level: 1 }).textContent();
}

describe.skipIf(skip)("account screens", () => {
  let browser: Browser;
  let admin: Api;
  beforeAll(async () => {
    browser = await launch();
    admin = await Api.admin();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("forgot password → the mailed link → a new password, at 360 px", async () => {
    const email = `reset-${uniq()}@e2e.healthflow.test`;
    const old = newPassword();
    await admin.call("POST", "/api/users", { email, name: "Rita Reset", role: "patient", password: old });
    const { page, context } = await newPage(browser, { width: 360, height: 740 });
    await page.goto("/login");
    await page.getByRole("link", { name: pt["account.forgotLink"] }).click();
    await page.waitForURL("**/forgot-password");
    expect(await heading(page)).toBe(pt["account.forgotTitle"]);
    await page.getByLabel(pt["auth.email"], { exact: true }).fill(email);
    await page.getByRole("button", { name: pt["account.forgotSend"] }).click();
    await page.getByText(pt["account.forgotSent"]).waitFor();
    expect(await unlabelledControls(page)).toEqual([]);
    await screenshot(page, "20-forgot-password-360");

    const link = await mailedLink(admin, email, "reset_password", "/reset-password");
    await page.goto(link);
    // the token leaves the address bar at once
    await page.waitForURL((u) => u.pathname === "/reset-password" && !u.search.includes("token"));
    expect(await heading(page)).toBe(pt["account.resetTitle"]);
    const fresh = newPassword();
    await page.getByLabel(pt["account.newPassword"]).fill(fresh);
    await screenshot(page, "21-reset-password-360");
    await page.getByRole("button", { name: pt["common.save"] }).click();
    await page.waitForURL("**/login");
    await page.getByText(pt["account.resetDone"]).waitFor();
    await signIn(page, email, fresh);
    expect(new URL(page.url()).pathname).toBe("/consultations");
    await context.close();
  });

  it("an admin invites a patient from the users screen; the patient chooses a password through the link", async () => {
    const email = `invite-${uniq()}@e2e.healthflow.test`;
    const adminPage = await newPage(browser);
    await signIn(adminPage.page, e2e.adminEmail, e2e.adminPassword);
    await adminPage.page.goto("/users");
    await adminPage.page.getByLabel(pt["users.role"]).selectOption("patient");
    await adminPage.page.getByLabel(pt["auth.name"], { exact: true }).fill("Ivo Convidado");
    await adminPage.page.getByLabel(pt["auth.email"], { exact: true }).fill(email);
    await adminPage.page.getByLabel(pt["users.invite"]).check();
    expect(await adminPage.page.getByLabel(pt["users.initialPassword"]).count()).toBe(0);
    await adminPage.page.getByRole("button", { name: pt["users.createDo"] }).click();
    await adminPage.page.getByText(pt["users.created"].replace("{name}", "Ivo Convidado")).waitFor();
    await adminPage.context.close();
    const link = await mailedLink(admin, email, "invite", "/accept-invite");
    const { page, context } = await newPage(browser, { width: 360, height: 740 });
    await page.goto(link);
    await page.waitForURL((u) => u.pathname === "/accept-invite" && !u.search.includes("token"));
    expect(await heading(page)).toBe(pt["account.inviteTitle"]);
    await page.getByLabel(pt["account.newPassword"]).fill("short");
    await page.getByRole("button", { name: pt["account.inviteAccept"] }).click();
    await page.getByText(pt["validation.password"]).waitFor();
    await page.getByLabel(pt["account.newPassword"]).fill(newPassword());
    await page.getByRole("button", { name: pt["account.inviteAccept"] }).click();
    await page.waitForURL("**/consultations");
    await context.close();
  });

  it("a bad verification link says so and offers a new one", async () => {
    const { page, context } = await newPage(browser, { width: 360, height: 740 });
    await page.goto(`/verify-email?token=${"x".repeat(43)}`);
    await page.getByText(pt["error.invalid_token"]).waitFor();
    expect(new URL(page.url()).search).toBe("");
    await page.getByRole("button", { name: pt["account.resend"] }).waitFor();
    expect(await unlabelledControls(page)).toEqual([]);
    await screenshot(page, "22-verify-email-invalid-360");
    await context.close();
  });

  it("my account: the language of messages and screens, and a new password", async () => {
    const email = `acct-${uniq()}@e2e.healthflow.test`;
    const password = newPassword();
    await admin.call("POST", "/api/users", { email, name: "Alice Conta", role: "patient", password });
    const { page, context } = await newPage(browser, { width: 360, height: 740 });
    await signIn(page, email, password);
    await page.getByRole("link", { name: pt["nav.account"] }).click();
    await page.waitForURL("**/account");
    expect(await unlabelledControls(page)).toEqual([]);
    await page.getByLabel(pt["account.language"]).selectOption("en");
    await page.getByRole("button", { name: pt["common.save"] }).click();
    await page.getByText(en["account.languageSaved"]).waitFor();
    expect(await heading(page)).toBe(en["account.title"]);
    const me = await (await Api.signIn(email, password)).call<{ user: { language: string } }>("GET", "/api/auth/me");
    expect(me.user.language).toBe("en");
    await page.getByLabel(en["account.currentPassword"]).fill("not the password");
    await page.getByLabel(en["account.newPassword"]).fill(newPassword());
    await page.getByRole("button", { name: en["account.changePassword"] }).click();
    await page.getByText(en["error.wrong_password"]).waitFor();
    const next = newPassword();
    await page.getByLabel(en["account.currentPassword"]).fill(password);
    await page.getByLabel(en["account.newPassword"]).fill(next);
    await page.getByRole("button", { name: en["account.changePassword"] }).click();
    await page.getByText(en["account.passwordChanged"]).waitFor();
    await screenshot(page, "23-account-360");
    await Api.signIn(email, next);
    await context.close();
  });

  it("the admin's outbox in English at 360 px: statuses, attempts, a message opened", async () => {
    const email = `outbox-${uniq()}@e2e.healthflow.test`;
    await admin.call("POST", "/api/users", { email, name: "Olga Outbox", role: "patient", invite: true });
    await mailedLink(admin, email, "invite", "/accept-invite");
    const { page, context } = await newPage(browser, { width: 360, height: 740 });
    await signIn(page, e2e.adminEmail, e2e.adminPassword);
    await page.getByLabel(pt["nav.language"]).selectOption("en");
    await page.goto("/messages");
    expect(await heading(page)).toBe(en["messages.title"]);
    await page.locator("table tbody tr").first().waitFor();
    expect(await page.locator("table tbody tr").count()).toBeGreaterThan(0);
    // usable on a phone: nothing wider than the screen
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    expect(await unlabelledControls(page)).toEqual([]);
    await page.getByLabel(en["messages.status"]).selectOption("sent");
    await page.locator("table tbody tr").first().waitFor();
    await page
      .getByRole("button", { name: new RegExp(`^${en["messages.view"]}`) })
      .first()
      .click();
    await page.getByRole("dialog").waitFor();
    await screenshot(page, "24-outbox-en-360");
    await page.getByRole("dialog").getByRole("button", { name: en["common.close"] }).click();
    await context.close();
  });
});
