/**
 * A teleconsultation as the CFM requires it, in headless Chromium with its fake camera and
 * microphone (`--use-fake-device-for-media-stream`, `--use-fake-ui-for-media-stream`): the patient
 * consents (the doctor named with CRM and state), checks camera and microphone, says "I'm ready";
 * the doctor's agenda shows "waiting since" within 5 seconds without a reload; the doctor starts,
 * the patient's page follows (waiting, started, ended); the doctor completes; the record keeps it.
 * Then the same page with the browser refusing the camera, and with no device at all.
 * Every screen is checked with axe-core; the patient's screens at 360 px.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { en } from "../src/lib/messages.js";
import { Api, e2e, launch, newPage, pt, screenshot, signIn, skip, uniq, unlabelledControls } from "./harness.js";

const FAKE_MEDIA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"];
// Injected through the DevTools protocol (page.evaluate), which the app's CSP does not govern.
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

const JITSI_STUB = `
window.JitsiMeetExternalAPI = class {
  constructor(domain, options) {
    this.listeners = {};
    const frame = document.createElement("div");
    frame.className = "jitsi-stub";
    frame.textContent = "stub conference";
    options.parentNode.appendChild(frame);
    window.__jitsi = this;
  }
  addListener(event, fn) { (this.listeners[event] = this.listeners[event] || []).push(fn); }
  executeCommand() {}
  fire(event, payload) { (this.listeners[event] || []).forEach((fn) => fn(payload)); }
  dispose() {}
};`;

async function serveJitsi(page: Page): Promise<void> {
  await page.route(`https://${e2e.jitsiDomain}/**`, (route) =>
    route.fulfill({ status: 200, contentType: "application/javascript", body: JITSI_STUB }),
  );
}

/** axe-core's violations on the page as it stands (WCAG 2.1 A and AA rules). */
async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => Boolean((window as any).axe)))) await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => {
    const axe = (window as any).axe;
    // The video region is Jitsi's (here a stub): third-party content, not ours to audit.
    const r = await axe.run(
      { exclude: [["#jitsi-container"]] },
      {
        runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
      },
    );
    return r.violations.map((v: any) => `${v.id}: ${v.nodes.map((n: any) => n.target.join(" ")).join(", ")}`);
  });
  return result as string[];
}

const text = (s: string, params: Record<string, string>) =>
  Object.entries(params).reduce((acc, [k, v]) => acc.replace(`{${k}}`, v), s);

