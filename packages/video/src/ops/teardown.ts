/**
 * `npm run teardown -- --stage <name> [--dry-run] [--yes]`
 *
 * Removing a stage's stacks while the cluster still owns load balancers leaves them (and their
 * ENIs and security groups) behind, and CloudFormation then fails to delete the VPC. So: delete
 * every Ingress and LoadBalancer Service in the cluster, watch until each object is gone (their
 * finalizers are released only after the AWS load balancer is deleted), bounded and with progress,
 * then run `sst remove --stage <name>`. `--dry-run` lists and stops; prod stages need `--yes`.
 */
import { parseArgs } from "node:util";
import {
  CoreV1Api,
  type KubeConfig,
  type KubernetesObject,
  NetworkingV1Api,
  type V1Ingress,
  type V1Service,
  Watch,
} from "@kubernetes/client-node";
import { describe, Kube } from "./kube.js";
import {
  type CommandRunner,
  isProdStage,
  type Log,
  loadKubeConfig,
  readStageOutputs,
  runCommand,
  sleep,
} from "./stage.js";

export interface TeardownOptions {
  stage: string;
  dryRun?: boolean;
  yes?: boolean;
  /** The cluster is already gone (a half-removed stage): go straight to `sst remove`. */
  skipCluster?: boolean;
  timeoutMs?: number;
  /** Re-list interval, in case a watch connection drops. */
  pollMs?: number;
  heartbeatMs?: number;
}

export interface TeardownDeps {
  kc?: KubeConfig;
  run: CommandRunner;
  log: Log;
}

export interface TeardownResult {
  deleted: string[];
  removed: boolean;
}

type Tracked = { key: string; obj: KubernetesObject };

const keyOf = (kind: string, ns: string | undefined, name: string | undefined) => `${kind}/${ns ?? ""}/${name ?? ""}`;

export async function teardown(options: TeardownOptions, deps: TeardownDeps): Promise<TeardownResult> {
  const { stage, log } = { stage: options.stage, log: deps.log };
  if (!stage) throw new Error("--stage is required");
  if (isProdStage(stage) && !options.yes && !options.dryRun) {
    throw new Error(`stage "${stage}" holds production data: refusing to tear it down without --yes`);
  }
  const sstRemove = ["sst", "remove", "--stage", stage];
  const timeoutMs = options.timeoutMs ?? 15 * 60_000;
  const pollMs = options.pollMs ?? 10_000;

  let tracked: Tracked[] = [];
  if (!options.skipCluster) {
    if (!deps.kc) throw new Error("no Kubernetes config: pass --skip-cluster if the cluster is already gone");
    tracked = await findLoadBalancers(deps.kc);
    log(
      tracked.length
        ? `Load balancers owned by the cluster:\n${tracked.map((t) => `  ${describe(t.obj)}`).join("\n")}`
        : "The cluster owns no load balancers.",
    );
  }
  if (options.dryRun) {
    log(
      `Dry run: would delete the ${tracked.length} object(s) above, wait for them, then run: npx ${sstRemove.join(" ")}`,
    );
    return { deleted: [], removed: false };
  }

  if (tracked.length) {
    const kube = new Kube(deps.kc!);
    // Ingresses first: their ALBs point at Services.
    for (const t of [...tracked].sort((a, b) => Number(b.obj.kind === "Ingress") - Number(a.obj.kind === "Ingress"))) {
      await kube.delete(t.obj);
      log(`  deleting ${describe(t.obj)}`);
    }
    await waitForRemoval(deps.kc!, tracked, { timeoutMs, pollMs, log, heartbeatMs: options.heartbeatMs ?? 15_000 });
  }

  log(`Running: npx ${sstRemove.join(" ")}`);
  const r = await deps.run("npx", sstRemove, { inherit: true });
  if (r.code !== 0) throw new Error(`sst remove exited with ${r.code}`);
  return { deleted: tracked.map((t) => describe(t.obj)), removed: true };
}

async function findLoadBalancers(kc: KubeConfig): Promise<Tracked[]> {
  const core = kc.makeApiClient(CoreV1Api);
  const net = kc.makeApiClient(NetworkingV1Api);
  const services = await core.listServiceForAllNamespaces();
  const ingresses = await net.listIngressForAllNamespaces();
  const out: Tracked[] = [];
  for (const s of services.items as V1Service[]) {
    if (s.spec?.type !== "LoadBalancer") continue;
    out.push({
      key: keyOf("Service", s.metadata?.namespace, s.metadata?.name),
      obj: {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: s.metadata?.name, namespace: s.metadata?.namespace },
      },
    });
  }
  for (const i of ingresses.items as V1Ingress[]) {
    out.push({
      key: keyOf("Ingress", i.metadata?.namespace, i.metadata?.name),
      obj: {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: { name: i.metadata?.name, namespace: i.metadata?.namespace },
      },
    });
  }
  return out;
}

