import type { MailConfig } from "../config/config.js";
import type { MailChannel } from "./channel.js";
import { mailboxChannel } from "./channels/mailbox.js";
import { sesChannel } from "./channels/ses.js";
import { smtpChannel } from "./channels/smtp.js";

/** The channel the settings name: SMTP (`SMTP_URL`), Amazon SES, or the local mailbox. */
export function createMailChannel(config: MailConfig): MailChannel {
  switch (config.channel) {
    case "smtp":
      if (!config.smtpUrl) throw new Error("SMTP_URL is required for the smtp mail channel");
      return smtpChannel(config.smtpUrl);
    case "ses":
      // Region and credentials come from the runtime (the Lambda's role, AWS_REGION).
      return sesChannel();
    case "mailbox":
      if (!config.mailboxDir) throw new Error("the local mailbox needs a data folder");
      return mailboxChannel(config.mailboxDir);
  }
}
