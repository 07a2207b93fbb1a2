/**
 * Video: the EKS cluster that runs the room service and self-hosted Jitsi, its managed node group
 * (sized per stage), the ECR repositories CI pushes to, and the outputs the ops tooling
 * (`npm run video:deploy`, `npm run teardown`) reads.
 *
 * Jitsi's media (JVB) is UDP 10000 through a Network Load Balancer in IP mode (the AWS Load
 * Balancer Controller installed here): the NLB sends straight to the pod, so the node security
 * group must allow UDP 10000. An ALB cannot carry UDP.
 */

import { KubectlV32Layer } from "@aws-cdk/lambda-layer-kubectl-v32";
import { RemovalPolicy } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as ecr from "aws-cdk-lib/aws-ecr";
import * as eks from "aws-cdk-lib/aws-eks";
import * as iam from "aws-cdk-lib/aws-iam";
import { type StackContext, use } from "sst/constructs";
import { Database } from "./Database.js";
import { Network } from "./Network.js";
import { stageDomains, stagePolicy } from "./stage.js";

export const JVB_UDP_PORT = 10000;

export function Video({ stack, app }: StackContext) {
  const { vpc } = use(Network);
  const { cluster: database } = use(Database);
  const policy = stagePolicy(app.stage);
  const clusterName = `healthflow-${app.stage}`;

  // Whoever may administer the cluster assumes this role (people in the account, the deploy role).
  const adminRole = new iam.Role(stack, "ClusterAdminRole", {
    assumedBy: new iam.AccountRootPrincipal(),
    description: `Administers the ${clusterName} EKS cluster (kubectl, npm run video:deploy / teardown)`,
  });

  const cluster = new eks.Cluster(stack, "Cluster", {
    clusterName,
    version: eks.KubernetesVersion.V1_32,
    kubectlLayer: new KubectlV32Layer(stack, "KubectlLayer"),
    vpc,
    vpcSubnets: [{ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }],
    defaultCapacity: 0,
    mastersRole: adminRole,
    authenticationMode: eks.AuthenticationMode.API_AND_CONFIG_MAP,
    endpointAccess: eks.EndpointAccess.PUBLIC_AND_PRIVATE,
    albController: { version: eks.AlbControllerVersion.V2_8_2 },
  });

  const nodes = cluster.addNodegroupCapacity("Nodes", {
    nodegroupName: "general",
    instanceTypes: [new ec2.InstanceType(policy.nodes.instanceType)],
    minSize: policy.nodes.min,
    desiredSize: policy.nodes.desired,
    maxSize: policy.nodes.max,
    subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    amiType: eks.NodegroupAmiType.AL2023_X86_64_STANDARD,
  });

  // Managed node groups use the cluster security group: open Jitsi's media port on it. The NLB
  // keeps the client's address for UDP, so the source is the internet.
  cluster.clusterSecurityGroup.addIngressRule(
    ec2.Peer.anyIpv4(),
    ec2.Port.udp(JVB_UDP_PORT),
    "Jitsi media (JVB) through the NLB",
  );

  // CI's deploy role (GitHub OIDC) gets cluster admin through an access entry, when named.
  const deployRoleArn = process.env.HEALTHFLOW_DEPLOY_ROLE_ARN;
  if (deployRoleArn) {
    cluster.grantAccess("DeployRoleAccess", deployRoleArn, [
      eks.AccessPolicy.fromAccessPolicyName("AmazonEKSClusterAdminPolicy", {
        accessScopeType: eks.AccessScopeType.CLUSTER,
      }),
    ]);
  }

  const repository = (id: string, name: string) =>
    new ecr.Repository(stack, id, {
      repositoryName: `healthflow-${app.stage}/${name}`,
      imageScanOnPush: true,
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      // Prod keeps its images if the stack goes; other stages empty and delete theirs.
      removalPolicy: policy.prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      emptyOnDelete: !policy.prod,
      lifecycleRules: [{ maxImageCount: policy.prod ? 100 : 20 }],
    });
  const coreRepository = repository("CoreRepository", "core");
  const videoRepository = repository("VideoRepository", "video");

  // The pods (core, room service) reach Aurora directly with pg, from the nodes.
  database.connections.allowDefaultPortFrom(cluster.clusterSecurityGroup, "EKS pods to Aurora");

  const domains = stageDomains(app.stage);
  stack.addOutputs({
    ClusterName: cluster.clusterName,
    KubeconfigCommand: `aws eks update-kubeconfig --name ${clusterName} --region ${app.region} --role-arn ${adminRole.roleArn}`,
    ClusterAdminRoleArn: adminRole.roleArn,
    NodeRoleArn: nodes.role.roleArn,
    CoreRepositoryUri: coreRepository.repositoryUri,
    VideoRepositoryUri: videoRepository.repositoryUri,
    // Host names the Ingresses answer to; point DNS at the address `npm run video:deploy` prints.
    VideoUrl: `https://${domains.video}`,
    JitsiDomain: domains.jitsi ?? `meet-${app.stage}.healthflow.invalid`,
    JitsiAppId: domains.jitsiAppId,
  });
  return { cluster, coreRepository, videoRepository };
}
