/**
 * Video (stages with a cluster): the EKS cluster that runs the API pods (core), the room service
 * and self-hosted Jitsi; its node group and Cluster Autoscaler; metrics-server (the HPAs read it);
 * the load balancer CloudFront sends `/api/*` to; the certificate; the ECR repositories CI pushes
 * to; and the outputs the ops tooling (`npm run video:deploy`, `npm run teardown`) reads.
 *
 * The API's load balancer is made here, not by the Load Balancer Controller, so CloudFront (Web
 * stack) can name it at synth time. `video:deploy` binds the core Service to its target group
 * with a TargetGroupBinding. It admits CloudFront's origin-facing addresses only.
 *
 * Jitsi's media (JVB) is UDP 10000 through a Network Load Balancer in IP mode made by the Load
 * Balancer Controller: the NLB sends straight to the pod, so the node security group must allow
 * UDP 10000. An ALB cannot carry UDP.
 */

import { KubectlV34Layer } from "@aws-cdk/lambda-layer-kubectl-v34";
import { Duration, RemovalPolicy } from "aws-cdk-lib";
import * as acm from "aws-cdk-lib/aws-certificatemanager";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as ecr from "aws-cdk-lib/aws-ecr";
import * as eks from "aws-cdk-lib/aws-eks";
import * as elbv2 from "aws-cdk-lib/aws-elasticloadbalancingv2";
import * as iam from "aws-cdk-lib/aws-iam";
import * as logs from "aws-cdk-lib/aws-logs";
import * as route53 from "aws-cdk-lib/aws-route53";
import * as route53Targets from "aws-cdk-lib/aws-route53-targets";
import * as cr from "aws-cdk-lib/custom-resources";
import { type StackContext, use } from "sst/constructs";
import { logRetention } from "./Database.js";
import { Network } from "./Network.js";
import { announce, stagePolicy, stageSettings } from "./stage.js";

export const JVB_UDP_PORT = 10000;
/** The core container's port (k8s/base/core/deployment.yaml). */
export const CORE_PORT = 3000;
export const KUBERNETES_VERSION = "1.34";
/** Cluster Autoscaler: chart 9.52.0 ships autoscaler 1.34.1, the minor matching the cluster. */
export const CLUSTER_AUTOSCALER = { chart: "9.52.0", image: "v1.34.1" };

