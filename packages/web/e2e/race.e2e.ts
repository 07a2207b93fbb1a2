/**
 * Two patients look at the same free slot; the first one books it. The second one's confirmation is
 * refused (409) and the page says so in words, offers the next free times, and keeps the reason.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, launch, newPage, pt, screenshot, signIn, skip, uniq } from "./harness.js";

describe.skipIf(skip)("double booking seen from the UI", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("explains the taken slot and offers the next free ones, keeping what was typed", async () => {
    const admin = await Api.admin();
    const doctor = await admin.createDoctor();
    const [p1, p2] = [await admin.createPatient(), await admin.createPatient()];
    const first = await newPage(browser);
    const second = await newPage(browser);
    await signIn(first.page, p1.email, p1.password);
    await signIn(second.page, p2.email, p2.password);
    for (const { page } of [first, second]) {
      await page.goto(`/book?doctor=${doctor.id}`);
      await page.locator(".day-picker button").nth(1).click();
      await page.locator(".slot-picker button.slot").nth(18).click();
    }
    const reason = `Consulta de rotina ${uniq()}`;
    await second.page.getByLabel(pt["book.reason"]).fill(reason);
    const wanted = await second.page.locator(".slot-picker button.slot[aria-pressed=true]").textContent();

    await first.page.getByRole("button", { name: pt["book.confirm"] }).click();
    await first.page.waitForURL("**/consultations");

    await second.page.getByRole("button", { name: pt["book.confirm"] }).click();
    const alert = second.page.getByRole("alert");
    await alert.getByText(pt["error.slot_taken"]).waitFor();
    await alert.getByText(pt["book.nextFree"]).waitFor();
    const offers = alert.getByRole("button");
    expect(await offers.count()).toBe(3);
    expect(await alert.textContent()).not.toMatch(/slot_taken|409/);
    await screenshot(second.page, "08-slot-taken");
    // The slot that was taken is no longer offered.
    const slotTimes = await second.page.locator(".slot-picker button.slot").allTextContents();
    expect(slotTimes).not.toContain(wanted);

    await offers.first().click();
    expect(await second.page.getByLabel(pt["book.reason"]).inputValue()).toBe(reason);
    await second.page.getByRole("button", { name: pt["book.confirm"] }).click();
    await second.page.waitForURL("**/consultations");
    await second.page.locator("article.consultation", { hasText: reason }).waitFor();

    const mine = await (await Api.signIn(p2.email, p2.password)).call<{ consultations: { reason: string }[] }>(
      "GET",
      "/api/consultations",
    );
    expect(mine.consultations.map((c) => c.reason)).toEqual([reason]);
    await first.context.close();
    await second.context.close();
  });
});
