/**
 * The VPC: two availability zones; public subnets (NAT, load balancers), isolated subnets for the
 * database (it needs no internet; Lambda reaches it through the Data API, not the VPC) and, on
 * stages with a cluster, private subnets with egress for the EKS nodes and pods. NAT: one in dev,
 * one per AZ in prod, none on a stage without a cluster (nothing there needs the internet).
 */
import * as ec2 from "aws-cdk-lib/aws-ec2";
import type { StackContext } from "sst/constructs";
import { stagePolicy, stageSettings } from "./stage.js";

export function Network({ stack, app }: StackContext) {
  const policy = stagePolicy(app.stage);
  const withCluster = stageSettings(app.stage).cluster === "eks";
  const vpc = new ec2.Vpc(stack, "Vpc", {
    maxAzs: 2,
    natGateways: withCluster ? policy.natGateways : 0,
    subnetConfiguration: [
      { name: "public", subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
      ...(withCluster ? [{ name: "nodes", subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 }] : []),
      { name: "data", subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
    ],
  });
  stack.addOutputs({ VpcId: vpc.vpcId });
  return { vpc };
}
