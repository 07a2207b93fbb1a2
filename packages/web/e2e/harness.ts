/**
 * What every e2e file needs: the server's address (from global-setup), a headless Chromium from
 * Debian, an API client for arranging data (bearer token, so no browser needed), screenshots under
 * artifacts/screenshots/, and a check that every form control on a screen has a label.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { inject } from "vitest";
import { ptBR } from "../src/lib/messages.js";
import { ARTIFACTS } from "./global-setup.js";

export const e2e = inject("e2e");
export const skip = Boolean(e2e.skip);
export const pt = ptBR;

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: e2e.chromium, headless: true, args: FLAGS });
}

/** A fresh browser profile in São Paulo time with a Brazilian locale, unless told otherwise. */
export async function newPage(
  browser: Browser,
  options: { timezoneId?: string; locale?: string; width?: number; height?: number; bypassCSP?: boolean } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    baseURL: e2e.baseURL,
    timezoneId: options.timezoneId ?? "America/Sao_Paulo",
    locale: options.locale ?? "pt-BR",
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
    bypassCSP: options.bypassCSP ?? false,
  });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  return { context, page };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, "screenshots", `${name}.png`), fullPage: true });
}

export const uniq = () => randomBytes(4).toString("hex");
export const newPassword = () => randomBytes(12).toString("base64url");

/** Controls without any label (visible <label for>, wrapping label, aria-label or aria-labelledby). */
export async function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll("input, select, textarea, button")]
      .filter((el) => {
        const e = el as HTMLInputElement;
        if (e.type === "hidden" || e.closest("[hidden]") || e.offsetParent === null) return false;
        if (e.tagName === "BUTTON") return !(e.textContent ?? "").trim() && !e.getAttribute("aria-label");
        return (
          !(e.labels && e.labels.length > 0) && !e.getAttribute("aria-label") && !e.getAttribute("aria-labelledby")
        );
      })
      .map((e) => e.outerHTML.slice(0, 120)),
  );
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/**
 * axe-core's violations on the page as it is now (every impact), as "rule: target" lines, so a
 * failing assertion names what to fix. Injected through the DevTools protocol: the app's CSP
 * (no inline script) stays on.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, o: object) => Promise<any> } }).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return (result.violations as { id: string; impact: string; nodes: { target: string[] }[] }[]).flatMap((v) =>
      v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(" ")}`),
    );
  });
}

export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/login");
  await page.getByLabel(pt["auth.email"], { exact: true }).fill(email);
  await page.getByLabel(pt["auth.password"], { exact: true }).fill(password);
  await page.getByRole("button", { name: pt["auth.signIn"], exact: true }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/login"));
}

/** A small API client for arranging test data, signed in with a bearer token. */
export class Api {
  private constructor(private readonly token: string) {}

  static async signIn(email: string, password: string): Promise<Api> {
    const res = await fetch(`${e2e.baseURL}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password }),
    });
    if (!res.ok) throw new Error(`sign-in as ${email} failed: ${res.status} ${await res.text()}`);
    return new Api(((await res.json()) as { token: string }).token);
  }

  static admin(): Promise<Api> {
    return Api.signIn(e2e.adminEmail, e2e.adminPassword);
  }

  async call<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${e2e.baseURL}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** A doctor bookable at any hour of any day (UTC rules 00:00–24:00), so tests never run out of slots. */
  async createDoctor(opts: { slotMinutes?: number; specialty?: string } = {}) {
    const password = newPassword();
    const email = `dr-${uniq()}@e2e.healthflow.test`;
    const name = `Dra. Teste ${uniq()}`;
    const specialty = opts.specialty ?? `Clínica ${uniq()}`;
    const { user } = await this.call<{ user: { id: string } }>("POST", "/api/users", {
      email,
      name,
      role: "doctor",
      password,
      doctor: {
        specialty,
        licenseNumber: `CRM-${uniq()}`,
        timezone: "UTC",
        slotMinutes: opts.slotMinutes ?? 30,
      },
    });
    await this.call("PUT", `/api/doctors/${user.id}/availability`, {
      timezone: "UTC",
      slotMinutes: opts.slotMinutes ?? 30,
      rules: [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start: "00:00", end: "24:00" })),
    });
    return { id: user.id, email, password, name, specialty };
  }

  /** The first free slot of a doctor from now on. */
  async firstSlot(doctorId: string): Promise<{ startsAt: string; endsAt: string }> {
    const from = new Date().toISOString();
    const to = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const { slots } = await this.call<{ slots: { startsAt: string; endsAt: string }[] }>(
      "GET",
      `/api/doctors/${doctorId}/slots?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
    );
    if (!slots[0]) throw new Error("no free slot");
    return slots[0];
  }

  async createPatient() {
    const password = newPassword();
    const email = `pt-${uniq()}@e2e.healthflow.test`;
    const name = `Paciente ${uniq()}`;
    const { user } = await this.call<{ user: { id: string } }>("POST", "/api/users", {
      email,
      name,
      role: "patient",
      password,
    });
    return { id: user.id, email, password, name };
  }
}
