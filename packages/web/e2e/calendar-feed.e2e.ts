/**
 * "Subscribe to my calendar" (issue 14) in Chromium at 360 px, against the real server: a patient
 * with a booked consultation creates the feed on the account page, copies the URL (read back from
 * the clipboard), the URL is fetched and parsed by ical.js (the consultation is in it), the URL is
 * not shown again after a reload, and revoking (after the confirmation) makes it 404. axe finds no
 * violation in the block, with and without the URL shown. A doctor sees the reason opt-in.
 */
import ICAL from "ical.js";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, axeViolations, launch, newPage, pt, screenshot, signIn, skip, unlabelledControls } from "./harness.js";

describe.skipIf(skip)("calendar feed on the account page", () => {
  let browser: Browser;
  let admin: Api;
  beforeAll(async () => {
    browser = await launch();
    admin = await Api.admin();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("creates, copies, fetches and parses the feed, then revokes it, at 360 px with no axe violation", async () => {
    const doctor = await admin.createDoctor();
    const patient = await admin.createPatient();
    const slot = await admin.firstSlot(doctor.id);
    const { consultation } = await admin.call<{ consultation: { id: string } }>("POST", "/api/consultations", {
      doctorId: doctor.id,
      patientId: patient.id,
      startsAt: slot.startsAt,
      reason: "Revisão anual",
    });

    const { page, context } = await newPage(browser, { width: 360, height: 740 });
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    await signIn(page, patient.email, patient.password);
    await page.goto("/account");
    const block = page.locator("section.calendar-feed");
    await block.getByRole("heading", { name: pt["calendar.title"] }).waitFor();
    await block.getByText(pt["calendar.none"]).waitFor();
    // A patient has no reason opt-in: their feed always shows the reason they gave.
    expect(await block.getByLabel(pt["calendar.includeReason"]).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);

    await block.getByRole("button", { name: pt["calendar.create"] }).click();
    const field = block.getByLabel(pt["calendar.urlLabel"]);
    await field.waitFor();
    const shown = await field.inputValue();
    expect(shown).toMatch(/^https?:\/\/[^/]+\/cal\/[A-Za-z0-9_-]{43}\.ics$/);
    await block.getByRole("button", { name: pt["calendar.copy"] }).click();
    await block.getByText(pt["calendar.copied"]).waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(shown);
    expect(await block.getByRole("link", { name: pt["calendar.webcalLink"] }).getAttribute("href")).toBe(
      copied.replace(/^https?:\/\//, "webcal://"),
    );
    await block.getByText(/^Link ativo desde /).waitFor();
    expect(await unlabelledControls(page)).toEqual([]);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "60-calendar-feed-created-360");

    // The copied URL, fetched as a calendar client would (no cookie), parses with its consultation.
    const res = await fetch(copied);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
    const cal = new ICAL.Component(ICAL.parse(await res.text()));
    expect(cal.getFirstPropertyValue("method")).toBe("PUBLISH");
    const events = cal.getAllSubcomponents("vevent").map((v) => new ICAL.Event(v));
    expect(events.map((e) => e.uid)).toEqual([`${consultation.id}@healthflow`]);
    expect(events[0]!.startDate.toJSDate().toISOString()).toBe(new Date(slot.startsAt).toISOString());
    expect(events[0]!.summary).toBe(`Consulta com ${doctor.name}`);
    expect(events[0]!.description).toContain("Motivo: Revisão anual");

    // Shown once: after a reload the status says since when, and the URL is gone.
    await page.reload();
    await block.getByText(/^Link ativo desde /).waitFor();
    expect(await block.getByLabel(pt["calendar.urlLabel"]).count()).toBe(0);

    await block.getByRole("button", { name: pt["calendar.revoke"] }).click();
    const dialog = page.getByRole("dialog", { name: pt["calendar.revokeTitle"] });
    await dialog.waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await dialog.getByRole("button", { name: pt["calendar.revokeDo"] }).click();
    await block.getByText(pt["calendar.revoked"]).waitFor();
    await block.getByText(pt["calendar.none"]).waitFor();
    expect((await fetch(copied)).status).toBe(404);
    await screenshot(page, "61-calendar-feed-revoked-360");
    await context.close();
  });

  it("a doctor may put the reasons in their feed; replacing the link turns the old one off", async () => {
    const doctor = await admin.createDoctor();
    const { page, context } = await newPage(browser, { width: 360, height: 740 });
    await signIn(page, doctor.email, doctor.password);
    await page.goto("/account");
    const block = page.locator("section.calendar-feed");
    await block.getByLabel(pt["calendar.includeReason"]).check();
    await block.getByRole("button", { name: pt["calendar.create"] }).click();
    const first = await block.getByLabel(pt["calendar.urlLabel"]).inputValue();
    await block.getByText(pt["calendar.reasonOn"]).waitFor();
    await block.getByRole("button", { name: pt["calendar.replace"] }).click();
    const field = block.getByLabel(pt["calendar.urlLabel"]);
    await expect.poll(() => field.inputValue()).not.toBe(first);
    const second = await field.inputValue();
    expect((await fetch(first)).status).toBe(404);
    expect((await fetch(second)).status).toBe(200);
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });
});
