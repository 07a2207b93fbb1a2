/**
 * Channels deliver one message each; the dispatcher decides when, and retries. Email is the only
 * channel today (SMTP, Amazon SES, or the local mailbox); SMS or WhatsApp would be another
 * implementation of the same interface.
 */
import MailComposer from "nodemailer/lib/mail-composer";

export interface OutgoingMail {
  /** The stable Message-ID header, `<uuid@domain>`: the same on every attempt. */
  messageId: string;
  /** The outbox row's id. */
  id: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Sent as a `text/calendar; method=...` alternative (and an `invite.ics` attachment). */
  calendar?: { method: "REQUEST" | "CANCEL"; content: string };
  date: Date;
}

export interface MailChannel {
  readonly name: string;
  send(mail: OutgoingMail): Promise<void>;
  close?(): Promise<void>;
}

/** A refusal that will not change on retry (bad recipient, rejected sender): no more attempts. */
export class PermanentDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PermanentDeliveryError";
  }
}

/** nodemailer's message options for an outgoing mail: the one MIME layout every channel sends. */
export function mailOptions(mail: OutgoingMail) {
  return {
    from: mail.from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: mail.messageId,
    date: mail.date,
    ...(mail.calendar
      ? { icalEvent: { method: mail.calendar.method, filename: "invite.ics", content: mail.calendar.content } }
      : {}),
  };
}

/** The complete RFC 5322 message (SES raw sending, the local mailbox's .eml files). */
export function composeMime(mail: OutgoingMail): Promise<Buffer> {
  return new MailComposer(mailOptions(mail)).compile().build();
}
