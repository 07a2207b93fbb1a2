/**
 * What every rendered Kubernetes object must satisfy before it may reach a cluster: the schema
 * (kubernetes-models, the Kubernetes OpenAPI) and HealthFlow's container policy. Used by the
 * manifests test and by `npm run video:deploy` before it applies anything.
 *
 * Container policy: requests and limits for cpu and memory; liveness and readiness probes on a
 * declared port (our own images: /healthz and /readyz); non-root; read-only root file system; no
 * privilege escalation; all capabilities dropped; a preStop hook and a grace period longer than
 * preStop + SHUTDOWN_GRACE_MS wherever the app drains. Exceptions exist only for Jitsi images and
 * are listed below with their reason (also in docs/kubernetes.md).
 */

import * as k8sModels from "@kubernetes/client-node";
import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { Job } from "kubernetes-models/batch/v1";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, Namespace, Service, ServiceAccount } from "kubernetes-models/v1";
import type { KubeObject } from "./kustomize.js";

type Validatable = { validate(): void };
/** Per apiVersion/kind: the kubernetes-models class (types, required fields, enums) and the
 * @kubernetes/client-node model name whose attribute map lists every field the API knows. */
const MODELS: Record<string, { model: new (data: any) => Validatable; fields: string }> = {
  "v1/Namespace": { model: Namespace, fields: "V1Namespace" },
  "v1/ServiceAccount": { model: ServiceAccount, fields: "V1ServiceAccount" },
  "v1/ConfigMap": { model: ConfigMap, fields: "V1ConfigMap" },
  "v1/Service": { model: Service, fields: "V1Service" },
  "apps/v1/Deployment": { model: Deployment, fields: "V1Deployment" },
  "batch/v1/Job": { model: Job, fields: "V1Job" },
  "autoscaling/v2/HorizontalPodAutoscaler": { model: HorizontalPodAutoscaler, fields: "V2HorizontalPodAutoscaler" },
  "policy/v1/PodDisruptionBudget": { model: PodDisruptionBudget, fields: "V1PodDisruptionBudget" },
  "networking.k8s.io/v1/Ingress": { model: Ingress, fields: "V1Ingress" },
};

/**
 * Validates one object against the Kubernetes schema; throws naming the object and the field.
 * Strict: a field the API does not know (a misspelling such as `readinesProbe`) is an error, as
 * `kubectl apply --validate=strict` would make it; kubernetes-models alone lets it through.
 */
export function validateSchema(o: KubeObject): void {
  const key = `${o.apiVersion}/${o.kind}`;
  if (key === TARGET_GROUP_BINDING) {
    validateTargetGroupBinding(o);
    return;
  }
  const entry = MODELS[key];
  if (!entry) throw new Error(`${o.kind}/${o.metadata.name}: no schema registered for ${o.apiVersion} ${o.kind}`);
  try {
    new entry.model(o).validate();
  } catch (err) {
    throw new Error(`${o.kind}/${o.metadata.name}: ${(err as Error).message}`);
  }
  const unknown: string[] = [];
  unknownFields(o, entry.fields, "", unknown);
  if (unknown.length) throw new Error(`${o.kind}/${o.metadata.name}: unknown field(s) ${unknown.join(", ")}`);
}

type AttributeMap = { baseName: string; type: string }[];
const clientModels = k8sModels as unknown as Record<string, { getAttributeTypeMap?: () => AttributeMap }>;

/** Walks `value` along client-node's type map, collecting the paths of fields the type lacks. */
function unknownFields(value: unknown, type: string, path: string, out: string[]): void {
  if (value === null || value === undefined) return;
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) unknownFields(v, array[1]!, `${path}[${i}]`, out);
    }
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (typeof value === "object") {
      for (const [k, v] of Object.entries(value)) unknownFields(v, map[1]!, `${path}.${k}`, out);
    }
    return;
  }
  const attributes = clientModels[type]?.getAttributeTypeMap?.();
  // Primitives, IntOrString, quantities: the schema check above covers their type.
  if (!attributes || typeof value !== "object" || Array.isArray(value)) return;
  const known = new Map(attributes.map((a) => [a.baseName, a.type]));
  for (const [k, v] of Object.entries(value)) {
    const t = known.get(k);
    if (t === undefined) out.push(`${path}.${k}`.replace(/^\./, ""));
    else unknownFields(v, t, `${path}.${k}`, out);
  }
}

/**
 * The AWS Load Balancer Controller's TargetGroupBinding (a CRD, so in neither model library):
 * the fields we use, strictly. It binds Service core to the API load balancer's target group.
 */
export const TARGET_GROUP_BINDING = "elbv2.k8s.aws/v1beta1/TargetGroupBinding";

