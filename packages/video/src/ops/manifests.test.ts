/**
 * k8s/: every overlay renders, every object is valid against the Kubernetes schema
 * (kubernetes-models), and every container meets the policy in manifest-policy.ts. The renderer
 * is checked against `kubectl kustomize` whenever kubectl is installed.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
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

  // That Prosody accepts the room service's tokens and acts on their roles is checked on a deployed
  // cluster in ops.test.ts ("leaves a cluster where Prosody accepts ..."), not by re-reading the YAML.
  it("pins all four Jitsi images to one stable-NNNN release", () => {
    const objs = render("prod");
    const images = ["prosody", "jicofo", "jvb", "jitsi-web"].map(
      (n) => find(objs, "Deployment", n).spec.template.spec.containers[0].image as string,
    );
    const tags = new Set(images.map((i) => i.split(":")[1]));
    expect(tags.size).toBe(1);
    expect([...tags][0]).toMatch(/^stable-\d{4,}$/);
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
