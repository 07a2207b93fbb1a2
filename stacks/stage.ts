/**
 * What differs between stages, in one place. `prod` is the only stage that keeps data on removal
 * and runs redundant NAT/database/node capacity; every other stage (dev, personal, PR) is cheap and
 * disposable.
 */
import { RemovalPolicy } from "aws-cdk-lib";

export interface StagePolicy {
  prod: boolean;
  natGateways: number;
  database: { minAcu: number; maxAcu: number; readers: number; backupDays: number };
  nodes: { instanceType: string; min: number; desired: number; max: number };
  /** For resources that hold data (database, image repositories). */
  dataRemoval: RemovalPolicy;
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
      }
    : {
        prod,
        natGateways: 1,
        database: { minAcu: 0.5, maxAcu: 2, readers: 0, backupDays: 1 },
        nodes: { instanceType: "t3.large", min: 1, desired: 1, max: 2 },
        dataRemoval: RemovalPolicy.DESTROY,
      };
}

/** The database name inside the cluster; the Data API addresses it by name. */
export const DATABASE_NAME = "healthflow";

export interface StageDomains {
  /** Self-hosted Jitsi's host name, or undefined: the API then uses the public meet.jit.si (demo). */
  jitsi: string | undefined;
  /** The room service's host name on the cluster's ALB. */
  video: string;
  jitsiAppId: string;
}

/**
 * Host names the cluster's Ingresses answer to. Set per deploy: HEALTHFLOW_VIDEO_DOMAIN and
 * HEALTHFLOW_JITSI_DOMAIN, or HEALTHFLOW_DOMAIN to derive `video-<stage>.<domain>` and
 * `meet-<stage>.<domain>`. Unset, the video host is a reserved `.invalid` name, so nothing
 * pretends to be reachable.
 */
export function stageDomains(stage: string, env: Record<string, string | undefined> = process.env): StageDomains {
  const base = env.HEALTHFLOW_DOMAIN;
  return {
    jitsi: env.HEALTHFLOW_JITSI_DOMAIN ?? (base ? `meet-${stage}.${base}` : undefined),
    video: env.HEALTHFLOW_VIDEO_DOMAIN ?? (base ? `video-${stage}.${base}` : `video-${stage}.healthflow.invalid`),
    jitsiAppId: env.HEALTHFLOW_JITSI_APP_ID ?? "healthflow",
  };
}
