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
import { Api } from "./Api.js";
import { Database } from "./Database.js";
import { Network } from "./Network.js";
import { Video } from "./Video.js";
import { Web } from "./Web.js";

const ACCOUNT = "123456789012";
const REGION = "us-east-1";

interface Templates {
  network: Template;
  database: Template;
  api: Template;
  web: Template;
  video: Template;
}

async function synth(stage: string): Promise<Templates> {
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
  const app = new App({ mode: "deploy", stage, region: REGION, account: ACCOUNT, name: "healthflow" });
  app.stack(Network).stack(Database).stack(Api).stack(Web).stack(Video);
  return {
    network: Template.fromStack(getStack(Network)),
    database: Template.fromStack(getStack(Database)),
    api: Template.fromStack(getStack(Api)),
    web: Template.fromStack(getStack(Web)),
    video: Template.fromStack(getStack(Video)),
  };
}

function policyStatementsOf(template: Template, roleLogicalIdPrefix: RegExp): any[] {
  const policies = template.findResources("AWS::IAM::Policy");
  return Object.values(policies)
    .filter((p: any) => p.Properties.Roles.some((r: any) => roleLogicalIdPrefix.test(r.Ref ?? "")))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

for (const stage of ["dev", "prod"] as const) {
  const prod = stage === "prod";

  describe(`stacks, stage ${stage}`, () => {
    let t: Templates;
    beforeAll(async () => {
      t = await synth(stage);
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

    it("Database: Aurora PostgreSQL Serverless v2, Data API on, encrypted, private", () => {
      t.database.hasResourceProperties("AWS::RDS::DBCluster", {
        Engine: "aurora-postgresql",
        EnableHttpEndpoint: true,
        StorageEncrypted: true,
        ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: prod ? 16 : 2 },
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
      // The master password is generated into Secrets Manager, never written in the template.
      t.database.resourceCountIs("AWS::SecretsManager::Secret", 1);
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

    it("Api: $default → the Hono Lambda, Node 22, Data API access and nothing more", () => {
      t.api.hasResourceProperties("AWS::ApiGatewayV2::Api", { ProtocolType: "HTTP" });
      t.api.hasResourceProperties("AWS::ApiGatewayV2::Route", { RouteKey: "$default" });
      const fns = Object.values(t.api.findResources("AWS::Lambda::Function")) as any[];
      const handler = fns.find((f) => f.Properties.Environment?.Variables?.DB_CLUSTER_ARN);
      expect(handler).toBeDefined();
      expect(["nodejs20.x", "nodejs22.x"]).toContain(handler.Properties.Runtime);
      expect(handler.Properties.VpcConfig).toBeUndefined();
      const env = handler.Properties.Environment.Variables;
      expect(env).toMatchObject({
        DB_NAME: "healthflow",
        SST_Secret_value_HEALTHFLOW_SECRET: "__FETCH_FROM_SSM__",
        SST_Secret_value_JITSI_APP_SECRET: "__FETCH_FROM_SSM__",
        SST_Parameter_value_HEALTHFLOW_PUBLIC_URL: "__FETCH_FROM_SSM__",
      });
      // No secret value in the template: only placeholders and ARNs.
      expect(JSON.stringify(env)).not.toMatch(/password/i);

      const roleRef = handler.Properties.Role["Fn::GetAtt"][0];
      const statements = policyStatementsOf(t.api, new RegExp(`^${roleRef}$`));
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

    it("Web: private bucket, served only through CloudFront; /api/* and /healthz go to the API", () => {
      t.web.hasResourceProperties("AWS::S3::Bucket", {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      });
      const bucket = Object.values(t.web.findResources("AWS::S3::Bucket"))[0] as any;
      expect(bucket.Properties.WebsiteConfiguration).toBeUndefined();
      // The bucket policy's read grant goes to CloudFront only.
      const policies = Object.values(t.web.findResources("AWS::S3::BucketPolicy")) as any[];
      const reads = policies
        .flatMap((p) => p.Properties.PolicyDocument.Statement)
        .filter((s: any) => [s.Action].flat().includes("s3:GetObject"));
      expect(reads.length).toBeGreaterThan(0);
      for (const s of reads) expect(JSON.stringify(s.Principal)).toMatch(/CanonicalUser|cloudfront/);

      const dist = Object.values(t.web.findResources("AWS::CloudFront::Distribution"))[0] as any;
      const config = dist.Properties.DistributionConfig;
      expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe("redirect-to-https");
      // No distribution-wide error pages: they would rewrite the API's 403/404 into index.html.
      expect(config.CustomErrorResponses ?? []).toEqual([]);
      const paths = config.CacheBehaviors.map((b: any) => b.PathPattern).sort();
      expect(paths).toEqual(["/api/*", "/fhir/*", "/healthz", "/readyz"]);
      const apiOriginId = config.CacheBehaviors[0].TargetOriginId;
      const apiOrigin = config.Origins.find((o: any) => o.Id === apiOriginId);
      expect(apiOrigin.CustomOriginConfig.OriginProtocolPolicy).toBe("https-only");
      expect(JSON.stringify(apiOrigin.DomainName)).toMatch(/Api|execute-api|ApiEndpoint/);
      for (const b of config.CacheBehaviors) {
        expect(b.TargetOriginId).toBe(apiOriginId);
        expect(b.AllowedMethods).toEqual(expect.arrayContaining(["POST", "PUT", "PATCH", "DELETE"]));
        // Managed-CachingDisabled and Managed-AllViewerExceptHostHeader
        expect(b.CachePolicyId).toBe("4135ea2d-6df8-44a3-9df3-4b5a84be39ad");
        expect(b.OriginRequestPolicyId).toBe("b689b0a8-53d0-40ab-baf2-68738e2966ac");
      }
      t.web.hasResourceProperties("AWS::SSM::Parameter", {
        Name: `/sst/healthflow/${stage}/Parameter/HEALTHFLOW_PUBLIC_URL/value`,
      });
    });

    it(`Video: EKS with a node group of ${prod ? "3 (2-6)" : "1 (1-2)"}, ECR repositories, UDP 10000 open`, () => {
      t.video.resourceCountIs("Custom::AWSCDK-EKS-Cluster", 1);
      t.video.hasResourceProperties("Custom::AWSCDK-EKS-Cluster", {
        Config: Match.objectLike({ name: `healthflow-${stage}`, version: "1.32" }),
      });
      t.video.hasResourceProperties("AWS::EKS::Nodegroup", {
        ScalingConfig: prod ? { MinSize: 2, DesiredSize: 3, MaxSize: 6 } : { MinSize: 1, DesiredSize: 1, MaxSize: 2 },
        InstanceTypes: [prod ? "m6i.large" : "t3.large"],
      });
      t.video.hasResourceProperties("AWS::EC2::SecurityGroupIngress", {
        IpProtocol: "udp",
        FromPort: 10000,
        ToPort: 10000,
        CidrIp: "0.0.0.0/0",
      });
      const repos = Object.values(t.video.findResources("AWS::ECR::Repository")) as any[];
      expect(repos.map((r) => r.Properties.RepositoryName).sort()).toEqual([
        `healthflow-${stage}/core`,
        `healthflow-${stage}/video`,
      ]);
      for (const r of repos) expect(r.DeletionPolicy).toBe(prod ? "Retain" : "Delete");
      // Every output the ops tooling (packages/video/src/ops) reads from .sst/outputs.json.
      const outputs = { ...t.video.findOutputs("*"), ...t.database.findOutputs("*"), ...t.web.findOutputs("*") };
      for (const name of [
        "ClusterName",
        "KubeconfigCommand",
        "ClusterAdminRoleArn",
        "NodeRoleArn",
        "VideoUrl",
        "JitsiDomain",
        "JitsiAppId",
        "CoreRepositoryUri",
        "VideoRepositoryUri",
        "DatabaseSecretArn",
        "DatabaseName",
        "WebUrl",
      ]) {
        expect(Object.keys(outputs)).toContain(name);
      }
      expect(() => new URL(t.video.findOutputs("VideoUrl").VideoUrl!.Value)).not.toThrow();
    });

    it("Video → Database: the EKS pods may reach Aurora on 5432, and nothing else is opened to it", () => {
      const rules = [
        ...Object.values(t.database.findResources("AWS::EC2::SecurityGroupIngress")),
        ...Object.values(t.video.findResources("AWS::EC2::SecurityGroupIngress")),
      ] as any[];
      // The port is the cluster's endpoint port (a GetAtt on the DB cluster, 5432 for PostgreSQL).
      const toDb = rules.filter((r) => JSON.stringify(r.Properties.FromPort).includes("Endpoint.Port"));
      expect(toDb).toHaveLength(1);
      expect(toDb[0].Properties.IpProtocol).toBe("tcp");
      expect(JSON.stringify(toDb[0].Properties.SourceSecurityGroupId)).toMatch(/ClusterSecurityGroupId/);
      t.database.hasResourceProperties("AWS::EC2::SecurityGroup", {
        SecurityGroupIngress: Match.absent(),
      });
    });

    it("every stack exports what a person needs", () => {
      expect(Object.keys(t.api.findOutputs("*"))).toContain("ApiUrl");
      expect(Object.keys(t.web.findOutputs("*"))).toContain("WebUrl");
      expect(Object.keys(t.video.findOutputs("*"))).toEqual(expect.arrayContaining(["ClusterName", "VideoUrl"]));
    });
  });
}