export function Video({ stack, app }: StackContext) {
  const { vpc } = use(Network);
  const policy = stagePolicy(app.stage);
  const settings = stageSettings(app.stage);
  announce(settings);
  const clusterName = `healthflow-${app.stage}`;

  // Cluster admins: CI's deploy role and the principals named in HEALTHFLOW_CLUSTER_ADMIN_ARNS,
  // nobody else (not "anyone in the account").
  const adminPrincipals = [settings.deployRoleArn, ...settings.clusterAdminArns]
    .filter((a): a is string => Boolean(a))
    .map((arn) => new iam.ArnPrincipal(arn));
  const adminRole = adminPrincipals.length
    ? new iam.Role(stack, "ClusterAdminRole", {
        assumedBy: new iam.CompositePrincipal(...adminPrincipals),
        description: `Administers the ${clusterName} EKS cluster (kubectl, npm run video:deploy / teardown)`,
      })
    : undefined;

  // EKS writes its control-plane logs here; made first so it has a retention.
  const controlPlaneLogs = new logs.LogGroup(stack, "ControlPlaneLogs", {
    logGroupName: `/aws/eks/${clusterName}/cluster`,
    retention: logRetention(policy.logDays),
    removalPolicy: RemovalPolicy.DESTROY,
  });

  const cluster = new eks.Cluster(stack, "Cluster", {
    clusterName,
    version: eks.KubernetesVersion.of(KUBERNETES_VERSION),
    kubectlLayer: new KubectlV34Layer(stack, "KubectlLayer"),
    vpc,
    vpcSubnets: [{ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }],
    defaultCapacity: 0,
    mastersRole: adminRole,
    authenticationMode: eks.AuthenticationMode.API_AND_CONFIG_MAP,
    // The API endpoint: private, plus the public endpoint for the named CIDRs only.
    endpointAccess: settings.eksPublicCidrs.length
      ? eks.EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom(...settings.eksPublicCidrs)
      : eks.EndpointAccess.PRIVATE,
    clusterLogging: [eks.ClusterLoggingTypes.API, eks.ClusterLoggingTypes.AUDIT, eks.ClusterLoggingTypes.AUTHENTICATOR],
    albController: { version: eks.AlbControllerVersion.V2_8_2 },
  });
  cluster.node.addDependency(controlPlaneLogs);

  const nodes = cluster.addNodegroupCapacity("Nodes", {
    nodegroupName: "general",
    instanceTypes: [new ec2.InstanceType(policy.nodes.instanceType)],
    minSize: policy.nodes.min,
    desiredSize: policy.nodes.desired,
    maxSize: policy.nodes.max,
    subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    amiType: eks.NodegroupAmiType.AL2023_X86_64_STANDARD,
  });

  // metrics-server: the HPAs scale on CPU, which only metrics-server reports (EKS add-on).
  new eks.CfnAddon(stack, "MetricsServer", {
    clusterName: cluster.clusterName,
    addonName: "metrics-server",
    resolveConflicts: "OVERWRITE",
  }).node.addDependency(nodes);

  // Cluster Autoscaler: adds nodes when pods are pending (HPA scale-up), removes idle ones. It finds
  // the node group's Auto Scaling group by the tags EKS puts on managed node groups.
  const autoscalerAccount = cluster.addServiceAccount("ClusterAutoscalerAccount", {
    name: "cluster-autoscaler",
    namespace: "kube-system",
  });
  autoscalerAccount.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: [
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:DescribeAutoScalingInstances",
        "autoscaling:DescribeLaunchConfigurations",
        "autoscaling:DescribeScalingActivities",
        "autoscaling:DescribeTags",
        "ec2:DescribeImages",
        "ec2:DescribeInstanceTypes",
        "ec2:DescribeLaunchTemplateVersions",
        "ec2:GetInstanceTypesFromInstanceRequirements",
        "eks:DescribeNodegroup",
      ],
      resources: ["*"],
    }),
  );
  autoscalerAccount.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
      resources: ["*"],
      conditions: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: "owned" } },
    }),
  );
  cluster
    .addHelmChart("ClusterAutoscaler", {
      chart: "cluster-autoscaler",
      repository: "https://kubernetes.github.io/autoscaler",
      version: CLUSTER_AUTOSCALER.chart,
      namespace: "kube-system",
      release: "cluster-autoscaler",
      values: {
        autoDiscovery: { clusterName },
        awsRegion: app.region,
        image: { tag: CLUSTER_AUTOSCALER.image },
        rbac: { serviceAccount: { create: false, name: autoscalerAccount.serviceAccountName } },
        extraArgs: { "balance-similar-node-groups": true, "skip-nodes-with-system-pods": false },
      },
    })
    .node.addDependency(autoscalerAccount);

  // Managed node groups use the cluster security group: open Jitsi's media port on it. The NLB
  // keeps the client's address for UDP, so the source is the internet.
  cluster.clusterSecurityGroup.addIngressRule(
    ec2.Peer.anyIpv4(),
    ec2.Port.udp(JVB_UDP_PORT),
    "Jitsi media (JVB) through the NLB",
  );

  // CI's deploy role gets cluster admin through an access entry (the admin role above is for people).
  if (settings.deployRoleArn) {
    cluster.grantAccess("DeployRoleAccess", settings.deployRoleArn, [
      eks.AccessPolicy.fromAccessPolicyName("AmazonEKSClusterAdminPolicy", {
        accessScopeType: eks.AccessScopeType.CLUSTER,
      }),
    ]);
  }

  // One certificate for every public name of the stage, validated in the hosted zone.
  const zone = settings.domain
    ? route53.HostedZone.fromHostedZoneAttributes(stack, "Zone", {
        hostedZoneId: settings.domain.hostedZoneId,
        zoneName: settings.domain.name,
      })
    : undefined;
  const names = [settings.hosts.video, settings.hosts.jitsi, settings.hosts.apiOrigin].filter((h): h is string =>
    Boolean(h),
  );
  const certificate = zone
    ? new acm.Certificate(stack, "Certificate", {
        domainName: names[0]!,
        subjectAlternativeNames: names.slice(1),
        validation: acm.CertificateValidation.fromDns(zone),
      })
    : undefined;

  // The API's load balancer: CloudFront → here → the core pods (target group of pod IPs).
  const apiLbSecurityGroup = new ec2.SecurityGroup(stack, "ApiLoadBalancerSecurityGroup", {
    vpc,
    description: "HealthFlow API load balancer: CloudFront origin-facing addresses only",
    allowAllOutbound: false,
  });
  const cloudFrontPrefixList = new cr.AwsCustomResource(stack, "CloudFrontPrefixList", {
    onUpdate: {
      service: "EC2",
      action: "describeManagedPrefixLists",
      parameters: {
        Filters: [{ Name: "prefix-list-name", Values: ["com.amazonaws.global.cloudfront.origin-facing"] }],
      },
      physicalResourceId: cr.PhysicalResourceId.of("cloudfront-origin-facing"),
      outputPaths: ["PrefixLists.0.PrefixListId"],
    },
    policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
    installLatestAwsSdk: false,
  });
  const listenerPort = certificate ? 443 : 80;
  apiLbSecurityGroup.addIngressRule(
    ec2.Peer.prefixList(cloudFrontPrefixList.getResponseField("PrefixLists.0.PrefixListId")),
    ec2.Port.tcp(listenerPort),
    "CloudFront to the API load balancer",
  );
  apiLbSecurityGroup.addEgressRule(
    ec2.Peer.securityGroupId(cluster.clusterSecurityGroupId),
    ec2.Port.tcp(CORE_PORT),
    "to the core pods",
  );
  cluster.clusterSecurityGroup.addIngressRule(
    apiLbSecurityGroup,
    ec2.Port.tcp(CORE_PORT),
    "API load balancer to the core pods",
  );
  const apiLb = new elbv2.ApplicationLoadBalancer(stack, "ApiLoadBalancer", {
    vpc,
    internetFacing: true,
    securityGroup: apiLbSecurityGroup,
    vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
    idleTimeout: Duration.seconds(60),
    dropInvalidHeaderFields: true,
  });
  const coreTargets = new elbv2.ApplicationTargetGroup(stack, "CoreTargets", {
    vpc,
    targetType: elbv2.TargetType.IP,
    port: CORE_PORT,
    protocol: elbv2.ApplicationProtocol.HTTP,
    healthCheck: { path: "/readyz", healthyHttpCodes: "200", interval: Duration.seconds(10) },
    // Matches the pods' preStop sleep + drain (k8s/base/core/deployment.yaml).
    deregistrationDelay: Duration.seconds(25),
  });
  apiLb.addListener("ApiListener", {
    port: listenerPort,
    protocol: certificate ? elbv2.ApplicationProtocol.HTTPS : elbv2.ApplicationProtocol.HTTP,
    certificates: certificate ? [certificate] : undefined,
    sslPolicy: certificate ? elbv2.SslPolicy.TLS13_RES : undefined,
    open: false,
    defaultTargetGroups: [coreTargets],
  });
  if (zone && settings.hosts.apiOrigin) {
    new route53.ARecord(stack, "ApiOriginRecord", {
      zone,
      recordName: settings.hosts.apiOrigin,
      target: route53.RecordTarget.fromAlias(new route53Targets.LoadBalancerTarget(apiLb)),
    });
  }

  // Prod keeps its images if the stack goes, under generated names, so a later re-create of the
  // stage does not collide with the retained repositories. Other stages empty and delete theirs.
  const repository = (id: string, name: string) =>
    new ecr.Repository(stack, id, {
      repositoryName: policy.prod ? undefined : `healthflow-${app.stage}/${name}`,
      imageScanOnPush: true,
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      removalPolicy: policy.prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      emptyOnDelete: !policy.prod,
      lifecycleRules: [{ maxImageCount: policy.prod ? 100 : 20 }],
    });
  const coreRepository = repository("CoreRepository", "core");
  const videoRepository = repository("VideoRepository", "video");

  /** The API origin CloudFront uses: our name over HTTPS, or the ALB's own name over plain HTTP. */
  const apiOrigin = settings.hosts.apiOrigin
    ? { domainName: settings.hosts.apiOrigin, https: true }
    : { domainName: apiLb.loadBalancerDnsName, https: false };

  stack.addOutputs({
    ClusterName: cluster.clusterName,
    KubeconfigCommand: `aws eks update-kubeconfig --name ${clusterName} --region ${app.region}${adminRole ? ` --role-arn ${adminRole.roleArn}` : ""}`,
    ClusterAdminRoleArn: adminRole?.roleArn ?? "none",
    NodeRoleArn: nodes.role.roleArn,
    CoreRepositoryUri: coreRepository.repositoryUri,
    VideoRepositoryUri: videoRepository.repositoryUri,
    CoreTargetGroupArn: coreTargets.targetGroupArn,
    ApiLoadBalancerDns: apiLb.loadBalancerDnsName,
    // "none" without a domain: video:deploy then serves plain HTTP on the cluster ALB's own name.
    CertificateArn: certificate?.certificateArn ?? "none",
    VideoUrl: settings.hosts.video ? `https://${settings.hosts.video}` : "none",
    JitsiDomain: settings.hosts.jitsi ?? "none",
    JitsiAppId: settings.jitsiAppId,
    JitsiSecretArn: settings.jitsiSecretArn ?? "none",
  });
  return { cluster, coreRepository, videoRepository, apiLb, apiOrigin };
}
