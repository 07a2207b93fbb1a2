/**
 * An admin: creates a doctor, sets the weekly availability (an overlap is explained and nothing
 * typed is lost), adds time off, lists users by role, and books on behalf of a patient.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toLocalInput } from "../src/lib/time.js";
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

describe.skipIf(skip)("admin flows", () => {
  let browser: Browser;
  let page: Page;
  let admin: Api;
  const doctor = {
    name: `Dr. Novo ${uniq()}`,
    email: `novo-${uniq()}@e2e.healthflow.test`,
    specialty: `Cardiologia ${uniq()}`,
    license: randomCrm(),
  };
  let doctorId = "";

  beforeAll(async () => {
    browser = await launch();
    admin = await Api.admin();
    page = (await newPage(browser)).page;
    await signIn(page, e2e.adminEmail, e2e.adminPassword);
    await page.waitForURL("**/agenda");
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("creates a doctor", async () => {
    await page.getByRole("navigation").getByRole("link", { name: pt["nav.users"] }).click();
    await page.waitForURL("**/users");
    await page.getByLabel(pt["users.role"], { exact: true }).selectOption("doctor");
    await page.getByLabel(pt["auth.name"]).fill(doctor.name);
    await page.getByLabel(pt["auth.email"]).fill(doctor.email);
    await page.getByLabel(pt["users.initialPassword"]).fill(newPassword());
    await page.getByLabel(pt["users.specialty"]).fill(doctor.specialty);
    await page.getByLabel(pt["users.license"]).fill(doctor.license);
    await page.getByLabel(pt["users.crmState"]).selectOption("RJ");
    expect(await page.getByLabel(pt["availability.timezone"]).inputValue()).toBe("America/Sao_Paulo");
    expect(await unlabelledControls(page)).toEqual([]);
    // A zone that is not one: the message says so, not "fill in this field".
    await page.getByLabel(pt["availability.timezone"]).fill("Sao Paulo");
    await page.getByRole("button", { name: pt["users.createDo"] }).click();
    await page.getByText(pt["validation.timezone"]).waitFor();
    expect(await page.getByText(pt["validation.required"]).count()).toBe(0);
    // The list is searchable and starts with Brazil's zones.
    const options = await page
      .locator("datalist option")
      .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(options.slice(0, 2)).toEqual(["America/Sao_Paulo", "America/Manaus"]);
    expect(options).toContain("Europe/Lisbon");
    await page.getByLabel(pt["availability.timezone"]).fill("America/Sao_Paulo");
    await page.getByRole("button", { name: pt["users.createDo"] }).click();
    await page.getByText(pt["users.created"].replace("{name}", doctor.name)).waitFor();
    await page.getByLabel(pt["users.filter"]).selectOption("doctor");
    await page.getByRole("cell", { name: doctor.email }).waitFor();
    const roles = await page.locator("tbody tr td:nth-child(3)").allTextContents();
    expect(new Set(roles)).toEqual(new Set([pt["role.doctor"]]));
    await screenshot(page, "10-users");
    // At 360 px the table scrolls sideways: its region is named and reachable by keyboard.
    await page.setViewportSize({ width: 360, height: 740 });
    const region = page.getByRole("region", { name: pt["users.tableRegion"] });
    expect(await region.getAttribute("tabindex")).toBe("0");
    expect(await axeViolations(page)).toEqual([]);
    await page.setViewportSize({ width: 1280, height: 900 });

    // The same email again: the conflict is said in words and the form keeps what was typed.
    await page.getByLabel(pt["auth.name"]).fill(`${doctor.name} (2)`);
    await page.getByLabel(pt["auth.email"]).fill(doctor.email);
    await page.getByLabel(pt["users.initialPassword"]).fill(newPassword());
    await page.getByLabel(pt["users.specialty"]).fill(doctor.specialty);
    await page.getByLabel(pt["users.license"]).fill(randomCrm());
    await page.getByRole("button", { name: pt["users.createDo"] }).click();
    await page.getByText(pt["error.email_taken"]).waitFor();
    expect(await page.getByLabel(pt["auth.name"]).inputValue()).toBe(`${doctor.name} (2)`);

    const { users } = await admin.call<{ users: { id: string; email: string }[] }>("GET", "/api/users?role=doctor");
    doctorId = users.find((u) => u.email === doctor.email)!.id;
  });

  it("sets the weekly availability", async () => {
    await page.goto(`/availability?doctor=${doctorId}`);
    await page.getByText(pt["availability.none"]).waitFor();
    await page.getByRole("button", { name: pt["availability.add"] }).click();
    await page.getByRole("button", { name: pt["availability.add"] }).click();
    await page.getByLabel(pt["availability.weekdayOf"].replace("{n}", "2")).selectOption("3");
    await page.getByLabel(pt["availability.startOf"].replace("{n}", "2")).fill("13:00");
    await page.getByLabel(pt["availability.endOf"].replace("{n}", "2")).fill("18:00");
    // A third window overlapping the first one (Monday 09:00–17:00).
    await page.getByRole("button", { name: pt["availability.add"] }).click();
    await page.getByLabel(pt["availability.startOf"].replace("{n}", "3")).fill("10:00");
    await page.getByLabel(pt["availability.endOf"].replace("{n}", "3")).fill("12:00");
    await page.getByRole("button", { name: pt["availability.save"] }).click();
    await page.getByText(pt["error.overlapping_rules"]).waitFor();
    expect(await page.getByLabel(pt["availability.startOf"].replace("{n}", "2")).inputValue()).toBe("13:00");
    // A row ending before it starts is marked on its row, and the message names it.
    await page.getByLabel(pt["availability.endOf"].replace("{n}", "3")).fill("09:00");
    await page.getByRole("button", { name: pt["availability.save"] }).click();
    await page.getByText(pt["availability.ruleInvalid"]).waitFor();
    expect(await page.getByLabel(pt["availability.endOf"].replace("{n}", "3")).getAttribute("aria-invalid")).toBe(
      "true",
    );
    await page.getByText(pt["availability.rulesMarked"].replace("{rules}", "segunda-feira 10:00–09:00")).waitFor();
    expect(await page.getByText(pt["error.status.400"]).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    // Remove buttons say what they remove.
    await page
      .getByRole("button", { name: pt["availability.removeRule"].replace("{rule}", "segunda-feira 10:00–09:00") })
      .click();
    await page.getByRole("button", { name: pt["availability.save"] }).click();
    await page.getByText(pt["availability.saved"]).waitFor();
    await screenshot(page, "11-availability");

    const a = await admin.call<{ timezone: string; rules: unknown[] }>("GET", `/api/doctors/${doctorId}/availability`);
    expect(a.timezone).toBe("America/Sao_Paulo");
    // Both modes, as new rows start (issue #13).
    const modes = ["video", "in_person"];
    expect(a.rules).toEqual([
      { weekday: 1, start: "09:00", end: "17:00", modes },
      { weekday: 3, start: "13:00", end: "18:00", modes },
    ]);
  });

  it("adds time off", async () => {
    const start = new Date(Date.now() + 20 * 86_400_000);
    start.setHours(8, 0, 0, 0);
    const end = new Date(start.getTime() + 4 * 3_600_000);
    // The browser runs in São Paulo time; the test process may not: build the local strings there.
    const local = (d: Date) => toLocalInput(new Date(d.toLocaleString("en-US", { timeZone: "America/Sao_Paulo" })));
    await page.getByLabel(pt["availability.offFrom"], { exact: true }).fill(local(start));
    await page.getByLabel(pt["availability.offTo"], { exact: true }).fill(local(end));
    await page.getByLabel(pt["availability.offReason"]).fill("Congresso");
    await page.getByRole("button", { name: pt["availability.addOff"] }).click();
    await page.getByText("Congresso").waitFor();
    const to = new Date(Date.now() + 40 * 86_400_000).toISOString();
    const { timeOff } = await admin.call<{ timeOff: { startsAt: string; endsAt: string; reason: string }[] }>(
      "GET",
      `/api/doctors/${doctorId}/time-off?from=${encodeURIComponent(new Date().toISOString())}&to=${encodeURIComponent(to)}`,
    );
    expect(timeOff).toHaveLength(1);
    expect(timeOff[0]!.reason).toBe("Congresso");
    expect(Date.parse(timeOff[0]!.endsAt) - Date.parse(timeOff[0]!.startsAt)).toBe(4 * 3_600_000);
  });

  it("lists the consultations a new time off covers, and removes time off", async () => {
    const other = await admin.createDoctor();
    const patient = await admin.createPatient();
    const slot = await admin.firstSlot(other.id);
    await admin.call("POST", "/api/consultations", {
      doctorId: other.id,
      patientId: patient.id,
      startsAt: slot.startsAt,
    });
    await page.goto(`/availability?doctor=${other.id}`);
    const local = (iso: string) =>
      toLocalInput(new Date(new Date(iso).toLocaleString("en-US", { timeZone: "America/Sao_Paulo" })));
    await page.getByLabel(pt["availability.offFrom"], { exact: true }).fill(local(slot.startsAt));
    await page
      .getByLabel(pt["availability.offTo"], { exact: true })
      .fill(local(new Date(Date.parse(slot.endsAt) + 3_600_000).toISOString()));
    await page.getByRole("button", { name: pt["availability.addOff"] }).click();
    const warning = page.getByRole("alert").filter({ hasText: pt["availability.offClashes"] });
    await warning.getByText(patient.name).waitFor();
    await warning.getByRole("link", { name: pt["consultation.reschedule"] }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    // Usable on a phone: nothing sticks out sideways at 360 px.
    await page.setViewportSize({ width: 360, height: 740 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.setViewportSize({ width: 1280, height: 900 });
    // The agenda shows the time off on its day.
    await page.goto(`/agenda?doctor=${other.id}&from=${local(slot.startsAt).slice(0, 10)}&view=day`);
    await page
      .getByText(/^Ausente de /)
      .first()
      .waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.goto(`/availability?doctor=${other.id}`);
    await page.getByRole("button", { name: /^Remover ausência de / }).click();
    await page.getByText(pt["availability.offRemoved"]).waitFor();
    await page.getByText(pt["availability.noOff"]).waitFor();
    const { timeOff } = await admin.call<{ timeOff: unknown[] }>("GET", `/api/doctors/${other.id}/time-off`);
    expect(timeOff).toEqual([]);
  });

  it("books on behalf of a patient", async () => {
    const patient = await admin.createPatient();
    const reason = `Agendado pela recepção ${uniq()}`;
    await page.getByRole("navigation").getByRole("link", { name: pt["nav.bookFor"] }).click();
    await page.waitForURL("**/book");
    // Search (issue #13): the patient is found by typing, not picked from a list of everyone.
    await page.getByRole("combobox", { name: pt["search.patientLabel"] }).pressSequentially(patient.name);
    await page.getByRole("option", { name: new RegExp(patient.email) }).click();
    await page.getByLabel(pt["book.specialty"]).selectOption(doctor.specialty);
    await page.getByLabel(pt["book.doctor"], { exact: true }).selectOption(doctorId);
    await page.locator(".day-picker button").first().click();
    await page.locator(".slot-picker button.slot").first().click();
    await page.getByLabel(pt["book.reason"]).fill(reason);
    await page.getByRole("button", { name: pt["book.confirm"] }).click();
    await page.waitForURL("**/agenda");
    const { consultations } = await admin.call<{
      consultations: { reason: string; patientId: string; doctorId: string }[];
    }>("GET", `/api/consultations?patientId=${patient.id}`);
    expect(consultations.map((c) => [c.reason, c.doctorId])).toEqual([[reason, doctorId]]);
  });
});
