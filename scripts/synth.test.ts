/**
 * The real `sst build` for dev and prod, offline (scripts/synth.ts), then assertions on the
 * CloudFormation templates it wrote to .sst/dist, and a run of the two Lambda bundles it produced
 * (migrations, then the API) against the real PostgreSQL server through the Data API wire
 * protocol. Slow (two full builds, each with the web build): about a minute. Run on its own:
 *   npx vitest run scripts/synth.test.ts
 */
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { startAwsWireStandIn } from "@healthflow/test-kit/aws-wire-stand-in";
import { DataApiStandIn } from "@healthflow/test-kit/data-api-stand-in";
import { Template } from "aws-cdk-lib/assertions";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STUB_ACCOUNT, type SynthResult, synth } from "./synth.js";

const execFileAsync = promisify(execFile);
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DIST = join(ROOT, ".sst", "dist");
const STAGES = ["dev", "prod"] as const;
type Stage = (typeof STAGES)[number];

const results = {} as Record<Stage, SynthResult>;
const templates = {} as Record<Stage, Record<string, any>>;
/** The dev build's Lambda bundles, copied out before the prod build replaces .sst/dist. */
const bundles: {
  api?: { file: string; env: Record<string, unknown> };
  migrate?: { file: string; env: Record<string, unknown> };
} = {};

function loadTemplates(stage: Stage): Record<string, any> {
  const out: Record<string, any> = {};
  // .sst/dist keeps other stages' templates from earlier builds: take this stage's only.
  const ours = (f: string) => f.startsWith(`${stage}-healthflow-`) || f.startsWith(`${stage}healthflow`);
  for (const file of readdirSync(DIST).filter((f) => f.endsWith(".template.json") && ours(f))) {
    const name = file.replace(`${stage}-healthflow-`, "").replace(".template.json", "");
    out[name] = JSON.parse(readFileSync(join(DIST, file), "utf8"));
  }
  return out;
}

function functionsOf(template: any): [string, any][] {
  return Object.entries(template.Resources).filter(([, r]: [string, any]) => r.Type === "AWS::Lambda::Function") as [
    string,
    any,
  ][];
}

/** Copies the bundle behind a function's S3 asset key to a temp folder; returns its handler file. */
function copyBundle(fn: any): string {
  const hash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, "");
  const dir = join(DIST, `asset.${hash}`);
  const target = mkdtempSync(join(tmpdir(), "healthflow-bundle-"));
  cpSync(dir, target, { recursive: true });
  const [modulePath] = String(fn.Properties.Handler).split(/\.(?=[^.]+$)/);
  return join(target, `${modulePath}.mjs`);
}

/**
 * HEALTHFLOW_SYNTH_REUSE=1 reads templates an earlier `npm run synth` left in .sst/dist instead of
 * building again (quicker local runs; CI builds afresh).
 */
const reuse = process.env.HEALTHFLOW_SYNTH_REUSE === "1";

beforeAll(async () => {
  for (const stage of STAGES) {
    results[stage] = reuse ? { code: 0, unexpected: [] } : await synth(stage, { quiet: true });
    if (results[stage].code !== 0) throw new Error(`sst build --stage ${stage} failed (${results[stage].code})`);
    templates[stage] = loadTemplates(stage);
    if (stage === "dev") {
      const [, api] = functionsOf(templates.dev.Api!).find(([, f]) =>
        f.Properties.Handler?.includes("lambda.handler"),
      )!;
      const [, migrate] = functionsOf(templates.dev.Database!).find(([, f]) =>
        f.Properties.Handler?.includes("migrate-handler.handler"),
      )!;
      bundles.api = { file: copyBundle(api), env: api.Properties.Environment.Variables };
      bundles.migrate = { file: copyBundle(migrate), env: migrate.Properties.Environment.Variables };
    }
  }
}, 900_000);

