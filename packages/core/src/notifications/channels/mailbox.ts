/**
 * The local mailbox: with no mail server configured, every message is "delivered" into the data
 * folder (`<data dir>/mailbox/<id>.eml`, plus a JSON copy the dashboard reads), so `npm start` shows
 * every mail, links included, with no setup. For one local process: it is not a mail server, and
 * anyone who can read the data folder or is an admin can read these mails.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { composeMime, type MailChannel, type OutgoingMail } from "../channel.js";

export interface MailboxCopy {
  id: string;
  messageId: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  calendar: string | null;
  deliveredAt: string;
}

const safeId = (id: string) => /^[0-9a-f-]{36}$/.test(id);

export function mailboxChannel(dir: string, now: () => Date = () => new Date()): MailChannel {
  return {
    name: "mailbox",
    async send(mail: OutgoingMail) {
      if (!safeId(mail.id)) throw new Error("bad message id");
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const copy: MailboxCopy = {
        id: mail.id,
        messageId: mail.messageId,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        calendar: mail.calendar?.content ?? null,
        deliveredAt: now().toISOString(),
      };
      // Write then rename: a reader never sees half a message; a second delivery replaces the first.
      const eml = join(dir, `${mail.id}.eml`);
      await writeFile(`${eml}.tmp`, await composeMime(mail), { mode: 0o600 });
      await rename(`${eml}.tmp`, eml);
      const json = join(dir, `${mail.id}.json`);
      await writeFile(`${json}.tmp`, JSON.stringify(copy), { mode: 0o600 });
      await rename(`${json}.tmp`, json);
    },
  };
}

/** The delivered copy of a message, when this process's mailbox holds one. */
export async function readMailboxCopy(dir: string, id: string): Promise<MailboxCopy | undefined> {
  if (!safeId(id)) return undefined;
  try {
    return JSON.parse(await readFile(join(dir, `${id}.json`), "utf8")) as MailboxCopy;
  } catch {
    return undefined;
  }
}
