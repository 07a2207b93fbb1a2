/**
 * Mail on AWS: Amazon SES sends as one verified identity (a domain, or one address), given at deploy
 * time with HEALTHFLOW_SES_IDENTITY, else HEALTHFLOW_DOMAIN; the sender is HEALTHFLOW_MAIL_FROM, else
 * `HealthFlow <no-reply@<identity>>`. Unset, the identity is a reserved `.invalid` name: nothing can
 * be sent, and nothing pretends it can. See docs/deploy.md ("Mail with Amazon SES").
 */
export interface MailIdentity {
  /** The SES identity: a domain (`clinic.example`) or an address (`agenda@clinic.example`). */
  identity: string;
  from: string;
}

export function mailIdentity(env: Record<string, string | undefined> = process.env): MailIdentity {
  const identity = env.HEALTHFLOW_SES_IDENTITY ?? env.HEALTHFLOW_DOMAIN ?? "healthflow.invalid";
  const address = identity.includes("@") ? identity : `no-reply@${identity}`;
  return { identity, from: env.HEALTHFLOW_MAIL_FROM ?? `HealthFlow <${address}>` };
}
