/**
 * `npm run video:deploy -- --stage <name> [--tag <image tag>]`
 *
 * After `sst deploy`: renders k8s/overlays/<stage> (TypeScript renderer, no kubectl needed), points
 * it at the stage's images, host names, certificate and API target group, checks it (strict schema
 * + container policy), creates or updates the pods' least-privilege database role (Data API, as
 * the master user), writes the Secrets and ConfigMaps from the stage's outputs and secrets (and the
 * RDS CA bundle), applies everything with server-side apply, reruns the migrate Job, waits for
 * every rollout with progress and a timeout, tells the videobridge its public media addresses, and
 * prints the public URLs.
 *
 * A stage without a domain (outputs CertificateArn/JitsiDomain "none") gets no self-hosted Jitsi
 * (the API uses the public meet.jit.si) and serves the room service over plain HTTP on the ALB's
 * own name: the Load Balancer Controller makes no HTTPS listener without a certificate.
 */
import { randomBytes } from "node:crypto";
import { promises as dns } from "node:dns";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { KubeConfig, KubernetesObject } from "@kubernetes/client-node";
import { appDatabaseUrl, appRoleStatements, scramVerifier } from "./database-role.js";
import { describe, Kube, waitUntil } from "./kube.js";
import { type KubeObject, overlayDir, renderKustomization } from "./kustomize.js";
import { checkPolicy, validateSchema } from "./manifest-policy.js";
import {
  type CommandRunner,
  type Log,
  loadKubeConfig,
  readStageOutputs,
  requireOutputs,
  runCommand,
  stageSecret,
} from "./stage.js";

export interface DeployOptions {
  stage: string;
  /** Image tag pushed by CI for both images (the commit SHA). */
  tag: string;
  outputs: Record<string, string>;
  /** Defaults to k8s/overlays/<stage> (or dev's for stages without their own overlay). */
  overlay?: string;
  timeoutMs?: number;
  pollMs?: number;
}

export interface DeployDeps {
  kc: KubeConfig;
  run: CommandRunner;
  env: Record<string, string | undefined>;
  log: Log;
  resolve4?: (host: string) => Promise<string[]>;
  /** The RDS CA bundle (PEM) for a region; default: AWS's trust store over HTTPS. */
  fetchRdsCa?: (region: string) => Promise<string>;
  sleep?: (ms: number) => Promise<void>;
}

export interface DeployResult {
  videoUrl: string;
  /** Undefined without self-hosted Jitsi (no domain: the public meet.jit.si). */
  jitsiUrl?: string;
  albHostname: string;
  mediaHostname?: string;
  mediaIps?: string[];
}

const ADVERTISE_ANNOTATION = "healthflow.app/jvb-advertise-ips";

export const REQUIRED_OUTPUTS = [
  "WebUrl",
  "VideoUrl",
  "JitsiDomain",
  "JitsiAppId",
  "CertificateArn",
  "CoreRepositoryUri",
  "VideoRepositoryUri",
  "CoreTargetGroupArn",
  "DatabaseClusterArn",
  "DatabaseSecretArn",
  "DatabaseAppUserSecretArn",
  "DatabaseHost",
  "DatabaseName",
] as const;

/** With a domain: names and the certificate. Without: undefined (plain HTTP, no own Jitsi). */
export interface StageHosts {
  video: string;
  jitsi: string;
  certificateArn: string;
}

