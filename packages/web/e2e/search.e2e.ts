/**
 * Search (issue #13), as people use it: the receptionist types a few letters of a patient's name
 * (no accents), email or phone into the booking form's patient combobox and picks with the keyboard;
 * "load more" pages on; a doctor finds only their own patients; a patient finds a doctor by name,
 * and books the first available time of a specialty. pt-BR and English, at desktop and 360 px,
 * axe clean.
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
  pt,
  screenshot,
  signIn,
  skip,
  uniq,
  unlabelledControls,
} from "./harness.js";

/** A tag of letters only (a word the search matches by its prefix). */
const letters = () =>
  uniq()
    .replace(/[0-9]/g, (d) => "ghijklmnop"[Number(d)]!)
    .slice(0, 8);

describe.skipIf(skip)("search", () => {
  let browser: Browser;
  let admin: Api;
  const tag = letters();
  let conceicao: { id: string; name: string; email: string };
  let doctor: Awaited<ReturnType<Api["createDoctor"]>>;

  beforeAll(async () => {
    browser = await launch();
    admin = await Api.admin();
    // 22 patients share the tag (more than one page of 20), one has an accented name and a phone.
    for (let i = 0; i < 22; i++) {
      await admin.call("POST", "/api/users", {
        email: `busca-${tag}-${i}@e2e.healthflow.test`,
        name: `Busca ${tag} ${String(i).padStart(2, "0")}`,
        role: "patient",
        password: "long enough password",
      });
    }
    const made = await admin.call<{ user: { id: string; name: string; email: string } }>("POST", "/api/users", {
      email: `mcs-${tag}@e2e.healthflow.test`,
      name: `Maria da Conceição ${tag}`,
      role: "patient",
      password: "long enough password",
      phone: "+55 (11) 91234-5678",
    });
    conceicao = made.user;
    doctor = await admin.createDoctor({ specialty: `Cardiologia ${tag}` });
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function combobox(page: Page) {
    return page.getByRole("combobox", { name: pt["search.patientLabel"] });
  }

  it("the receptionist finds a patient without accents, by phone, and books with the keyboard", async () => {
    const { page, context } = await newPage(browser);
    await signIn(page, e2e.adminEmail, e2e.adminPassword);
    await page.goto("/book");
    const box = await combobox(page);
    await box.click();
    await page.keyboard.type(`conceicao ${tag}`, { delay: 30 });
    const list = page.getByRole("listbox", { name: pt["search.patientLabel"] });
    const option = list.getByRole("option", { name: new RegExp(conceicao.name) });
    await page.getByText(pt["search.results"].replace("{count}", "1")).waitFor();
    expect(await list.getByRole("option").count()).toBe(1);
    // The option shows the email and the phone.
    expect(await option.textContent()).toContain(conceicao.email);
    expect(await option.textContent()).toContain("+5511912345678");
    expect(await box.getAttribute("aria-expanded")).toBe("true");
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "40-search-patient");
    await page.keyboard.press("ArrowDown");
    expect(await box.getAttribute("aria-activedescendant")).toBe(await option.getAttribute("id"));
    await page.keyboard.press("Enter");
    await page.getByText(pt["search.chosenPatient"].replace("{name}", conceicao.name)).waitFor();
    expect(await box.inputValue()).toBe(conceicao.name);
    expect(await box.getAttribute("aria-expanded")).toBe("false");

    // By phone, as typed on a form.
    await box.fill("");
    await box.pressSequentially("91234-5678", { delay: 20 });
    await page.getByRole("option", { name: new RegExp(conceicao.name) }).waitFor();
    await page.keyboard.press("Escape");
    expect(await box.getAttribute("aria-expanded")).toBe("false");
    await page.keyboard.press("Escape");
    expect(await box.inputValue()).toBe("");

    // Choose again and book: doctor, a slot, confirm.
    await box.pressSequentially(`maria ${tag}`, { delay: 20 });
    await page.getByRole("option", { name: new RegExp(conceicao.name) }).click();
    await page.getByLabel(pt["book.specialty"]).selectOption(doctor.specialty);
    await page.getByLabel(pt["book.doctor"], { exact: true }).selectOption(doctor.id);
    await page.locator(".day-picker button").first().click();
    await page.locator(".slot-picker button.slot").first().click();
    await page.getByRole("button", { name: pt["book.confirm"] }).click();
    await page.waitForURL("**/agenda");
    const { consultations } = await admin.call<{ consultations: { patientId: string; doctorId: string }[] }>(
      "GET",
      `/api/consultations?patientId=${conceicao.id}`,
    );
    expect(consultations.map((c) => c.doctorId)).toEqual([doctor.id]);
    await context.close();
  });

  it("pages with 'load more' and works at 360 px in English", async () => {
    const { page, context } = await newPage(browser, { width: 360, height: 740, locale: "en" });
    await signIn(page, e2e.adminEmail, e2e.adminPassword);
    await page.goto("/book");
    await page.evaluate(() => localStorage.setItem("healthflow.lang", "en"));
    await page.reload();
    const box = page.getByRole("combobox", { name: en["search.patientLabel"] });
    await box.pressSequentially(`busca ${tag}`, { delay: 20 });
    const list = page.getByRole("listbox", { name: en["search.patientLabel"] });
    await list.getByRole("option", { name: en["search.loadMore"] }).waitFor();
    expect(await list.getByRole("option").count()).toBe(21); // 20 patients + "load more"
    // Keyboard: up from the top wraps to "load more"; Enter loads the next page.
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press("Enter");
    await list.getByRole("option", { name: new RegExp(`Busca ${tag} 21`) }).waitFor();
    expect(await list.getByRole("option").count()).toBe(22);
    expect(await list.getByRole("option", { name: en["search.loadMore"] }).count()).toBe(0);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(360);
    expect(await unlabelledControls(page)).toEqual([]);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "41-search-load-more-360");
    await context.close();
  });

  it("a doctor finds only their own patients", async () => {
    const own = await admin.createPatient();
    const stranger = await admin.createPatient();
    const slot = await admin.firstSlot(doctor.id);
    await admin.call("POST", "/api/consultations", { doctorId: doctor.id, patientId: own.id, startsAt: slot.startsAt });
    const { page, context } = await newPage(browser);
    await signIn(page, doctor.email, doctor.password);
    await page.getByRole("navigation").getByRole("link", { name: pt["nav.bookFor"] }).click();
    await page.waitForURL("**/book");
    const box = await combobox(page);
    // Both are named "Paciente <hex>": the search for the shared word lists only the doctor's own.
    await box.pressSequentially(own.name.split(" ")[1]!, { delay: 20 });
    await page.getByRole("option", { name: new RegExp(own.name) }).waitFor();
    await box.fill("");
    await box.pressSequentially(stranger.name.split(" ")[1]!, { delay: 20 });
    await page.getByText(pt["search.noPatients"]).waitFor();
    expect(await page.locator("#book-patient-list").getByRole("option").count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    // And books the patient found, in their own agenda (no doctor to choose).
    expect(await page.locator("#book-doctor").count()).toBe(0);
    await box.fill("");
    await box.pressSequentially(own.name.split(" ")[1]!, { delay: 20 });
    await page.getByRole("option", { name: new RegExp(own.name) }).click();
    await page.locator(".day-picker button").first().click();
    await page.locator(".slot-picker button.slot").first().click();
    await page.getByRole("button", { name: pt["book.confirm"] }).click();
    await page.waitForURL("**/agenda");
    const { consultations } = await admin.call<{ consultations: { doctorId: string }[] }>(
      "GET",
      `/api/consultations?patientId=${own.id}`,
    );
    expect(consultations.map((c) => c.doctorId)).toEqual([doctor.id, doctor.id]);
    await context.close();
  });

  it("a patient finds a doctor by name and books the first available time of a specialty", async () => {
    const second = await admin.createDoctor({ specialty: doctor.specialty });
    const patient = await admin.createPatient();
    const { page, context } = await newPage(browser, { width: 360, height: 740 });
    await signIn(page, patient.email, patient.password);
    await page.goto("/book");
    // By name, without accents or case: the doctor list narrows to the one doctor.
    const hex = second.name.split(" ").at(-1)!;
    await page.getByLabel(pt["search.doctorLabel"]).fill(`TESTE ${hex}`);
    await page.getByText(pt["search.doctorsFound"].replace("{count}", "1")).waitFor();
    const names = await page.locator("#book-doctor option").allTextContents();
    expect(names.slice(1)).toEqual([`${second.name} · ${second.specialty}`]);
    await page.getByLabel(pt["search.doctorLabel"]).fill("");

    // First available across the specialty's doctors.
    await page.getByLabel(pt["book.specialty"]).selectOption(doctor.specialty);
    const section = page.getByRole("region", { name: pt["search.firstTitle"] });
    await section.getByRole("button").first().waitFor();
    const offered = await section.getByRole("button").allTextContents();
    expect(offered).toHaveLength(2);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "42-first-available-360");
    await section.getByRole("button").first().click();
    await page.getByRole("heading", { name: pt["book.confirmTitle"] }).waitFor();
    await page.getByRole("button", { name: pt["book.confirm"] }).click();
    await page.waitForURL("**/consultations");
    const { consultations } = await admin.call<{ consultations: { doctorId: string; startsAt: string }[] }>(
      "GET",
      `/api/consultations?patientId=${patient.id}`,
    );
    expect(consultations).toHaveLength(1);
    expect([doctor.id, second.id]).toContain(consultations[0]!.doctorId);
    const doctorName = consultations[0]!.doctorId === doctor.id ? doctor.name : second.name;
    expect(offered[0]).toContain(doctorName);
    await context.close();
  });
});
