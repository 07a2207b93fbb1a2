import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { e2e, launch, newPage, pt, screenshot, skip } from "./harness.js";

describe.skipIf(skip)("the app shell", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("serves the SPA from the API's origin and shows sign-in in Portuguese", async () => {
    const { page, context } = await newPage(browser);
    await page.goto("/");
    await page.waitForURL("**/login");
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe(pt["auth.signInTitle"]);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("pt-BR");
    await screenshot(page, "01-sign-in");
    expect(e2e.baseURL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await context.close();
  });
});
