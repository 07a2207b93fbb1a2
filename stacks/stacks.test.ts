/**
 * The stacks, synthesized in-process per stage and checked with aws-cdk-lib/assertions. No AWS
 * call and no bundling happen (no `app.finish()`); the web build is replaced by a stub folder.
 * The real `sst build` output is checked separately in scripts/synth.test.ts.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Match, Template } from "aws-cdk-lib/assertions";
import { App, getStack } from "sst/constructs";
import { initProject } from "sst/project.js";
import { beforeAll, describe, expect, it } from "vitest";
import { EXAMPLE_PROD_SETTINGS } from "../scripts/synth.js";
import config from "../sst.config.js";
import { Api } from "./Api.js";
import { Database } from "./Database.js";
import { Network } from "./Network.js";
import { Video } from "./Video.js";
import { Web } from "./Web.js";

const ACCOUNT = "123456789012";
const REGION = "us-east-1";

interface Templates {
  stacks: string[];
  network: Template;
  database: Template;
  api?: Template;
  web: Template;
  video?: Template;
}

const PROD_SETTINGS = EXAMPLE_PROD_SETTINGS;

const SETTING_NAMES = [
  "HEALTHFLOW_CLUSTER",
  "HEALTHFLOW_DOMAIN",
  "HEALTHFLOW_HOSTED_ZONE_ID",
  "HEALTHFLOW_VIDEO_DOMAIN",
  "HEALTHFLOW_JITSI_DOMAIN",
  "HEALTHFLOW_JITSI_APP_ID",
  "HEALTHFLOW_JITSI_SECRET_ARN",
  "HEALTHFLOW_DEPLOY_ROLE_ARN",
  "HEALTHFLOW_CLUSTER_ADMIN_ARNS",
  "HEALTHFLOW_EKS_PUBLIC_CIDRS",
];

async function project(stage: string): Promise<void> {
  process.env.NODE_ENV = "test";
  const webDist = mkdtempSync(join(tmpdir(), "healthflow-web-"));
  writeFileSync(join(webDist, "index.html"), "<!doctype html><title>stub</title>");
  process.env.HEALTHFLOW_WEB_DIST = webDist;
  // A throw-away project root: SST writes .sst/ there, so this never races the real `sst build`
  // of scripts/synth.test.ts (which may run at the same time) over .sst/artifacts.
  const root = mkdtempSync(join(tmpdir(), "healthflow-sst-"));
  writeFileSync(
    join(root, "sst.config.mjs"),
    'export default { config: () => ({ name: "healthflow" }), stacks() {} };',
  );
  writeFileSync(join(root, "package.json"), '{ "name": "healthflow-stack-test", "type": "module" }');
  await initProject({ stage, root });
}

/** Registers the stacks exactly as sst.config.ts does, under the given settings and SST mode. */
function build(stage: string, mode: "deploy" | "dev", settings: Record<string, string>): Templates {
  const saved = Object.fromEntries(SETTING_NAMES.map((k) => [k, process.env[k]]));
  for (const k of SETTING_NAMES) delete process.env[k];
  Object.assign(process.env, settings);
  try {
    const app = new App({ mode, stage, region: REGION, account: ACCOUNT, name: "healthflow" });
    config.stacks(app as any);
    const has = (fn: any) => {
      try {
        getStack(fn);
        return true;
      } catch {
        return false;
      }
    };
    const stacks = [Network, Database, Api, Web, Video].filter(has).map((f) => f.name);
    return {
      stacks,
      network: Template.fromStack(getStack(Network)),
      database: Template.fromStack(getStack(Database)),
      api: has(Api) ? Template.fromStack(getStack(Api)) : undefined,
      web: Template.fromStack(getStack(Web)),
      video: has(Video) ? Template.fromStack(getStack(Video)) : undefined,
    };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

async function synth(stage: string, mode: "deploy" | "dev" = "deploy", settings: Record<string, string> = {}) {
  await project(stage);
  return build(stage, mode, settings);
}

function policyStatementsOf(template: Template, roleLogicalIdPrefix: RegExp): any[] {
  const policies = template.findResources("AWS::IAM::Policy");
  return Object.values(policies)
    .filter((p: any) => p.Properties.Roles.some((r: any) => roleLogicalIdPrefix.test(r.Ref ?? "")))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

function lambdaApiChecks(get: () => Templates, stage: string, webDeployed = true) {
  it("Api: $default → the Hono Lambda, Node 22, Data API access and nothing more", () => {
    const api = get().api!;
    api.hasResourceProperties("AWS::ApiGatewayV2::Api", { ProtocolType: "HTTP" });
    api.hasResourceProperties("AWS::ApiGatewayV2::Route", { RouteKey: "$default" });
    const fns = Object.values(api.findResources("AWS::Lambda::Function")) as any[];
    const handler = fns.find((f) => f.Properties.Environment?.Variables?.DB_CLUSTER_ARN);
    expect(handler).toBeDefined();
    expect(["nodejs20.x", "nodejs22.x"]).toContain(handler.Properties.Runtime);
    expect(handler.Properties.VpcConfig).toBeUndefined();
    const env = handler.Properties.Environment.Variables;
    expect(env).toMatchObject({
      DB_NAME: "healthflow",
      HEALTHFLOW_AGENDA_STREAM_SECONDS: "0",
      SST_Secret_value_HEALTHFLOW_SECRET: "__FETCH_FROM_SSM__",
      SST_Secret_value_JITSI_APP_SECRET: "__FETCH_FROM_SSM__",
      SST_Parameter_value_HEALTHFLOW_PUBLIC_URL: "__FETCH_FROM_SSM__",
    });
    // No secret value in the template: only placeholders and ARNs.
    expect(JSON.stringify(env)).not.toMatch(/password/i);

    const roleRef = handler.Properties.Role["Fn::GetAtt"][0];
    const statements = policyStatementsOf(api, new RegExp(`^${roleRef}$`));
    const byAction = new Map<string, string[]>();
    for (const s of statements) {
      expect(s.Effect).toBe("Allow");
      for (const a of [s.Action].flat())
        byAction.set(
          a,
          [s.Resource].flat().map((r) => JSON.stringify(r)),
        );
    }
    expect([...byAction.keys()].sort()).toEqual(
      [
        "rds-data:BatchExecuteStatement",
        "rds-data:BeginTransaction",
        "rds-data:CommitTransaction",
        "rds-data:ExecuteStatement",
        "rds-data:RollbackTransaction",
        "secretsmanager:DescribeSecret",
        "secretsmanager:GetSecretValue",
        "ssm:GetParameters",
      ].sort(),
    );
    // Each scoped to this cluster, its secret, and this stage's SST parameters: no wildcards.
    expect(byAction.get("rds-data:ExecuteStatement")!.join()).toMatch(/ClusterArn|Cluster/);
    for (const resources of byAction.values()) {
      for (const r of resources) expect(r).not.toBe('"*"');
    }
    const ssmResources = byAction.get("ssm:GetParameters")!.join();
    expect(ssmResources).toContain(`/sst/healthflow/${stage}/`);
    expect(ssmResources).toContain(`/sst/healthflow/${stage}/Parameter/HEALTHFLOW_PUBLIC_URL/value`);
  });

  it.runIf(webDeployed)(
    "Web: /api/*, /healthz and /readyz go to API Gateway over HTTPS, Host left to API Gateway",
    () => {
      const config = distributionOf(get().web);
      const paths = config.CacheBehaviors.map((b: any) => b.PathPattern).sort();
      expect(paths).toEqual(["/api/*", "/cal/*", "/fhir/*", "/healthz", "/readyz"]);
      const apiOrigin = config.Origins.find((o: any) => o.Id === config.CacheBehaviors[0].TargetOriginId);
      expect(apiOrigin.CustomOriginConfig.OriginProtocolPolicy).toBe("https-only");
      expect(JSON.stringify(apiOrigin.DomainName)).toMatch(/Api|execute-api|ApiEndpoint/);
      for (const b of config.CacheBehaviors) {
        expect(b.TargetOriginId).toBe(apiOrigin.Id);
        // Managed-CachingDisabled and Managed-AllViewerExceptHostHeader
        expect(b.CachePolicyId).toBe("4135ea2d-6df8-44a3-9df3-4b5a84be39ad");
        expect(b.OriginRequestPolicyId).toBe("b689b0a8-53d0-40ab-baf2-68738e2966ac");
      }
    },
  );

  it("Database: the migration Script's function is not live (sst dev refuses a live one)", () => {
    const fns = Object.values(get().database.findResources("AWS::Lambda::Function")) as any[];
    const migrate = fns.find((f) => JSON.stringify(f.Properties.Environment ?? {}).includes("DB_CLUSTER_ARN"));
    // A live (sst dev) function is a stub whose handler forwards to the developer's machine.
    expect(JSON.stringify(migrate.Properties.Environment)).not.toMatch(/SST_DEBUG/);
  });
}

function distributionOf(web: Template): any {
  return (Object.values(web.findResources("AWS::CloudFront::Distribution"))[0] as any).Properties.DistributionConfig;
}

for (const stage of ["dev", "prod"] as const) {
  const prod = stage === "prod";

  describe(`stacks, stage ${stage} (deployed: API in EKS pods)`, () => {
    let t: Templates;
    beforeAll(async () => {
      t = await synth(stage, "deploy", prod ? PROD_SETTINGS : {});
    });

    it("has a cluster and no API Lambda", () => {
      expect(t.stacks).toEqual(["Network", "Database", "Web", "Video"]);
      expect(t.api).toBeUndefined();
      expect(t.web.findOutputs("ApiRuntime").ApiRuntime!.Value).toBe("eks");
    });

    it(`Network: a VPC over two AZs with ${prod ? "a NAT gateway per AZ" : "one NAT gateway"}`, () => {
      t.network.resourceCountIs("AWS::EC2::VPC", 1);
      t.network.resourceCountIs("AWS::EC2::NatGateway", prod ? 2 : 1);
      const subnets = Object.values(t.network.findResources("AWS::EC2::Subnet")) as any[];
      const azs = new Set(subnets.map((s) => JSON.stringify(s.Properties.AvailabilityZone)));
      expect(azs.size).toBe(2);
      // public + nodes + data, in each of the two AZs
      expect(subnets).toHaveLength(6);
    });

    it(`Database: Aurora PostgreSQL Serverless v2, Data API on, encrypted, private, ${prod ? "0.5-16 ACU" : "0 ACU with auto-pause"}`, () => {
      t.database.hasResourceProperties("AWS::RDS::DBCluster", {
        Engine: "aurora-postgresql",
        EnableHttpEndpoint: true,
        StorageEncrypted: true,
        ServerlessV2ScalingConfiguration: prod
          ? { MinCapacity: 0.5, MaxCapacity: 16 }
          : { MinCapacity: 0, MaxCapacity: 2, SecondsUntilAutoPause: 600 },
        DeletionProtection: prod,
      });
      const instances = Object.values(t.database.findResources("AWS::RDS::DBInstance")) as any[];
      expect(instances).toHaveLength(prod ? 2 : 1);
      for (const instance of instances) {
        expect(instance.Properties.DBInstanceClass).toBe("db.serverless");
        expect(instance.Properties.PubliclyAccessible).toBe(false);
      }
      // The subnet group uses the isolated (no route to the internet) subnets only.
      const subnetGroup = Object.values(t.database.findResources("AWS::RDS::DBSubnetGroup"))[0] as any;
      expect(JSON.stringify(subnetGroup.Properties.SubnetIds)).toMatch(/dataSubnet/);
      expect(JSON.stringify(subnetGroup.Properties.SubnetIds)).not.toMatch(/nodesSubnet|publicSubnet/);
      // Two generated secrets (master, the pods' role), never a password in the template.
      t.database.resourceCountIs("AWS::SecretsManager::Secret", 2);
      t.database.hasResourceProperties("AWS::SecretsManager::Secret", {
        GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{"username":"healthflow_app"}' }),
      });
    });

    it(`Database: ${prod ? "snapshot and retain on removal" : "deleted on removal"}`, () => {
      const cluster = Object.values(t.database.findResources("AWS::RDS::DBCluster"))[0] as any;
      expect(cluster.DeletionPolicy).toBe(prod ? "Snapshot" : "Delete");
      expect(cluster.UpdateReplacePolicy).toBe(prod ? "Snapshot" : "Delete");
    });

    it("Database: migrations run through a Script on every deploy, Node 22, with Data API access", () => {
      const script = Object.values(t.database.findResources("Custom::SSTScript"))[0] as any;
      expect(script).toBeDefined();
      // A fresh Version each synth: the custom resource (and so the migration) runs on every deploy.
      expect(script.Properties.Version).toMatch(/^\d{13}$/);
      const fns = Object.values(t.database.findResources("AWS::Lambda::Function")) as any[];
      const migrate = fns.find((f) => JSON.stringify(f.Properties.Environment ?? {}).includes("DB_CLUSTER_ARN"));
      expect(migrate.Properties.Runtime).toBe("nodejs22.x");
      expect(script.DependsOn.some((d: string) => d.startsWith("Cluster"))).toBe(true);
      const statements = policyStatementsOf(t.database, /^MigrateFunction/);
      const actions = statements.flatMap((s) => [s.Action].flat());
      expect(actions).toEqual(expect.arrayContaining(["rds-data:ExecuteStatement", "rds-data:BeginTransaction"]));
    });

    it("log groups have a retention: database, functions, EKS control plane", () => {
      const days = prod ? 90 : 14;
      t.database.hasResourceProperties("AWS::RDS::DBCluster", { EnableCloudwatchLogsExports: ["postgresql"] });
      t.database.hasResourceProperties("Custom::LogRetention", { RetentionInDays: days });
      t.video!.hasResourceProperties("AWS::Logs::LogGroup", {
        LogGroupName: `/aws/eks/healthflow-${stage}/cluster`,
        RetentionInDays: days,
      });
    });

    it("Database ← Video: the pods reach 5432 by their subnets' ranges; Database refers to nothing in Video", () => {
      const rules = Object.values(t.database.findResources("AWS::EC2::SecurityGroupIngress")) as any[];
      const toDb = rules.filter((r) => JSON.stringify(r.Properties.FromPort).includes("Endpoint.Port"));
      expect(toDb.map((r) => r.Properties.CidrIp).sort()).toEqual(["10.0.16.0/20", "10.0.32.0/20"]);
      const imports = (t: Template) =>
        [...JSON.stringify(t.toJSON()).matchAll(/"Fn::ImportValue":"([^:"]+)/g)].map((m) => m[1]);
      expect(new Set(imports(t.database))).toEqual(new Set([`${stage}-healthflow-Network`]));
      expect(imports(t.video!)).not.toContain(`${stage}-healthflow-Database`);
    });

    it(`Video: EKS 1.34 (kubectl layer v34), node group of ${prod ? "3 (2-6)" : "1 (1-3)"}, autoscaler, metrics-server`, () => {
      const v = t.video!;
      v.resourceCountIs("Custom::AWSCDK-EKS-Cluster", 1);
      v.hasResourceProperties("Custom::AWSCDK-EKS-Cluster", {
        Config: Match.objectLike({ name: `healthflow-${stage}`, version: "1.34" }),
      });
      const layers = Object.values(v.findResources("AWS::Lambda::LayerVersion")) as any[];
      expect(layers.some((l) => /kubectl 1\.34|KubectlV34|v1\.34/i.test(JSON.stringify(l)))).toBe(true);
      v.hasResourceProperties("AWS::EKS::Nodegroup", {
        ScalingConfig: prod ? { MinSize: 2, DesiredSize: 3, MaxSize: 6 } : { MinSize: 1, DesiredSize: 1, MaxSize: 3 },
        InstanceTypes: [prod ? "m6i.large" : "t3.large"],
      });
      v.hasResourceProperties("AWS::EKS::Addon", { AddonName: "metrics-server" });
      const charts = Object.values(v.findResources("Custom::AWSCDK-EKS-HelmChart")) as any[];
      const autoscaler = charts.find((c) => c.Properties.Chart === "cluster-autoscaler");
      expect(autoscaler.Properties.Version).toBe("9.52.0");
      expect(JSON.stringify(autoscaler.Properties.Values)).toContain(`healthflow-${stage}`);
      v.hasResourceProperties("AWS::EC2::SecurityGroupIngress", {
        IpProtocol: "udp",
        FromPort: 10000,
        ToPort: 10000,
        CidrIp: "0.0.0.0/0",
      });
    });

    it(`Video: ECR repositories, ${prod ? "retained under generated names (a re-create does not collide)" : "named and deleted with the stage"}`, () => {
      const repos = Object.values(t.video!.findResources("AWS::ECR::Repository")) as any[];
      expect(repos).toHaveLength(2);
      for (const r of repos) expect(r.DeletionPolicy).toBe(prod ? "Retain" : "Delete");
      expect(repos.map((r) => r.Properties.RepositoryName).sort()).toEqual(
        prod ? [undefined, undefined] : [`healthflow-${stage}/core`, `healthflow-${stage}/video`],
      );
    });

    it("Web: /api/*, /healthz, /readyz go to the API load balancer in front of the core pods", () => {
      const config = distributionOf(t.web);
      expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe("redirect-to-https");
      expect(config.CustomErrorResponses ?? []).toEqual([]);
      expect(config.CacheBehaviors.map((b: any) => b.PathPattern).sort()).toEqual([
        "/api/*",
        "/cal/*",
        "/fhir/*",
        "/healthz",
        "/readyz",
      ]);
      const origin = config.Origins.find((o: any) => o.Id === config.CacheBehaviors[0].TargetOriginId);
      if (prod) {
        expect(origin.DomainName).toBe("api-origin.clinic.example.org");
        expect(origin.CustomOriginConfig.OriginProtocolPolicy).toBe("https-only");
      } else {
        // No domain: the load balancer's own AWS name, plain HTTP (announced at synth).
        expect(JSON.stringify(origin.DomainName)).toMatch(/ApiLoadBalancer.*DNSName/);
        expect(origin.CustomOriginConfig.OriginProtocolPolicy).toBe("http-only");
      }
      for (const b of config.CacheBehaviors) {
        expect(b.TargetOriginId).toBe(origin.Id);
        expect(b.CachePolicyId).toBe("4135ea2d-6df8-44a3-9df3-4b5a84be39ad");
      }
      for (const b of config.CacheBehaviors) {
        // Managed-AllViewerExceptHostHeader: the origin's own Host, so its certificate matches.
        expect(b.OriginRequestPolicyId).toBe("b689b0a8-53d0-40ab-baf2-68738e2966ac");
      }
    });

    it("Video: the API load balancer admits CloudFront only and forwards to the core pods' target group", () => {
      const v = t.video!;
      v.hasResourceProperties("AWS::ElasticLoadBalancingV2::TargetGroup", {
        TargetType: "ip",
        Port: 3000,
        HealthCheckPath: "/readyz",
      });
      v.hasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", {
        Port: prod ? 443 : 80,
        Protocol: prod ? "HTTPS" : "HTTP",
      });
      const [lbGroupId, lbGroup] = Object.entries(v.findResources("AWS::EC2::SecurityGroup")).find(
        ([, g]: [string, any]) => /API load balancer/.test(g.Properties.GroupDescription),
      ) as [string, any];
      const ingress = [
        ...(lbGroup.Properties.SecurityGroupIngress ?? []),
        ...Object.values(v.findResources("AWS::EC2::SecurityGroupIngress"))
          .map((r: any) => r.Properties)
          .filter((p: any) => JSON.stringify(p.GroupId).includes(lbGroupId)),
      ];
      expect(ingress).toHaveLength(1);
      expect(ingress[0].CidrIp).toBeUndefined();
      expect(ingress[0].FromPort).toBe(prod ? 443 : 80);
      expect(JSON.stringify(ingress[0].SourcePrefixListId)).toContain("CloudFrontPrefixList");
      v.hasResourceProperties("Custom::AWS", {
        Create: Match.stringLikeRegexp("com.amazonaws.global.cloudfront.origin-facing"),
      });
    });

    it(`Video: ${prod ? "one certificate for every public name, validated in the hosted zone" : "no certificate without a domain"}`, () => {
      const v = t.video!;
      if (prod) {
        v.hasResourceProperties("AWS::CertificateManager::Certificate", {
          DomainName: "video.clinic.example.org",
          SubjectAlternativeNames: ["meet.clinic.example.org", "api-origin.clinic.example.org"],
          ValidationMethod: "DNS",
        });
        v.hasResourceProperties("AWS::Route53::RecordSet", { Name: "api-origin.clinic.example.org.", Type: "A" });
      } else {
        v.resourceCountIs("AWS::CertificateManager::Certificate", 0);
        expect(v.findOutputs("CertificateArn").CertificateArn!.Value).toBe("none");
        expect(v.findOutputs("JitsiDomain").JitsiDomain!.Value).toBe("none");
      }
    });

    it(`Video: EKS API endpoint ${prod ? "private + the configured CIDRs" : "private only (no CIDRs configured)"}`, () => {
      const cluster = Object.values(t.video!.findResources("Custom::AWSCDK-EKS-Cluster"))[0] as any;
      const access = cluster.Properties.Config.resourcesVpcConfig;
      expect(access.endpointPrivateAccess).toBe(true);
      if (prod) {
        expect(access.endpointPublicAccess).toBe(true);
        expect(access.publicAccessCidrs).toEqual(["203.0.113.0/24"]);
      } else {
        expect(access.endpointPublicAccess).toBe(false);
      }
    });

    it(`Video: cluster admin ${prod ? "assumable by the deploy role and the named principals only" : "role absent when nobody is named"}`, () => {
      const v = t.video!;
      const roles = Object.entries(v.findResources("AWS::IAM::Role")).filter(([id]) =>
        id.startsWith("ClusterAdminRole"),
      );
      if (!prod) {
        expect(roles).toHaveLength(0);
        return;
      }
      expect(roles).toHaveLength(1);
      const trust = (roles[0]![1] as any).Properties.AssumeRolePolicyDocument.Statement;
      const principals = trust.flatMap((s: any) => [s.Principal.AWS].flat());
      expect(principals.sort()).toEqual(
        [PROD_SETTINGS.HEALTHFLOW_CLUSTER_ADMIN_ARNS, PROD_SETTINGS.HEALTHFLOW_DEPLOY_ROLE_ARN].sort(),
      );
      expect(JSON.stringify(trust)).not.toMatch(/:root/);
      v.hasResourceProperties("AWS::EKS::AccessEntry", {
        PrincipalArn: PROD_SETTINGS.HEALTHFLOW_DEPLOY_ROLE_ARN,
      });
    });

    it("every output the ops tooling (packages/video/src/ops) reads is there", () => {
      const outputs = { ...t.video!.findOutputs("*"), ...t.database.findOutputs("*"), ...t.web.findOutputs("*") };
      for (const name of [
        "ClusterName",
        "KubeconfigCommand",
        "ClusterAdminRoleArn",
        "NodeRoleArn",
        "VideoUrl",
        "JitsiDomain",
        "JitsiAppId",
        "JitsiSecretArn",
        "CertificateArn",
        "CoreTargetGroupArn",
        "CoreRepositoryUri",
        "VideoRepositoryUri",
        "DatabaseSecretArn",
        "DatabaseAppUserSecretArn",
        "DatabaseClusterArn",
        "DatabaseHost",
        "DatabaseName",
        "WebUrl",
      ]) {
        expect(Object.keys(outputs)).toContain(name);
      }
    });
  });
}

