/**
 * Aurora PostgreSQL Serverless v2 with the Data API (plain CDK: SST's `RDS` construct is the retired
 * Serverless v1). Migrations run on every deploy through SST's `Script`; a failed migration fails
 * the custom resource and with it the deploy. The same Script creates the first admin from the
 * stage's secrets (a no-op once one exists).
 *
 * Nothing here refers to the Video stack: the pods are admitted by the node subnets' address
 * ranges (the VPC CNI gives pods addresses from them), so the database deploys, and the cluster
 * can be replaced, independently. The pods log in as `healthflow_app` (least privilege, see
 * DATABASE_APP_USER), whose generated password is the `AppUserSecret` below.
 */
import { Duration } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as logs from "aws-cdk-lib/aws-logs";
import * as rds from "aws-cdk-lib/aws-rds";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import { Config, Script, Function as SstFunction, type StackContext, use } from "sst/constructs";
import { Network } from "./Network.js";
import { DATABASE_APP_USER, DATABASE_NAME, stagePolicy, stageSettings } from "./stage.js";

const RETENTION: Record<number, logs.RetentionDays> = {
  14: logs.RetentionDays.TWO_WEEKS,
  90: logs.RetentionDays.THREE_MONTHS,
};

export function logRetention(days: number): logs.RetentionDays {
  const r = RETENTION[days];
  if (!r) throw new Error(`no CloudWatch retention constant for ${days} days`);
  return r;
}

export function Database({ stack, app }: StackContext) {
  const { vpc } = use(Network);
  const policy = stagePolicy(app.stage);
  const settings = stageSettings(app.stage);

  const cluster = new rds.DatabaseCluster(stack, "Cluster", {
    // The Data API needs Aurora PostgreSQL 16.1+; scaling to 0 ACU needs 16.3+.
    engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_6 }),
    writer: rds.ClusterInstance.serverlessV2("writer", { publiclyAccessible: false }),
    readers: Array.from({ length: policy.database.readers }, (_, i) =>
      rds.ClusterInstance.serverlessV2(`reader${i + 1}`, { publiclyAccessible: false, scaleWithWriter: true }),
    ),
    serverlessV2MinCapacity: policy.database.minAcu,
    serverlessV2MaxCapacity: policy.database.maxAcu,
    ...(policy.database.autoPauseMinutes
      ? { serverlessV2AutoPauseDuration: Duration.minutes(policy.database.autoPauseMinutes) }
      : {}),
    enableDataApi: true,
    credentials: rds.Credentials.fromGeneratedSecret("healthflow"),
    defaultDatabaseName: DATABASE_NAME,
    storageEncrypted: true,
    deletionProtection: policy.prod,
    removalPolicy: policy.dataRemoval,
    backup: { retention: Duration.days(policy.database.backupDays) },
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    cloudwatchLogsExports: ["postgresql"],
    cloudwatchLogsRetention: logRetention(policy.logDays),
  });

  // The EKS nodes' (and so the pods') subnets may reach 5432. Their ranges are plain strings
  // computed at synth, so this is no cross-stack reference.
  if (settings.cluster === "eks") {
    for (const subnet of vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnets) {
      cluster.connections.allowDefaultPortFrom(
        ec2.Peer.ipv4(subnet.ipv4CidrBlock),
        `EKS pods in ${subnet.availabilityZone} to Aurora`,
      );
    }
  }

  // The pods' login: generated here, the role itself is created by `npm run video:deploy`.
  const appUserSecret = new secretsmanager.Secret(stack, "AppUserSecret", {
    description: `Password of the ${DATABASE_APP_USER} database role (HealthFlow ${app.stage} pods)`,
    generateSecretString: {
      secretStringTemplate: JSON.stringify({ username: DATABASE_APP_USER }),
      generateStringKey: "password",
      excludePunctuation: true,
      passwordLength: 40,
    },
  });

  const adminEmail = new Config.Secret(stack, "HEALTHFLOW_ADMIN_EMAIL");
  const adminPassword = new Config.Secret(stack, "HEALTHFLOW_ADMIN_PASSWORD");
  const migrateFunction = new SstFunction(stack, "MigrateFunction", {
    handler: "packages/functions/src/migrate-handler.handler",
    runtime: "nodejs22.x",
    timeout: "10 minutes",
    tracing: "disabled",
    memorySize: "512 MB",
    // `sst dev` refuses to build a Script around a live function; the migration always runs in AWS.
    enableLiveDev: false,
    logRetention: policy.prod ? "three_months" : "two_weeks",
    environment: {
      DB_CLUSTER_ARN: cluster.clusterArn,
      DB_SECRET_ARN: cluster.secret!.secretArn,
      DB_NAME: DATABASE_NAME,
    },
    bind: [adminEmail, adminPassword],
    nodejs: { esbuild: { external: ["pg-native"] } },
  });
  cluster.grantDataApiAccess(migrateFunction);
  const migrate = new Script(stack, "Migrate", { onCreate: migrateFunction, onUpdate: migrateFunction });
  // The writer instance must be up before the Data API answers: depend on the whole construct.
  migrate.node.addDependency(cluster);

  stack.addOutputs({
    DatabaseClusterArn: cluster.clusterArn,
    DatabaseSecretArn: cluster.secret!.secretArn,
    DatabaseName: DATABASE_NAME,
    DatabaseHost: cluster.clusterEndpoint.hostname,
    DatabaseAppUserSecretArn: appUserSecret.secretArn,
  });
  return { cluster, appUserSecret };
}
