/**
 * What differs between stages, in one place: sizes and removal (stagePolicy), and the deploy-time
 * settings read from the environment (stageSettings), validated once. `prod` refuses to synthesize
 * without what it needs, naming the setting, instead of quietly falling back to a demo.
 */
import { RemovalPolicy } from "aws-cdk-lib";

export interface StagePolicy {
  prod: boolean;
  natGateways: number;
  database: { minAcu: number; maxAcu: number; readers: number; backupDays: number; autoPauseMinutes?: number };
  nodes: { instanceType: string; min: number; desired: number; max: number };
  /** For resources that hold data (database, image repositories). */
  dataRemoval: RemovalPolicy;
  /** Days CloudWatch keeps logs (database, cluster control plane, functions). */
  logDays: number;
}

export function stagePolicy(stage: string): StagePolicy {
  const prod = stage === "prod";
  return prod
    ? {
        prod,
        natGateways: 2,
        database: { minAcu: 0.5, maxAcu: 16, readers: 1, backupDays: 14 },
        nodes: { instanceType: "m6i.large", min: 2, desired: 3, max: 6 },
        dataRemoval: RemovalPolicy.SNAPSHOT,
        logDays: 90,
      }
    : {
        prod,
        natGateways: 1,
        // 0 ACU: an idle dev database pauses (after 10 minutes) and costs storage only.
        database: { minAcu: 0, maxAcu: 2, readers: 0, backupDays: 1, autoPauseMinutes: 10 },
        nodes: { instanceType: "t3.large", min: 1, desired: 1, max: 3 },
        dataRemoval: RemovalPolicy.DESTROY,
        logDays: 14,
      };
}

/** The database name inside the cluster; the Data API addresses it by name. */
export const DATABASE_NAME = "healthflow";
/** The least-privilege role the EKS pods log in as (created by `npm run video:deploy`). */
export const DATABASE_APP_USER = "healthflow_app";

/**
 * Where the API runs on a stage:
 * - `eks`: a cluster; the Hono handlers in the core pods, CloudFront `/api/*` → ALB → Service core.
 * - `none`: no cluster, no video stack; the Hono handlers as a Lambda behind API Gateway.
 * `sst dev` always runs the API as a Lambda (live), whatever the cluster setting.
 */
export type ClusterMode = "eks" | "none";

export interface StageSettings {
  stage: string;
  prod: boolean;
  /** HEALTHFLOW_CLUSTER; default `eks` for dev and prod, `none` for any other stage. */
  cluster: ClusterMode;
  /** HEALTHFLOW_DOMAIN + HEALTHFLOW_HOSTED_ZONE_ID, or undefined: plain HTTP on AWS names. */
  domain?: { name: string; hostedZoneId: string };
  hosts: {
    /** Self-hosted Jitsi, or undefined: the API then uses the public meet.jit.si (a demo). */
    jitsi?: string;
    /** The room service on the cluster's ALB, or undefined: served on the ALB's own name. */
    video?: string;
    /** The name CloudFront reaches the API's ALB by (HTTPS), or undefined: the ALB's own name (HTTP). */
    apiOrigin?: string;
  };
  /**
   * The Jitsi JWT app id. It is also the audience: the tokens' `aud`, Prosody's
   * JWT_ACCEPTED_AUDIENCES and the pods' JITSI_AUDIENCE all come from this one value.
   */
  jitsiAppId: string;
  /** HEALTHFLOW_JITSI_SECRET_ARN: a Secrets Manager secret holding the Jitsi JWT key (required for prod). */
  jitsiSecretArn?: string;
  /** HEALTHFLOW_DEPLOY_ROLE_ARN: CI's role (required for prod). */
  deployRoleArn?: string;
  /** HEALTHFLOW_CLUSTER_ADMIN_ARNS: other IAM principals that may assume the cluster-admin role. */
  clusterAdminArns: string[];
  /** HEALTHFLOW_EKS_PUBLIC_CIDRS: who may reach the EKS API from the internet; empty = private only. */
  eksPublicCidrs: string[];
  /** Messages worth shouting at synth time (plain HTTP, private-only endpoint, ...). */
  warnings: string[];
}

export class StageSettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`stage settings:\n  ${problems.join("\n  ")}\n(see docs/deploy.md, "Deploy-time settings")`);
    this.name = "StageSettingsError";
  }
}

