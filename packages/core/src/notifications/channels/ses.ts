/**
 * Amazon SES (API v2) on AWS: the message is composed here (the same MIME as SMTP, calendar part
 * included) and sent raw. The Lambda's role may send only as the stage's verified identity
 * (stacks/Api.ts). Throttling and service errors are retried; a rejected message is not.
 */
import { SESv2Client, type SESv2ClientConfig, SendEmailCommand } from "@aws-sdk/client-sesv2";
import { composeMime, type MailChannel, type OutgoingMail, PermanentDeliveryError } from "../channel.js";
import { parseMailbox } from "../outbox.js";

const PERMANENT = new Set([
  "MessageRejected",
  "MailFromDomainNotVerifiedException",
  "BadRequestException",
  "NotFoundException",
  "AccountSuspendedException",
]);

export function sesChannel(config: SESv2ClientConfig = {}, options: { configurationSet?: string } = {}): MailChannel {
  const client = new SESv2Client(config);
  return {
    name: "ses",
    async send(mail: OutgoingMail) {
      const raw = await composeMime(mail);
      try {
        await client.send(
          new SendEmailCommand({
            FromEmailAddress: parseMailbox(mail.from).address,
            Destination: { ToAddresses: [mail.to] },
            Content: { Raw: { Data: raw } },
            ...(options.configurationSet ? { ConfigurationSetName: options.configurationSet } : {}),
          }),
        );
      } catch (err) {
        const name = (err as { name?: string }).name ?? "";
        if (PERMANENT.has(name)) throw new PermanentDeliveryError(`SES ${name}: ${(err as Error).message}`);
        throw err;
      }
    },
    async close() {
      client.destroy();
    },
  };
}
