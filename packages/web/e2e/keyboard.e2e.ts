/**
 * Booking with the keyboard alone, on a 360 px wide phone screen: Tab, arrow keys, typing and
 * Enter; no mouse. Also checks focus moves to the new page's heading after each route change, and
 * that no screen scrolls sideways.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, launch, newPage, pt, screenshot, skip, uniq } from "./harness.js";

/** Presses Tab until the focused element matches; fails after `max` presses. */
async function tabTo(
  page: Page,
  what: string,
  match: (el: { tag: string; text: string; label: string; cls: string }) => boolean,
  max = 80,
) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    const el = await page.evaluate(() => {
      const a = document.activeElement as HTMLInputElement | null;
      return {
        tag: a?.tagName ?? "",
        text: (a?.textContent ?? "").trim(),
        label: (a?.labels?.[0]?.textContent ?? a?.getAttribute("aria-label") ?? "").trim(),
        cls: a?.className ?? "",
      };
    });
    if (match(el)) return;
  }
  throw new Error(`Tab never reached ${what}`);
}

/** Elements sticking out of the viewport on the right (empty when nothing scrolls sideways). */
const sideScroll = (page: Page) =>
  page.evaluate(() =>
    document.documentElement.scrollWidth <= window.innerWidth
      ? []
      : [...document.querySelectorAll("body *")]
          .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
          .map((e) => `${e.tagName.toLowerCase()}.${e.className} ${Math.round(e.getBoundingClientRect().right)}px`)
          .slice(0, 8),
  );
const focusedHeading = (page: Page) =>
  page.evaluate(() => (document.activeElement?.tagName === "H1" ? document.activeElement.textContent : null));

describe.skipIf(skip)("keyboard-only booking on a phone", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("books a consultation without touching the mouse", async () => {
    const admin = await Api.admin();
    const specialty = `Zootecnia ${uniq()}`;
    const doctor = await admin.createDoctor({ specialty });
    const patient = await admin.createPatient();
    const { page, context } = await newPage(browser, { width: 360, height: 740 });

    await page.goto("/login");
    await page.waitForFunction((title) => document.activeElement?.textContent === title, pt["auth.signInTitle"]);
    expect(await focusedHeading(page)).toBe(pt["auth.signInTitle"]);
    await tabTo(page, "the email field", (e) => e.label === pt["auth.email"]);
    await page.keyboard.type(patient.email);
    await page.keyboard.press("Tab");
    await page.keyboard.type(patient.password);
    await page.keyboard.press("Enter");
    await page.waitForURL("**/consultations");
    await page.waitForFunction((title) => document.activeElement?.textContent === title, pt["patient.title"]);
    expect(await sideScroll(page)).toEqual([]);

    await tabTo(page, "the book link", (e) => e.tag === "A" && e.text === pt["nav.book"]);
    await page.keyboard.press("Enter");
    await page.waitForURL("**/book");
    await page.waitForFunction((title) => document.activeElement?.textContent === title, pt["book.title"]);

    await tabTo(page, "the specialty", (e) => e.label === pt["book.specialty"]);
    await page.keyboard.type("Zoot");
    await page.keyboard.press("Tab");
    await page.keyboard.press("ArrowDown");
    await page.waitForFunction(() => document.querySelectorAll(".day-picker button").length > 0);
    expect(await page.getByLabel(pt["book.doctor"], { exact: true }).inputValue()).toBe(doctor.id);

    await tabTo(page, "the first day", (e) => e.cls.includes("day"));
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await tabTo(page, "a slot", (e) => e.cls.includes("slot"));
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    const chosen = await page.locator(".slot-picker button.slot[aria-pressed=true]").textContent();
    expect(chosen).toMatch(/^\d\d:\d\d$/);
    await tabTo(page, "the reason", (e) => e.label === pt["book.reason"]);
    const reason = `Pelo teclado ${uniq()}`;
    await page.keyboard.type(reason);
    expect(await sideScroll(page)).toEqual([]);
    await screenshot(page, "09-phone-book");
    await tabTo(page, "confirm", (e) => e.text === pt["book.confirm"]);
    await page.keyboard.press("Enter");
    await page.waitForURL("**/consultations");
    const item = page.locator("article.consultation", { hasText: reason });
    await item.waitFor();
    expect(await item.locator("time").first().textContent()).toBe(chosen);
    expect(await sideScroll(page)).toEqual([]);
    await screenshot(page, "12-phone-consultations");

    // The cancel dialog works by keyboard too: Escape closes it and focus returns to its button.
    await tabTo(page, "cancel", (e) => e.text === pt["consultation.cancel"]);
    await page.keyboard.press("Enter");
    await page.getByRole("dialog").waitFor();
    expect(await page.evaluate(() => !!document.activeElement?.closest("dialog"))).toBe(true);
    await page.keyboard.press("Escape");
    await page.getByRole("dialog").waitFor({ state: "hidden" });
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe(pt["consultation.cancel"]);
    await context.close();
  });
});
