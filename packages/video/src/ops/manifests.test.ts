/**
 * k8s/: every overlay renders, every object is valid against the Kubernetes schema
 * (kubernetes-models), and every container meets the policy in manifest-policy.ts. The renderer
 * is checked against `kubectl kustomize` whenever kubectl is installed.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { RDS_CA_PATH } from "./database-role.js";
import { applyJsonPatchOp, type KubeObject, renderKustomization, rewriteImage } from "./kustomize.js";
import { checkPolicy, EXCEPTIONS, validateSchema } from "./manifest-policy.js";

const k8s = resolve(import.meta.dirname, "../../../../k8s");
const overlays = ["dev", "prod"];
const render = (stage: string) => renderKustomization(join(k8s, "overlays", stage));
const find = (objs: KubeObject[], kind: string, name: string): any => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`${kind}/${name} not rendered`);
  return o;
};

let kubectl = false;
try {
  execFileSync("kubectl", ["version", "--client"], { stdio: "ignore" });
  kubectl = true;
} catch {
  kubectl = false;
}

describe.each(overlays)("overlay %s", (stage) => {
  it("validates every object against the Kubernetes schema", () => {
    const objs = render(stage);
    expect(objs.length).toBeGreaterThanOrEqual(20);
    for (const o of objs) expect(() => validateSchema(o), `${o.kind}/${o.metadata.name}`).not.toThrow();
  });

  it("meets the container policy everywhere", () => {
    expect(checkPolicy(render(stage))).toEqual([]);
  });

  it("puts every namespaced object in the healthflow namespace and commits no Secret", () => {
    for (const o of render(stage)) {
      if (o.kind !== "Namespace") expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe("healthflow");
      expect(o.kind).not.toBe("Secret");
    }
  });

  it.skipIf(!kubectl)("renders exactly what `kubectl kustomize` renders", () => {
    const theirs = parseAllDocuments(
      execFileSync("kubectl", ["kustomize", join(k8s, "overlays", stage)], { encoding: "utf8" }),
    ).map((d) => d.toJS());
    expect(render(stage)).toEqual(theirs);
  });
});

describe("what the workloads must have", () => {
  it("core, its migrate Job, the room service and Jitsi are all there, with HPA and PDB for core and video", () => {
    const objs = render("prod");
    for (const [kind, name] of [
      ["Deployment", "core"],
      ["Job", "core-migrate"],
      ["Service", "core"],
      ["HorizontalPodAutoscaler", "core"],
      ["PodDisruptionBudget", "core"],
      ["Deployment", "video"],
      ["Service", "video"],
      ["HorizontalPodAutoscaler", "video"],
      ["PodDisruptionBudget", "video"],
      ["Deployment", "prosody"],
      ["Deployment", "jicofo"],
      ["Deployment", "jvb"],
      ["Deployment", "jitsi-web"],
      ["Ingress", "healthflow"],
    ]) {
      expect(() => find(objs, kind!, name!)).not.toThrow();
    }
    expect(find(objs, "Job", "core-migrate").spec.template.spec.containers[0].args).toEqual(["migrate.mjs"]);
  });

  it("prod keeps more replicas than dev, and enough that a disruption budget can evict one", () => {
    for (const name of ["core", "video"]) {
      const dev = find(render("dev"), "HorizontalPodAutoscaler", name).spec;
      const prod = find(render("prod"), "HorizontalPodAutoscaler", name).spec;
      expect(prod.minReplicas, name).toBeGreaterThan(dev.minReplicas);
      expect(prod.maxReplicas, name).toBeGreaterThanOrEqual(prod.minReplicas);
      // The disruption budget lets a node drain evict one pod at a time at the replica floor.
      const pdb = find(render("prod"), "PodDisruptionBudget", name).spec;
      const evictable =
        pdb.maxUnavailable !== undefined ? pdb.maxUnavailable >= 1 : pdb.minAvailable < prod.minReplicas;
      expect(evictable, name).toBe(true);
    }
  });

  it("sends Jitsi media over UDP 10000 through an internet-facing NLB", () => {
    const svc = find(render("prod"), "Service", "jvb-udp");
    expect(svc.spec.type).toBe("LoadBalancer");
    expect(svc.spec.ports).toEqual([{ name: "media", port: 10000, targetPort: "media", protocol: "UDP" }]);
    expect(svc.metadata.annotations).toMatchObject({
      "service.beta.kubernetes.io/aws-load-balancer-type": "external",
      "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
    });
    const jvb = find(render("prod"), "Deployment", "jvb");
    expect(jvb.spec.template.spec.containers[0].ports).toContainEqual({
      name: "media",
      containerPort: 10000,
      protocol: "UDP",
    });
  });

  it("pins all four Jitsi images to one stable-NNNN release and turns JWT auth and the lobby on (see 'Jitsi, per finding')", () => {
    const objs = render("prod");
    const images = ["prosody", "jicofo", "jvb", "jitsi-web"].map(
      (n) => find(objs, "Deployment", n).spec.template.spec.containers[0].image as string,
    );
    const tags = new Set(images.map((i) => i.split(":")[1]));
    expect(tags.size).toBe(1);
    expect([...tags][0]).toMatch(/^stable-\d{4,}$/);
  });

  it("routes the API load balancer's target group to Service core's port (TargetGroupBinding)", () => {
    for (const stage of overlays) {
      const objs = render(stage);
      const tgb = find(objs, "TargetGroupBinding", "core");
      const svc = find(objs, "Service", "core");
      expect(tgb.spec.targetType).toBe("ip");
      expect(tgb.spec.serviceRef).toEqual({ name: "core", port: svc.spec.ports[0].port });
      // The placeholder is replaced by video:deploy (ops.test.ts); the Deployment's port is the
      // target group's (stacks/Video.ts CORE_PORT 3000).
      expect(find(objs, "Deployment", "core").spec.template.spec.containers[0].ports[0].containerPort).toBe(3000);
    }
  });

  it("no pod of ours claims a system priority class", () => {
    for (const stage of overlays) {
      for (const o of render(stage) as any[]) {
        const pc = o.spec?.template?.spec?.priorityClassName;
        expect(pc === undefined || !/^system-/.test(pc), `${stage} ${o.kind}/${o.metadata.name}: ${pc}`).toBe(true);
      }
    }
  });

  it("the pods reach the database with the RDS CA bundle mounted where DATABASE_URL's sslrootcert points", () => {
    const objs = render("prod");
    for (const [kind, name] of [
      ["Deployment", "core"],
      ["Deployment", "video"],
      ["Job", "core-migrate"],
    ] as const) {
      const pod = find(objs, kind, name).spec.template.spec;
      const volume = pod.volumes.find((v: any) => v.configMap?.name === "rds-ca");
      expect(volume, `${kind}/${name}`).toBeDefined();
      const mount = pod.containers[0].volumeMounts.find((m: any) => m.name === volume.name);
      expect(`${mount.mountPath}/ca.pem`).toBe(RDS_CA_PATH);
      expect(mount.readOnly).toBe(true);
    }
    // Behind CloudFront and the API load balancer, the viewer is two X-Forwarded-For hops back.
    expect(envOf(objs, "Deployment", "core").HEALTHFLOW_TRUST_PROXY).toBe("2");
  });

  it("terminates TLS for the room service and Jitsi web at the ALB", () => {
    const ing = find(render("prod"), "Ingress", "healthflow");
    expect(ing.spec.ingressClassName).toBe("alb");
    expect(ing.spec.tls[0].hosts).toHaveLength(2);
    expect(JSON.parse(ing.metadata.annotations["alb.ingress.kubernetes.io/listen-ports"])).toContainEqual({
      HTTPS: 443,
    });
  });
});

/**
 * A container's environment as the pod would see it: envFrom ConfigMaps found among the rendered
 * objects (those video:deploy writes are not), then env entries; references shown as
 * `fieldRef:<path>`, `secret:<name>/<key>`, `configMap:<name>/<key>`.
 */
