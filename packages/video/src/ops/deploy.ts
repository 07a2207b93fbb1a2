/**
 * `npm run video:deploy -- --stage <name> [--tag <image tag>]`
 *
 * After `sst deploy`: renders k8s/overlays/<stage> (TypeScript renderer, no kubectl needed), points
 * it at the stage's images and host names, checks it (schema + container policy), writes the
 * Secrets and ConfigMaps from the stage's outputs and SST secrets, applies everything with
 * server-side apply, reruns the migrate Job, waits for every rollout with progress and a timeout,
 * tells the videobridge its public media addresses, and prints the public URLs.
 */
import { randomBytes } from "node:crypto";
import { promises as dns } from "node:dns";
import { parseArgs } from "node:util";
import type { KubeConfig, KubernetesObject } from "@kubernetes/client-node";
import { describe, Kube, waitUntil } from "./kube.js";
import { type KubeObject, overlayDir, renderKustomization } from "./kustomize.js";
import { checkPolicy, validateSchema } from "./manifest-policy.js";
import {
  type CommandRunner,
  databaseUrl,
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
}

export interface DeployResult {
  videoUrl: string;
  jitsiUrl: string;
  albHostname: string;
  mediaHostname: string;
  mediaIps: string[];
}

const ADVERTISE_ANNOTATION = "healthflow.app/jvb-advertise-ips";

export const REQUIRED_OUTPUTS = [
  "WebUrl",
  "VideoUrl",
  "JitsiDomain",
  "CoreRepositoryUri",
  "VideoRepositoryUri",
] as const;

/** Points the rendered objects at this stage: images from ECR, host names on the Ingress. */
export function customize(
  objects: KubeObject[],
  s: { coreImage: string; videoImage: string; videoHost: string; jitsiHost: string },
): void {
  for (const o of objects) {
    const containers = ((o as any).spec?.template?.spec?.containers ?? []) as { image: string }[];
    for (const c of containers) {
      if (c.image === "healthflow-core") c.image = s.coreImage;
      if (c.image === "healthflow-video") c.image = s.videoImage;
    }
    if (o.kind === "Ingress") {
      const spec = (o as any).spec;
      const swap = (h: string) => (h.startsWith("video.") ? s.videoHost : h.startsWith("meet.") ? s.jitsiHost : h);
      for (const rule of spec.rules ?? []) rule.host = swap(rule.host);
      for (const tls of spec.tls ?? []) tls.hosts = tls.hosts.map(swap);
    }
  }
}

export async function deployVideo(options: DeployOptions, deps: DeployDeps): Promise<DeployResult> {
  const { stage } = options;
  const log = deps.log;
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const pollMs = options.pollMs ?? 3_000;
  const resolve4 = deps.resolve4 ?? ((h: string) => dns.resolve4(h));
  const out = requireOutputs(options.outputs, [...REQUIRED_OUTPUTS]);
  const videoHost = new URL(out.VideoUrl).host;
  const jitsiHost = out.JitsiDomain.replace(/^https?:\/\//, "").replace(/\/.*$/, "");
  const jitsiAppId = options.outputs.JitsiAppId ?? "healthflow";

  log(`Rendering ${options.overlay ?? overlayDir(stage)} for stage ${stage}`);
  const objects = renderKustomization(options.overlay ?? overlayDir(stage));
  customize(objects, {
    coreImage: `${out.CoreRepositoryUri}:${options.tag}`,
    videoImage: `${out.VideoRepositoryUri}:${options.tag}`,
    videoHost,
    jitsiHost,
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
  const jitsiAppSecret = await stageSecret("JITSI_APP_SECRET", stage, deps);
  const dbUrl = await databaseUrl(options.outputs, deps);

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

  const generated = (ips: string): KubernetesObject[] => [
    secretObject("healthflow-app", namespace, {
      "database-url": dbUrl,
      secret,
      "jitsi-app-secret": jitsiAppSecret,
    }),
    secretObject("jitsi-internal", namespace, {
      "jicofo-auth-password": keep("jicofo-auth-password"),
      "jvb-auth-password": keep("jvb-auth-password"),
    }),
    configMap("healthflow-stage", namespace, {
      "public-url": new URL(out.WebUrl).origin,
      "jitsi-domain": jitsiHost,
      "jitsi-app-id": jitsiAppId,
    }),
    configMap("jitsi-stage", namespace, {
      PUBLIC_URL: `https://${jitsiHost}`,
      JWT_APP_ID: jitsiAppId,
      JWT_ACCEPTED_ISSUERS: jitsiAppId,
      // The audience the room service signs with: the core and video pods set JITSI_AUDIENCE to the
      // app id (k8s/base/*/deployment.yaml), so that is what Prosody must accept.
      JWT_ACCEPTED_AUDIENCES: jitsiAppId,
      ...(ips ? { JVB_ADVERTISE_IPS: ips } : {}),
    }),
  ];
  for (const o of generated(advertised)) await apply(o);

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
    await apply(generated(advertised)[3]!);
    markJvb(advertised);
    if (jvb) {
      await apply(jvb);
      await waitForRollout(kube, "jvb", namespace, { timeoutMs, pollMs, log });
    }
  }

  const albHostname = await waitUntil({
    what: "web load balancer (Ingress healthflow) address",
    timeoutMs,
    pollMs,
    log,
    check: () => lbAddress(kube, "networking.k8s.io/v1", "Ingress", "healthflow", namespace),
  });

  const result: DeployResult = {
    videoUrl: `https://${videoHost}`,
    jitsiUrl: `https://${jitsiHost}`,
    albHostname,
    mediaHostname,
    mediaIps,
  };
  log("");
  log(`  Room service  ${result.videoUrl}`);
  log(`  Jitsi         ${result.jitsiUrl}`);
  log(`  DNS: point ${videoHost} and ${jitsiHost} at ${albHostname} (CNAME or alias)`);
  log(`  Media (UDP 10000): ${mediaHostname} → ${mediaIps.join(", ")}`);
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