/**
 * Watches Services and Ingresses until none of `tracked` is left. The watch makes it prompt; a
 * re-list every `pollMs` makes it correct even if a watch connection drops.
 */
async function waitForRemoval(
  kc: KubeConfig,
  tracked: Tracked[],
  o: { timeoutMs: number; pollMs: number; heartbeatMs: number; log: Log },
): Promise<void> {
  const remaining = new Set(tracked.map((t) => t.key));
  const start = Date.now();
  let wake: () => void = () => {};
  const watch = new Watch(kc);
  const controllers: AbortController[] = [];
  const onEvent = (kind: string) => (phase: string, obj: KubernetesObject) => {
    if (phase !== "DELETED") return;
    if (remaining.delete(keyOf(kind, obj.metadata?.namespace, obj.metadata?.name))) {
      o.log(`  ✓ ${kind}/${obj.metadata?.namespace}/${obj.metadata?.name} gone, load balancer released`);
      wake();
    }
  };
  const startWatch = async (path: string, kind: string) => {
    try {
      controllers.push(await watch.watch(path, {}, onEvent(kind), () => {}));
    } catch {
      // The re-list below still finishes the job.
    }
  };
  await startWatch("/api/v1/services", "Service");
  await startWatch("/apis/networking.k8s.io/v1/ingresses", "Ingress");

  let lastBeat = Date.now();
  try {
    while (remaining.size) {
      const elapsed = Date.now() - start;
      if (elapsed >= o.timeoutMs) {
        throw new Error(
          `timed out after ${Math.round(o.timeoutMs / 1000)}s; still present: ${[...remaining].join(", ")}. ` +
            "Check the AWS Load Balancer Controller's logs; sst remove was NOT run.",
        );
      }
      await new Promise<void>((res) => {
        wake = res;
        setTimeout(res, Math.min(o.pollMs, o.timeoutMs - elapsed));
      });
      if (!remaining.size) break;
      const present = new Set((await findLoadBalancersAnyType(kc)).map((t) => t.key));
      for (const k of [...remaining]) if (!present.has(k)) remaining.delete(k);
      if (remaining.size && Date.now() - lastBeat >= o.heartbeatMs) {
        o.log(
          `  … waiting for ${remaining.size} load balancer(s) to be released (${Math.round((Date.now() - start) / 1000)}s)`,
        );
        lastBeat = Date.now();
      }
    }
    o.log("All load balancers released.");
  } finally {
    for (const c of controllers) c.abort();
    await sleep(0);
  }
}

/** Every Service and Ingress (a deleted LoadBalancer Service keeps its type while it finalizes). */
async function findLoadBalancersAnyType(kc: KubeConfig): Promise<Tracked[]> {
  const core = kc.makeApiClient(CoreV1Api);
  const net = kc.makeApiClient(NetworkingV1Api);
  const [s, i] = await Promise.all([core.listServiceForAllNamespaces(), net.listIngressForAllNamespaces()]);
  return [
    ...(s.items as V1Service[]).map((x) => ({
      key: keyOf("Service", x.metadata?.namespace, x.metadata?.name),
      obj: x as KubernetesObject,
    })),
    ...(i.items as V1Ingress[]).map((x) => ({
      key: keyOf("Ingress", x.metadata?.namespace, x.metadata?.name),
      obj: x as KubernetesObject,
    })),
  ];
}

async function main() {
  const { values } = parseArgs({
    options: {
      stage: { type: "string" },
      "dry-run": { type: "boolean", default: false },
      yes: { type: "boolean", default: false },
      "skip-cluster": { type: "boolean", default: false },
      outputs: { type: "string" },
      kubeconfig: { type: "string" },
      "any-context": { type: "boolean", default: false },
      timeout: { type: "string", default: "900" },
    },
  });
  if (!values.stage) throw new Error("usage: npm run teardown -- --stage <name> [--dry-run] [--yes]");
  let kc: KubeConfig | undefined;
  let skipCluster = values["skip-cluster"];
  if (!skipCluster) {
    const outputs = readStageOutputs(values.stage, values.outputs);
    // A stage without a cluster (HEALTHFLOW_CLUSTER=none) has no load balancers of Kubernetes'
    // making: never fall back to whatever cluster the current context points at.
    if (!outputs.ClusterName) {
      console.log(`stage ${values.stage} has no cluster (no ClusterName output): going straight to sst remove`);
      skipCluster = true;
    }
  }
  if (!skipCluster) {
    const outputs = readStageOutputs(values.stage, values.outputs);
    kc = loadKubeConfig({
      kubeconfig: values.kubeconfig,
      clusterName: outputs.ClusterName,
      anyContext: values["any-context"],
    });
  }
  await teardown(
    {
      stage: values.stage,
      dryRun: values["dry-run"],
      yes: values.yes,
      skipCluster,
      timeoutMs: Number(values.timeout) * 1000,
    },
    { kc, run: runCommand, log: (l) => console.log(l) },
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    console.error(`teardown failed: ${(err as Error).message}`);
    process.exit(1);
  });
}