function envOf(objs: KubeObject[], kind: string, name: string, container = 0): Record<string, string> {
  const c = find(objs, kind, name).spec.template.spec.containers[container];
  const env: Record<string, string> = {};
  for (const from of c.envFrom ?? []) {
    const cm = objs.find((o) => o.kind === "ConfigMap" && o.metadata.name === from.configMapRef?.name) as any;
    Object.assign(env, cm?.data ?? {});
  }
  for (const e of c.env ?? []) {
    const v = e.valueFrom;
    env[e.name] =
      e.value ??
      (v.fieldRef
        ? `fieldRef:${v.fieldRef.fieldPath}`
        : v.secretKeyRef
          ? `secret:${v.secretKeyRef.name}/${v.secretKeyRef.key}`
          : `configMap:${v.configMapKeyRef.name}/${v.configMapKeyRef.key}`);
  }
  return env;
}

/**
 * Each finding read against docker-jitsi-meet stable-10741 and the jitsi-contrib prosody plugins
 * it bundles (v20250923); the file and line of the source are in docs/kubernetes.md.
 */
describe.each(overlays)("Jitsi, per finding (overlay %s)", (stage) => {
  const objs = render(stage);

  it("jicofo: the REST interface its probes call listens beyond 127.0.0.1 (JICOFO_ENABLE_REST)", () => {
    expect(envOf(objs, "Deployment", "jicofo").JICOFO_ENABLE_REST).toBe("1");
    const c = find(objs, "Deployment", "jicofo").spec.template.spec.containers[0];
    const port = c.ports.find((p: any) => p.name === c.readinessProbe.httpGet.port);
    expect(port.containerPort).toBe(8888);
    expect(c.readinessProbe.httpGet.path).toBe("/about/health");
  });

  it("bridge websocket: the bridge's server id is its pod IP and jitsi-web's nginx accepts it", () => {
    expect(envOf(objs, "Deployment", "jvb")).toMatchObject({
      ENABLE_COLIBRI_WEBSOCKET: "1",
      JVB_WS_SERVER_ID: "fieldRef:status.podIP",
    });
    expect(envOf(objs, "Deployment", "jitsi-web")).toMatchObject({
      ENABLE_COLIBRI_WEBSOCKET: "1",
      ENABLE_COLIBRI_WEBSOCKET_UNSAFE_REGEX: "1",
    });
    // nginx proxies /colibri-ws/<server id>/ to <server id>:9090 (COLIBRI_WEBSOCKET_PORT default).
    const jvb = find(objs, "Deployment", "jvb").spec.template.spec.containers[0];
    expect(jvb.ports).toContainEqual({ name: "colibri-ws", containerPort: 9090 });
    expect(envOf(objs, "Deployment", "jitsi-web").COLIBRI_WEBSOCKET_PORT ?? "9090").toBe("9090");
  });

  it("one Jitsi audience: the pods sign with the app id, the key Prosody's accepted list is written from", () => {
    for (const name of ["core", "video"]) {
      const env = envOf(objs, "Deployment", name);
      expect(env.JITSI_AUDIENCE, name).toBe("configMap:healthflow-stage/jitsi-app-id");
      expect(env.JITSI_APP_ID, name).toBe(env.JITSI_AUDIENCE);
    }
    // Prosody gets JWT_ACCEPTED_AUDIENCES from ConfigMap jitsi-stage (video:deploy writes it from
    // the same output, ops.test.ts), never from a literal here.
    for (const name of ["prosody", "jicofo", "jvb", "jitsi-web"]) {
      const c = find(objs, "Deployment", name).spec.template.spec.containers[0];
      expect(
        c.envFrom.map((f: any) => f.configMapRef.name),
        name,
      ).toEqual(["jitsi", "jitsi-stage"]);
      expect(envOf(objs, "Deployment", name).JWT_ACCEPTED_AUDIENCES, name).toBeUndefined();
    }
    const docs = readFileSync(join(k8s, "..", "docs", "kubernetes.md"), "utf8");
    const audienceLines = docs.split("\n").filter((l) => /audience/i.test(l));
    expect(audienceLines.length).toBeGreaterThan(0);
    for (const l of audienceLines) expect(l).not.toMatch(/"jitsi"|`jitsi`|aud[^a-z]*:\s*"?healthflow"?/);
  });

  it("the lobby holds the patient: on from room creation, the doctor's token bypasses it and owns the room", () => {
    const prosody = envOf(objs, "Deployment", "prosody");
    expect(prosody).toMatchObject({ ENABLE_AUTH: "1", AUTH_TYPE: "jwt", ENABLE_LOBBY: "1", ENABLE_GUESTS: "0" });
    expect(prosody.XMPP_MUC_MODULES!.split(",")).toEqual(
      expect.arrayContaining(["token_affiliation", "token_lobby_bypass", "lobby_autostart"]),
    );
    // lobby_autostart fires create-persistent-lobby-room, handled by persistent_lobby on the main host.
    expect(prosody.XMPP_MODULES!.split(",")).toContain("persistent_lobby");
    // Jicofo's own JWT auth would make every token holder owner; token_affiliation needs it off.
    expect(envOf(objs, "Deployment", "jicofo")).toMatchObject({ JICOFO_ENABLE_AUTH: "0", ENABLE_AUTO_OWNER: "0" });
  });

  it("sets no variable the pinned release does not read", () => {
    const cfg = find(objs, "ConfigMap", "jitsi").data;
    for (const unread of ["JICOFO_ENABLE_AUTO_OWNER", "JVB_COLIBRI_PORT"]) expect(cfg[unread]).toBeUndefined();
  });

  it("media: the UDP load balancer balances across zones, so every advertised address reaches the one bridge", () => {
    const svc = find(objs, "Service", "jvb-udp");
    expect(svc.metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-attributes"]).toContain(
      "load_balancing.cross_zone.enabled=true",
    );
    expect(find(objs, "Deployment", "jvb").spec.replicas).toBe(1);
  });
});

