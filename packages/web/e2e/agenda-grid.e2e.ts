/**
 * The agenda as a time grid (issue 13), in Chromium as staff use it: an admin's day with one
 * column per doctor; a doctor's week with working hours (set in another zone), time off and a
 * consultation at the right height; a free slot booked for a patient; a consultation dragged to a
 * new time; the same done with the keyboard alone (and a slot taken meanwhile explained); axe at
 * 1280 and 360 px.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

const ZONE = "America/Sao_Paulo";
/** "YYYY-MM-DD" of today + n days in São Paulo. */
const spDate = (n: number) =>
  new Intl.DateTimeFormat("en-CA", { timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit" }).format(
    new Date(Date.now() + n * 86_400_000),
  );
/** An instant at a São Paulo wall-clock time (UTC-3 all year). */
const spAt = (n: number, hhmm: string) => new Date(`${spDate(n)}T${hhmm}:00-03:00`).toISOString();
const PPM = 1.6;

/** The accessible name of the focused element. */
const focusedName = (page: Page) =>
  page.evaluate(
    () =>
      (document.activeElement?.querySelector(".visually-hidden") ?? document.activeElement)?.textContent?.trim() ?? "",
  );

async function pressUntil(page: Page, key: string, done: (name: string) => boolean, max = 60) {
  for (let i = 0; i < max; i++) {
    if (done(await focusedName(page))) return;
    await page.keyboard.press(key);
  }
  throw new Error(`${key} never reached the wanted element (last: ${await focusedName(page)})`);
}

/** Top of an element relative to its grid column, in px. */
const offsetInColumn = (page: Page, selectorName: string) =>
  page.evaluate((name) => {
    const el = [...document.querySelectorAll<HTMLElement>(".tgrid-item, .tgrid-off")].find((e) =>
      (e.textContent ?? "").includes(name),
    );
    if (!el) return null;
    const col = el.closest(".tgrid-col")!.getBoundingClientRect();
    const box = el.getBoundingClientRect();
    return { top: Math.round(box.top - col.top), height: Math.round(box.height) };
  }, selectorName);

describe.skipIf(skip)("the agenda grid", () => {
  let browser: Browser;
  let admin: Api;
  beforeAll(async () => {
    browser = await launch();
    admin = await Api.admin();
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** A doctor working 11:00–15:00 UTC every day (08:00–12:00 in São Paulo), 30-minute slots. */
  async function morningDoctor(specialty?: string) {
    const doctor = await admin.createDoctor({ specialty });
    await admin.call("PUT", `/api/doctors/${doctor.id}/availability`, {
      timezone: "UTC",
      slotMinutes: 30,
      rules: [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start: "11:00", end: "15:00" })),
    });
    return doctor;
  }

  it("an admin's day shows one column per doctor, filtered by specialty", async () => {
    const specialty = `Grade ${uniq()}`;
    const a = await morningDoctor(specialty);
    const b = await morningDoctor(specialty);
    // Every doctor of the clinic, a page at a time (more than a page of them here).
    let all = await admin.call<{ doctors: unknown[] }>("GET", "/api/doctors");
    while (all.doctors.length <= 5) {
      await admin.createDoctor();
      all = await admin.call<{ doctors: unknown[] }>("GET", "/api/doctors");
    }
    const { page, context } = await newPage(browser);
    await signIn(page, e2e.adminEmail, e2e.adminPassword);
    await page.waitForURL("**/agenda");
    expect(await page.getByRole("button", { name: pt["agenda.day"], exact: true }).getAttribute("aria-pressed")).toBe(
      "true",
    );
    const firstPage = page.getByRole("region", { name: /^Grade da agenda/ }).getByRole("group");
    await firstPage.first().waitFor();
    expect(await firstPage.count()).toBe(Math.min(5, all.doctors.length));
    await page.getByText(text(pt["agendaGrid.doctorsPage"], { from: 1, to: 5, total: all.doctors.length })).waitFor();
    expect(await page.getByRole("button", { name: pt["agendaGrid.nextDoctors"] }).isEnabled()).toBe(true);
    await page.getByRole("button", { name: pt["agenda.nextDay"] }).click();
    await page.getByLabel(pt["agendaGrid.specialty"], { exact: true }).selectOption(specialty);
    const grid = page.getByRole("region", { name: /^Grade da agenda/ });
    await grid.getByRole("group", { name: new RegExp(a.name) }).waitFor();
    await grid.getByRole("group", { name: new RegExp(b.name) }).waitFor();
    expect(await grid.getByRole("group").count()).toBe(2);
    await grid.getByRole("button", { name: new RegExp(`^Livre, .* 08:00–08:30, ${a.name}$`) }).waitFor();
    await grid.getByRole("button", { name: new RegExp(`^Livre, .* 11:30–12:00, ${b.name}$`) }).waitFor();
    // Both columns show each doctor's hours, in the viewer's zone.
    expect(await grid.getByText("Atende 08:00–12:00").count()).toBe(2);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "40-agenda-grid-admin-day");
    await context.close();
  });

  it("a doctor's week draws working hours, time off and a consultation to scale", async () => {
    const doctor = await morningDoctor();
    const patient = await admin.createPatient();
    await admin.call("POST", "/api/consultations", {
      doctorId: doctor.id,
      patientId: patient.id,
      startsAt: spAt(1, "10:00"),
      reason: `Grade ${uniq()}`,
    });
    await admin.call("POST", `/api/doctors/${doctor.id}/time-off`, {
      startsAt: spAt(2, "09:00"),
      endsAt: spAt(2, "11:00"),
      reason: "Congresso",
    });
    const { page, context } = await newPage(browser);
    await signIn(page, doctor.email, doctor.password);
    expect(await page.getByRole("button", { name: pt["agenda.week"], exact: true }).getAttribute("aria-pressed")).toBe(
      "true",
    );
    const grid = page.getByRole("region", { name: /^Grade da agenda/ });
    await grid.waitFor();
    expect(await grid.getByRole("group").count()).toBe(7);
    // The hours come with the doctor's rules, after the grid itself: wait for them, then count.
    await grid.getByText("Atende 08:00–12:00").first().waitFor();
    expect(await grid.getByText("Atende 08:00–12:00").count()).toBe(7);
    const consultation = grid.getByRole("button", {
      name: new RegExp(`^Consulta com ${patient.name}, .* 10:00–10:30, agendada$`),
    });
    await consultation.waitFor();
    // The axis starts at 08:00: 10:00 is two hours down, 30 minutes tall.
    expect(await offsetInColumn(page, `Consulta com ${patient.name}`)).toEqual({
      top: Math.round(120 * PPM),
      height: Math.round(30 * PPM),
    });
    const away = await offsetInColumn(page, "Congresso");
    expect(away).toEqual({ top: Math.round(60 * PPM), height: Math.round(120 * PPM) });
    // No free slot where the doctor is away, and free slots around it.
    const day2 = await page.evaluate(
      () => [...document.querySelectorAll(".tgrid-col")][2]!.getAttribute("aria-label") ?? "",
    );
    const col2 = grid.getByRole("group", { name: day2 });
    // Free slots loaded first (the one after the time off), so the absence below is not just "not yet".
    await col2.getByRole("button", { name: / 11:00–11:30, / }).waitFor();
    expect(await col2.getByRole("button", { name: / 09:30–10:00, / }).count()).toBe(0);
    // The consultation is in the grid's one Tab stop and opens its details.
    await consultation.click();
    const details = page.getByRole("region", { name: pt["agendaGrid.selected"] });
    await details.getByText(patient.name).first().waitFor();
    await details.getByRole("button", { name: pt["consultation.reschedule"] }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "41-agenda-grid-doctor-week");
    await context.close();
  });

  it("a free slot opens booking on that slot; the admin books it for a patient", async () => {
    const specialty = `Grade ${uniq()}`;
    const doctor = await morningDoctor(specialty);
    const patient = await admin.createPatient();
    const { page, context } = await newPage(browser);
    await signIn(page, e2e.adminEmail, e2e.adminPassword);
    await page.goto(`/agenda?view=day&specialty=${encodeURIComponent(specialty)}&from=${spDate(1)}`);
    const grid = page.getByRole("region", { name: /^Grade da agenda/ });
    await grid.getByRole("button", { name: new RegExp(`^Livre, .* 09:00–09:30, ${doctor.name}$`) }).click();
    await page.waitForURL("**/book?**");
    await page.getByRole("heading", { name: pt["book.confirmTitle"] }).waitFor();
    expect(await page.locator(".slot-picker button.slot[aria-pressed=true]").textContent()).toBe("09:00");
    // The patient is found by typing (search, issue #13).
    await page.getByRole("combobox", { name: pt["search.patientLabel"] }).pressSequentially(patient.name);
    await page.getByRole("option", { name: new RegExp(patient.email) }).click();
    const reason = `Pela grade ${uniq()}`;
    await page.getByLabel(pt["book.reason"]).fill(reason);
    await page.getByRole("button", { name: pt["book.confirm"] }).click();
    // Back on the same day of the grid, with the consultation where the free slot was.
    await page.waitForURL((u) => u.pathname === "/agenda" && u.searchParams.get("from") === spDate(1));
    await grid
      .getByRole("button", { name: new RegExp(`^Consulta com ${patient.name}, .* 09:00–09:30, agendada$`) })
      .waitFor();
    const { consultations } = await admin.call<{ consultations: { reason: string; startsAt: string }[] }>(
      "GET",
      `/api/consultations?patientId=${patient.id}`,
    );
    expect(consultations.map((c) => [c.reason, Date.parse(c.startsAt)])).toEqual([
      [reason, Date.parse(spAt(1, "09:00"))],
    ]);
    await context.close();
  });

  it("a doctor books a free slot for one of their own patients", async () => {
    const doctor = await morningDoctor();
    const patient = await admin.createPatient();
    await admin.call("POST", "/api/consultations", {
      doctorId: doctor.id,
      patientId: patient.id,
      startsAt: spAt(2, "08:00"),
    });
    const { page, context } = await newPage(browser);
    await signIn(page, doctor.email, doctor.password);
    const grid = page.getByRole("region", { name: /^Grade da agenda/ });
    await grid
      .getByRole("button", { name: new RegExp(`^Livre, ${spDayName(1)}.* 11:00–11:30, ${doctor.name}$`) })
      .click();
    await page.waitForURL("**/book?**");
    await page.getByRole("heading", { name: pt["book.confirmTitle"] }).waitFor();
    // Found by typing, among the patients this doctor has seen or is booked with.
    await page.getByRole("combobox", { name: pt["search.patientLabel"] }).pressSequentially(patient.name);
    await page.getByRole("option", { name: new RegExp(patient.email) }).click();
    expect(await unlabelledControls(page)).toEqual([]);
    await page.getByRole("button", { name: pt["book.confirm"] }).click();
    await page.waitForURL((u) => u.pathname === "/agenda");
    await grid
      .getByRole("button", {
        name: new RegExp(`^Consulta com ${patient.name}, ${spDayName(1)}.* 11:00–11:30, agendada$`),
      })
      .waitFor();
    await context.close();
  });

  it("a consultation dragged onto a free slot (mouse, then a finger) is rescheduled there; the view stays", async () => {
    const doctor = await morningDoctor();
    const patient = await admin.createPatient();
    const { consultation } = await admin.call<{ consultation: { id: string } }>("POST", "/api/consultations", {
      doctorId: doctor.id,
      patientId: patient.id,
      startsAt: spAt(8, "10:00"),
    });
    const { page, context } = await newPage(browser);
    await signIn(page, doctor.email, doctor.password);
    await page.getByRole("button", { name: pt["agenda.nextWeek"] }).click();
    await page.waitForURL("**/agenda?from=**");
    const position = page.url();
    const grid = page.getByRole("region", { name: /^Grade da agenda/ });
    const block = grid.getByRole("button", { name: new RegExp(`^Consulta com ${patient.name}, .* 10:00–10:30`) });
    await block.waitFor();
    const day = await block.evaluate((el) => el.closest(".tgrid-col")!.getAttribute("aria-label")!);
    const target = grid.getByRole("group", { name: day }).getByRole("button", { name: / 11:30–12:00, / });
    await block.scrollIntoViewIfNeeded();
    const from = (await block.boundingBox())!;
    const to = (await target.boundingBox())!;
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(to.x + to.width / 2, to.y + 8, { steps: 12 });
    await page.mouse.up();
    await grid.getByRole("button", { name: new RegExp(`^Consulta com ${patient.name}, .* 11:30–12:00`) }).waitFor();
    expect(await page.getByTestId("grid-announcer").textContent()).toContain(`Consulta com ${patient.name} remarcada`);
    const { consultation: after } = await admin.call<{ consultation: { startsAt: string } }>(
      "GET",
      `/api/consultations/${consultation.id}`,
    );
    expect(Date.parse(after.startsAt)).toBe(Date.parse(spAt(8, "11:30")));
    expect(page.url()).toBe(position);

    // With a finger: touch events (through the DevTools protocol) drag it back to 09:00.
    const moved = grid.getByRole("button", { name: new RegExp(`^Consulta com ${patient.name}, .* 11:30–12:00`) });
    const nine = grid.getByRole("group", { name: day }).getByRole("button", { name: / 09:00–09:30, / });
    const a = (await moved.boundingBox())!;
    const b = (await nine.boundingBox())!;
    const cdp = await context.newCDPSession(page);
    const touch = (type: "touchStart" | "touchMove" | "touchEnd", x: number, y: number) =>
      cdp.send("Input.dispatchTouchEvent", {
        type,
        touchPoints: type === "touchEnd" ? [] : [{ x: Math.round(x), y: Math.round(y) }],
      });
    await touch("touchStart", a.x + a.width / 2, a.y + a.height / 2);
    for (let i = 1; i <= 10; i++) {
      await touch(
        "touchMove",
        a.x + a.width / 2 + ((b.x - a.x) * i) / 10,
        a.y + a.height / 2 + ((b.y + 8 - a.y - a.height / 2) * i) / 10,
      );
    }
    await touch("touchEnd", 0, 0);
    await grid.getByRole("button", { name: new RegExp(`^Consulta com ${patient.name}, .* 09:00–09:30`) }).waitFor();
    const { consultation: back } = await admin.call<{ consultation: { startsAt: string } }>(
      "GET",
      `/api/consultations/${consultation.id}`,
    );
    expect(Date.parse(back.startsAt)).toBe(Date.parse(spAt(8, "09:00")));
    await context.close();
  });

  it("reschedules with the keyboard alone; a slot taken meanwhile is explained and the grid refreshed", async () => {
    const doctor = await morningDoctor();
    const patient = await admin.createPatient();
    const other = await admin.createPatient();
    const { consultation } = await admin.call<{ consultation: { id: string } }>("POST", "/api/consultations", {
      doctorId: doctor.id,
      patientId: patient.id,
      startsAt: spAt(1, "10:00"),
    });
    const { page, context } = await newPage(browser);
    await signIn(page, doctor.email, doctor.password);
    await page.getByRole("region", { name: /^Grade da agenda/ }).waitFor();
    // Tab into the grid: its one Tab stop is the first consultation.
    await pressUntil(page, "Tab", (n) => n.startsWith(`Consulta com ${patient.name}`));
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.activeElement?.id === "grid-details-heading");
    await pressUntil(page, "Tab", (n) => n === pt["consultation.reschedule"]);
    await page.keyboard.press("Enter");
    const announcer = page.getByTestId("grid-announcer");
    await page.waitForFunction(() => document.activeElement?.getAttribute("data-kind") === "free");
    expect(await announcer.textContent()).toContain(`Remarcando a consulta com ${patient.name}`);
    expect(await axeViolations(page)).toEqual([]);

    // Someone else takes 11:00 tomorrow while the doctor is choosing it.
    await pressUntil(page, "ArrowRight", (n) => n.includes(spDayName(1)));
    await page.keyboard.press("Home");
    await pressUntil(page, "ArrowDown", (n) => n.includes(" 11:00–11:30, "));
    await admin.call("POST", "/api/consultations", {
      doctorId: doctor.id,
      patientId: other.id,
      startsAt: spAt(1, "11:00"),
    });
    await page.keyboard.press("Enter");
    await page.getByRole("alert").filter({ hasText: pt["agendaGrid.moveTaken"] }).waitFor();
    expect(await announcer.textContent()).toBe(pt["agendaGrid.moveTaken"]);
    const grid = page.getByRole("region", { name: /^Grade da agenda/ });
    await grid.getByRole("button", { name: new RegExp(`^Consulta com ${other.name}, .* 11:00–11:30`) }).waitFor();

    // Still rescheduling, focus back on a free slot: 11:30 instead, with the arrow keys.
    await page.waitForFunction(() => document.activeElement?.getAttribute("data-kind") === "free");
    await pressUntil(page, "ArrowRight", (n) => n.includes(spDayName(1)));
    await page.keyboard.press("Home");
    await pressUntil(page, "ArrowDown", (n) => n.includes(" 11:30–12:00, "));
    await page.keyboard.press("Enter");
    await page.waitForFunction(
      (name) => document.activeElement?.querySelector(".visually-hidden")?.textContent?.startsWith(name),
      `Consulta com ${patient.name}`,
    );
    expect(await focusedName(page)).toMatch(/ 11:30–12:00, agendada$/);
    expect(await announcer.textContent()).toContain(`Consulta com ${patient.name} remarcada`);
    const { consultation: after } = await admin.call<{ consultation: { startsAt: string } }>(
      "GET",
      `/api/consultations/${consultation.id}`,
    );
    expect(Date.parse(after.startsAt)).toBe(Date.parse(spAt(1, "11:30")));
    await context.close();
  });

  it("reschedules from the list of free times, for whoever does not use the grid itself", async () => {
    const doctor = await morningDoctor();
    const patient = await admin.createPatient();
    const { consultation } = await admin.call<{ consultation: { id: string } }>("POST", "/api/consultations", {
      doctorId: doctor.id,
      patientId: patient.id,
      startsAt: spAt(1, "10:00"),
    });
    const { page, context } = await newPage(browser);
    await signIn(page, doctor.email, doctor.password);
    const grid = page.getByRole("region", { name: /^Grade da agenda/ });
    await grid.getByRole("button", { name: new RegExp(`^Consulta com ${patient.name}`) }).click();
    await page
      .getByRole("region", { name: pt["agendaGrid.selected"] })
      .getByRole("button", { name: pt["consultation.reschedule"] })
      .click();
    await page.getByLabel(pt["agendaGrid.newTime"]).selectOption(spAt(3, "08:30"));
    await page.getByRole("button", { name: pt["agendaGrid.moveHere"] }).click();
    await grid
      .getByRole("button", { name: new RegExp(`^Consulta com ${patient.name}, ${spDayName(3)}.* 08:30–09:00`) })
      .waitFor();
    const { consultation: after } = await admin.call<{ consultation: { startsAt: string } }>(
      "GET",
      `/api/consultations/${consultation.id}`,
    );
    expect(Date.parse(after.startsAt)).toBe(Date.parse(spAt(3, "08:30")));
    await context.close();
  });

  it("the list is the phone's default; the day grid works at 360 px in a focusable scrolling region", async () => {
    const doctor = await morningDoctor();
    const patient = await admin.createPatient();
    const reason = `Telefone ${uniq()}`;
    await admin.call("POST", "/api/consultations", {
      doctorId: doctor.id,
      patientId: patient.id,
      startsAt: spAt(1, "10:00"),
      reason,
    });
    const { page, context } = await newPage(browser, { width: 360, height: 740 });
    await signIn(page, doctor.email, doctor.password);
    expect(await page.getByRole("button", { name: pt["agendaGrid.list"] }).getAttribute("aria-pressed")).toBe("true");
    await page.locator("article.consultation", { hasText: reason }).waitFor();
    await page.getByRole("button", { name: pt["agenda.day"], exact: true }).click();
    await page.getByRole("button", { name: pt["agenda.nextDay"] }).click();
    const grid = page.getByRole("region", { name: /^Grade da agenda/ });
    await grid.getByRole("button", { name: new RegExp(`^Consulta com ${patient.name}`) }).waitFor();
    expect(await grid.getAttribute("tabindex")).toBe("0");
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "42-agenda-grid-phone-day");
    // The week grid scrolls sideways inside its region, not the page.
    await page.getByRole("button", { name: pt["agenda.week"], exact: true }).click();
    await grid.getByRole("group").nth(6).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    // The choice is remembered.
    await page.goto("/agenda");
    expect(await page.getByRole("button", { name: pt["agenda.week"], exact: true }).getAttribute("aria-pressed")).toBe(
      "true",
    );
    await context.close();
  });
});

/** The weekday of today + n in São Paulo as the grid names it ("terça-feira"). */
function spDayName(n: number): string {
  return new Intl.DateTimeFormat("pt-BR", { weekday: "long", timeZone: ZONE }).format(
    new Date(Date.now() + n * 86_400_000),
  );
}

/** A message with its placeholders filled, as the screen shows it. */
function text(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k]));
}