describe.skipIf(skip)("teleconsultation", () => {
  let browser: Browser;
  let admin: Api;
  beforeAll(async () => {
    browser = await launch(FAKE_MEDIA);
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
    const { consultation } = await admin.call<{ consultation: { id: string } }>("POST", "/api/consultations", {
      doctorId: doctor.id,
      startsAt: slot.startsAt,
      reason: `Teleconsulta ${uniq()}`,
      patientId: patient.id,
    });
    const asPatient = await Api.signIn(patient.email, patient.password);
    const link = await asPatient.call<{ url: string }>("POST", `/api/consultations/${consultation.id}/room-link`, {});
    const { users } = await admin.call<{ users: { id: string; doctor?: { crm: string; crmState: string } }[] }>(
      "GET",
      "/api/users?role=doctor&limit=500",
    );
    const crm = users.find((u) => u.id === doctor.id)?.doctor;
    return { doctor, patient, consultation, asPatient, path: new URL(link.url).pathname, crm: crm! };
  }

  it("goes through consent, device check, check-in, the doctor's waiting room, start and completion", async () => {
    const { doctor, patient, consultation, path, crm } = await openConsultation();

    // The doctor watches the agenda before the patient arrives.
    const doc = await newPage(browser);
    await serveJitsi(doc.page);
    await signIn(doc.page, doctor.email, doctor.password);
    // On the Node server the agenda listens to server-sent events; it polls only when it cannot.
    const streams: string[] = [];
    const polls: string[] = [];
    doc.page.on("request", (r) => {
      if (r.url().includes("/api/agenda/events")) streams.push(r.url());
      if (r.url().includes("/api/agenda/waiting")) polls.push(r.url());
    });
    await doc.page.goto("/agenda?view=day");
    const entry = doc.page.locator(`.waiting-entry[data-consultation="${consultation.id}"]`);
    await entry.getByText(pt["tele.notCheckedIn"]).waitFor();
    expect(await axeViolations(doc.page)).toEqual([]);

    // The patient, on a phone, with the room link alone.
    const pat = await newPage(browser, { width: 360, height: 740 });
    await serveJitsi(pat.page);
    await pat.page.goto(path);
    await pat.page.getByRole("heading", { name: pt["tele.consentTitle"], level: 2 }).waitFor();
    const identity = text(pt["tele.doctorId"], { name: doctor.name, uf: crm.crmState, crm: crm.crm });
    await pat.page.getByText(identity, { exact: false }).first().waitFor();
    await pat.page
      .getByText(/Resolução CFM nº 2\.314\/2022/)
      .first()
      .waitFor();
    expect(await unlabelledControls(pat.page)).toEqual([]);
    expect(await axeViolations(pat.page)).toEqual([]);
    await screenshot(pat.page, "30-tele-consent-phone");
    // Agreeing needs the box ticked.
    await pat.page.getByRole("button", { name: pt["tele.consentAgree"] }).click();
    await pat.page.getByText(pt["tele.consentMustCheck"]).waitFor();
    await pat.page.getByLabel(pt["tele.consentCheck"]).check();
    await pat.page.getByRole("button", { name: pt["tele.consentAgree"] }).click();

    // Device check with the real media APIs (Chromium's fake camera and microphone).
    await pat.page.getByRole("heading", { name: pt["tele.deviceTitle"], level: 2 }).waitFor();
    await pat.page.getByRole("button", { name: pt["tele.deviceStart"] }).click();
    await pat.page.getByText(pt["tele.deviceOk"]).waitFor();
    await pat.page.waitForFunction(() => {
      const v = document.querySelector(".device-preview video") as HTMLVideoElement | null;
      return !!v && v.videoWidth > 0 && v.readyState >= 2;
    });
    await pat.page.waitForFunction(() => Number(document.querySelector("#mic-level")?.getAttribute("data-level")) > 0);
    expect(await unlabelledControls(pat.page)).toEqual([]);
    expect(await axeViolations(pat.page)).toEqual([]);
    await screenshot(pat.page, "31-tele-device-check-phone");
    const readyAt = Date.now();
    await pat.page.getByRole("button", { name: pt["tele.ready"] }).click();
    const waiting = pat.page.getByTestId("tele-status");
    await waiting.waitFor();
    expect(await waiting.textContent()).toMatch(/sala de espera desde \d\d:\d\d/);
    expect(await axeViolations(pat.page)).toEqual([]);
    await screenshot(pat.page, "32-tele-waiting-phone");

    // The doctor's agenda shows it within 5 seconds, without a reload.
    const since = entry.getByText(/aguardando desde \d\d:\d\d/);
    await since.waitFor({ timeout: 5000 });
    expect(Date.now() - readyAt).toBeLessThan(5000 + 1000);
    expect(streams.length).toBeGreaterThan(0);
    expect(polls).toEqual([]);
    expect(await axeViolations(doc.page)).toEqual([]);
    await screenshot(doc.page, "33-tele-agenda-waiting");

    // The doctor starts from the agenda; the room opens; the patient's page follows.
    await entry.getByRole("button", { name: text(pt["tele.start"], { name: patient.name }) }).click();
    await doc.page.waitForURL("**/room/**");
    await doc.page.locator(".jitsi-stub").waitFor();
    await pat.page.getByText(pt["tele.started"]).waitFor({ timeout: 10_000 });
    await pat.page.locator(".jitsi-stub").waitFor();
    // The patient's camera check let go of the devices (the call needs them).
    expect(await pat.page.locator(".device-preview").count()).toBe(0);

    // The call ends; the doctor completes from the agenda; the patient's page says so.
    await doc.page.evaluate(() => (window as any).__jitsi.fire("readyToClose", {}));
    await doc.page.waitForURL(`**/agenda?after=${consultation.id}`);
    await doc.page.getByRole("button", { name: pt["agenda.completeNow"] }).click();
    await doc.page.getByText(pt["agenda.completed"]).waitFor();
    await pat.page.getByText(pt["tele.ended"]).waitFor({ timeout: 10_000 });
    await screenshot(pat.page, "34-tele-ended-phone");

    // The record.
    const { consultation: record } = await admin.call<{ consultation: any }>(
      "GET",
      `/api/consultations/${consultation.id}`,
    );
    expect(record).toMatchObject({
      status: "completed",
      consent: { version: expect.any(String), givenAt: expect.any(String) },
      checkedInAt: expect.any(String),
      startedAt: expect.any(String),
      completedAt: expect.any(String),
      doctor: { crm: crm.crm, crmState: crm.crmState },
      teleconsultation: { modality: "teleconsulta", startedBy: doctor.id, completedBy: doctor.id },
    });
    expect(record.teleconsultation.patientOpenedAt).toEqual(expect.any(String));
    expect(record.teleconsultation.doctorOpenedAt).toEqual(expect.any(String));

    // The patient withdraws the consent for future consultations, from their own page.
    await signIn(pat.page, patient.email, patient.password);
    await pat.page.goto("/");
    await pat.page.getByRole("button", { name: pt["tele.withdraw"] }).click();
    await pat.page.getByText(pt["tele.withdrawn"]).waitFor();
    expect(await axeViolations(pat.page)).toEqual([]);
    const { consultation: after } = await admin.call<{ consultation: any }>(
      "GET",
      `/api/consultations/${consultation.id}`,
    );
    expect(after.consent.withdrawnAt).toEqual(expect.any(String));
    await pat.context.close();
    await doc.context.close();
  });

  it("lets the doctor start from the room; the waiting patient's page says the doctor is in, then joins", async () => {
    const { doctor, patient, consultation, asPatient, path } = await openConsultation();
    const { version } = await asPatient.call<{ version: string }>("GET", "/api/consent/telemedicine");
    await asPatient.call("POST", `/api/consultations/${consultation.id}/consent`, { version });
    await asPatient.call("POST", `/api/consultations/${consultation.id}/check-in`, {});

    const pat = await newPage(browser, { width: 360, height: 740 });
    await serveJitsi(pat.page);
    await pat.page.goto(path);
    await pat.page.getByText(/sala de espera desde \d\d:\d\d/).waitFor();

    const asDoctor = await Api.signIn(doctor.email, doctor.password);
    const link = await asDoctor.call<{ url: string }>("POST", `/api/consultations/${consultation.id}/room-link`, {});
    const doc = await newPage(browser);
    await serveJitsi(doc.page);
    await signIn(doc.page, doctor.email, doctor.password);
    await doc.page.goto(new URL(link.url).pathname);
    await doc.page.locator(".jitsi-stub").waitFor();
    await doc.page.getByText(new RegExp(`${patient.name} está na sala de espera desde \\d\\d:\\d\\d`)).waitFor();
    expect(await axeViolations(doc.page)).toEqual([]);
    await pat.page.getByText(pt["tele.doctorInRoom"]).waitFor({ timeout: 10_000 });

    await doc.page.getByRole("button", { name: pt["tele.startInRoom"] }).click();
    await pat.page.getByText(pt["tele.started"]).waitFor({ timeout: 10_000 });
    await pat.page.locator(".jitsi-stub").waitFor();
    const { consultation: c } = await admin.call<{ consultation: any }>("GET", `/api/consultations/${consultation.id}`);
    expect(c).toMatchObject({ status: "in_progress", teleconsultation: { startedBy: doctor.id } });
    await pat.context.close();
    await doc.context.close();
  });

  it("speaks English too, and says plainly when the browser refuses the camera", async () => {
    const denying = await launch(["--use-fake-device-for-media-stream", "--deny-permission-prompts"]);
    try {
      const { consultation, asPatient, path } = await openConsultation();
      const { version } = await asPatient.call<{ version: string }>("GET", "/api/consent/telemedicine");
      await asPatient.call("POST", `/api/consultations/${consultation.id}/consent`, { version });
      const { page, context } = await newPage(denying, { locale: "en-US", width: 360, height: 740 });
      await page.addInitScript(() => localStorage.setItem("healthflow.lang", "en"));
      await page.goto(path);
      await page.getByRole("button", { name: en["tele.deviceStart"] }).click();
      const alert = page.getByRole("alert");
      await alert.getByText(en["tele.denied"]).waitFor();
      expect(await page.getByRole("button", { name: en["tele.ready"] }).count()).toBe(0);
      await page.getByRole("button", { name: en["common.retry"] }).waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, "35-tele-denied-phone");
      // Nothing was recorded: the patient has not checked in.
      const { consultation: c } = await admin.call<{ consultation: { checkedInAt: string | null } }>(
        "GET",
        `/api/consultations/${consultation.id}`,
      );
      expect(c.checkedInAt).toBeNull();
      await context.close();
    } finally {
      await denying.close();
    }
  });

  it("says when there is no camera or microphone at all", async () => {
    // No fake devices: this machine has none, so getUserMedia finds nothing.
    const bare = await launch(["--use-fake-ui-for-media-stream"]);
    try {
      const { consultation, asPatient, path } = await openConsultation();
      const { version } = await asPatient.call<{ version: string }>("GET", "/api/consent/telemedicine");
      await asPatient.call("POST", `/api/consultations/${consultation.id}/consent`, { version });
      const { page, context } = await newPage(bare);
      await page.goto(path);
      await page.getByRole("button", { name: pt["tele.deviceStart"] }).click();
      await page.getByRole("alert").getByText(pt["tele.noDevice"]).waitFor();
      await context.close();
    } finally {
      await bare.close();
    }
  });
});
