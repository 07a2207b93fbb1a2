import type { Logger, StartupReport } from "@healthflow/core";

/** What a person starting HealthFlow needs to see: where it is, and how to sign in. */
export function printBanner(input: {
  url: string;
  report: StartupReport;
  webServed: boolean;
  database: string;
  logger: Logger;
}) {
  const { url, report, logger } = input;
  logger.info("HealthFlow is ready", { url, database: input.database });
  const lines: string[] = ["", `  HealthFlow is running at ${url}`];
  if (!input.webServed) lines.push("  (web app not built: run `npm run build:web`; the API is up)");
  lines.push(`  API reference: ${url}/api/docs`);
  if (report.admin.generated) {
    lines.push(
      "",
      "  An administrator was created. This password is shown ONCE; store it now:",
      `    ${report.admin.generated.email}  ${report.admin.generated.password}`,
    );
  }
  if (report.demoLogins.length) {
    lines.push("", "  Demo clinic logins (random per install, kept in the data folder):");
    for (const l of report.demoLogins) lines.push(`    ${l.role.padEnd(8)} ${l.email.padEnd(40)} ${l.password}`);
  }
  lines.push("");
  process.stdout.write(`${lines.join("\n")}\n`);
}
