/**
 * The VPC: two availability zones; public subnets for NAT and load balancers, private subnets with
 * egress for EKS nodes, isolated subnets for the database (it needs no internet; Lambda reaches it
 * through the Data API, not the VPC). NAT: one in dev stages, one per AZ in prod.
 */
import * as ec2 from "aws-cdk-lib/aws-ec2";
import type { StackContext } from "sst/constructs";
import { stagePolicy } from "./stage.js";

export function Network({ stack, app }: StackContext) {
  const policy = stagePolicy(app.stage);
  const vpc = new ec2.Vpc(stack, "Vpc", {
    maxAzs: 2,
    natGateways: policy.natGateways,
    subnetConfiguration: [
      { name: "public", subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
      { name: "nodes", subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
      { name: "data", subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
    ],
  });
  stack.addOutputs({ VpcId: vpc.vpcId });
  return { vpc };
}