/** Reads the stage's public names from the outputs; "none" everywhere means no domain. */
export function stageHosts(out: Record<(typeof REQUIRED_OUTPUTS)[number], string>): StageHosts | undefined {
  const given = [out.VideoUrl, out.JitsiDomain, out.CertificateArn].map((v) => v !== "none");
  if (given.every((g) => !g)) return undefined;
  if (!given.every(Boolean)) {
    throw new Error("outputs VideoUrl, JitsiDomain and CertificateArn must all be set or all be none");
  }
  return {
    video: new URL(out.VideoUrl).host,
    jitsi: out.JitsiDomain.replace(/^https?:\/\//, "").replace(/\/.*$/, ""),
    certificateArn: out.CertificateArn,
  };
}

const isJitsi = (o: KubeObject) => o.metadata.labels?.["app.kubernetes.io/component"] === "jitsi";

/**
 * Points the rendered objects at this stage: images from ECR, the API target group, and the
 * Ingress: host names and certificate with a domain; without one, plain HTTP on the ALB's own
 * name for the room service, and no Jitsi objects at all. Returns the objects to apply.
 */
export function customize(
  objects: KubeObject[],
  s: { coreImage: string; videoImage: string; coreTargetGroupArn: string; hosts: StageHosts | undefined },
): KubeObject[] {
  const kept = s.hosts ? objects : objects.filter((o) => !isJitsi(o));
  for (const o of kept) {
    const containers = ((o as any).spec?.template?.spec?.containers ?? []) as { image: string }[];
    for (const c of containers) {
      if (c.image === "healthflow-core") c.image = s.coreImage;
      if (c.image === "healthflow-video") c.image = s.videoImage;
    }
    if (o.kind === "TargetGroupBinding") (o as any).spec.targetGroupARN = s.coreTargetGroupArn;
    if (o.kind === "Ingress") {
      const spec = (o as any).spec;
      const annotations = o.metadata.annotations as Record<string, string>;
      if (s.hosts) {
        const { video, jitsi, certificateArn } = s.hosts;
        const swap = (h: string) => (h.startsWith("video.") ? video : h.startsWith("meet.") ? jitsi : h);
        for (const rule of spec.rules ?? []) rule.host = swap(rule.host);
        for (const tls of spec.tls ?? []) tls.hosts = tls.hosts.map(swap);
        annotations["alb.ingress.kubernetes.io/certificate-arn"] = certificateArn;
      } else {
        delete spec.tls;
        delete annotations["alb.ingress.kubernetes.io/ssl-redirect"];
        delete annotations["alb.ingress.kubernetes.io/ssl-policy"];
        annotations["alb.ingress.kubernetes.io/listen-ports"] = '[{"HTTP": 80}]';
        const video = spec.rules.find((r: any) => r.http.paths[0].backend.service.name === "video");
        spec.rules = [{ http: video.http }];
      }
    }
  }
  return kept;
}

/** AWS's RDS CA bundle for the region (the pods verify Aurora's certificate against it). */
export async function fetchRdsCa(region: string): Promise<string> {
  const url = `https://truststore.pki.rds.amazonaws.com/${region}/${region}-bundle.pem`;
  const res = await fetch(url);
  if (!res.ok) throw new Error(`fetching the RDS CA bundle from ${url} failed: HTTP ${res.status}`);
  return res.text();
}

async function readSecretString(arn: string, run: CommandRunner, what: string): Promise<string> {
  const r = await run("aws", [
    "secretsmanager",
    "get-secret-value",
    "--secret-id",
    arn,
    "--query",
    "SecretString",
    "--output",
    "text",
  ]);
  if (r.code !== 0) throw new Error(`reading ${what} (${arn}) failed: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/**
 * Creates or updates the pods' role through the Data API as the master user. A paused (0 ACU)
 * database answers "resuming" first: retried for a few minutes.
 */
async function ensureAppRole(
  out: Record<(typeof REQUIRED_OUTPUTS)[number], string>,
  app: { username: string; password: string },
  deps: { run: CommandRunner; log: Log; sleep: (ms: number) => Promise<void> },
): Promise<void> {
  for (const sql of appRoleStatements(app.username, out.DatabaseName, scramVerifier(app.password))) {
    for (let attempt = 1; ; attempt++) {
      const r = await deps.run("aws", [
        "rds-data",
        "execute-statement",
        "--resource-arn",
        out.DatabaseClusterArn,
        "--secret-arn",
        out.DatabaseSecretArn,
        "--database",
        out.DatabaseName,
        "--sql",
        sql,
      ]);
      if (r.code === 0) break;
      if (/DatabaseResumingException|resuming/i.test(r.stderr) && attempt < 20) {
        if (attempt === 1) deps.log("  the database is resuming from pause; waiting");
        await deps.sleep(15_000);
        continue;
      }
      throw new Error(`creating the database role ${app.username} failed: ${r.stderr.trim()}`);
    }
  }
}

export async function deployVideo(options: DeployOptions, deps: DeployDeps): Promise<DeployResult> {
  const { stage } = options;
  const log = deps.log;
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const pollMs = options.pollMs ?? 3_000;
  const resolve4 = deps.resolve4 ?? ((h: string) => dns.resolve4(h));
  const pause = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const out = requireOutputs(options.outputs, [...REQUIRED_OUTPUTS]);
  const hosts = stageHosts(out);
  // The Jitsi JWT app id is also its audience: the one value for tokens, Prosody and the pods.
  const jitsiAppId = out.JitsiAppId;
  if (!hosts) {
    log("!!! No domain on this stage: the room service is served over PLAIN HTTP on the load balancer's own");
    log("!!! name, no self-hosted Jitsi is deployed, and calls use the public meet.jit.si demo (5-minute limit).");
    log("!!! Set HEALTHFLOW_DOMAIN and HEALTHFLOW_HOSTED_ZONE_ID and `sst deploy` again for HTTPS (docs/deploy.md).");
  }

  log(`Rendering ${options.overlay ?? overlayDir(stage)} for stage ${stage}`);
  const objects = customize(renderKustomization(options.overlay ?? overlayDir(stage)), {
    coreImage: `${out.CoreRepositoryUri}:${options.tag}`,
    videoImage: `${out.VideoRepositoryUri}:${options.tag}`,
    coreTargetGroupArn: out.CoreTargetGroupArn,
    hosts,
  });
  for (const o of objects) validateSchema(o);
  const violations = checkPolicy(objects);
  if (violations.length) {
    throw new Error(
      `manifests break the container policy:\n${violations.map((v) => `  ${v.object} ${v.container ?? ""}: ${v.message}`).join("\n")}`,
    );
  }
  const namespace = objects.find((o) => o.kind === "Namespace")?.metadata.name ?? "healthflow";

  log("Reading the stage's secrets");
  const secret = await stageSecret("HEALTHFLOW_SECRET", stage, deps);
  // The Jitsi key: the stage's Secrets Manager secret (required for prod), else the SST secret.
  const jitsiAppSecret = hosts
    ? options.outputs.JitsiSecretArn && options.outputs.JitsiSecretArn !== "none" && !deps.env.JITSI_APP_SECRET
      ? await readSecretString(options.outputs.JitsiSecretArn, deps.run, "the Jitsi JWT key")
      : await stageSecret("JITSI_APP_SECRET", stage, deps)
    : undefined;
  let dbUrl = deps.env.DATABASE_URL;
  if (!dbUrl) {
    log("Creating or updating the pods' database role (least privilege)");
    const app = JSON.parse(await readSecretString(out.DatabaseAppUserSecretArn, deps.run, "the app role's secret")) as {
      username: string;
      password: string;
    };
    await ensureAppRole(out, app, { run: deps.run, log, sleep: pause });
    dbUrl = appDatabaseUrl({ ...app, host: out.DatabaseHost, database: out.DatabaseName });
  }
  const region = out.DatabaseClusterArn.split(":")[3]!;
  const rdsCa = deps.env.HEALTHFLOW_RDS_CA_FILE
    ? readFileSync(deps.env.HEALTHFLOW_RDS_CA_FILE, "utf8")
    : await (deps.fetchRdsCa ?? fetchRdsCa)(region);
  if (!rdsCa.includes("-----BEGIN CERTIFICATE-----"))
    throw new Error("the RDS CA bundle is not a PEM certificate list");

  const kube = new Kube(deps.kc);
  const apply = async (o: KubernetesObject) => {
    await kube.apply(o);
    log(`  applied ${describe(o)}`);
  };

  log(`Applying to namespace ${namespace}`);
  for (const o of objects.filter((x) => x.kind === "Namespace")) await apply(o);

  // Internal Jitsi passwords: generated once per cluster, then kept (changing them needs every
  // Jitsi component restarted together).
  const internal = await kube.read<any>({ apiVersion: "v1", kind: "Secret", name: "jitsi-internal", namespace });
  const keep = (key: string) =>
    internal?.data?.[key]
      ? Buffer.from(internal.data[key], "base64").toString("utf8")
      : randomBytes(24).toString("base64url");
  const stageConfig = await kube.read<any>({ apiVersion: "v1", kind: "ConfigMap", name: "jitsi-stage", namespace });
  let advertised: string = stageConfig?.data?.JVB_ADVERTISE_IPS ?? "";

  const jitsiStage = (ips: string) =>
    configMap("jitsi-stage", namespace, {
      PUBLIC_URL: `https://${hosts!.jitsi}`,
      JWT_APP_ID: jitsiAppId,
      JWT_ACCEPTED_ISSUERS: jitsiAppId,
      // The same value the pods sign with (JITSI_AUDIENCE, ConfigMap healthflow-stage jitsi-app-id).
      JWT_ACCEPTED_AUDIENCES: jitsiAppId,
      ...(ips ? { JVB_ADVERTISE_IPS: ips } : {}),
    });
  const generated: KubernetesObject[] = [
    secretObject("healthflow-app", namespace, {
      "database-url": dbUrl,
      secret,
      ...(jitsiAppSecret ? { "jitsi-app-secret": jitsiAppSecret } : {}),
    }),
    configMap("healthflow-stage", namespace, {
      "public-url": new URL(out.WebUrl).origin,
      "jitsi-domain": hosts?.jitsi ?? "meet.jit.si",
      // Only with self-hosted Jitsi: JITSI_APP_ID makes the pods sign tokens.
      ...(hosts ? { "jitsi-app-id": jitsiAppId } : {}),
    }),
    configMap("rds-ca", namespace, { "ca.pem": rdsCa }),
    ...(hosts
      ? [
          secretObject("jitsi-internal", namespace, {
            "jicofo-auth-password": keep("jicofo-auth-password"),
            "jvb-auth-password": keep("jvb-auth-password"),
          }),
          jitsiStage(advertised),
        ]
      : []),
  ];
  for (const o of generated) await apply(o);

  const jvb = objects.find((o) => o.kind === "Deployment" && o.metadata.name === "jvb");
  const markJvb = (ips: string) => {
    if (!jvb) return;
    const tmpl = (jvb as any).spec.template;
    tmpl.metadata.annotations = { ...(tmpl.metadata.annotations ?? {}), [ADVERTISE_ANNOTATION]: ips };
  };
  markJvb(advertised);
  const jobs = objects.filter((o) => o.kind === "Job");
  for (const o of objects) if (o.kind !== "Namespace" && o.kind !== "Job") await apply(o);

  // A Job's pod template is immutable: remove the previous run, wait for it to go, start anew.
  for (const job of jobs) {
    if (await kube.delete(job)) {
      log(`  deleted previous ${describe(job)}`);
      await waitUntil({
        what: `previous ${describe(job)} gone`,
        timeoutMs,
        pollMs,
        log,
        check: async () =>
          (await kube.read({ apiVersion: job.apiVersion, kind: job.kind, name: job.metadata.name, namespace }))
            ? { done: false, progress: "still terminating" }
            : { done: true, value: undefined },
      });
    }
    await apply(job);
    await waitUntil({
      what: `${describe(job)} succeeded`,
      timeoutMs,
      pollMs,
      log,
      check: () => jobStatus(kube, job, namespace),
    });
  }

  log("Waiting for rollouts");
  const deployments = objects.filter((o) => o.kind === "Deployment");
  for (const d of deployments) await waitForRollout(kube, d.metadata.name, namespace, { timeoutMs, pollMs, log });

  // The bridge must announce the NLB's public addresses in its ICE candidates; they exist only
  // once the NLB does. Re-rolled only when they change.
  let media: { hostname: string; ips: string[] } | undefined;
  if (hosts) {
    const mediaHostname = await waitUntil({
      what: "media load balancer (Service jvb-udp) address",
      timeoutMs,
      pollMs,
      log,
      check: () => lbAddress(kube, "v1", "Service", "jvb-udp", namespace),
    });
    const mediaIps = (await resolve4(mediaHostname)).sort();
    if (!mediaIps.length)
      throw new Error(`${mediaHostname} resolves to no IPv4 address yet; run video:deploy again shortly`);
    if (mediaIps.join(",") !== advertised) {
      advertised = mediaIps.join(",");
      log(`  media addresses changed to ${advertised}: updating the videobridge`);
      await apply(jitsiStage(advertised));
      markJvb(advertised);
      if (jvb) {
        await apply(jvb);
        await waitForRollout(kube, "jvb", namespace, { timeoutMs, pollMs, log });
      }
    }
    media = { hostname: mediaHostname, ips: mediaIps };
  }

  const albHostname = await waitUntil({
    what: "web load balancer (Ingress healthflow) address",
    timeoutMs,
    pollMs,
    log,
    check: () => lbAddress(kube, "networking.k8s.io/v1", "Ingress", "healthflow", namespace),
  });

  const result: DeployResult = {
    videoUrl: hosts ? `https://${hosts.video}` : `http://${albHostname}`,
    jitsiUrl: hosts ? `https://${hosts.jitsi}` : undefined,
    albHostname,
    mediaHostname: media?.hostname,
    mediaIps: media?.ips,
  };
  log("");
  log(`  API           ${new URL(out.WebUrl).origin}/api (CloudFront → API load balancer → core pods)`);
  log(`  Room service  ${result.videoUrl}${hosts ? "" : "   (PLAIN HTTP: no domain)"}`);
  if (hosts) {
    log(`  Jitsi         ${result.jitsiUrl}`);
    log(`  DNS: point ${hosts.video} and ${hosts.jitsi} at ${albHostname} (CNAME or alias)`);
    log(`  Media (UDP 10000): ${media!.hostname} → ${media!.ips.join(", ")}`);
  } else {
    log("  Jitsi         the public meet.jit.si (demo)");
  }
  return result;
}