describe("sst build, offline", () => {
  it("made no AWS call beyond the two the stub answers, for either stage", () => {
    for (const stage of STAGES) {
      expect(results[stage].code).toBe(0);
      expect(results[stage].unexpected).toEqual([]);
    }
  });

  it("wrote five stacks and the two nested EKS provider stacks per stage", () => {
    for (const stage of STAGES) {
      const names = Object.keys(templates[stage]);
      expect(names.filter((n) => !n.includes("nested")).sort()).toEqual(["Api", "Database", "Network", "Video", "Web"]);
      expect(names.filter((n) => n.includes("nested"))).toHaveLength(2);
    }
  });

  for (const stage of STAGES) {
    const prod = stage === "prod";
    it(`${stage}: the stage policy is in the templates`, () => {
      const t = (name: string) => Template.fromJSON(templates[stage][name]);
      t("Network").resourceCountIs("AWS::EC2::NatGateway", prod ? 2 : 1);
      t("Database").hasResourceProperties("AWS::RDS::DBCluster", {
        EnableHttpEndpoint: true,
        StorageEncrypted: true,
        DeletionProtection: prod,
      });
      const cluster = Object.values(t("Database").findResources("AWS::RDS::DBCluster"))[0] as any;
      expect(cluster.DeletionPolicy).toBe(prod ? "Snapshot" : "Delete");
      t("Video").hasResourceProperties("AWS::EKS::Nodegroup", {
        ScalingConfig: prod ? { MinSize: 2, DesiredSize: 3, MaxSize: 6 } : { MinSize: 1, DesiredSize: 1, MaxSize: 2 },
      });
      t("Video").hasResourceProperties("AWS::EC2::SecurityGroupIngress", { IpProtocol: "udp", FromPort: 10000 });
      const dist = Object.values(t("Web").findResources("AWS::CloudFront::Distribution"))[0] as any;
      expect(dist.Properties.DistributionConfig.CacheBehaviors.map((b: any) => b.PathPattern).sort()).toEqual([
        "/api/*",
        "/fhir/*",
        "/healthz",
        "/readyz",
      ]);
      for (const [name, fn] of [...functionsOf(templates[stage].Api), ...functionsOf(templates[stage].Database)]) {
        expect(["nodejs20.x", "nodejs22.x"], name).toContain(fn.Properties.Runtime);
      }
      // The account is the stub's: no real account leaked into a template.
      expect(JSON.stringify(templates[stage])).not.toMatch(/\b(?!123456789012)\d{12}:/);
      expect(JSON.stringify(templates[stage].Network)).toContain(`us-east-1a`);
    });
  }
});

const url = process.env.TEST_DATABASE_URL;

