/**
 * The real `sst build` offline (scripts/synth.ts) for every kind of stage, plus the `sst dev`
 * mode synthesis, then assertions on the CloudFormation templates, cfn-lint on all of them (when
 * installed), and a run of the two Lambda bundles a cluster-less stage gets (migrations, then the
 * API) against the real PostgreSQL server through the Data API wire protocol. Slow (four builds):
 * a few minutes. Run on its own:
 *   npx vitest run scripts/synth.test.ts
 */
import { execFile, execFileSync } from "node:child_process";
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
import { ensureWebBuild } from "../packages/web/scripts/ensure-build.js";
import { EXAMPLE_PROD_SETTINGS, STUB_ACCOUNT, type SynthMode, type SynthResult, synth } from "./synth.js";

const execFileAsync = promisify(execFile);
const ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * The builds CI makes (.ci/run): dev and prod as deployed (API in EKS pods; prod with example
 * values for the settings it requires), a stage without a cluster (the API as a Lambda, whose
 * bundles are run below), and dev under `sst dev`'s mode.
 */
const BUILDS = {
  dev: { stage: "dev", mode: "deploy" },
  prod: { stage: "prod", mode: "deploy", settings: EXAMPLE_PROD_SETTINGS },
  lambda: { stage: "ci", mode: "deploy" },
  devMode: { stage: "dev", mode: "dev" },
} as const satisfies Record<string, { stage: string; mode: SynthMode; settings?: Record<string, string> }>;
type Build = keyof typeof BUILDS;
const DIST = { deploy: join(ROOT, ".sst", "dist"), dev: join(ROOT, ".sst", "dist-dev") };

const results = {} as Record<Build, SynthResult>;
const templates = {} as Record<Build, Record<string, any>>;
/** The lambda build's bundles, copied out before another build can replace .sst/dist. */
const bundles: {
  api?: { file: string; env: Record<string, unknown> };
  migrate?: { file: string; env: Record<string, unknown> };
} = {};

function loadTemplates(build: Build): Record<string, any> {
  const { stage, mode } = BUILDS[build];
  const dir = DIST[mode];
  const out: Record<string, any> = {};
  // The folder keeps other stages' templates from earlier builds: take this stage's only.
  const ours = (f: string) => f.startsWith(`${stage}-healthflow-`) || f.startsWith(`${stage}healthflow`);
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".template.json") && ours(f))) {
    const name = file.replace(`${stage}-healthflow-`, "").replace(".template.json", "");
    out[name] = JSON.parse(readFileSync(join(dir, file), "utf8"));
  }
  return out;
}

function templateFiles(build: Build): string[] {
  const { stage, mode } = BUILDS[build];
  const dir = DIST[mode];
  return readdirSync(dir)
    .filter(
      (f) =>
        f.endsWith(".template.json") && (f.startsWith(`${stage}-healthflow-`) || f.startsWith(`${stage}healthflow`)),
    )
    .map((f) => join(dir, f));
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
  const dir = join(DIST.deploy, `asset.${hash}`);
  const target = mkdtempSync(join(tmpdir(), "healthflow-bundle-"));
  cpSync(dir, target, { recursive: true });
  const [modulePath] = String(fn.Properties.Handler).split(/\.(?=[^.]+$)/);
  return join(target, `${modulePath}.mjs`);
}

/**
 * HEALTHFLOW_SYNTH_REUSE=1 reads templates an earlier `npm run synth` left in .sst/ instead of
 * building again (quicker local runs; .ci/run builds them just before the tests).
 */
const reuse = process.env.HEALTHFLOW_SYNTH_REUSE === "1";

beforeAll(async () => {
  // The site is the web app already built (postinstall): `sst build` would otherwise rebuild
  // packages/web/dist under the feet of the suites serving it (npm start, the browser tests).
  if (!reuse) ensureWebBuild(() => {});
  const site = { HEALTHFLOW_WEB_DIST: join(ROOT, "packages", "web", "dist") };
  for (const build of Object.keys(BUILDS) as Build[]) {
    const { stage, mode, ...rest } = BUILDS[build];
    const settings = { ...site, ...("settings" in rest ? rest.settings : {}) };
    results[build] = reuse
      ? { code: 0, unexpected: [], dir: DIST[mode] }
      : await synth(stage, { quiet: true, mode, settings });
    if (results[build].code !== 0) throw new Error(`synth of ${stage} (mode ${mode}) failed (${results[build].code})`);
    templates[build] = loadTemplates(build);
    if (build === "lambda") {
      const [, api] = functionsOf(templates.lambda.Api!).find(([, f]) =>
        f.Properties.Handler?.includes("lambda.handler"),
      )!;
      const [, migrate] = functionsOf(templates.lambda.Database!).find(([, f]) =>
        f.Properties.Handler?.includes("migrate-handler.handler"),
      )!;
      bundles.api = { file: copyBundle(api), env: api.Properties.Environment.Variables };
      bundles.migrate = { file: copyBundle(migrate), env: migrate.Properties.Environment.Variables };
    }
  }
}, 1_500_000);

