/**
 * The consult-room page. Jitsi is not reachable here, so `https://<JITSI_DOMAIN>/external_api.js` is
 * served by a stub through route interception: the stub records the options the page passed and
 * lets the test fire Jitsi's events (knockingParticipant, readyToClose). Room links and room
 * answers come from the real API, except where a test needs a moment in time (a countdown that
 * ends in two seconds) or another Jitsi domain (meet.jit.si), where /api/rooms/* is intercepted.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, axeViolations, e2e, launch, newPage, pt, screenshot, signIn, skip, uniq } from "./harness.js";

const STUB = `
window.__jitsiCalls = [];
window.JitsiMeetExternalAPI = class {
  constructor(domain, options) {
    this.listeners = {};
    this.commands = [];
    const frame = document.createElement("div");
    frame.className = "jitsi-stub";
    frame.textContent = "stub conference " + options.roomName;
    options.parentNode.appendChild(frame);
    window.__jitsi = this;
    window.__jitsiCalls.push({ domain, options: { ...options, parentNode: options.parentNode && options.parentNode.id } });
  }
  addListener(event, fn) { (this.listeners[event] = this.listeners[event] || []).push(fn); }
  addEventListener(event, fn) { this.addListener(event, fn); }
  executeCommand(name, ...args) { this.commands.push([name, ...args]); }
  fire(event, payload) { (this.listeners[event] || []).forEach((fn) => fn(payload)); }
  dispose() { this.disposed = true; }
};`;

/** Serves the stub for a Jitsi domain; `failFirst` aborts the first n loads (offline, blocked). */
async function serveJitsi(page: Page, domain: string, failFirst = 0): Promise<{ loads: () => number }> {
  let loads = 0;
  await page.route(`https://${domain}/**`, async (route) => {
    loads++;
    if (loads <= failFirst) return route.abort("internetdisconnected");
    return route.fulfill({ status: 200, contentType: "application/javascript", body: STUB });
  });
  return { loads: () => loads };
}

const jitsiCall = (page: Page) =>
  page.evaluate(() => (window as any).__jitsiCalls?.[0] as { domain: string; options: any } | undefined);
const fire = (page: Page, event: string, payload: unknown) =>
  page.evaluate(([e, p]) => (window as any).__jitsi.fire(e, p), [event, payload] as const);
const tokenOf = (url: string) => new URL(url).pathname.split("/").pop()!;