describe("a personal stage without a cluster (HEALTHFLOW_CLUSTER unset: none)", () => {
  let t: Templates;
  beforeAll(async () => {
    t = await synth("alice");
  });
  it("is VPC, Aurora, Lambda and web: no cluster, no NAT", () => {
    expect(t.stacks).toEqual(["Network", "Database", "Api", "Web"]);
    t.network.resourceCountIs("AWS::EC2::NatGateway", 0);
    expect(Object.values(t.network.findResources("AWS::EC2::Subnet"))).toHaveLength(4);
    expect(t.database.findResources("AWS::EC2::SecurityGroupIngress")).toEqual({});
    expect(t.web.findOutputs("ApiRuntime").ApiRuntime!.Value).toBe("lambda");
  });
  it("uses the public meet.jit.si without Jitsi tokens (no self-hosted Jitsi)", () => {
    const fns = Object.values(t.api!.findResources("AWS::Lambda::Function")) as any[];
    const env = fns.find((f) => f.Properties.Environment?.Variables?.DB_CLUSTER_ARN).Properties.Environment.Variables;
    expect(env.JITSI_DOMAIN).toBe("meet.jit.si");
    expect(env.JITSI_APP_ID).toBeUndefined();
  });
  lambdaApiChecks(() => t, "alice");
});