describe.skipIf(!url)("the dev Lambda bundles over the Data API wire protocol", () => {
  const database = `hf_synth_${Math.random().toString(36).slice(2, 10)}`;
  const publicUrl = "https://d111111abcdef8.cloudfront.net";
  const adminEmail = "admin@synth.healthflow.test";
  const adminPassword = `synth-${Math.random().toString(36).slice(2)}-${Date.now()}`;
  let admin: pg.Client;
  let standIn: DataApiStandIn;
  let wire: Awaited<ReturnType<typeof startAwsWireStandIn>>;
  let runner: string;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create database ${database}`);
    const dbUrl = new URL(url!);
    dbUrl.pathname = `/${database}`;
    standIn = new DataApiStandIn(dbUrl.toString());
    const prefix = "/sst/healthflow/dev";
    wire = await startAwsWireStandIn(standIn, {
      [`${prefix}/Secret/HEALTHFLOW_SECRET/value`]: `synth-${"x".repeat(40)}`,
      [`${prefix}/Secret/JITSI_APP_SECRET/value`]: `synth-jitsi-${"y".repeat(20)}`,
      [`${prefix}/Secret/HEALTHFLOW_ADMIN_EMAIL/value`]: adminEmail,
      [`${prefix}/Secret/HEALTHFLOW_ADMIN_PASSWORD/value`]: adminPassword,
      [`${prefix}/Parameter/HEALTHFLOW_PUBLIC_URL/value`]: publicUrl,
    });
    runner = join(mkdtempSync(join(tmpdir(), "healthflow-runner-")), "run.mjs");
    writeFileSync(
      runner,
      `const [file, eventsJson] = process.argv.slice(2);
const { handler } = await import(file);
const out = [];
let cookie;
for (const event of JSON.parse(eventsJson)) {
  if (event.withCookie && cookie) event.cookies = [cookie];
  delete event.withCookie;
  const res = await handler(event, { awsRequestId: "synth", functionName: "synth", getRemainingTimeInMillis: () => 20000 });
  const c = res?.cookies?.find((c) => c.startsWith("hf_session="));
  if (c) cookie = c.split(";")[0];
  out.push(res);
}
process.stdout.write("\\n@@RESULT@@" + JSON.stringify(out));
`,
    );
  });

  afterAll(async () => {
    await wire?.close();
    await standIn?.destroy();
    await admin?.query(`drop database if exists ${database} with (force)`);
    await admin?.end();
  });

  /** The function's template environment with CloudFormation references replaced by stub ARNs. */
  function lambdaEnv(templateEnv: Record<string, unknown>): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "AKIASYNTHOFFLINE0000",
      AWS_SECRET_ACCESS_KEY: "synth-offline-not-a-secret",
      AWS_ENDPOINT_URL: wire.url,
      AWS_LAMBDA_FUNCTION_NAME: "synth",
    };
    for (const [key, value] of Object.entries(templateEnv)) {
      if (typeof value === "string") env[key] = value;
      else if (key === "DB_CLUSTER_ARN") env[key] = `arn:aws:rds:us-east-1:${STUB_ACCOUNT}:cluster:synth`;
      else if (key === "DB_SECRET_ARN") env[key] = `arn:aws:secretsmanager:us-east-1:${STUB_ACCOUNT}:secret:synth`;
    }
    return env;
  }

  /** In a child process (its own env and module state); async, since the stand-ins live in this one. */
  async function run(bundle: { file: string; env: Record<string, unknown> }, events: unknown[]): Promise<any[]> {
    const { stdout } = await execFileAsync(process.execPath, [runner, bundle.file, JSON.stringify(events)], {
      env: lambdaEnv(bundle.env),
      encoding: "utf8",
      timeout: 120_000,
    });
    // The function logs JSON lines to stdout too; the result follows the marker.
    const marker = stdout.lastIndexOf("@@RESULT@@");
    if (marker < 0) throw new Error(`no result from the bundle; output:\n${stdout}`);
    return JSON.parse(stdout.slice(marker + "@@RESULT@@".length));
  }

  function httpEvent(method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}) {
    return {
      version: "2.0",
      routeKey: "$default",
      rawPath: path,
      rawQueryString: "",
      headers: {
        host: "abc123.execute-api.us-east-1.amazonaws.com",
        "content-type": "application/json",
        ...options.headers,
      },
      requestContext: {
        accountId: STUB_ACCOUNT,
        apiId: "abc123",
        domainName: "abc123.execute-api.us-east-1.amazonaws.com",
        http: { method, path, protocol: "HTTP/1.1", sourceIp: "203.0.113.9", userAgent: "synth-test" },
        requestId: "synth",
        routeKey: "$default",
        stage: "$default",
        time: new Date().toISOString(),
        timeEpoch: Date.now(),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      isBase64Encoded: false,
    };
  }

  it("the migrate bundle migrates and creates the admin from the stage's secrets; a second run is a no-op", async () => {
    expect(existsSync(bundles.migrate!.file)).toBe(true);
    const [first] = await run(bundles.migrate!, [{}]);
    expect(first.applied.length).toBeGreaterThan(0);
    expect(first.adminCreated).toBe(true);
    const users = await standIn.executeStatement({
      resourceArn: "arn:x",
      secretArn: "arn:y",
      sql: "select email, role from users",
    });
    expect(users.records).toEqual([[{ stringValue: adminEmail }, { stringValue: "admin" }]]);
    const [second] = await run(bundles.migrate!, [{}]);
    expect(second).toEqual({ applied: [], adminCreated: false });
    // It went through the Data API and read its secrets from SSM, as deployed.
    expect(wire.calls).toEqual(expect.arrayContaining(["AmazonSSM.GetParameters", "Execute", "BeginTransaction"]));
  });

  it("the API bundle signs in from the CloudFront origin with a cookie, and refuses another origin", async () => {
    const [login, me, forged] = await run(bundles.api!, [
      httpEvent("POST", "/api/auth/login", {
        body: { email: adminEmail, password: adminPassword },
        headers: { origin: publicUrl },
      }),
      { ...httpEvent("GET", "/api/auth/me"), withCookie: true },
      { ...httpEvent("POST", "/api/auth/logout", { headers: { origin: "https://evil.example" } }), withCookie: true },
    ]);
    expect(login.statusCode).toBe(200);
    expect(login.cookies.join()).toMatch(/hf_session=.*HttpOnly.*Secure.*SameSite=Lax|SameSite=Lax.*Secure/i);
    expect(me.statusCode).toBe(200);
    expect(JSON.parse(me.body).user).toMatchObject({ email: adminEmail, role: "admin" });
    expect(forged.statusCode).toBe(403);
    expect(JSON.parse(forged.body).error.code).toBe("csrf_origin");
  });
});