describe.skipIf(skip)("the consult room page", () => {
  let browser: Browser;
  let admin: Api;
  beforeAll(async () => {
    browser = await launch();
    admin = await Api.admin();
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** A doctor with 5-minute slots and a consultation in the first one: its room is open now. */
  async function openConsultation() {
    const doctor = await admin.createDoctor({ slotMinutes: 5 });
    const patient = await admin.createPatient();
    const slot = await admin.firstSlot(doctor.id);
    const reason = `Teleconsulta ${uniq()}`;
    const { consultation } = await admin.call<{ consultation: { id: string } }>("POST", "/api/consultations", {
      doctorId: doctor.id,
      startsAt: slot.startsAt,
      reason,
      patientId: patient.id,
    });
    return { doctor, patient, consultation, reason };
  }

  /**
   * The teleconsultation steps done through the API (the page's own steps are in
   * teleconsultation.e2e.ts): the patient has consented and checked in, the doctor has started.
   */
  async function admitPatient(patient: { email: string; password: string }, consultationId: string) {
    const asPatient = await Api.signIn(patient.email, patient.password);
    const { version } = await asPatient.call<{ version: string }>("GET", "/api/consent/telemedicine");
    await asPatient.call("POST", `/api/consultations/${consultationId}/consent`, { version });
    await asPatient.call("POST", `/api/consultations/${consultationId}/check-in`, {});
    await admin.call("PATCH", `/api/consultations/${consultationId}`, { status: "in_progress" });
  }

  it("lets the doctor open the room from the agenda, admit the knocking patient, and complete after the call", async () => {
    const { doctor, patient, consultation, reason } = await openConsultation();
    const { page, context } = await newPage(browser);
    const jitsi = await serveJitsi(page, e2e.jitsiDomain);
    await signIn(page, doctor.email, doctor.password);
    // The list shows seven days from today, each consultation with its actions.
    await page.goto("/agenda?view=list");
    await page.locator(".agenda-list").waitFor();
    const item = page.locator("article.consultation", { hasText: reason });
    await item.getByRole("button", { name: pt["consultation.openRoom"] }).click();
    await page.waitForURL("**/room/**");
    await page.locator(".jitsi-stub").waitFor();
    expect(jitsi.loads()).toBe(1);

    const call = (await jitsiCall(page))!;
    expect(call.domain).toBe(e2e.jitsiDomain);
    expect(call.options.roomName).toMatch(/^[A-Za-z0-9_-]{10,}$/);
    expect(call.options.roomName).not.toContain(consultation.id);
    expect(call.options.jwt).toBeUndefined(); // no JITSI_APP_ID in this run
    expect(call.options.parentNode).toBe("jitsi-container");
    expect(call.options.userInfo).toEqual({ displayName: doctor.name });
    expect(call.options.lang).toBe("ptBR");
    expect(call.options.configOverwrite.disableDeepLinking).toBe(true);
    const heading = await page.getByRole("heading", { level: 1 }).textContent();
    expect(heading).toContain(doctor.name);
    expect(heading).toContain(patient.name);
    expect(await page.getByText(pt["room.publicDemo"]).count()).toBe(0);

    await fire(page, "knockingParticipant", { participant: { id: "knock-1", name: patient.name } });
    const admit = page.getByRole("button", { name: pt["room.admit"].replace("{name}", patient.name) });
    await admit.waitFor();
    await screenshot(page, "14-room-doctor-knock");
    await admit.click();
    await admit.waitFor({ state: "detached" });
    const commands = await page.evaluate(() => (window as any).__jitsi.commands);
    expect(commands).toEqual([["answerKnockingParticipant", "knock-1", true]]);

    await fire(page, "readyToClose", {});
    await page.waitForURL(`**/agenda?after=${consultation.id}`);
    await page.getByRole("button", { name: pt["agenda.completeNow"] }).click();
    await page.getByText(pt["agenda.completed"]).waitFor();
    const { consultation: after } = await admin.call<{ consultation: { status: string } }>(
      "GET",
      `/api/consultations/${consultation.id}`,
    );
    expect(after.status).toBe("completed");
    await context.close();
  });

  it("gives the patient their own name, no admit controls, and a way back", async () => {
    const { patient, consultation } = await openConsultation();
    await admitPatient(patient, consultation.id);
    const link = await (await Api.signIn(patient.email, patient.password)).call<{ url: string; role: string }>(
      "POST",
      `/api/consultations/${consultation.id}/room-link`,
      {},
    );
    expect(link.role).toBe("patient");
    const { page, context } = await newPage(browser, { width: 360, height: 740 });
    await serveJitsi(page, e2e.jitsiDomain);
    await page.goto(`/room/${tokenOf(link.url)}`);
    await page.locator(".jitsi-stub").waitFor();
    const call = (await jitsiCall(page))!;
    expect(call.options.userInfo).toEqual({ displayName: patient.name });
    await fire(page, "knockingParticipant", { participant: { id: "x", name: "Outra pessoa" } });
    expect(await page.getByRole("button", { name: /Admitir/ }).count()).toBe(0);
    await screenshot(page, "15-room-patient-phone");
    await fire(page, "readyToClose", {});
    await page.waitForURL((u) => !u.pathname.startsWith("/room/"));
    await context.close();
  });

  it("shows a countdown before the room opens, naming the consultation", async () => {
    const doctor = await admin.createDoctor();
    const patient = await admin.createPatient();
    const later = new Date(Date.now() + 2 * 86_400_000).toISOString();
    const { slots } = await admin.call<{ slots: { startsAt: string }[] }>(
      "GET",
      `/api/doctors/${doctor.id}/slots?from=${encodeURIComponent(later)}&to=${encodeURIComponent(new Date(Date.now() + 3 * 86_400_000).toISOString())}`,
    );
    const { consultation } = await admin.call<{ consultation: { id: string } }>("POST", "/api/consultations", {
      doctorId: doctor.id,
      startsAt: slots[0]!.startsAt,
      patientId: patient.id,
    });
    const link = await admin.call<{ url: string }>("POST", `/api/consultations/${consultation.id}/room-link`, {
      for: "patient",
    });
    // Consent comes first (a patient may give it before the room opens); then the countdown.
    const asPatient = await Api.signIn(patient.email, patient.password);
    const { version } = await asPatient.call<{ version: string }>("GET", "/api/consent/telemedicine");
    await asPatient.call("POST", `/api/consultations/${consultation.id}/consent`, { version });
    const { page, context } = await newPage(browser);
    const jitsi = await serveJitsi(page, e2e.jitsiDomain);
    await page.goto(`/room/${tokenOf(link.url)}`);
    const countdown = page.getByTestId("countdown");
    await countdown.waitFor();
    // Two days away is said in words, not as a 47-hour clock; the opening is "on <date> at <time>".
    expect(await countdown.textContent()).toMatch(/^\d+ dias?( e \d+ h)?$/);
    const notice = (await page.getByRole("status").first().textContent()) ?? "";
    expect(notice).toMatch(/abre em \S+-feira|abre em sábado|abre em domingo/);
    expect(notice).toMatch(/, às \d\d:\d\d, 15 minutos antes/);
    expect(await axeViolations(page)).toEqual([]);
    const heading = await page.getByRole("heading", { level: 1 }).textContent();
    expect(heading).toContain(doctor.name);
    expect(heading).toContain(patient.name);
    expect(jitsi.loads()).toBe(0);
    await screenshot(page, "13-room-not-open");
    await context.close();
  });

  it("opens by itself when the countdown ends", async () => {
    const { page, context } = await newPage(browser);
    await serveJitsi(page, e2e.jitsiDomain);
    const shell = {
      id: "00000000-0000-4000-8000-000000000001",
      startsAt: new Date(Date.now() + 15 * 60_000).toISOString(),
      endsAt: new Date(Date.now() + 45 * 60_000).toISOString(),
      status: "scheduled",
      doctor: { name: "Dra. Relógio" },
      patient: { name: "Seu Ponteiro" },
    };
    const opensAt = new Date(Date.now() + 2500).toISOString();
    let asked = 0;
    const progress = {
      status: "in_progress",
      checkedInAt: new Date().toISOString(),
      startedAt: new Date().toISOString(),
      completedAt: null,
      doctorOpenedAt: new Date().toISOString(),
    };
    await page.route("**/api/rooms/**", (route) => {
      if (route.request().url().endsWith("/status")) {
        return route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(progress) });
      }
      asked++;
      return Date.now() < Date.parse(opensAt)
        ? route.fulfill({
            status: 425,
            contentType: "application/json",
            body: JSON.stringify({
              error: {
                code: "room_not_open",
                message: "not yet",
                details: { consultation: shell, role: "patient", opensAt },
              },
            }),
          })
        : route.fulfill({
            status: 200,
            contentType: "application/json",
            body: JSON.stringify({
              consultation: shell,
              role: "patient",
              jitsi: { domain: e2e.jitsiDomain, roomName: "stubbed-room-name" },
              opensAt,
              closesAt: shell.endsAt,
              progress,
            }),
          });
    });
    await page.goto("/room/any-token");
    await page.getByTestId("countdown").waitFor();
    await page.locator(".jitsi-stub").waitFor({ timeout: 10_000 });
    expect(asked).toBe(2);
    expect((await jitsiCall(page))!.options.roomName).toBe("stubbed-room-name");
    await context.close();
  });

  it("says plainly when the Jitsi script cannot load, and retries", async () => {
    const { patient, consultation } = await openConsultation();
    await admitPatient(patient, consultation.id);
    const link = await (await Api.signIn(patient.email, patient.password)).call<{ url: string }>(
      "POST",
      `/api/consultations/${consultation.id}/room-link`,
      {},
    );
    const { page, context } = await newPage(browser);
    const jitsi = await serveJitsi(page, e2e.jitsiDomain, 1);
    await page.goto(`/room/${tokenOf(link.url)}`);
    const alert = page.getByRole("alert");
    await alert.getByText(pt["room.scriptFailed"].replace("{domain}", e2e.jitsiDomain)).waitFor();
    await screenshot(page, "16-room-script-failed");
    await alert.getByRole("button", { name: pt["common.retry"] }).click();
    await page.locator(".jitsi-stub").waitFor();
    expect(jitsi.loads()).toBe(2);
    expect(await page.getByRole("alert").count()).toBe(0);
    await context.close();
  });

  it("a doctor whose video never loaded goes back to the agenda without being asked if the call ended", async () => {
    const { doctor, consultation } = await openConsultation();
    const { page, context } = await newPage(browser);
    await serveJitsi(page, e2e.jitsiDomain, 100);
    await signIn(page, doctor.email, doctor.password);
    const link = await (await Api.signIn(doctor.email, doctor.password)).call<{ url: string }>(
      "POST",
      `/api/consultations/${consultation.id}/room-link`,
      {},
    );
    await page.goto(`/room/${tokenOf(link.url)}`);
    await page.getByText(pt["room.scriptFailed"].replace("{domain}", e2e.jitsiDomain)).waitFor();
    await page.getByRole("link", { name: pt["room.leave"] }).click();
    await page.waitForURL((u) => u.pathname === "/agenda");
    expect(new URL(page.url()).searchParams.get("after")).toBeNull();
    await page.getByRole("heading", { level: 1, name: pt["agenda.title"] }).waitFor();
    expect(await page.getByText(pt["agenda.afterCall"].split("{name}")[0]!).count()).toBe(0);
    await context.close();
  });

  it("warns that meet.jit.si is a time-limited public demo server", async () => {
    // This run's server allows scripts from its own JITSI_DOMAIN only (its Content-Security-Policy);
    // the intercepted answer plays a server configured for meet.jit.si, so the CSP is set aside.
    const { page, context } = await newPage(browser, { locale: "en-US", bypassCSP: true });
    await page.addInitScript(() => localStorage.setItem("healthflow.lang", "en"));
    await serveJitsi(page, "meet.jit.si");
    await page.route("**/api/rooms/**", (route) =>
      route.fulfill({
        status: 200,
        contentType: "application/json",
        body: JSON.stringify({
          consultation: {
            id: "00000000-0000-4000-8000-000000000002",
            startsAt: new Date().toISOString(),
            endsAt: new Date(Date.now() + 1_800_000).toISOString(),
            status: "scheduled",
            doctor: { name: "Dr. Demo" },
            patient: { name: "Pat Demo" },
          },
          role: "doctor",
          jitsi: { domain: "meet.jit.si", roomName: "healthflow-demo-room" },
          opensAt: new Date(Date.now() - 60_000).toISOString(),
          closesAt: new Date(Date.now() + 3_600_000).toISOString(),
        }),
      }),
    );
    await page.goto("/room/demo-token");
    await page.locator(".jitsi-stub").waitFor();
    await page.getByText(/public demo server meet\.jit\.si/).waitFor();
    expect((await jitsiCall(page))!.options.lang).toBe("en");
    await context.close();
  });

  it("explains a forged link", async () => {
    const { page, context } = await newPage(browser);
    await page.goto("/room/not-a-real-token");
    await page.getByText(pt["room.invalidLink"]).waitFor();
    // It points at a place where the link really is: the consultation's "Room link" button.
    expect(pt["room.invalidLink"]).toContain(pt["consultation.roomLink"]);
    expect(await axeViolations(page)).toEqual([]);
    expect(new URL(page.url()).pathname).toBe("/room/not-a-real-token");
    await context.close();
  });
});