const list = (raw: string | undefined) =>
  (raw ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

const ARN = /^arn:aws[a-z-]*:(iam|sts)::\d{12}:[\w+=,.@/-]+$/;
const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/;
const HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** Reads and checks the deploy-time settings for `stage`; throws naming every missing or bad one. */
export function stageSettings(stage: string, env: Record<string, string | undefined> = process.env): StageSettings {
  const prod = stagePolicy(stage).prod;
  const problems: string[] = [];
  const warnings: string[] = [];

  const clusterRaw = env.HEALTHFLOW_CLUSTER ?? (stage === "dev" || prod ? "eks" : "none");
  if (clusterRaw !== "eks" && clusterRaw !== "none") problems.push(`HEALTHFLOW_CLUSTER must be "eks" or "none"`);
  const cluster: ClusterMode = clusterRaw === "none" ? "none" : "eks";
  if (prod && cluster === "none") problems.push("HEALTHFLOW_CLUSTER: prod runs on EKS (it cannot be none)");

  const domainName = env.HEALTHFLOW_DOMAIN?.toLowerCase();
  const hostedZoneId = env.HEALTHFLOW_HOSTED_ZONE_ID;
  let domain: StageSettings["domain"];
  if (domainName && !HOST.test(domainName)) problems.push(`HEALTHFLOW_DOMAIN: not a DNS name: ${domainName}`);
  if (domainName && !hostedZoneId) {
    problems.push("HEALTHFLOW_HOSTED_ZONE_ID: required with HEALTHFLOW_DOMAIN (the certificate is validated in it)");
  }
  if (!domainName && hostedZoneId) problems.push("HEALTHFLOW_DOMAIN: required with HEALTHFLOW_HOSTED_ZONE_ID");
  if (domainName && hostedZoneId) domain = { name: domainName, hostedZoneId };
  if (prod && !domainName) {
    problems.push("HEALTHFLOW_DOMAIN: required for prod (without it video would fall back to the meet.jit.si demo)");
  }

  // Host names, prod without the stage suffix. Overrides must sit inside the domain (certificate).
  const host = (override: string | undefined, prefix: string, name: string) => {
    if (!domain) {
      if (override) problems.push(`${name}: needs HEALTHFLOW_DOMAIN and HEALTHFLOW_HOSTED_ZONE_ID`);
      return undefined;
    }
    const value = (override ?? (prod ? `${prefix}.${domain.name}` : `${prefix}-${stage}.${domain.name}`)).toLowerCase();
    if (!value.endsWith(`.${domain.name}`) || !HOST.test(value)) {
      problems.push(`${name}: ${value} is not a name inside ${domain.name}`);
    }
    return value;
  };
  // Only a stage with a cluster runs Jitsi, the room service and the API load balancer.
  const hosts =
    cluster === "eks"
      ? {
          jitsi: host(env.HEALTHFLOW_JITSI_DOMAIN, "meet", "HEALTHFLOW_JITSI_DOMAIN"),
          video: host(env.HEALTHFLOW_VIDEO_DOMAIN, "video", "HEALTHFLOW_VIDEO_DOMAIN"),
          apiOrigin: host(undefined, "api-origin", "HEALTHFLOW_DOMAIN"),
        }
      : {};

  const jitsiAppId = env.HEALTHFLOW_JITSI_APP_ID ?? "healthflow";
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(jitsiAppId)) problems.push("HEALTHFLOW_JITSI_APP_ID: letters, digits, _ . - only");
  const jitsiSecretArn = env.HEALTHFLOW_JITSI_SECRET_ARN;
  if (jitsiSecretArn && !/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/.test(jitsiSecretArn)) {
    problems.push("HEALTHFLOW_JITSI_SECRET_ARN: not a Secrets Manager secret ARN");
  }
  if (prod && !jitsiSecretArn) {
    problems.push("HEALTHFLOW_JITSI_SECRET_ARN: required for prod (the Jitsi JWT key, a Secrets Manager secret)");
  }

  const deployRoleArn = env.HEALTHFLOW_DEPLOY_ROLE_ARN;
  if (deployRoleArn && !ARN.test(deployRoleArn)) problems.push("HEALTHFLOW_DEPLOY_ROLE_ARN: not an IAM ARN");
  if (prod && !deployRoleArn) {
    problems.push("HEALTHFLOW_DEPLOY_ROLE_ARN: required for prod (CI's role; without it CI cannot reach the cluster)");
  }
  const clusterAdminArns = list(env.HEALTHFLOW_CLUSTER_ADMIN_ARNS);
  for (const a of clusterAdminArns)
    if (!ARN.test(a)) problems.push(`HEALTHFLOW_CLUSTER_ADMIN_ARNS: not an IAM ARN: ${a}`);
  const eksPublicCidrs = list(env.HEALTHFLOW_EKS_PUBLIC_CIDRS);
  for (const c of eksPublicCidrs)
    if (!CIDR.test(c)) problems.push(`HEALTHFLOW_EKS_PUBLIC_CIDRS: not an IPv4 CIDR: ${c}`);

  if (problems.length) throw new StageSettingsError(problems);

  if (cluster === "eks") {
    if (!domain) {
      warnings.push(
        `stage ${stage} has no HEALTHFLOW_DOMAIN: CloudFront reaches the API's load balancer over PLAIN HTTP on its AWS name, ` +
          "the room service and Jitsi web are served over PLAIN HTTP on the cluster ALB's own name, and calls use the public meet.jit.si demo.",
      );
    }
    if (!eksPublicCidrs.length) {
      warnings.push(
        `stage ${stage}: the EKS API endpoint is private only (HEALTHFLOW_EKS_PUBLIC_CIDRS unset): kubectl and video:deploy must run inside the VPC.`,
      );
    }
    if (!deployRoleArn && !clusterAdminArns.length) {
      warnings.push(
        `stage ${stage}: nobody but CloudFormation's kubectl handler administers the cluster (set HEALTHFLOW_DEPLOY_ROLE_ARN or HEALTHFLOW_CLUSTER_ADMIN_ARNS).`,
      );
    }
  }
  return {
    stage,
    prod,
    cluster,
    domain,
    hosts,
    jitsiAppId,
    jitsiSecretArn,
    deployRoleArn,
    clusterAdminArns,
    eksPublicCidrs,
    warnings,
  };
}

/** Where the API runs for this app run: pods on a stage with a cluster, a Lambda otherwise and in `sst dev`. */
export function apiRuntime(settings: Pick<StageSettings, "cluster">, mode: string): "eks" | "lambda" {
  return settings.cluster === "eks" && mode !== "dev" ? "eks" : "lambda";
}

const shown = new Set<string>();
/** Prints each warning once per process, loudly (stderr, framed), at synth time. */
export function announce(settings: StageSettings): void {
  for (const w of settings.warnings) {
    if (shown.has(w)) continue;
    shown.add(w);
    process.stderr.write(`\n!!! HealthFlow: ${w}\n\n`);
  }
}