function validateTargetGroupBinding(o: KubeObject): void {
  const problems: string[] = [];
  const only = (obj: any, allowed: string[], at: string) => {
    if (!obj || typeof obj !== "object" || Array.isArray(obj)) {
      problems.push(`${at} must be an object`);
      return;
    }
    for (const k of Object.keys(obj)) if (!allowed.includes(k)) problems.push(`unknown field ${at}.${k}`);
  };
  const t = o as any;
  only(t, ["apiVersion", "kind", "metadata", "spec"], "");
  only(t.metadata, ["name", "namespace", "labels", "annotations"], "metadata");
  only(t.spec, ["targetGroupARN", "targetType", "serviceRef"], "spec");
  if (
    !/^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[\w-]+\/[0-9a-f]+$/.test(
      t.spec?.targetGroupARN ?? "",
    )
  ) {
    problems.push("spec.targetGroupARN must be a target group ARN");
  }
  if (!["ip", "instance"].includes(t.spec?.targetType)) problems.push("spec.targetType must be ip or instance");
  only(t.spec?.serviceRef, ["name", "port"], "spec.serviceRef");
  if (typeof t.spec?.serviceRef?.name !== "string") problems.push("spec.serviceRef.name is required");
  if (!["string", "number"].includes(typeof t.spec?.serviceRef?.port))
    problems.push("spec.serviceRef.port is required");
  if (problems.length) throw new Error(`TargetGroupBinding/${o.metadata?.name}: ${problems.join("; ")}`);
}

type Rule =
  | "resources"
  | "probes"
  | "runAsNonRoot"
  | "readOnlyRootFilesystem"
  | "allowPrivilegeEscalation"
  | "capabilities"
  | "shutdown"
  | "deadline"
  | "secrets"
  | "image";

export interface Exception {
  waive: Rule[];
  /** Capabilities the container may add back after dropping ALL. */
  addCapabilities?: string[];
  reason: string;
}

const JITSI_INIT =
  "The jitsi/* images start s6-overlay as root, render their config into /config and /etc at start, then drop to the service user; they do not start as non-root or on a read-only root.";
const S6_CAPS = ["CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID"];

/** Keyed by `<workload kind>/<workload name>/<container name>`; valid only for jitsi/* images. */
export const EXCEPTIONS: Record<string, Exception> = {
  "Deployment/prosody/prosody": {
    waive: ["runAsNonRoot", "readOnlyRootFilesystem"],
    addCapabilities: S6_CAPS,
    reason: JITSI_INIT,
  },
  "Deployment/jicofo/jicofo": {
    waive: ["runAsNonRoot", "readOnlyRootFilesystem"],
    addCapabilities: S6_CAPS,
    reason: JITSI_INIT,
  },
  "Deployment/jvb/jvb": {
    waive: ["runAsNonRoot", "readOnlyRootFilesystem"],
    addCapabilities: S6_CAPS,
    reason: JITSI_INIT,
  },
  "Deployment/jitsi-web/web": {
    waive: ["runAsNonRoot", "readOnlyRootFilesystem"],
    addCapabilities: [...S6_CAPS, "NET_BIND_SERVICE"],
    reason: `${JITSI_INIT} Its nginx binds port 80.`,
  },
};

export interface Violation {
  object: string;
  container?: string;
  rule: Rule;
  message: string;
}

const WORKLOADS = new Set(["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"]);
const RUN_TO_COMPLETION = new Set(["Job", "CronJob"]);
const SENSITIVE_ENV = /SECRET|PASSWORD|TOKEN|DATABASE_URL|PRIVATE_KEY/i;

/** Every violation of the container policy in a rendered set of objects (empty when all is well). */
export function checkPolicy(objects: KubeObject[], exceptions: Record<string, Exception> = EXCEPTIONS): Violation[] {
  const out: Violation[] = [];
  for (const o of objects) {
    const ref = `${o.kind}/${o.metadata.name}`;
    if (o.kind === "Secret") {
      out.push({ object: ref, rule: "secrets", message: "Secrets are created at deploy time, never committed" });
    }
    if (!WORKLOADS.has(o.kind)) continue;
    const podSpec = podSpecOf(o);
    if (!podSpec) {
      out.push({ object: ref, rule: "resources", message: "no pod template" });
      continue;
    }
    if (RUN_TO_COMPLETION.has(o.kind)) {
      const jobSpec = (o.kind === "CronJob" ? (o as any).spec?.jobTemplate?.spec : (o as any).spec) ?? {};
      if (!(jobSpec.activeDeadlineSeconds > 0) && !(podSpec.activeDeadlineSeconds > 0)) {
        out.push({
          object: ref,
          rule: "deadline",
          message: "a run-to-completion workload needs activeDeadlineSeconds",
        });
      }
    }
    const containers = [...(podSpec.initContainers ?? []), ...(podSpec.containers ?? [])];
    for (const c of containers) {
      const key = `${o.kind}/${o.metadata.name}/${c.name}`;
      const exception = exceptions[key];
      const push = (rule: Rule, message: string) => {
        if (!exception?.waive.includes(rule)) out.push({ object: ref, container: c.name, rule, message });
      };
      if (exception && !String(c.image).startsWith("jitsi/")) {
        out.push({
          object: ref,
          container: c.name,
          rule: "image",
          message: "policy exceptions apply to jitsi/* images only",
        });
      }
      checkContainer(c, podSpec, o.kind, push, exception);
    }
  }
  return out;
}