describe("sst build, offline", () => {
  it("made no AWS call beyond the two the stub answers, for any build", () => {
    for (const build of Object.keys(BUILDS) as Build[]) {
      expect(results[build].code, build).toBe(0);
      expect(results[build].unexpected, build).toEqual([]);
    }
  });

  it("wrote the stacks each kind of stage has", () => {
    const names = (b: Build) =>
      Object.keys(templates[b])
        .filter((n) => !n.includes("nested"))
        .sort();
    const nested = (b: Build) => Object.keys(templates[b]).filter((n) => n.includes("nested"));
    expect(names("dev")).toEqual(["Database", "Network", "Video", "Web"]);
    expect(names("prod")).toEqual(["Database", "Network", "Video", "Web"]);
    expect(names("lambda")).toEqual(["Api", "Database", "Network", "Web"]);
    // `sst dev` on dev: the cluster and the live API Lambda.
    expect(names("devMode")).toEqual(["Api", "Database", "Network", "Video", "Web"]);
    for (const b of ["dev", "prod", "devMode"] as const) expect(nested(b)).toHaveLength(2);
    expect(nested("lambda")).toHaveLength(0);
  });

  for (const build of ["dev", "prod"] as const) {
    const prod = build === "prod";
    it(`${build}: the stage policy is in the templates`, () => {
      const t = (name: string) => Template.fromJSON(templates[build][name]);
      t("Network").resourceCountIs("AWS::EC2::NatGateway", prod ? 2 : 1);
      t("Database").hasResourceProperties("AWS::RDS::DBCluster", {
        EnableHttpEndpoint: true,
        StorageEncrypted: true,
        DeletionProtection: prod,
      });
      const cluster = Object.values(t("Database").findResources("AWS::RDS::DBCluster"))[0] as any;
      expect(cluster.DeletionPolicy).toBe(prod ? "Snapshot" : "Delete");
      t("Video").hasResourceProperties("AWS::EKS::Nodegroup", {
        ScalingConfig: prod ? { MinSize: 2, DesiredSize: 3, MaxSize: 6 } : { MinSize: 1, DesiredSize: 1, MaxSize: 3 },
      });
      t("Video").hasResourceProperties("AWS::EC2::SecurityGroupIngress", { IpProtocol: "udp", FromPort: 10000 });
      const dist = Object.values(t("Web").findResources("AWS::CloudFront::Distribution"))[0] as any;
      expect(dist.Properties.DistributionConfig.CacheBehaviors.map((b: any) => b.PathPattern).sort()).toEqual([
        "/api/*",
        "/cal/*",
        "/fhir/*",
        "/healthz",
        "/readyz",
      ]);
      // The API's origin is the Video stack's load balancer: the pods serve it.
      expect(JSON.stringify(dist.Properties.DistributionConfig.Origins)).toMatch(
        prod ? /api-origin\.clinic\.example\.org/ : /ApiLoadBalancer/,
      );
      for (const [name, fn] of functionsOf(templates[build].Database)) {
        expect(["nodejs20.x", "nodejs22.x"], name).toContain(fn.Properties.Runtime);
      }
      // The account is the stub's: no real account leaked into a template.
      expect(JSON.stringify(templates[build])).not.toMatch(/\b(?!123456789012)\d{12}:/);
      expect(JSON.stringify(templates[build].Network)).toContain(`us-east-1a`);
    });
  }

  it("sst dev mode: the API Lambda is live, the migration Script's function is not", () => {
    const api = functionsOf(templates.devMode.Api).find(([, f]) => f.Properties.Environment?.Variables?.DB_CLUSTER_ARN);
    expect(api).toBeDefined();
    // Live functions run a stub that forwards invocations to `sst dev` on the developer's machine.
    expect(JSON.stringify(api![1].Properties.Environment.Variables)).toContain("SST_DEBUG");
    const migrate = functionsOf(templates.devMode.Database).find(([, f]) =>
      JSON.stringify(f.Properties.Environment ?? {}).includes("DB_CLUSTER_ARN"),
    );
    expect(JSON.stringify(migrate![1].Properties.Environment.Variables)).not.toContain("SST_DEBUG");
  });

  const cfnLint = ["cfn-lint", "/root/.pyenv/shims/cfn-lint"].find((c) => {
    try {
      execFileSync(c, ["--version"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  });
  if (!cfnLint) process.stderr.write("\nsynth.test: cfn-lint not found, the CloudFormation lint is SKIPPED\n\n");
  it.skipIf(!cfnLint)(
    "cfn-lint finds no error in any template of any build",
    async () => {
      for (const build of Object.keys(BUILDS) as Build[]) {
        const files = templateFiles(build);
        expect(files.length, build).toBeGreaterThan(0);
        const { stdout, code } = await execFileAsync(cfnLint!, ["--format", "parseable", ...files], {
          encoding: "utf8",
        }).then(
          (r) => ({ stdout: r.stdout, code: 0 }),
          (e) => ({ stdout: String(e.stdout), code: Number(e.code) }),
        );
        // Exit code bit 2 means errors (4 warnings, 8 informational).
        const errors = stdout.split("\n").filter((l) => /:E\d{4}:/.test(l));
        expect(errors, `${build}:\n${errors.join("\n")}`).toEqual([]);
        expect(code & 2, build).toBe(0);
      }
    },
    300_000,
  );
});

const url = process.env.TEST_DATABASE_URL;

describe.skipIf(!url)("the Lambda bundles of a stage without a cluster, over the Data API wire protocol", () => {
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
    const prefix = "/sst/healthflow/ci";
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