describe("the policy check fails when a container breaks a rule", () => {
  const mutate = (fn: (objs: any[]) => void) => {
    const objs = structuredClone(render("dev")) as any[];
    fn(objs);
    return checkPolicy(objs);
  };
  const container = (objs: any[], kind: string, name: string) =>
    find(objs, kind, name).spec.template.spec.containers[0];

  it.each([
    ["no limits", (o: any[]) => delete container(o, "Deployment", "core").resources.limits, "resources"],
    [
      "no memory request",
      (o: any[]) => delete container(o, "Job", "core-migrate").resources.requests.memory,
      "resources",
    ],
    ["no readiness probe", (o: any[]) => delete container(o, "Deployment", "video").readinessProbe, "probes"],
    [
      "readiness on the wrong path",
      (o: any[]) => {
        container(o, "Deployment", "core").readinessProbe.httpGet.path = "/";
      },
      "probes",
    ],
    [
      "probe on an undeclared port",
      (o: any[]) => {
        container(o, "Deployment", "jicofo").livenessProbe.httpGet.port = 9999;
      },
      "probes",
    ],
    ["no liveness on Jitsi", (o: any[]) => delete container(o, "Deployment", "jvb").livenessProbe, "probes"],
    [
      "writable root",
      (o: any[]) => {
        container(o, "Deployment", "video").securityContext.readOnlyRootFilesystem = false;
      },
      "readOnlyRootFilesystem",
    ],
    [
      "may run as root",
      (o: any[]) => {
        delete container(o, "Deployment", "core").securityContext.runAsNonRoot;
        delete find(o, "Deployment", "core").spec.template.spec.securityContext.runAsNonRoot;
      },
      "runAsNonRoot",
    ],
    [
      "privilege escalation on Jitsi",
      (o: any[]) => {
        container(o, "Deployment", "prosody").securityContext.allowPrivilegeEscalation = true;
      },
      "allowPrivilegeEscalation",
    ],
    [
      "capabilities kept",
      (o: any[]) => {
        container(o, "Deployment", "jitsi-web").securityContext.capabilities.drop = [];
      },
      "capabilities",
    ],
    [
      "an unlisted capability",
      (o: any[]) => {
        container(o, "Deployment", "jvb").securityContext.capabilities.add.push("NET_ADMIN");
      },
      "capabilities",
    ],
    [
      "grace period shorter than preStop + drain",
      (o: any[]) => {
        find(o, "Deployment", "core").spec.template.spec.terminationGracePeriodSeconds = 25;
      },
      "shutdown",
    ],
    ["no preStop on a draining server", (o: any[]) => delete container(o, "Deployment", "video").lifecycle, "shutdown"],
    [
      "a Job without a deadline",
      (o: any[]) => delete find(o, "Job", "core-migrate").spec.activeDeadlineSeconds,
      "deadline",
    ],
    [
      "a literal secret",
      (o: any[]) => {
        container(o, "Deployment", "core").env.push({ name: "JITSI_APP_SECRET", value: "oops" });
      },
      "secrets",
    ],
    [
      "a committed Secret",
      (o: any[]) => {
        o.push({ apiVersion: "v1", kind: "Secret", metadata: { name: "x", namespace: "healthflow" } });
      },
      "secrets",
    ],
    [
      "an unpinned third-party image",
      (o: any[]) => {
        container(o, "Deployment", "jicofo").image = "jitsi/jicofo";
      },
      "image",
    ],
  ] as const)("%s", (_label, breakIt, rule) => {
    const violations = mutate(breakIt as (o: any[]) => void);
    expect(violations.map((v) => v.rule)).toContain(rule);
  });

  it("grants exceptions only to jitsi/* images", () => {
    const violations = mutate((o) => {
      container(o, "Deployment", "jvb").image = "example/not-jitsi:1";
    });
    expect(violations).toContainEqual(expect.objectContaining({ object: "Deployment/jvb", rule: "image" }));
    // Every listed exception names a container that exists and carries a reason.
    const objs = render("prod");
    for (const [key, e] of Object.entries(EXCEPTIONS)) {
      const [kind, name, c] = key.split("/");
      expect(find(objs, kind!, name!).spec.template.spec.containers.map((x: any) => x.name)).toContain(c);
      expect(e.reason.length).toBeGreaterThan(20);
    }
  });

  it.each([
    [
      "a misspelled probe",
      (d: any) => (d.spec.template.spec.containers[0].readinesProbe = { tcpSocket: { port: 1 } }),
      "readinesProbe",
    ],
    ["a field in the wrong place", (d: any) => (d.spec.template.spec.replicas = 2), "spec.template.spec.replicas"],
    [
      "a misspelled security setting",
      (d: any) => (d.spec.template.spec.containers[0].securityContext.runAsNonroot = true),
      "runAsNonroot",
    ],
    ["a misspelled volume source", (d: any) => (d.spec.template.spec.volumes[0].emptydir = {}), "emptydir"],
  ])("rejects an unknown field: %s", (_label, breakIt, path) => {
    const objs = structuredClone(render("dev")) as any[];
    const core = find(objs, "Deployment", "core");
    expect(() => validateSchema(core)).not.toThrow();
    breakIt(core);
    expect(() => validateSchema(core)).toThrow(new RegExp(`unknown field\\(s\\) .*${path.replace(/\./g, "\\.")}`));
  });

  it("checks the TargetGroupBinding strictly too", () => {
    const tgb = structuredClone(find(render("dev"), "TargetGroupBinding", "core"));
    expect(() => validateSchema(tgb)).not.toThrow();
    expect(() => validateSchema({ ...tgb, spec: { ...tgb.spec, targetGroupArn: "x" } })).toThrow(
      /unknown field spec\.targetGroupArn/,
    );
    expect(() => validateSchema({ ...tgb, spec: { ...tgb.spec, targetType: "pod" } })).toThrow(/targetType/);
  });

  it("rejects a schema-invalid object", () => {
    const objs = structuredClone(render("dev")) as any[];
    const core = find(objs, "Deployment", "core");
    core.spec.template.spec.containers[0].ports[0].containerPort = "3000";
    expect(() => validateSchema(core)).toThrow(/containerPort must be integer/);
    expect(() => validateSchema({ apiVersion: "example.com/v1", kind: "Thing", metadata: { name: "t" } })).toThrow(
      /no schema registered/,
    );
  });
});