function secretObject(name: string, namespace: string, stringData: Record<string, string>): KubernetesObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace, labels: { "app.kubernetes.io/part-of": "healthflow" } },
    type: "Opaque",
    stringData,
  } as KubernetesObject;
}

function configMap(name: string, namespace: string, data: Record<string, string>): KubernetesObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace, labels: { "app.kubernetes.io/part-of": "healthflow" } },
    data,
  } as KubernetesObject;
}

async function jobStatus(kube: Kube, job: KubeObject, namespace: string) {
  const j = await kube.read<any>({ apiVersion: job.apiVersion, kind: job.kind, name: job.metadata.name, namespace });
  const st = j?.status ?? {};
  if ((st.succeeded ?? 0) >= 1) return { done: true as const, value: undefined };
  const failed = (st.conditions ?? []).find((c: any) => c.type === "Failed" && c.status === "True");
  if (failed) {
    throw new Error(
      `${describe(job)} failed (${failed.reason ?? "Failed"}: ${failed.message ?? ""}); see \`kubectl logs -n ${namespace} job/${job.metadata.name}\``,
    );
  }
  return { done: false as const, progress: `active ${st.active ?? 0}, failed attempts ${st.failed ?? 0}` };
}

/** Like `kubectl rollout status`: the new ReplicaSet is fully rolled out and available. */
export async function waitForRollout(
  kube: Kube,
  name: string,
  namespace: string,
  o: { timeoutMs: number; pollMs: number; log: Log },
): Promise<void> {
  await waitUntil({
    what: `rollout of Deployment ${name}`,
    ...o,
    check: async () => {
      const d = await kube.read<any>({ apiVersion: "apps/v1", kind: "Deployment", name, namespace });
      if (!d) return { done: false, progress: "not found" };
      const want = d.spec?.replicas ?? 1;
      const st = d.status ?? {};
      const progressing = (st.conditions ?? []).find((c: any) => c.type === "Progressing");
      if (progressing?.reason === "ProgressDeadlineExceeded") {
        throw new Error(`Deployment ${name} exceeded its progress deadline: ${progressing.message ?? ""}`);
      }
      const observed = (st.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1);
      const updated = st.updatedReplicas ?? 0;
      const available = st.availableReplicas ?? 0;
      const total = st.replicas ?? 0;
      if (observed && updated >= want && total === updated && available >= want)
        return { done: true, value: undefined };
      return { done: false, progress: `${updated}/${want} updated, ${available}/${want} available, ${total} total` };
    },
  });
}

