/**
 * `npm run video:status -- --stage <name>`: the pods (ready, restarts, age), the Services and
 * Ingresses with their external addresses, in the stage's namespace.
 */
import { parseArgs } from "node:util";
import { CoreV1Api, type KubeConfig, NetworkingV1Api } from "@kubernetes/client-node";
import { type Log, loadKubeConfig, readStageOutputs } from "./stage.js";

export interface StatusReport {
  pods: { name: string; phase: string; ready: string; restarts: number; age: string }[];
  services: { name: string; type: string; ports: string; external: string }[];
  ingresses: { name: string; hosts: string; address: string }[];
}

export async function videoStatus(
  options: { namespace?: string; now?: Date },
  deps: { kc: KubeConfig; log: Log },
): Promise<StatusReport> {
  const namespace = options.namespace ?? "healthflow";
  const now = options.now ?? new Date();
  const core = deps.kc.makeApiClient(CoreV1Api);
  const net = deps.kc.makeApiClient(NetworkingV1Api);
  const [pods, services, ingresses] = await Promise.all([
    core.listNamespacedPod({ namespace }),
    core.listNamespacedService({ namespace }),
    net.listNamespacedIngress({ namespace }),
  ]);
  const report: StatusReport = {
    pods: pods.items.map((p) => {
      const cs = p.status?.containerStatuses ?? [];
      return {
        name: p.metadata?.name ?? "",
        phase: p.metadata?.deletionTimestamp ? "Terminating" : (p.status?.phase ?? "Unknown"),
        ready: `${cs.filter((c) => c.ready).length}/${p.spec?.containers.length ?? cs.length}`,
        restarts: cs.reduce((n, c) => n + (c.restartCount ?? 0), 0),
        age: age(p.status?.startTime ?? p.metadata?.creationTimestamp, now),
      };
    }),
    services: services.items.map((s) => ({
      name: s.metadata?.name ?? "",
      type: s.spec?.type ?? "ClusterIP",
      ports: (s.spec?.ports ?? []).map((p) => `${p.port}/${p.protocol ?? "TCP"}`).join(","),
      external:
        s.spec?.type === "LoadBalancer"
          ? (s.status?.loadBalancer?.ingress ?? []).map((i) => i.hostname ?? i.ip).join(",") || "<pending>"
          : "-",
    })),
    ingresses: ingresses.items.map((i) => ({
      name: i.metadata?.name ?? "",
      hosts: (i.spec?.rules ?? []).map((r) => r.host).join(","),
      address: (i.status?.loadBalancer?.ingress ?? []).map((x) => x.hostname ?? x.ip).join(",") || "<pending>",
    })),
  };
  deps.log(
    table(
      ["POD", "STATUS", "READY", "RESTARTS", "AGE"],
      report.pods.map((p) => [p.name, p.phase, p.ready, String(p.restarts), p.age]),
    ),
  );
  deps.log("");
  deps.log(
    table(
      ["SERVICE", "TYPE", "PORTS", "EXTERNAL"],
      report.services.map((s) => [s.name, s.type, s.ports, s.external]),
    ),
  );
  deps.log("");
  deps.log(
    table(
      ["INGRESS", "HOSTS", "ADDRESS"],
      report.ingresses.map((i) => [i.name, i.hosts, i.address]),
    ),
  );
  return report;
}

function age(since: Date | string | undefined, now: Date): string {
  if (!since) return "?";
  const s = Math.max(0, Math.round((now.getTime() - new Date(since).getTime()) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

function table(head: string[], rows: string[][]): string {
  if (!rows.length) return `${head[0]}: none`;
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [head, ...rows]
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

async function main() {
  const { values } = parseArgs({
    options: {
      stage: { type: "string" },
      outputs: { type: "string" },
      kubeconfig: { type: "string" },
      namespace: { type: "string", default: "healthflow" },
      "any-context": { type: "boolean", default: false },
    },
  });
  if (!values.stage) throw new Error("usage: npm run video:status -- --stage <name>");
  const outputs = readStageOutputs(values.stage, values.outputs);
  const kc = loadKubeConfig({
    kubeconfig: values.kubeconfig,
    clusterName: outputs.ClusterName,
    anyContext: values["any-context"],
  });
  await videoStatus({ namespace: values.namespace }, { kc, log: (l) => console.log(l) });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    console.error(`video:status failed: ${(err as Error).message}`);
    process.exit(1);
  });
}
