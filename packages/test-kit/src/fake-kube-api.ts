/**
 * A local stand-in for the Kubernetes API server, for the ops tests: node:http on 127.0.0.1 with
 * the real paths and JSON that @kubernetes/client-node uses — discovery, list, get, server-side
 * apply (PATCH application/apply-patch+yaml with fieldManager), delete, and watch (?watch=true,
 * newline-delimited events). It also plays the controllers the tools wait for, with delays the
 * test chooses: Deployments roll out, Jobs finish, load balancers get an address and, on delete,
 * keep their finalizer until the "cloud" releases them. Every request is logged in order.
 */
import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

interface ResourceType {
  groupVersion: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

const TYPES: ResourceType[] = [
  { groupVersion: "v1", plural: "namespaces", kind: "Namespace", namespaced: false },
  { groupVersion: "v1", plural: "services", kind: "Service", namespaced: true },
  { groupVersion: "v1", plural: "configmaps", kind: "ConfigMap", namespaced: true },
  { groupVersion: "v1", plural: "secrets", kind: "Secret", namespaced: true },
  { groupVersion: "v1", plural: "serviceaccounts", kind: "ServiceAccount", namespaced: true },
  { groupVersion: "v1", plural: "pods", kind: "Pod", namespaced: true },
  { groupVersion: "apps/v1", plural: "deployments", kind: "Deployment", namespaced: true },
  { groupVersion: "batch/v1", plural: "jobs", kind: "Job", namespaced: true },
  {
    groupVersion: "autoscaling/v2",
    plural: "horizontalpodautoscalers",
    kind: "HorizontalPodAutoscaler",
    namespaced: true,
  },
  { groupVersion: "policy/v1", plural: "poddisruptionbudgets", kind: "PodDisruptionBudget", namespaced: true },
  { groupVersion: "networking.k8s.io/v1", plural: "ingresses", kind: "Ingress", namespaced: true },
  {
    groupVersion: "elbv2.k8s.aws/v1beta1",
    plural: "targetgroupbindings",
    kind: "TargetGroupBinding",
    namespaced: true,
  },
];

export interface FakeKubeOptions {
  /** Delay before a Deployment reports its new generation fully rolled out. */
  rolloutMs?: number;
  /** Delay before a Job finishes, and how. */
  jobMs?: number;
  jobOutcome?: "succeed" | "fail";
  /** Delay before a LoadBalancer Service or an Ingress gets an address. */
  lbProvisionMs?: number;
  /** Delay between deleting a load balancer object and the cloud releasing it (Infinity: never). */
  lbReleaseMs?: number;
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType?: string;
  body?: any;
  at: number;
  /** The status this fake answered with. */
  status?: number;
}

type WatchEvent = { type: "ADDED" | "MODIFIED" | "DELETED"; object: any };

export class FakeKubeApi {
  readonly requests: LoggedRequest[] = [];
  readonly store = new Map<string, any>();
  private readonly events = new EventEmitter();
  private server: Server | undefined;
  private rv = 1;
  private readonly timers = new Set<NodeJS.Timeout>();
  url = "";