describe("sst dev (SST mode dev) on the dev stage: the API is a live Lambda, the app synthesizes", () => {
  let t: Templates;
  beforeAll(async () => {
    t = await synth("dev", "dev");
  });
  it("builds every stack, the Api among them", () => {
    expect(t.stacks).toEqual(["Network", "Database", "Api", "Web", "Video"]);
    expect(t.web.findOutputs("ApiRuntime").ApiRuntime!.Value).toBe("lambda");
  });
  // `sst dev` does not deploy the site (the Vite dev server stands in), so there is no distribution.
  lambdaApiChecks(() => t, "dev", false);
});

describe("one setting chooses where the API runs, tested both ways on one stage", () => {
  it("HEALTHFLOW_CLUSTER=none on dev: Lambda; eks on a personal stage: pods", async () => {
    expect((await synth("dev", "deploy", { HEALTHFLOW_CLUSTER: "none" })).stacks).toEqual([
      "Network",
      "Database",
      "Api",
      "Web",
    ]);
    expect((await synth("bob", "deploy", { HEALTHFLOW_CLUSTER: "eks" })).stacks).toEqual([
      "Network",
      "Database",
      "Web",
      "Video",
    ]);
  });
});

describe("guard rails: prod does not synthesize without what it needs", () => {
  it.each([["HEALTHFLOW_DOMAIN"], ["HEALTHFLOW_DEPLOY_ROLE_ARN"], ["HEALTHFLOW_JITSI_SECRET_ARN"]])(
    "without %s, naming it",
    async (missing) => {
      await project("prod");
      const settings: Record<string, string> = { ...PROD_SETTINGS };
      delete settings[missing];
      if (missing === "HEALTHFLOW_DOMAIN") delete settings.HEALTHFLOW_HOSTED_ZONE_ID;
      expect(() => build("prod", "deploy", settings)).toThrow(new RegExp(`${missing}: required for prod`));
    },
  );

  it("a stage without a cluster never points the API at a self-hosted Jitsi, even with a domain", async () => {
    await project("carol");
    const t = build("carol", "deploy", {
      HEALTHFLOW_DOMAIN: "clinic.example.org",
      HEALTHFLOW_HOSTED_ZONE_ID: "Z0123456789EXAMPLE",
    });
    const fns = Object.values(t.api!.findResources("AWS::Lambda::Function")) as any[];
    const env = fns.find((f) => f.Properties.Environment?.Variables?.DB_CLUSTER_ARN).Properties.Environment.Variables;
    expect(env.JITSI_DOMAIN).toBe("meet.jit.si");
  });

  it("a domain needs its hosted zone; bad ARNs and CIDRs are refused", async () => {
    await project("dev");
    expect(() => build("dev", "deploy", { HEALTHFLOW_DOMAIN: "clinic.example.org" })).toThrow(
      /HEALTHFLOW_HOSTED_ZONE_ID: required with HEALTHFLOW_DOMAIN/,
    );
    expect(() => build("dev", "deploy", { HEALTHFLOW_EKS_PUBLIC_CIDRS: "0.0.0.0" })).toThrow(
      /HEALTHFLOW_EKS_PUBLIC_CIDRS: not an IPv4 CIDR/,
    );
    expect(() => build("dev", "deploy", { HEALTHFLOW_CLUSTER_ADMIN_ARNS: "alice" })).toThrow(
      /HEALTHFLOW_CLUSTER_ADMIN_ARNS: not an IAM ARN/,
    );
  });
});
