/**
 * The outbox dispatcher on AWS: an EventBridge rule every minute runs the dispatcher Lambda, which
 * may use the Data API and send through SES as the stage's identity only.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Template } from "aws-cdk-lib/assertions";
import { App, getStack } from "sst/constructs";
import { initProject } from "sst/project.js";
import { beforeAll, describe, expect, it } from "vitest";
import { Api } from "./Api.js";
import { Database } from "./Database.js";
import { mailIdentity } from "./mail.js";
import { Network } from "./Network.js";

describe("mail identity", () => {
  it("comes from HEALTHFLOW_SES_IDENTITY, else HEALTHFLOW_DOMAIN, else a reserved .invalid name", () => {
    expect(mailIdentity({ HEALTHFLOW_SES_IDENTITY: "clinic.example" })).toEqual({
      identity: "clinic.example",
      from: "HealthFlow <no-reply@clinic.example>",
    });
    expect(mailIdentity({ HEALTHFLOW_SES_IDENTITY: "agenda@clinic.example" }).from).toBe(
      "HealthFlow <agenda@clinic.example>",
    );
    expect(mailIdentity({ HEALTHFLOW_DOMAIN: "hf.example", HEALTHFLOW_MAIL_FROM: "Clínica <a@hf.example>" })).toEqual({
      identity: "hf.example",
      from: "Clínica <a@hf.example>",
    });
    expect(mailIdentity({}).identity).toBe("healthflow.invalid");
  });
});

describe("Api stack: the outbox dispatcher", () => {
  let api: Template;
  beforeAll(async () => {
    process.env.NODE_ENV = "test";
    process.env.HEALTHFLOW_SES_IDENTITY = "clinic.example";
    const root = mkdtempSync(join(tmpdir(), "healthflow-sst-mail-"));
    writeFileSync(
      join(root, "sst.config.mjs"),
      'export default { config: () => ({ name: "healthflow" }), stacks() {} };',
    );
    writeFileSync(join(root, "package.json"), '{ "name": "healthflow-stack-test", "type": "module" }');
    await initProject({ stage: "mailtest", root });
    const app = new App({
      mode: "deploy",
      stage: "mailtest",
      region: "sa-east-1",
      account: "123456789012",
      name: "healthflow",
    });
    app.stack(Network).stack(Database).stack(Api);
    api = Template.fromStack(getStack(Api));
    delete process.env.HEALTHFLOW_SES_IDENTITY;
  });

  it("runs every minute, with the Data API and SES scoped to the sending identity, nothing else", () => {
    api.hasResourceProperties("AWS::Events::Rule", { ScheduleExpression: "rate(1 minute)", State: "ENABLED" });
    const fns = Object.values(api.findResources("AWS::Lambda::Function")) as any[];
    const dispatcher = fns.find(
      (f) =>
        f.Properties.Environment?.Variables?.HEALTHFLOW_MAIL_CHANNEL &&
        !f.Properties.Environment.Variables.SST_Parameter_value_HEALTHFLOW_PUBLIC_URL,
    );
    expect(dispatcher).toBeDefined();
    expect(dispatcher.Properties.Runtime).toBe("nodejs22.x");
    expect(dispatcher.Properties.Timeout).toBe(110);
    expect(dispatcher.Properties.Environment.Variables).toMatchObject({
      HEALTHFLOW_MAIL_CHANNEL: "ses",
      HEALTHFLOW_MAIL_FROM: "HealthFlow <no-reply@clinic.example>",
      DB_NAME: "healthflow",
    });
    const roleRef = dispatcher.Properties.Role["Fn::GetAtt"][0];
    const statements = Object.values(api.findResources("AWS::IAM::Policy"))
      .filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref === roleRef))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const actions = statements.flatMap((s: any) => [s.Action].flat()).sort();
    expect(actions).toEqual(
      [
        "rds-data:BatchExecuteStatement",
        "rds-data:BeginTransaction",
        "rds-data:CommitTransaction",
        "rds-data:ExecuteStatement",
        "rds-data:RollbackTransaction",
        "secretsmanager:DescribeSecret",
        "secretsmanager:GetSecretValue",
        "ses:SendEmail",
        "ses:SendRawEmail",
      ].sort(),
    );
    const ses = statements.find((s: any) => [s.Action].flat().includes("ses:SendRawEmail"));
    expect(JSON.stringify(ses.Resource)).toContain(":ses:sa-east-1:123456789012:identity/clinic.example");
    for (const s of statements) expect(s.Resource).not.toBe("*");
    // The API function itself sends nothing: no SES permission there.
    const handler = fns.find((f) => f.Properties.Environment?.Variables?.SST_Parameter_value_HEALTHFLOW_PUBLIC_URL);
    const apiRole = handler.Properties.Role["Fn::GetAtt"][0];
    const apiActions = Object.values(api.findResources("AWS::IAM::Policy"))
      .filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref === apiRole))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement)
      .flatMap((s: any) => [s.Action].flat());
    expect(apiActions.some((a: string) => a.startsWith("ses:"))).toBe(false);
    expect(handler.Properties.Environment.Variables.HEALTHFLOW_MAIL_FROM).toBe("HealthFlow <no-reply@clinic.example>");
  });
});