function podSpecOf(o: KubeObject): any {
  const spec = (o as any).spec;
  return o.kind === "CronJob" ? spec?.jobTemplate?.spec?.template?.spec : spec?.template?.spec;
}

function checkContainer(
  c: any,
  pod: any,
  kind: string,
  push: (rule: Rule, message: string) => void,
  exception: Exception | undefined,
): void {
  for (const bound of ["requests", "limits"] as const) {
    for (const res of ["cpu", "memory"]) {
      if (c.resources?.[bound]?.[res] === undefined) push("resources", `missing resources.${bound}.${res}`);
    }
  }
  for (const res of ["cpu", "memory"]) {
    const req = quantity(c.resources?.requests?.[res]);
    const lim = quantity(c.resources?.limits?.[res]);
    if (req !== undefined && lim !== undefined && req > lim) push("resources", `${res} request exceeds its limit`);
  }

  if (!RUN_TO_COMPLETION.has(kind)) {
    for (const probe of ["livenessProbe", "readinessProbe"] as const) {
      const problem = probeProblem(c, c[probe]);
      if (problem) push("probes", `${probe}: ${problem}`);
    }
    if (String(c.image).startsWith("healthflow-") || /\/healthflow-(core|video)[:@]?/.test(String(c.image))) {
      if (c.livenessProbe?.httpGet?.path !== "/healthz") push("probes", "livenessProbe must GET /healthz");
      if (c.readinessProbe?.httpGet?.path !== "/readyz") push("probes", "readinessProbe must GET /readyz");
    }
  }

  const sc = c.securityContext ?? {};
  const psc = pod.securityContext ?? {};
  if (sc.privileged === true) push("allowPrivilegeEscalation", "privileged container");
  if (sc.allowPrivilegeEscalation !== false) push("allowPrivilegeEscalation", "allowPrivilegeEscalation must be false");
  if ((sc.runAsNonRoot ?? psc.runAsNonRoot) !== true) push("runAsNonRoot", "runAsNonRoot must be true");
  if ((sc.runAsUser ?? psc.runAsUser) === 0) push("runAsNonRoot", "runAsUser 0");
  if (sc.readOnlyRootFilesystem !== true) push("readOnlyRootFilesystem", "readOnlyRootFilesystem must be true");
  const drop: string[] = sc.capabilities?.drop ?? [];
  if (!drop.includes("ALL")) push("capabilities", "capabilities.drop must include ALL");
  const allowed = new Set(exception?.addCapabilities ?? []);
  for (const cap of (sc.capabilities?.add ?? []) as string[]) {
    if (!allowed.has(cap)) push("capabilities", `capability ${cap} added without a listed exception`);
  }
  if ((sc.seccompProfile?.type ?? psc.seccompProfile?.type) !== "RuntimeDefault") {
    push("capabilities", "seccompProfile must be RuntimeDefault");
  }

  for (const e of (c.env ?? []) as { name: string; value?: string }[]) {
    if (e.value !== undefined && SENSITIVE_ENV.test(e.name)) {
      push("secrets", `env ${e.name} carries a literal value; reference a Secret`);
    }
  }
  if (!String(c.image).includes(":") && !String(c.image).startsWith("healthflow-")) {
    push("image", `image ${c.image} is not pinned to a tag`);
  }
  if (String(c.image).endsWith(":latest")) push("image", `image ${c.image} uses :latest`);

  // Graceful shutdown: only where the app drains (it announces so with SHUTDOWN_GRACE_MS).
  const graceEnv = (c.env ?? []).find((e: any) => e.name === "SHUTDOWN_GRACE_MS")?.value;
  if (graceEnv !== undefined) {
    const sleep = c.lifecycle?.preStop?.sleep?.seconds;
    if (!(sleep > 0)) push("shutdown", "a draining server needs a preStop sleep so endpoints are removed first");
    const period = pod.terminationGracePeriodSeconds ?? 30;
    const needed = (sleep ?? 0) + Number(graceEnv) / 1000;
    if (!(period > needed)) {
      push(
        "shutdown",
        `terminationGracePeriodSeconds ${period} must exceed preStop ${sleep ?? 0}s + drain ${graceEnv}ms`,
      );
    }
  }
}

function probeProblem(c: any, probe: any): string | undefined {
  if (!probe) return "missing";
  const action = probe.httpGet ?? probe.tcpSocket ?? probe.grpc;
  if (!action) return "must be httpGet, tcpSocket or grpc (an exec probe proves nothing about serving)";
  const ports: { name?: string; containerPort: number }[] = c.ports ?? [];
  const declared = ports.some((p) => p.name === action.port || p.containerPort === action.port);
  if (!declared) return `port ${action.port} is not a declared container port`;
  return undefined;
}

/** Kubernetes quantities we use (m, Ki..Ti, k..T, plain) as numbers, for comparisons only. */
function quantity(q: string | number | undefined): number | undefined {
  if (q === undefined) return undefined;
  const m = /^([0-9.]+)(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(q));
  if (!m) return undefined;
  const factor: Record<string, number> = {
    m: 1e-3,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
  };
  return Number(m[1]) * (m[2] ? factor[m[2]]! : 1);
}
