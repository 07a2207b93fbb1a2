/**
 * SMTP through nodemailer (`SMTP_URL`, e.g. `smtp://user:pass@mail.example:587`, `smtps://...`):
 * local installs and the pods. A pooled transport with bounded timeouts, so a hung server costs a
 * retry, not a dispatcher stuck longer than its lease.
 */
import nodemailer from "nodemailer";
import { type MailChannel, mailOptions, type OutgoingMail, PermanentDeliveryError } from "../channel.js";

export function smtpChannel(url: string, options: { pool?: boolean; maxConnections?: number } = {}): MailChannel {
  const transport = nodemailer.createTransport({
    url,
    pool: options.pool ?? true,
    maxConnections: options.maxConnections ?? 3,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  } as Parameters<typeof nodemailer.createTransport>[0]);
  return {
    name: "smtp",
    async send(mail: OutgoingMail) {
      try {
        await transport.sendMail(mailOptions(mail));
      } catch (err) {
        const e = err as { responseCode?: number; message?: string };
        // 5xx: the server refuses this message for good (unknown mailbox, policy); 4xx and network
        // errors are worth another attempt.
        if (typeof e.responseCode === "number" && e.responseCode >= 500 && e.responseCode < 600) {
          throw new PermanentDeliveryError(`SMTP ${e.responseCode}: ${e.message ?? "refused"}`);
        }
        throw err;
      }
    },
    async close() {
      transport.close();
    },
  };
}
