/**
 * The other two channels: Amazon SES v2 through the real AWS SDK against a loopback endpoint that
 * answers as SES does (raw MIME in, a MessageId or an error out), and the local mailbox in a
 * temporary data folder, read back through the admin API.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestClinic, type TestClinic, uniqueEmail } from "@healthflow/test-kit/test-clinic";
import ICAL from "ical.js";
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OutgoingMail } from "./channel.js";
import { PermanentDeliveryError } from "./channel.js";
import { mailboxChannel } from "./channels/mailbox.js";
import { sesChannel } from "./channels/ses.js";
import { drainOutbox } from "./dispatcher.js";
import { buildInvite } from "./ical.js";

const mail = (over: Partial<OutgoingMail> = {}): OutgoingMail => ({
  id: "00000000-0000-4000-8000-000000000001",
  messageId: "<00000000-0000-4000-8000-000000000001@clinic.example>",
  from: "Clínica <agenda@clinic.example>",
  to: "paciente@test.healthflow.local",
  subject: "Consulta agendada",
  text: "Olá, Ana.",
  html: "<p>Olá, Ana.</p>",
  date: new Date("2031-01-01T12:00:00Z"),
  calendar: {
    method: "REQUEST",
    content: buildInvite({
      method: "REQUEST",
      uid: "c1@healthflow",
      sequence: 0,
      start: new Date("2031-01-02T13:00:00Z"),
      end: new Date("2031-01-02T13:30:00Z"),
      stamp: new Date("2031-01-01T12:00:00Z"),
      summary: "Consulta com Dra. Ana",
      description: "Teleconsulta",
      organizer: { name: "Dra. Ana", email: "agenda@clinic.example" },
      attendee: { name: "Ana", email: "paciente@test.healthflow.local" },
    }),
  },
  ...over,
});

describe("Amazon SES v2 channel", () => {
  let server: Server;
  let endpoint: string;
  const requests: { path: string; body: any; auth: string }[] = [];
  let answer: (req: IncomingMessage) => { status: number; headers?: Record<string, string>; body: unknown } = () => ({
    status: 200,
    body: { MessageId: "ses-message-1" },
  });

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        requests.push({
          path: req.url ?? "",
          body: JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}"),
          auth: String(req.headers.authorization ?? ""),
        });
        const a = answer(req);
        res.writeHead(a.status, { "content-type": "application/json", ...a.headers });
        res.end(JSON.stringify(a.body));
      });
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((done) => server.close(done));
  });

  const channel = () =>
    sesChannel({
      endpoint,
      region: "sa-east-1",
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
      maxAttempts: 1,
    });

  it("sends the composed MIME raw, from the sending identity, with the calendar part calendar clients expect", async () => {
    await channel().send(mail());
    const req = requests.at(-1)!;
    expect(req.path).toBe("/v2/email/outbound-emails");
    expect(req.auth).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/sa-east-1\/ses\/aws4_request/);
    expect(req.body.FromEmailAddress).toBe("agenda@clinic.example");
    expect(req.body.Destination).toEqual({ ToAddresses: ["paciente@test.healthflow.local"] });
    const raw = Buffer.from(req.body.Content.Raw.Data, "base64").toString("utf8");
    expect(raw).toMatch(/Content-Type: text\/calendar;[^\r\n]*method=REQUEST/i);
    const parsed = await simpleParser(raw);
    expect(parsed.messageId).toBe("<00000000-0000-4000-8000-000000000001@clinic.example>");
    expect(parsed.subject).toBe("Consulta agendada");
    expect(parsed.text?.trim()).toBe("Olá, Ana.");
    const ics = parsed.attachments.find((a) => a.contentType === "text/calendar")!.content.toString("utf8");
    const event = new ICAL.Event(new ICAL.Component(ICAL.parse(ics)).getFirstSubcomponent("vevent")!);
    expect(event.uid).toBe("c1@healthflow");
  });

  it("turns a rejected message into a permanent failure, and throttling into a retryable one", async () => {
    answer = () => ({
      status: 400,
      headers: { "x-amzn-errortype": "MessageRejected" },
      body: { message: "Email address is not verified." },
    });
    await expect(channel().send(mail())).rejects.toBeInstanceOf(PermanentDeliveryError);
    answer = () => ({
      status: 429,
      headers: { "x-amzn-errortype": "TooManyRequestsException" },
      body: { message: "Maximum sending rate exceeded." },
    });
    const err = await channel()
      .send(mail())
      .catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(PermanentDeliveryError);
    answer = () => ({ status: 200, body: { MessageId: "ok" } });
  });
});

describe("local mailbox", () => {
  let dir: string;
  let clinic: TestClinic;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "hf-mailbox-"));
    clinic = await createTestClinic({
      config: {
        mail: { channel: "mailbox", from: "HealthFlow <no-reply@healthflow.local>", mailboxDir: dir },
        publicUrl: "http://127.0.0.1:3000",
      },
    });
  });
  afterAll(async () => {
    await clinic?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps every mail in the data folder, and admins read it, links included, in the dashboard's API", async () => {
    const email = uniqueEmail("box");
    const signUp = await clinic.call("POST", "/api/auth/register", {
      body: { email, password: "correct horse battery staple", name: "Caixa Local" },
    });
    expect(signUp.status).toBe(202);
    const report = await drainOutbox({
      db: clinic.db,
      channel: mailboxChannel(dir, clinic.clock.now),
      mailFrom: "HealthFlow <no-reply@healthflow.local>",
      now: clinic.clock.now,
    });
    expect(report.sent).toBeGreaterThanOrEqual(1);
    const row = await clinic.db
      .selectFrom("outbox")
      .select("id")
      .where("recipient", "=", email)
      .executeTakeFirstOrThrow();
    const files = readdirSync(dir).filter((f) => f.startsWith(row.id));
    expect(files.sort()).toEqual([`${row.id}.eml`, `${row.id}.json`]);
    const admin = await clinic.person("admin");
    const detail = await clinic.call("GET", `/api/messages/${row.id}`, { as: admin });
    expect(detail.status).toBe(200);
    expect(detail.body.message.text).toContain("token=[token]");
    const link = /http:\/\/127\.0\.0\.1:3000\/verify-email\?token=([A-Za-z0-9_-]+)/.exec(
      detail.body.message.mailbox.text,
    );
    expect(link).not.toBeNull();
    // The link in the mailbox is the real one: it verifies the account.
    const verified = await clinic.call("POST", "/api/auth/verify-email", { body: { token: link![1] } });
    expect(verified.status).toBe(200);
    expect(verified.body.user.email).toBe(email);
  });
});
