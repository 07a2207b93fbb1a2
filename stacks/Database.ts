/**
 * Aurora PostgreSQL Serverless v2 with the Data API (plain CDK: SST's `RDS` construct is the retired
 * Serverless v1). Migrations run on every deploy through SST's `Script`; a failed migration fails
 * the custom resource and with it the deploy. The same Script creates the first admin from the
 * stage's secrets (a no-op once one exists).
 */
import { Duration } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as rds from "aws-cdk-lib/aws-rds";
import { Config, Script, Function as SstFunction, type StackContext, use } from "sst/constructs";
import { Network } from "./Network.js";
import { DATABASE_NAME, stagePolicy } from "./stage.js";

export function Database({ stack, app }: StackContext) {
  const { vpc } = use(Network);
  const policy = stagePolicy(app.stage);

  const cluster = new rds.DatabaseCluster(stack, "Cluster", {
    // The Data API needs Aurora PostgreSQL 16.1+ (or 13.11+/14.8+/15.3+).
    engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_6 }),
    writer: rds.ClusterInstance.serverlessV2("writer", { publiclyAccessible: false }),
    readers: Array.from({ length: policy.database.readers }, (_, i) =>
      rds.ClusterInstance.serverlessV2(`reader${i + 1}`, { publiclyAccessible: false, scaleWithWriter: true }),
    ),
    serverlessV2MinCapacity: policy.database.minAcu,
    serverlessV2MaxCapacity: policy.database.maxAcu,
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
  });

  const adminEmail = new Config.Secret(stack, "HEALTHFLOW_ADMIN_EMAIL");
  const adminPassword = new Config.Secret(stack, "HEALTHFLOW_ADMIN_PASSWORD");
  const migrateFunction = new SstFunction(stack, "MigrateFunction", {
    handler: "packages/functions/src/migrate-handler.handler",
    runtime: "nodejs22.x",
    timeout: "10 minutes",
    tracing: "disabled",
    memorySize: "512 MB",
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
  });
  return { cluster };
}
