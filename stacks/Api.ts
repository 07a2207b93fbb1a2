/**
 * The HTTP API as a Lambda, for `sst dev` (live) and for stages without a cluster
 * (HEALTHFLOW_CLUSTER=none): API Gateway (HTTP API) routing everything to the same Hono app the
 * pods run, through its Lambda adapter, talking to Aurora over the Data API (no VPC attachment
 * needed). Its permissions: the Data API on this cluster and its secret, and reading its own SST
 * configuration from SSM. Nothing else. On deployed stages with a cluster this stack is not
 * created: the core pods serve the API (stacks/Video.ts).
 */
import * as iam from "aws-cdk-lib/aws-iam";
import { Config, Cron, Api as HttpApi, type StackContext, use } from "sst/constructs";
import { Database } from "./Database.js";
import { mailIdentity } from "./mail.js";
import { publicUrlEnvironmentKey, publicUrlParameterPath } from "./public-url.js";
import { announce, DATABASE_NAME, stageSettings } from "./stage.js";

export function Api({ stack, app }: StackContext) {
  const { cluster } = use(Database);
  const secrets = Config.Secret.create(stack, "HEALTHFLOW_SECRET", "JITSI_APP_SECRET");
  const settings = stageSettings(app.stage);
  announce(settings);
  // Self-hosted Jitsi (a stage with a cluster and a domain): JWTs whose audience is the app id.
  // Otherwise the public meet.jit.si, without tokens (a demo: it cuts embedded calls after 5 minutes).
  const jitsi: Record<string, string> = settings.hosts.jitsi
    ? { JITSI_DOMAIN: settings.hosts.jitsi, JITSI_APP_ID: settings.jitsiAppId, JITSI_AUDIENCE: settings.jitsiAppId }
    : { JITSI_DOMAIN: "meet.jit.si" };
  const mail = mailIdentity();

  const api = new HttpApi(stack, "Api", {
    defaults: {
      function: {
        runtime: "nodejs22.x",
        architecture: "arm_64",
        timeout: "20 seconds",
        // Least privilege: no X-Ray (it would add xray:Put* to the role).
        tracing: "disabled",
        memorySize: "1024 MB",
        logRetention: settings.prod ? "three_months" : "two_weeks",
        bind: [secrets.HEALTHFLOW_SECRET, secrets.JITSI_APP_SECRET],
        environment: {
          DB_CLUSTER_ARN: cluster.clusterArn,
          DB_SECRET_ARN: cluster.secret!.secretArn,
          DB_NAME: DATABASE_NAME,
          ...jitsi,
          // API Gateway buffers a Lambda's response: the agenda's event stream sends one snapshot and
          // closes, and the browser's EventSource reconnects every 3 seconds (issue 15).
          HEALTHFLOW_AGENDA_STREAM_SECONDS: "0",
          LOG_LEVEL: "info",
          NODE_OPTIONS: "--enable-source-maps",
          [publicUrlEnvironmentKey()]: "__FETCH_FROM_SSM__",
          // The API only writes messages into the outbox; the dispatcher below sends them.
          HEALTHFLOW_MAIL_CHANNEL: "ses",
          HEALTHFLOW_MAIL_FROM: mail.from,
        },
        nodejs: { esbuild: { external: ["pg-native"] } },
      },
    },
    routes: { $default: "packages/functions/src/lambda.handler" },
  });

  const handler = api.getFunction("$default")!;
  cluster.grantDataApiAccess(handler);
  handler.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ["ssm:GetParameters"],
      resources: [`arn:${stack.partition}:ssm:${app.region}:${app.account}:parameter${publicUrlParameterPath()}`],
    }),
  );

  // The outbox dispatcher: every minute, the same code the Node server runs in its loop. It may
  // use the Data API and send through SES as the stage's identity, nothing else.
  const dispatcher = new Cron(stack, "OutboxDispatcher", {
    schedule: "rate(1 minute)",
    job: {
      function: {
        handler: "packages/functions/src/dispatch-handler.handler",
        runtime: "nodejs22.x",
        architecture: "arm_64",
        timeout: "110 seconds",
        tracing: "disabled",
        memorySize: "512 MB",
        environment: {
          DB_CLUSTER_ARN: cluster.clusterArn,
          DB_SECRET_ARN: cluster.secret!.secretArn,
          DB_NAME: DATABASE_NAME,
          HEALTHFLOW_MAIL_CHANNEL: "ses",
          HEALTHFLOW_MAIL_FROM: mail.from,
          LOG_LEVEL: "info",
          NODE_OPTIONS: "--enable-source-maps",
        },
        nodejs: { esbuild: { external: ["pg-native"] } },
      },
    },
  });
  cluster.grantDataApiAccess(dispatcher.jobFunction);
  dispatcher.jobFunction.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ["ses:SendEmail", "ses:SendRawEmail"],
      resources: [`arn:${stack.partition}:ses:${app.region}:${app.account}:identity/${mail.identity}`],
    }),
  );

  stack.addOutputs({ ApiUrl: api.url });
  return { api };
}