describe("the kustomize subset", () => {
  function tree(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), "hf-kustomize-"));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, ".."), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return dir;
  }

  it("refuses fields it does not implement instead of ignoring them", () => {
    const dir = tree({ "kustomization.yaml": "resources: []\ncommonLabels:\n  a: b\n" });
    expect(() => renderKustomization(dir)).toThrow(/field "commonLabels" is not supported/);
  });

  it("refuses a patch whose target matches nothing", () => {
    const dir = tree({
      "kustomization.yaml":
        "resources: [cm.yaml]\npatches:\n  - target: {kind: ConfigMap, name: nope}\n    patch: |-\n      - op: remove\n        path: /data\n",
      "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {a: b}\n",
    });
    expect(() => renderKustomization(dir)).toThrow(/matches nothing/);
  });

  it("applies JSON 6902 add, replace and remove", () => {
    const doc: any = { a: { list: [1, 2] }, b: 1 };
    applyJsonPatchOp(doc, { op: "add", path: "/a/list/-", value: 3 });
    applyJsonPatchOp(doc, { op: "add", path: "/a/list/0", value: 0 });
    applyJsonPatchOp(doc, { op: "replace", path: "/b", value: 2 });
    applyJsonPatchOp(doc, { op: "remove", path: "/a/list/1" });
    applyJsonPatchOp(doc, { op: "add", path: "/c~1d", value: true });
    expect(doc).toEqual({ a: { list: [0, 2, 3] }, b: 2, "c/d": true });
    expect(() => applyJsonPatchOp(doc, { op: "replace", path: "/missing", value: 1 })).toThrow(/does not exist/);
  });

  it("rewrites images like kustomize's images transformer", () => {
    const rules = [
      { name: "jitsi/web", newTag: "stable-1" },
      { name: "registry:5000/app", newName: "ecr/app", digest: "sha256:ab" },
    ];
    expect(rewriteImage("jitsi/web", rules)).toBe("jitsi/web:stable-1");
    expect(rewriteImage("jitsi/web:old", rules)).toBe("jitsi/web:stable-1");
    expect(rewriteImage("registry:5000/app:1", rules)).toBe("ecr/app@sha256:ab");
    expect(rewriteImage("other:1", rules)).toBe("other:1");
  });
});
