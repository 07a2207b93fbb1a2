/**
 * User management (issue 13) in Chromium against the real server: an admin edits a doctor (name,
 * email, specialty, CRM and state, time zone, slot length) and sees their upcoming load; disables a
 * patient, whose open session then fails, and re-enables them; a patient edits their own profile
 * (name, phone, language: the screens switch language). Keyboard, labels, 360 px and axe on each.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { en } from "../src/lib/messages.js";
import {
  Api,
  axeViolations,
  e2e,
  launch,
  newPage,
  newPassword,
  pt,
  randomCrm,
  screenshot,
  signIn,
  skip,
  uniq,
  unlabelledControls,
} from "./harness.js";

const fill = (template: string, params: Record<string, string | number>) =>
  template.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k]));

describe.skipIf(skip)("user management", () => {
  let browser: Browser;
  let admin: Api;
  let page: Page;

  beforeAll(async () => {
    browser = await launch();
    admin = await Api.admin();
    page = (await newPage(browser)).page;
    await signIn(page, e2e.adminEmail, e2e.adminPassword);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("an admin edits a doctor and sees their upcoming load", async () => {
    const doctor = await admin.createDoctor();
    const patient = await admin.createPatient();
    const slot = await admin.firstSlot(doctor.id);
    await admin.call("POST", "/api/consultations", {
      doctorId: doctor.id,
      patientId: patient.id,
      startsAt: slot.startsAt,
    });

    await page.goto("/users");
    await page.getByLabel(pt["users.filter"]).selectOption("doctor");
    const row = page.getByRole("row").filter({ hasText: doctor.email });
    await row.getByText(fill(pt["users.loadSummary"], { upcoming: 1, week: 1, month: 1 })).waitFor();
    await row.getByText(pt["users.activeBadge"], { exact: true }).waitFor();

    // Opened from the keyboard; the dialog takes focus and names whom it edits.
    await page.getByRole("button", { name: `${pt["users.edit"]} ${doctor.name}` }).focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: fill(pt["users.editTitle"], { name: doctor.name }) });
    await dialog.waitFor();
    expect(await dialog.getByLabel(pt["auth.name"]).inputValue()).toBe(doctor.name);
    expect(await unlabelledControls(page)).toEqual([]);
    expect(await axeViolations(page)).toEqual([]);

    const edited = {
      name: `Dra. Editada ${uniq()}`,
      email: `editada-${uniq()}@e2e.healthflow.test`,
      specialty: `Dermatologia ${uniq()}`,
      crm: randomCrm(),
    };
    await dialog.getByLabel(pt["auth.name"]).fill(edited.name);
    await dialog.getByLabel(pt["auth.email"]).fill(edited.email);
    await dialog.getByLabel(pt["users.specialty"]).fill(edited.specialty);
    await dialog.getByLabel(pt["users.license"]).fill(edited.crm);
    await dialog.getByLabel(pt["users.crmState"]).selectOption("MG");
    // A zone that is not one is said in words, and nothing typed is lost.
    await dialog.getByLabel(pt["availability.timezone"]).fill("Manaus");
    await dialog.getByRole("button", { name: pt["common.save"] }).click();
    await dialog.getByText(pt["validation.timezone"]).waitFor();
    expect(await dialog.getByLabel(pt["auth.name"]).inputValue()).toBe(edited.name);
    await dialog.getByLabel(pt["availability.timezone"]).fill("America/Manaus");
    await dialog.getByLabel(pt["availability.slotMinutes"]).fill("45");
    await dialog.getByRole("button", { name: pt["common.save"] }).click();
    await page.getByText(fill(pt["users.saved"], { name: edited.name })).waitFor();
    await page.getByRole("cell", { name: edited.email }).waitFor();
    await screenshot(page, "40-users-edited");

    const { users } = await admin.call<{ users: any[] }>("GET", "/api/users?role=doctor&limit=500");
    expect(users.find((u) => u.id === doctor.id)).toMatchObject({
      name: edited.name,
      email: edited.email,
      doctor: {
        specialty: edited.specialty,
        crm: edited.crm,
        crmState: "MG",
        timezone: "America/Manaus",
        slotMinutes: 45,
      },
    });

    // A taken email is refused in words, in the dialog, and the dialog keeps what was typed.
    await page.getByRole("button", { name: `${pt["users.edit"]} ${edited.name}` }).click();
    const again = page.getByRole("dialog", { name: fill(pt["users.editTitle"], { name: edited.name }) });
    await again.getByLabel(pt["auth.email"]).fill(patient.email);
    await again.getByRole("button", { name: pt["common.save"] }).click();
    await again.getByText(pt["error.email_taken"]).waitFor();
    expect(await again.getByLabel(pt["auth.email"]).inputValue()).toBe(patient.email);
    await page.keyboard.press("Escape");
    await again.waitFor({ state: "hidden" });

    // Disabling a doctor says how many consultations stay booked for the admin to move.
    await page.getByRole("button", { name: `${pt["users.disable"]} ${edited.name}` }).click();
    const confirm = page.getByRole("dialog", { name: fill(pt["users.disableTitle"], { name: edited.name }) });
    await confirm.getByText(fill(pt["users.disableDoctorLoad"], { count: 1 })).waitFor();
    await confirm.getByRole("button", { name: pt["users.back"] }).click();
    await confirm.waitFor({ state: "hidden" });
  });

  it("an admin disables a patient (their open session fails at once) and re-enables them, at 360 px", async () => {
    const patient = await admin.createPatient();
    const patientApi = await Api.signIn(patient.email, patient.password);
    const { page: theirs, context } = await newPage(browser, { width: 360, height: 740 });
    await signIn(theirs, patient.email, patient.password);

    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto("/users");
    await page.getByLabel(pt["users.filter"]).selectOption("patient");
    await page.getByRole("cell", { name: patient.email }).waitFor();
    await page.getByRole("button", { name: `${pt["users.disable"]} ${patient.name}` }).click();
    const confirm = page.getByRole("dialog", { name: fill(pt["users.disableTitle"], { name: patient.name }) });
    await confirm.getByText(pt["users.disablePatientNote"]).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "41-users-disable-360");
    await confirm.getByRole("button", { name: pt["users.disable"], exact: true }).click();
    await page.getByText(fill(pt["users.disabledDone"], { name: patient.name })).waitFor();
    const row = page.getByRole("row").filter({ hasText: patient.email });
    await row.getByText(pt["users.disabledBadge"], { exact: true }).waitFor();
    // Focus comes back to the row's button, which now re-enables.
    const toggle = page.getByRole("button", { name: `${pt["users.enable"]} ${patient.name}` });
    await expect.poll(() => toggle.evaluate((b) => b === document.activeElement)).toBe(true);
    expect(await axeViolations(page)).toEqual([]);

    // Their token and their browser session stop working at once.
    await expect(patientApi.call("GET", "/api/auth/me")).rejects.toThrow(/401/);
    await theirs.goto("/consultations");
    await theirs.waitForURL((u) => u.pathname.startsWith("/login"));
    await expect(Api.signIn(patient.email, patient.password)).rejects.toThrow(/401/);

    await toggle.click();
    const enable = page.getByRole("dialog", { name: fill(pt["users.enableTitle"], { name: patient.name }) });
    await enable.getByRole("button", { name: pt["users.enable"], exact: true }).click();
    await page.getByText(fill(pt["users.enabledDone"], { name: patient.name })).waitFor();
    await row.getByText(pt["users.activeBadge"], { exact: true }).waitFor();
    await signIn(theirs, patient.email, patient.password);
    expect(new URL(theirs.url()).pathname).not.toMatch(/^\/login/);
    await context.close();
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("an admin cannot disable their own account: the refusal is said in words", async () => {
    await page.goto("/users");
    await page.getByLabel(pt["users.filter"]).selectOption("admin");
    const me = await admin.call<{ user: { name: string } }>("GET", "/api/auth/me");
    await page.getByRole("button", { name: `${pt["users.disable"]} ${me.user.name}` }).click();
    const confirm = page.getByRole("dialog", { name: fill(pt["users.disableTitle"], { name: me.user.name }) });
    await confirm.getByRole("button", { name: pt["users.disable"], exact: true }).click();
    await confirm.getByText(pt["error.cannot_disable_self"]).waitFor();
    await confirm.getByRole("button", { name: pt["users.back"] }).click();
    await confirm.waitFor({ state: "hidden" });
  });

  it("the users screen in English at 360 px: badges, named buttons, the edit dialog, axe clean", async () => {
    const patient = await admin.createPatient();
    await admin.call("POST", `/api/users/${patient.id}/disable`);
    const { page: english, context } = await newPage(browser, { width: 360, height: 740, locale: "en" });
    await signIn(english, e2e.adminEmail, e2e.adminPassword);
    await english.getByLabel(pt["nav.language"]).selectOption("en");
    await english.goto("/users");
    await english.getByLabel(en["users.filter"]).selectOption("patient");
    const row = english.getByRole("row").filter({ hasText: patient.email });
    await row.getByText(en["users.disabledBadge"], { exact: true }).waitFor();
    await english.getByRole("button", { name: `${en["users.enable"]} ${patient.name}` }).waitFor();
    expect(await axeViolations(english)).toEqual([]);
    await english.getByRole("button", { name: `${en["users.edit"]} ${patient.name}` }).click();
    const dialog = english.getByRole("dialog", { name: fill(en["users.editTitle"], { name: patient.name }) });
    await dialog.getByText(en["users.emailNote"]).waitFor();
    expect(await unlabelledControls(english)).toEqual([]);
    expect(await axeViolations(english)).toEqual([]);
    await screenshot(english, "43-users-edit-en-360");
    await context.close();
  });

  it("a patient edits their own profile: name, phone and language (the screens switch to English)", async () => {
    const email = `perfil-${uniq()}@e2e.healthflow.test`;
    const password = newPassword();
    await admin.call("POST", "/api/users", { email, name: "Paula Ramos", role: "patient", password });
    const { page: mine, context } = await newPage(browser, { width: 360, height: 740 });
    await signIn(mine, email, password);
    await mine.goto("/account");
    expect(await mine.getByLabel(pt["auth.name"]).inputValue()).toBe("Paula Ramos");
    expect(await unlabelledControls(mine)).toEqual([]);
    expect(await axeViolations(mine)).toEqual([]);

    await mine.getByLabel(pt["account.phone"]).fill("abc");
    await mine.getByRole("button", { name: pt["common.save"] }).click();
    await mine.getByText(pt["validation.phone"]).waitFor();
    expect(await mine.getByLabel(pt["account.phone"]).getAttribute("aria-invalid")).toBe("true");

    await mine.getByLabel(pt["auth.name"]).fill("Paula Ramos Souza");
    await mine.getByLabel(pt["account.phone"]).fill("+55 (11) 98765-4321");
    await mine.getByLabel(pt["account.language"]).selectOption("en");
    await mine.getByRole("button", { name: pt["common.save"] }).click();
    await mine.getByText(en["account.profileSaved"]).waitFor();
    expect(await mine.getByRole("heading", { level: 1 }).textContent()).toBe(en["account.title"]);
    // Stored normalised (search matches it by its digits), and shown as stored.
    expect(await mine.getByLabel(en["account.phone"]).inputValue()).toBe("+5511987654321");
    expect(await axeViolations(mine)).toEqual([]);
    await screenshot(mine, "42-account-profile-360");

    const me = await (await Api.signIn(email, password)).call<{ user: Record<string, unknown> }>("GET", "/api/auth/me");
    expect(me.user).toMatchObject({ name: "Paula Ramos Souza", phone: "+5511987654321", language: "en" });
    await context.close();
  });
});
