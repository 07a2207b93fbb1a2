/**
 * In person or video, and the patient's history (issue #13), in Chromium as users meet them: a
 * patient books in person (the radio group offers only the slot's modes) and sees the clinic's
 * address and no room button; a doctor marks a weekly rule in person only; a doctor opens a
 * patient's history from a consultation and reads their notes, newest first. Every screen is
 * checked with axe (0 violations) at desktop width and at 360 px, and driven by keyboard.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { en } from "../src/lib/messages.js";
import { E2E_CLINIC_ADDRESS } from "./global-setup.js";
import {
  Api,
  axeViolations,
  launch,
  newPage,
  pt,
  screenshot,
  signIn,
  skip,
  uniq,
  unlabelledControls,
} from "./harness.js";

const ALL_DAY = [0, 1, 2, 3, 4, 5, 6];

describe.skipIf(skip)("in person or video; the patient's history", () => {
  let browser: Browser;
  let admin: Api;
  beforeAll(async () => {
    browser = await launch();
    admin = await Api.admin();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("a patient books in person, sees the clinic's address and no room button", async () => {
    const doctor = await admin.createDoctor();
    // UTC: mornings by video only, afternoons both (São Paulo: 09:00-21:00 offers both).
    await admin.call("PUT", `/api/doctors/${doctor.id}/availability`, {
      rules: ALL_DAY.flatMap((weekday) => [
        { weekday, start: "00:00", end: "12:00", modes: ["video"] },
        { weekday, start: "12:00", end: "24:00", modes: ["video", "in_person"] },
      ]),
    });
    const patient = await admin.createPatient();
    for (const width of [1280, 360]) {
      const { page, context } = await newPage(browser, { width });
      await signIn(page, patient.email, patient.password);
      await page.goto(`/book?doctor=${doctor.id}`);
      await page.locator(".day-picker button").nth(1).click();
      // 00:00 São Paulo is 03:00 UTC: video only, so the group offers video alone.
      await page.locator(".slot-picker button.slot", { hasText: "00:00" }).click();
      const group = page.getByRole("group", { name: pt["mode.choose"] });
      await group.waitFor();
      expect(await group.getByRole("radio").count()).toBe(1);
      expect(await group.getByRole("radio", { name: pt["mode.video"] }).isChecked()).toBe(true);
      // 10:00 São Paulo is 13:00 UTC: both; choose in person by keyboard.
      await page.locator(".slot-picker button.slot", { hasText: width === 1280 ? "10:00" : "11:00" }).click();
      expect(await group.getByRole("radio").count()).toBe(2);
      await group.getByRole("radio", { name: pt["mode.video"] }).focus();
      await page.keyboard.press("ArrowRight");
      expect(await group.getByRole("radio", { name: pt["mode.in_person"] }).isChecked()).toBe(true);
      const reason = `Consulta presencial ${uniq()}`;
      await page.getByLabel(pt["book.reason"]).fill(reason);
      expect(await unlabelledControls(page)).toEqual([]);
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, `modes-book-${width}`);
      await page.getByRole("button", { name: pt["book.confirm"] }).click();
      await page.waitForURL("**/consultations");

      const item = page.locator("article.consultation", { hasText: reason });
      await item.waitFor();
      expect(await item.locator("p.mode").textContent()).toBe(`${pt["mode.label"]}: ${pt["mode.in_person"]}`);
      await item.getByText(E2E_CLINIC_ADDRESS).waitFor();
      expect(await item.getByRole("button", { name: pt["consultation.openRoom"] }).count()).toBe(0);
      expect(await item.getByRole("button", { name: pt["consultation.roomLink"] }).count()).toBe(0);
      expect(await axeViolations(page)).toEqual([]);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
      expect(overflow).toBe(false);
      await screenshot(page, `modes-consultation-${width}`);
      await context.close();
    }
    // The API agrees: the consultations are in person, at the clinic's address, and have no room.
    const patientApi = await Api.signIn(patient.email, patient.password);
    const { consultations } = await patientApi.call<{
      consultations: { id: string; mode: string; location: string }[];
    }>("GET", "/api/consultations");
    expect(consultations.map((c) => [c.mode, c.location])).toEqual([
      ["in_person", E2E_CLINIC_ADDRESS],
      ["in_person", E2E_CLINIC_ADDRESS],
    ]);
    const refused = await patientApi.call("POST", `/api/consultations/${consultations[0]!.id}/room-link`, {}).then(
      () => "issued",
      (err: Error) => err.message,
    );
    expect(refused).toMatch(/: 409 .*"no_room"/s);
  });

  it("a doctor offers a weekly rule in person only, by keyboard, at 360 px", async () => {
    const doctor = await admin.createDoctor();
    const { page, context } = await newPage(browser, { width: 360 });
    await signIn(page, doctor.email, doctor.password);
    await page.goto("/availability");
    // The first rule (Monday 00:00–24:00): untick video.
    const video = page.getByRole("checkbox", { name: pt["availability.modeVideo"] }).first();
    expect(await video.isChecked()).toBe(true);
    await video.focus();
    await page.keyboard.press("Space");
    expect(await video.isChecked()).toBe(false);
    expect(await unlabelledControls(page)).toEqual([]);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole("button", { name: pt["availability.save"] }).click();
    await page.getByText(pt["availability.saved"]).waitFor();
    await screenshot(page, "modes-availability-360");
    const saved = await admin.call<{ rules: { weekday: number; modes: string[] }[] }>(
      "GET",
      `/api/doctors/${doctor.id}/availability`,
    );
    expect(saved.rules.filter((r) => r.modes.length === 1)).toEqual([
      expect.objectContaining({ modes: ["in_person"] }),
    ]);
    // A rule with no mode left is refused on the spot, in words.
    const inPerson = page.getByRole("checkbox", { name: pt["availability.modeInPerson"] }).first();
    await inPerson.uncheck();
    await page.getByRole("button", { name: pt["availability.save"] }).click();
    await page.getByText(pt["availability.modesNone"]).first().waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });

  it("a doctor opens a patient's history from a consultation and reads the notes, newest first", async () => {
    const doctor = await admin.createDoctor({ slotMinutes: 5 });
    const colleague = await admin.createDoctor({ slotMinutes: 5 });
    const patient = await admin.createPatient();
    const doctorApi = await Api.signIn(doctor.email, doctor.password);
    const colleagueApi = await Api.signIn(colleague.email, colleague.password);
    const freeSlots = async (doctorId: string, fromMs: number, toMs: number) =>
      (
        await admin.call<{ slots: { startsAt: string }[] }>(
          "GET",
          `/api/doctors/${doctorId}/slots?from=${encodeURIComponent(new Date(fromMs).toISOString())}&to=${encodeURIComponent(new Date(toMs).toISOString())}`,
        )
      ).slots;
    // Two consultations seen through now (a consultation can start 15 minutes before its time), the
    // colleague's at the next 5 minutes, the doctor's 5 minutes later, each with notes; and one
    // upcoming, from which the doctor opens the history.
    const seen = async (api: Api, doctorId: string, startsAt: string, notes: string, mode: "video" | "in_person") => {
      const { consultation } = await admin.call<{ consultation: { id: string } }>("POST", "/api/consultations", {
        doctorId,
        patientId: patient.id,
        startsAt,
        reason: `Retorno ${uniq()}`,
        mode,
      });
      await api.call("PATCH", `/api/consultations/${consultation.id}`, { status: "in_progress" });
      await api.call("PATCH", `/api/consultations/${consultation.id}`, { status: "completed", notes });
    };
    const soon = await freeSlots(colleague.id, Date.now(), Date.now() + 3_600_000);
    const ownNotes = `Pressão controlada ${uniq()}`;
    await seen(colleagueApi, colleague.id, soon[0]!.startsAt, `Nota da colega ${uniq()}`, "video");
    await seen(doctorApi, doctor.id, soon[1]!.startsAt, ownNotes, "in_person");
    const later = Date.now() + 2 * 86_400_000;
    const upcomingReason = `Acompanhamento ${uniq()}`;
    await admin.call("POST", "/api/consultations", {
      doctorId: doctor.id,
      patientId: patient.id,
      startsAt: (await freeSlots(doctor.id, later, later + 3_600_000))[0]!.startsAt,
      reason: upcomingReason,
    });

    for (const width of [360, 1280]) {
      const { page, context } = await newPage(browser, { width });
      await signIn(page, doctor.email, doctor.password);
      if (width === 360) {
        // From the consultation in the agenda (the phone layout lists them), by keyboard.
        await page.goto("/agenda");
        const item = page.locator("article.consultation", { hasText: upcomingReason });
        await item.waitFor();
        const open = item.getByRole("link", { name: pt["history.openFor"].replace("{name}", patient.name) });
        await open.focus();
        await page.keyboard.press("Enter");
        await page.waitForURL(`**/patients/${patient.id}/history**`);
      } else {
        await page.goto(`/patients/${patient.id}/history`);
      }
      await page
        .getByRole("heading", { level: 1, name: pt["history.title"].replace("{name}", patient.name) })
        .waitFor();
      const entries = page.locator(".history-list article");
      await entries.first().waitFor();
      expect(await entries.count()).toBe(2);
      // Newest first: the doctor's own, with its notes and mode; the colleague's notes stay theirs.
      await entries.nth(0).getByText(ownNotes).waitFor();
      expect(await entries.nth(0).locator("p.mode").textContent()).toBe(`${pt["mode.label"]}: ${pt["mode.in_person"]}`);
      await entries.nth(1).getByText(pt["history.notesHidden"]).waitFor();
      expect(await page.getByText(upcomingReason).count()).toBe(0);
      expect(await unlabelledControls(page)).toEqual([]);
      expect(await axeViolations(page)).toEqual([]);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
      expect(overflow).toBe(false);
      await screenshot(page, `modes-history-${width}`);
      if (width === 360) {
        await page.getByRole("link", { name: pt["history.back"] }).click();
        await page.waitForURL("**/agenda**");
      } else {
        // In English too.
        await page.evaluate(() => localStorage.setItem("healthflow.lang", "en"));
        await page.reload();
        await page
          .getByRole("heading", { level: 1, name: en["history.title"].replace("{name}", patient.name) })
          .waitFor();
        await page.getByText(en["history.notesHidden"]).waitFor();
        expect(await page.locator(".history-list p.mode").first().textContent()).toBe(
          `${en["mode.label"]}: ${en["mode.in_person"]}`,
        );
        expect(await axeViolations(page)).toEqual([]);
      }
      await context.close();
    }
  });
});
