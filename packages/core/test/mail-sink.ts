/**
 * A real SMTP server on loopback (the `smtp-server` package) that keeps what it receives, parsed by
 * `mailparser`: the tests' inbox. `stop()` takes it down (connections cut, the port refusing) and
 * `start()` brings it back on the same port, for the outage tests.
 */
import { type AddressInfo, createServer } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  raw: string;
  parsed: ParsedMail;
  messageId: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The `text/calendar` part: its `method` parameter and the iCalendar text. */
  calendar?: { method: string; content: string };
  receivedAt: number;
}

export interface MailSink {
  url: string;
  port: number;
  received: ReceivedMail[];
  /** Resolves with the first mail (in arrival order) that matches, waiting up to `timeoutMs`. */
  waitFor(match: (m: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  to(address: string): ReceivedMail[];
  /** Waits until every acknowledged message is parsed into `received`. */
  settled(): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, "127.0.0.1", done));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((done) => probe.close(() => done()));
  return port;
}

function calendarPart(raw: string, parsed: ParsedMail): ReceivedMail["calendar"] {
  const part = parsed.attachments.find((a) => a.contentType === "text/calendar");
  if (!part) return undefined;
  const header = part.headers.get("content-type") as { params?: Record<string, string> } | undefined;
  const method = header?.params?.method ?? /text\/calendar;[^\r\n]*method=([A-Z]+)/i.exec(raw)?.[1] ?? "";
  return { method, content: part.content.toString("utf8") };
}

export async function startMailSink(options: { rejectRecipients?: RegExp } = {}): Promise<MailSink> {
  const port = await freePort();
  const received: ReceivedMail[] = [];
  const waiters = new Set<() => void>();
  const inFlight = new Set<Promise<void>>();
  let server: SMTPServer | undefined;

  const start = async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS", "AUTH"],
      logger: false,
      // On stop, connections still open after this are told 421 and closed (mid-message ones too).
      closeTimeout: 500,
      onRcptTo(address, _session, callback) {
        if (options.rejectRecipients?.test(address.address)) {
          const err = new Error("No such user here") as Error & { responseCode: number };
          err.responseCode = 550;
          return callback(err);
        }
        callback();
      },
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => {
          // Acknowledge (250) as soon as the whole message is in, like an MTA that has queued it;
          // parse afterwards. A message is "received" exactly when its sender was told so.
          const raw = Buffer.concat(chunks).toString("utf8");
          callback();
          const parsing = simpleParser(raw).then((parsed) => {
            const to = Array.isArray(parsed.to) ? parsed.to[0]?.text : parsed.to?.text;
            received.push({
              raw,
              parsed,
              messageId: parsed.messageId ?? "",
              to: to ?? "",
              subject: parsed.subject ?? "",
              text: parsed.text ?? "",
              html: typeof parsed.html === "string" ? parsed.html : "",
              calendar: calendarPart(raw, parsed),
              receivedAt: Date.now(),
            });
            for (const w of waiters) w();
          });
          inFlight.add(parsing);
          void parsing.finally(() => inFlight.delete(parsing));
        });
      },
    });
    const s = server;
    await new Promise<void>((done) => s.listen(port, "127.0.0.1", done));
  };

  const stop = () =>
    new Promise<void>((done) => {
      const s = server;
      server = undefined;
      if (!s) return done();
      s.close(() => done());
    });

  await start();
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    received,
    to: (address) => received.filter((m) => m.to.toLowerCase().includes(address.toLowerCase())),
    waitFor(match, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = received.find(match);
          if (found) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching mail within ${timeoutMs} ms (received ${received.length})`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    settled: async () => {
      await Promise.all([...inFlight]);
    },
    stop,
    start,
    close: stop,
  };
}