async function lbAddress(kube: Kube, apiVersion: string, kind: string, name: string, namespace: string) {
  const o = await kube.read<any>({ apiVersion, kind, name, namespace });
  const ingress = o?.status?.loadBalancer?.ingress?.[0];
  const addr = ingress?.hostname ?? ingress?.ip;
  return addr
    ? { done: true as const, value: String(addr) }
    : { done: false as const, progress: "load balancer not provisioned yet" };
}

async function main() {
  const { values } = parseArgs({
    options: {
      stage: { type: "string" },
      tag: { type: "string" },
      outputs: { type: "string" },
      kubeconfig: { type: "string" },
      "any-context": { type: "boolean", default: false },
      timeout: { type: "string", default: "600" },
    },
  });
  if (!values.stage) throw new Error("usage: npm run video:deploy -- --stage <name> [--tag <image tag>]");
  const outputs = readStageOutputs(values.stage, values.outputs);
  const tag = values.tag ?? process.env.IMAGE_TAG ?? process.env.GITHUB_SHA;
  if (!tag) throw new Error("--tag (or IMAGE_TAG / GITHUB_SHA) is required: the tag CI pushed the images under");
  const kc = loadKubeConfig({
    kubeconfig: values.kubeconfig,
    clusterName: outputs.ClusterName,
    anyContext: values["any-context"],
  });
  await deployVideo(
    { stage: values.stage, tag, outputs, timeoutMs: Number(values.timeout) * 1000 },
    { kc, run: runCommand, env: process.env, log: (l) => console.log(l) },
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    console.error(`video:deploy failed: ${(err as Error).message}`);
    process.exit(1);
  });
}