  constructor(readonly options: FakeKubeOptions = {}) {
    this.events.setMaxListeners(100);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err) => {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify(status(500, "InternalError", String(err))));
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", () => r()));
    this.url = `http://127.0.0.1:${(this.server!.address() as { port: number }).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** A kubeconfig document (YAML is a JSON superset) pointing at this server. */
  kubeconfig(clusterName = "arn:aws:eks:eu-west-1:000000000000:cluster/healthflow-test"): string {
    return JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      // Plain HTTP on loopback: the client insists on skipTLSVerify for an http:// server.
      clusters: [{ name: clusterName, cluster: { server: this.url, "insecure-skip-tls-verify": true } }],
      users: [{ name: "tester", user: { token: "test-token" } }],
      contexts: [{ name: clusterName, context: { cluster: clusterName, user: "tester" } }],
      "current-context": clusterName,
    });
  }

  /** Puts objects in place as if they had been there before the test. */
  seed(...objects: any[]): void {
    for (const o of objects) {
      const type = TYPES.find((t) => t.kind === o.kind && t.groupVersion === o.apiVersion);
      if (!type) throw new Error(`fake: unknown type ${o.apiVersion} ${o.kind}`);
      this.put(type, { ...o, metadata: { uid: randomUUID(), generation: 1, ...o.metadata } }, "ADDED");
    }
  }

  get(kind: string, namespace: string | undefined, name: string): any {
    const type = TYPES.find((t) => t.kind === kind)!;
    return this.store.get(key(type, type.namespaced ? namespace : undefined, name));
  }

  /** Requests that changed state (successful apply or delete), in order, as "VERB kind/name". */
  mutations(): string[] {
    return this.requests
      .filter((r) => ["PATCH", "DELETE", "POST"].includes(r.method) && (r.status ?? 500) < 400)
      .map((r) => {
        const p = parsePath(r.path)!;
        return `${r.method === "PATCH" ? "APPLY" : r.method} ${p.type.kind}/${p.name}`;
      });
  }

  private later(ms: number | undefined, fn: () => void): void {
    if (ms === Number.POSITIVE_INFINITY) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms ?? 0);
    this.timers.add(t);
  }

  private put(type: ResourceType, obj: any, event: WatchEvent["type"]): void {
    obj.metadata.resourceVersion = String(++this.rv);
    this.store.set(key(type, obj.metadata.namespace, obj.metadata.name), obj);
    this.events.emit(type.plural, { type: event, object: obj } satisfies WatchEvent);
  }

  private remove(type: ResourceType, obj: any): void {
    this.store.delete(key(type, obj.metadata.namespace, obj.metadata.name));
    obj.metadata.resourceVersion = String(++this.rv);
    this.events.emit(type.plural, { type: "DELETED", object: obj } satisfies WatchEvent);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://x");
    const raw = await readBody(req);
    const body = raw ? JSON.parse(raw) : undefined;
    const logged: LoggedRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      contentType: req.headers["content-type"],
      body,
      at: Date.now(),
    };
    this.requests.push(logged);
    const send = (code: number, payload: unknown) => {
      logged.status = code;
      res.writeHead(code, { "content-type": "application/json" });
      res.end(JSON.stringify(payload));
    };

    if (req.headers.authorization !== "Bearer test-token") return send(401, status(401, "Unauthorized", "no token"));

    const discovery = /^\/(?:api\/(v1)|apis\/([^/]+\/[^/]+))$/.exec(url.pathname);
    if (discovery && req.method === "GET") {
      const gv = discovery[1] ?? discovery[2]!;
      return send(200, {
        kind: "APIResourceList",
        apiVersion: "v1",
        groupVersion: gv,
        resources: TYPES.filter((t) => t.groupVersion === gv).map((t) => ({
          name: t.plural,
          singularName: t.kind.toLowerCase(),
          namespaced: t.namespaced,
          kind: t.kind,
          verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
        })),
      });
    }

    const p = parsePath(url.pathname);
    if (!p) return send(404, status(404, "NotFound", `no route ${url.pathname}`));
    const { type, namespace, name } = p;

    if (req.method === "GET" && !name) {
      if (url.searchParams.get("watch") === "true" || url.searchParams.get("watch") === "1") {
        return this.streamWatch(type, namespace, res);
      }
      const items = [...this.store.entries()]
        .filter(([k]) => k.startsWith(`${type.groupVersion}|${type.plural}|${namespace ? `${namespace}|` : ""}`))
        .map(([, v]) => v);
      return send(200, {
        apiVersion: type.groupVersion,
        kind: `${type.kind}List`,
        metadata: { resourceVersion: String(this.rv) },
        items,
      });
    }

    const k = key(type, namespace, name!);
    const existing = this.store.get(k);
    if (req.method === "GET") {
      return existing ? send(200, existing) : send(404, status(404, "NotFound", `${type.plural} "${name}" not found`));
    }

    if (req.method === "PATCH") {
      if (req.headers["content-type"] !== "application/apply-patch+yaml") {
        return send(415, status(415, "UnsupportedMediaType", "this fake only speaks server-side apply"));
      }
      if (!url.searchParams.get("fieldManager")) {
        return send(400, status(400, "BadRequest", "fieldManager is required for apply patch"));
      }
      if (body?.kind !== type.kind || body?.metadata?.name !== name) {
        return send(400, status(400, "BadRequest", "body does not match the URL"));
      }
      if (existing?.metadata?.deletionTimestamp) {
        return send(409, status(409, "Conflict", "object is being deleted"));
      }
      const obj = existing ? structuredClone(existing) : { metadata: { uid: randomUUID(), generation: 1 } };
      const specBefore = JSON.stringify(existing?.spec ?? null);
      for (const [f, v] of Object.entries(body)) {
        if (f === "metadata" || f === "status") continue;
        obj[f] = v;
      }
      obj.metadata = {
        ...obj.metadata,
        name,
        ...(type.namespaced ? { namespace } : {}),
        labels: { ...(obj.metadata.labels ?? {}), ...(body.metadata.labels ?? {}) },
        annotations: { ...(obj.metadata.annotations ?? {}), ...(body.metadata.annotations ?? {}) },
        creationTimestamp: obj.metadata.creationTimestamp ?? new Date().toISOString(),
      };
      if (type.kind === "Deployment" && obj.spec && obj.spec.replicas === undefined) obj.spec.replicas = 1;
      if (existing && JSON.stringify(obj.spec ?? null) !== specBefore) obj.metadata.generation += 1;
      this.put(type, obj, existing ? "MODIFIED" : "ADDED");
      this.simulate(type, obj);
      return send(existing ? 200 : 201, obj);
    }

    if (req.method === "DELETE") {
      if (!existing) return send(404, status(404, "NotFound", `${type.plural} "${name}" not found`));
      const isLb = (type.kind === "Service" && existing.spec?.type === "LoadBalancer") || type.kind === "Ingress";
      if (isLb) {
        if (!existing.metadata.deletionTimestamp) {
          existing.metadata.deletionTimestamp = new Date().toISOString();
          existing.metadata.finalizers = ["service.kubernetes.io/load-balancer-cleanup"];
          this.put(type, existing, "MODIFIED");
          this.later(this.options.lbReleaseMs, () => this.remove(type, existing));
        }
        return send(200, existing);
      }
      this.remove(type, existing);
      return send(200, { kind: "Status", apiVersion: "v1", status: "Success", code: 200 });
    }
    return send(405, status(405, "MethodNotAllowed", String(req.method)));
  }

  private streamWatch(type: ResourceType, namespace: string | undefined, res: ServerResponse): void {
    res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
    res.flushHeaders();
    const listener = (e: WatchEvent) => {
      if (namespace && e.object.metadata.namespace !== namespace) return;
      res.write(`${JSON.stringify(e)}\n`);
    };
    this.events.on(type.plural, listener);
    res.on("close", () => this.events.off(type.plural, listener));
  }

  /** The controllers: what a real cluster would do after an apply. */
  private simulate(type: ResourceType, obj: any): void {
    const ref = () => this.store.get(key(type, obj.metadata.namespace, obj.metadata.name));
    if (type.kind === "Deployment") {
      const gen = obj.metadata.generation;
      const cur = ref();
      cur.status = {
        ...(cur.status ?? {}),
        observedGeneration: gen,
        updatedReplicas: 0,
        replicas: cur.status?.replicas ?? 0,
      };
      this.later(this.options.rolloutMs, () => {
        const d = ref();
        if (!d || d.metadata.generation !== gen) return;
        const n = d.spec.replicas ?? 1;
        d.status = { observedGeneration: gen, replicas: n, updatedReplicas: n, readyReplicas: n, availableReplicas: n };
        this.put(type, d, "MODIFIED");
      });
    }
    if (type.kind === "Job") {
      ref().status = { active: 1 };
      this.later(this.options.jobMs, () => {
        const j = ref();
        if (!j) return;
        j.status =
          this.options.jobOutcome === "fail"
            ? {
                failed: 3,
                conditions: [
                  {
                    type: "Failed",
                    status: "True",
                    reason: "BackoffLimitExceeded",
                    message: "Job has reached the specified backoff limit",
                  },
                ],
              }
            : { succeeded: 1, conditions: [{ type: "Complete", status: "True" }] };
        this.put(type, j, "MODIFIED");
      });
    }
    if ((type.kind === "Service" && obj.spec?.type === "LoadBalancer") || type.kind === "Ingress") {
      this.later(this.options.lbProvisionMs, () => {
        const o = ref();
        if (!o || o.status?.loadBalancer?.ingress) return;
        o.status = { loadBalancer: { ingress: [{ hostname: `${o.metadata.name}-0123.elb.eu-west-1.amazonaws.com` }] } };
        this.put(type, o, "MODIFIED");
      });
    }
  }
}

function key(type: ResourceType, namespace: string | undefined, name: string): string {
  return `${type.groupVersion}|${type.plural}|${namespace ?? ""}|${name}`;
}

function parsePath(path: string): { type: ResourceType; namespace?: string; name?: string } | undefined {
  const m = /^\/(?:api\/(v1)|apis\/([^/]+\/[^/]+))\/(.+)$/.exec(path);
  if (!m) return undefined;
  const gv = m[1] ?? m[2]!;
  let segs = m[3]!.split("/").map(decodeURIComponent);
  let namespace: string | undefined;
  if (segs[0] === "namespaces" && segs.length >= 3) {
    namespace = segs[1];
    segs = segs.slice(2);
  }
  const type = TYPES.find((t) => t.groupVersion === gv && t.plural === segs[0]);
  if (!type || segs.length > 2) return undefined;
  return { type, namespace, name: segs[1] };
}

function status(code: number, reason: string, message: string) {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", reason, message, code };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((res, rej) => {
    let s = "";
    req.on("data", (d) => {
      s += d;
    });
    req.on("end", () => res(s));
    req.on("error", rej);
  });
}
