/**
 * A patient's whole journey in the UI: register, book, see it, reschedule, cancel; a doctor sees the
 * booking in the week view and completes a consultation; an expired session returns to sign-in and
 * back; the language switch is remembered.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Api,
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

describe.skipIf(skip)("patient and doctor flows", () => {
  let browser: Browser;
  let admin: Api;
  let doctor: Awaited<ReturnType<Api["createDoctor"]>>;
  const patient = {
    name: `Maria Teste ${uniq()}`,
    email: `maria-${uniq()}@e2e.healthflow.test`,
    password: newPassword(),
  };
  const reason = `Dor de cabeça ${uniq()}`;
  let page: Page;

  beforeAll(async () => {
    browser = await launch();
    admin = await Api.admin();
    // 15-minute slots: the first free one starts within 15 minutes, when "Start" is allowed.
    doctor = await admin.createDoctor({ slotMinutes: 15 });
    page = (await newPage(browser)).page;
  });
  afterAll(async () => {
    await browser?.close();
  });

  const item = () => page.locator("article.consultation", { hasText: reason });

  it("registers a patient account", async () => {
    await page.goto("/login");
    await page.getByRole("link", { name: pt["auth.createAccount"] }).click();
    await page.waitForURL("**/register");
    await page.getByLabel(pt["auth.name"]).fill(patient.name);
    await page.getByLabel(pt["auth.email"]).fill(patient.email);
    await page.getByLabel(pt["auth.newPassword"]).fill("short");
    await page.getByRole("button", { name: pt["auth.createAccount"] }).click();
    // Client-side validation with the server's schema; nothing typed is lost.
    await expect(page.getByText(pt["validation.password"]).isVisible()).resolves.toBe(true);
    expect(await page.getByLabel(pt["auth.name"]).inputValue()).toBe(patient.name);
    await screenshot(page, "02-register");
    await page.getByLabel(pt["auth.newPassword"]).fill(patient.password);
    await page.getByRole("button", { name: pt["auth.createAccount"] }).click();
    await page.waitForURL("**/consultations");
    await page.getByText(pt["auth.welcome"].replace("{name}", patient.name)).waitFor();
    expect(await unlabelledControls(page)).toEqual([]);
  });

  it("books a slot shown in the viewer's time zone and sees it in the list", async () => {
    await page.getByRole("link", { name: pt["patient.bookNew"] }).click();
    await page.waitForURL("**/book");
    await page.getByText("America/Sao Paulo (GMT-03:00)").first().waitFor();
    await page.getByLabel(pt["book.specialty"]).selectOption(doctor.specialty);
    await page.getByLabel(pt["book.doctor"], { exact: true }).selectOption(doctor.id);
    await page.locator(".day-picker button").nth(1).click();
    const firstSlot = page.locator(".slot-picker button.slot").first();
    const shownTime = (await firstSlot.textContent())!.trim();
    // Rules are 00:00–24:00 UTC, so in São Paulo the first slot of a full day is 00:00 local time.
    expect(shownTime).toBe("00:00");
    await firstSlot.click();
    await page.getByLabel(pt["book.reason"]).fill(reason);
    expect(await unlabelledControls(page)).toEqual([]);
    await screenshot(page, "03-book");
    await page.getByRole("button", { name: pt["book.confirm"] }).click();
    await page.waitForURL("**/consultations");
    await page.getByText(pt["book.booked"].split("{when}")[0]!).waitFor();
    await item().waitFor();
    expect(await item().textContent()).toContain(doctor.name);
    expect(await item().textContent()).toContain(pt["status.scheduled"]);
    expect(await item().locator("time").first().textContent()).toBe("00:00");
    await screenshot(page, "04-my-consultations");
  });

  it("reschedules it", async () => {
    const before = await item().locator("time").first().getAttribute("datetime");
    await item().getByRole("link", { name: pt["consultation.reschedule"] }).click();
    await page.waitForURL("**/book?**");
    await page.getByText(pt["book.rescheduleTitle"]).first().waitFor();
    await page.locator(".day-picker button").nth(2).click();
    await page.locator(".slot-picker button.slot").nth(40).click();
    await page.getByRole("button", { name: pt["book.confirmReschedule"] }).click();
    await page.waitForURL("**/consultations");
    await page.getByText(pt["book.rescheduled"].split("{when}")[0]!).waitFor();
    const after = await item().locator("time").first().getAttribute("datetime");
    expect(after).not.toBe(before);
    expect(Date.parse(after!) - Date.parse(before!)).toBeGreaterThan(86_400_000);
    expect(await item().locator("time").first().textContent()).toBe("10:00");
  });

  it("shows it to the doctor in the week view, and the doctor completes a consultation", async () => {
    // A second consultation for now-ish, booked by the admin for this patient, for the doctor to run.
    const patients = await admin.call<{ users: { id: string; email: string }[] }>("GET", "/api/users?role=patient");
    const patientId = patients.users.find((u) => u.email === patient.email)!.id;
    const slot = await admin.firstSlot(doctor.id);
    const soonReason = `Retorno ${uniq()}`;
    await admin.call("POST", "/api/consultations", {
      doctorId: doctor.id,
      startsAt: slot.startsAt,
      reason: soonReason,
      patientId,
    });

    const { page: dp, context } = await newPage(browser);
    await signIn(dp, doctor.email, doctor.password);
    await dp.waitForURL("**/agenda");
    // The week as a list (the grid is the desktop's default; the list keeps every detail).
    await dp.getByRole("button", { name: pt["agendaGrid.list"] }).click();
    await dp.locator(".agenda-list").waitFor();
    const mine = dp.locator("article.consultation", { hasText: reason });
    for (let i = 0; i < 2 && !(await mine.isVisible()); i++) {
      await dp.getByRole("button", { name: pt["agenda.nextWeek"] }).click();
      await dp.locator(".week").waitFor();
    }
    await mine.waitFor();
    expect(await mine.textContent()).toContain(patient.name);
    expect(await mine.textContent()).toContain(pt["status.scheduled"]);
    await screenshot(dp, "05-agenda-week");

    await dp.getByRole("button", { name: pt["agenda.today"] }).click();
    await dp.getByRole("button", { name: pt["agenda.day"] }).click();
    await dp.waitForURL("**view=day**");
    // The day grid: the consultation's block opens its details, with every action of the list.
    const grid = dp.getByRole("region", { name: /^Grade da agenda/ });
    await grid.locator(".tgrid-item").first().waitFor();
    const block = grid.getByRole("button", { name: new RegExp(`^Consulta com ${patient.name}, `) });
    if (
      !(await block
        .first()
        .isVisible()
        .catch(() => false))
    ) {
      // Just before midnight the first free slot is tomorrow.
      await dp.getByRole("button", { name: pt["agenda.nextDay"] }).click();
    }
    await block.first().click();
    const soon = dp
      .getByRole("region", { name: pt["agendaGrid.selected"] })
      .locator("article.consultation", { hasText: soonReason });
    await soon.waitFor();
    await screenshot(dp, "06-agenda-day");
    await soon.getByRole("button", { name: pt["consultation.start"] }).click();
    await soon.getByText(pt["status.in_progress"]).waitFor();
    await soon.getByRole("button", { name: pt["consultation.writeNotes"] }).click();
    const notes = `Paciente bem. ${uniq()}`;
    await dp.getByRole("dialog").getByLabel(pt["consultation.notes"]).fill(notes);
    await dp.getByRole("dialog").getByRole("button", { name: pt["common.save"] }).click();
    await soon.getByText(notes).waitFor();
    await soon.getByRole("button", { name: pt["consultation.complete"] }).click();
    await soon.getByText(pt["status.completed"]).waitFor();
    const list = await admin.call<{ consultations: { id: string; reason: string }[] }>(
      "GET",
      `/api/consultations?doctorId=${doctor.id}&status=completed`,
    );
    const done = list.consultations.find((c) => c.reason === soonReason);
    expect(done).toBeDefined();
    const one = await admin.call<{ consultation: { status: string; notes?: string } }>(
      "GET",
      `/api/consultations/${done!.id}`,
    );
    expect(one.consultation).toMatchObject({ status: "completed", notes });
    await context.close();
  });

  it("cancels it, keeping the reason typed in the dialog", async () => {
    await page.reload();
    await item().waitFor();
    await item().getByRole("button", { name: pt["consultation.cancel"] }).click();
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    // Focus moves into the dialog.
    expect(await page.evaluate(() => !!document.activeElement?.closest("dialog"))).toBe(true);
    await dialog.getByLabel(pt["consultation.cancelReasonLabel"]).fill("Viagem");
    await screenshot(page, "07-cancel-dialog");
    await dialog.getByRole("button", { name: pt["consultation.cancelDo"] }).click();
    await item().getByText(pt["status.cancelled"]).waitFor();
    await expect(page.locator("section", { hasText: pt["patient.past"] }).last().textContent()).resolves.toContain(
      reason,
    );
  });

  it("sends an expired session to sign-in with a message, and back afterwards", async () => {
    await page.context().clearCookies();
    await page.getByRole("navigation").getByRole("link", { name: pt["nav.book"] }).click();
    await page.waitForURL("**/login?**");
    await page.getByText(pt["auth.expired"]).waitFor();
    expect(new URL(page.url()).searchParams.get("next")).toBe("/book");
    await page.getByLabel(pt["auth.email"]).fill(patient.email);
    await page.getByLabel(pt["auth.password"], { exact: true }).fill(patient.password);
    await page.getByRole("button", { name: pt["auth.signIn"], exact: true }).click();
    await page.waitForURL("**/book");
  });

  it("switches to English and remembers it", async () => {
    await page.getByLabel(pt["nav.language"]).selectOption("en");
    await page.getByRole("heading", { level: 1, name: "Book a consultation" }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("en");
    await page.reload();
    await page.getByRole("heading", { level: 1, name: "Book a consultation" }).waitFor();
    await page.getByLabel("Language").selectOption("pt-BR");
    await page.getByRole("heading", { level: 1, name: pt["book.title"] }).waitFor();
  });
});
