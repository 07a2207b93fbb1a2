import { describe, expect, it } from "vitest";
import { appConfigFromEnv, type ConfigError, parseEnv } from "./config.js";

describe("mail settings", () => {
  it("default to the local mailbox in the data folder, verification on, reminders a day and an hour ahead", () => {
    const config = appConfigFromEnv(parseEnv({ HEALTHFLOW_DATA_DIR: "/tmp/hf-data" }));
    expect(config.mail).toEqual({
      channel: "mailbox",
      from: "HealthFlow <no-reply@healthflow.local>",
      smtpUrl: undefined,
      mailboxDir: "/tmp/hf-data/mailbox",
    });
    expect(config.requireEmailVerification).toBe(true);
    expect(config.reminderOffsetsMinutes).toEqual([1440, 60]);
  });

  it("use SMTP when SMTP_URL is set, and read the other variables", () => {
    const config = appConfigFromEnv(
      parseEnv({
        SMTP_URL: "smtp://user:pass@mail.example:587",
        HEALTHFLOW_MAIL_FROM: "Clínica <agenda@clinic.example>",
        HEALTHFLOW_REQUIRE_EMAIL_VERIFICATION: "0",
        HEALTHFLOW_REMINDER_OFFSETS_MINUTES: "60, 2880,60",
      }),
    );
    expect(config.mail).toMatchObject({ channel: "smtp", smtpUrl: "smtp://user:pass@mail.example:587" });
    expect(config.mail.from).toBe("Clínica <agenda@clinic.example>");
    expect(config.requireEmailVerification).toBe(false);
    expect(config.reminderOffsetsMinutes).toEqual([2880, 60]);
    expect(appConfigFromEnv(parseEnv({ HEALTHFLOW_MAIL_CHANNEL: "ses" })).mail.channel).toBe("ses");
  });

  it("refuse wrong values with a message naming the variable", () => {
    const refused = (env: Record<string, string>) => {
      try {
        parseEnv(env);
      } catch (err) {
        return (err as ConfigError).issues.join("\n");
      }
      return "accepted";
    };
    expect(refused({ SMTP_URL: "http://mail.example" })).toMatch(/^SMTP_URL:/);
    expect(refused({ HEALTHFLOW_MAIL_CHANNEL: "smtp" })).toMatch(/^SMTP_URL: required/);
    expect(refused({ HEALTHFLOW_MAIL_CHANNEL: "pigeon" })).toMatch(/^HEALTHFLOW_MAIL_CHANNEL:/);
    expect(refused({ HEALTHFLOW_REMINDER_OFFSETS_MINUTES: "1 day" })).toMatch(/^HEALTHFLOW_REMINDER_OFFSETS_MINUTES:/);
    expect(refused({ HEALTHFLOW_REMINDER_OFFSETS_MINUTES: "1" })).toMatch(/between 5 and 43200/);
    expect(refused({ HEALTHFLOW_REQUIRE_EMAIL_VERIFICATION: "maybe" })).toMatch(
      /^HEALTHFLOW_REQUIRE_EMAIL_VERIFICATION:/,
    );
  });
});
