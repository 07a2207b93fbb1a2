/**
 * Renders a kustomization the way `kubectl kustomize` does, for exactly the subset HealthFlow's
 * k8s/ folder uses, so that CI and `npm run video:deploy` need no kubectl binary (Debian only
 * ships a 1.20 kubectl whose kustomize v2 predates `patches`; no registry ships a current one).
 *
 * Supported kustomization fields: `resources` (files and folders), `namespace`, `images`
 * (newName/newTag/digest), `patches` (JSON 6902 operations with a `target` of kind/name, inline or
 * by `path`). Anything else is refused loudly rather than ignored, so the renderer cannot silently
 * drift from kubectl; manifests.test.ts compares both renderings whenever kubectl is present.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseAllDocuments } from "yaml";

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

interface ImageRule {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

interface PatchRule {
  path?: string;
  patch?: string;
  target?: { kind?: string; name?: string; group?: string; version?: string; namespace?: string };
}

const SUPPORTED = new Set(["apiVersion", "kind", "resources", "namespace", "images", "patches"]);

/** Kinds that have no namespace; the namespace field leaves them alone (only those we might use). */
const CLUSTER_SCOPED = new Set([
  "Namespace",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
  "PriorityClass",
  "StorageClass",
  "PersistentVolume",
  "IngressClass",
]);

export function renderKustomization(dir: string): KubeObject[] {
  return sortLikeKustomize(build(resolve(dir)));
}

function build(dir: string): KubeObject[] {
  const file = ["kustomization.yaml", "kustomization.yml", "Kustomization"].map((f) => join(dir, f)).find(existsSync);
  if (!file) throw new Error(`kustomize: no kustomization.yaml in ${dir}`);
  const k = (readYamlDocs(file)[0] ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(k)) {
    if (!SUPPORTED.has(key)) throw new Error(`kustomize: ${file}: field "${key}" is not supported by this renderer`);
  }

  let objects: KubeObject[] = [];
  for (const entry of (k.resources as string[] | undefined) ?? []) {
    const path = resolve(dir, entry);
    if (!existsSync(path)) throw new Error(`kustomize: ${file}: resource ${entry} not found`);
    if (statSync(path).isDirectory()) objects.push(...build(path));
    else objects.push(...(readYamlDocs(path) as KubeObject[]));
  }
  for (const o of objects) {
    if (!o?.apiVersion || !o.kind || !o.metadata?.name)
      throw new Error(`kustomize: object without apiVersion/kind/name`);
  }
  const seen = new Set<string>();
  for (const o of objects) {
    const id = objectId(o);
    if (seen.has(id)) throw new Error(`kustomize: ${file}: duplicate object ${id}`);
    seen.add(id);
  }

  // kustomize's order within one level: patches, then namespace, then images (builtin transformers).
  for (const p of (k.patches as PatchRule[] | undefined) ?? []) objects = applyPatchRule(objects, p, dir, file);
  if (typeof k.namespace === "string") {
    for (const o of objects) if (!CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace = k.namespace;
  }
  const images = (k.images as ImageRule[] | undefined) ?? [];
  if (images.length) for (const o of objects) setImages(o, images);
  return objects;
}

function readYamlDocs(file: string): unknown[] {
  return parseAllDocuments(readFileSync(file, "utf8"))
    .map((d) => {
      if (d.errors.length) throw new Error(`kustomize: ${file}: ${d.errors[0]!.message}`);
      return d.toJS();
    })
    .filter((d) => d !== null && d !== undefined);
}

function objectId(o: Pick<KubeObject, "apiVersion" | "kind" | "metadata">): string {
  return `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
}

function applyPatchRule(objects: KubeObject[], rule: PatchRule, dir: string, file: string): KubeObject[] {
  const text = rule.patch ?? (rule.path ? readFileSync(resolve(dir, rule.path), "utf8") : undefined);
  if (!text) throw new Error(`kustomize: ${file}: a patch needs "patch" or "path"`);
  const ops = readOps(text, file);
  const t = rule.target;
  if (!t || (!t.kind && !t.name)) throw new Error(`kustomize: ${file}: a JSON 6902 patch needs a target`);
  const matches = objects.filter((o) => {
    const [group, version] = o.apiVersion.includes("/") ? o.apiVersion.split("/") : ["", o.apiVersion];
    return (
      (!t.kind || t.kind === o.kind) &&
      (!t.name || t.name === o.metadata.name) &&
      (t.group === undefined || t.group === group) &&
      (t.version === undefined || t.version === version) &&
      (!t.namespace || t.namespace === o.metadata.namespace)
    );
  });
  if (!matches.length) throw new Error(`kustomize: ${file}: patch target ${JSON.stringify(t)} matches nothing`);
  for (const o of matches) for (const op of ops) applyJsonPatchOp(o, op);
  return objects;
}

export interface JsonPatchOp {
  op: "add" | "replace" | "remove";
  path: string;
  value?: unknown;
}

function readOps(text: string, file: string): JsonPatchOp[] {
  const doc = parseAllDocuments(text)[0]?.toJS();
  if (!Array.isArray(doc)) {
    throw new Error(`kustomize: ${file}: only JSON 6902 patches (a list of operations) are supported`);
  }
  for (const op of doc) {
    if (!["add", "replace", "remove"].includes(op?.op)) {
      throw new Error(`kustomize: ${file}: patch operation "${op?.op}" is not supported`);
    }
  }
  return doc as JsonPatchOp[];
}

/** RFC 6902 add/replace/remove on a plain JSON value, in place. */
export function applyJsonPatchOp(target: unknown, op: JsonPatchOp): void {
  const parts = op.path
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (!parts.length) throw new Error(`json patch: cannot ${op.op} the whole document`);
  let node: any = target;
  for (const part of parts.slice(0, -1)) {
    node = Array.isArray(node) ? node[arrayIndex(node, part, false)] : node?.[part];
    if (node === undefined || node === null || typeof node !== "object") {
      throw new Error(`json patch: path ${op.path} does not exist`);
    }
  }
  const last = parts.at(-1)!;
  if (Array.isArray(node)) {
    if (op.op === "add") node.splice(last === "-" ? node.length : arrayIndex(node, last, true), 0, op.value);
    else if (op.op === "replace") node[arrayIndex(node, last, false)] = op.value;
    else node.splice(arrayIndex(node, last, false), 1);
    return;
  }
  if (op.op !== "add" && !(last in node)) throw new Error(`json patch: path ${op.path} does not exist`);
  if (op.op === "remove") delete node[last];
  else node[last] = op.value;
}

function arrayIndex(arr: unknown[], part: string, forInsert: boolean): number {
  const i = Number(part);
  if (!/^\d+$/.test(part) || i > arr.length || (!forInsert && i === arr.length)) {
    throw new Error(`json patch: bad array index ${part}`);
  }
  return i;
}

/** The images transformer: every `image:` of a container or init container, wherever it sits. */
function setImages(node: unknown, rules: ImageRule[]): void {
  if (Array.isArray(node)) {
    for (const n of node) setImages(n, rules);
    return;
  }
  if (!node || typeof node !== "object") return;
  for (const [key, value] of Object.entries(node)) {
    if ((key === "containers" || key === "initContainers") && Array.isArray(value)) {
      for (const c of value) if (typeof c?.image === "string") c.image = rewriteImage(c.image, rules);
    } else {
      setImages(value, rules);
    }
  }
}

export function rewriteImage(image: string, rules: ImageRule[]): string {
  const { name, tag, digest } = splitImage(image);
  const rule = rules.find((r) => r.name === name);
  if (!rule) return image;
  const newName = rule.newName ?? name;
  if (rule.digest) return `${newName}@${rule.digest}`;
  if (rule.newTag) return `${newName}:${rule.newTag}`;
  return `${newName}${digest ? `@${digest}` : tag ? `:${tag}` : ""}`;
}

function splitImage(image: string): { name: string; tag?: string; digest?: string } {
  const at = image.indexOf("@");
  if (at >= 0) return { name: image.slice(0, at), digest: image.slice(at + 1) };
  const colon = image.lastIndexOf(":");
  // A colon before the last slash belongs to a registry port, not a tag.
  if (colon > image.lastIndexOf("/")) return { name: image.slice(0, colon), tag: image.slice(colon + 1) };
  return { name: image };
}

// kustomize's "legacy" output order (api/resid/gvk.go): these kinds first, in this order; the rest
// by group_version_kind; then by namespace and name.
const ORDER_FIRST = [
  "Namespace",
  "ResourceQuota",
  "StorageClass",
  "CustomResourceDefinition",
  "ServiceAccount",
  "PodSecurityPolicy",
  "Role",
  "ClusterRole",
  "RoleBinding",
  "ClusterRoleBinding",
  "ConfigMap",
  "Secret",
  "Endpoints",
  "Service",
  "LimitRange",
  "PriorityClass",
  "PersistentVolume",
  "PersistentVolumeClaim",
  "Deployment",
  "StatefulSet",
  "CronJob",
  "PodDisruptionBudget",
];
const ORDER_LAST = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];

function kindRank(kind: string): number {
  const first = ORDER_FIRST.indexOf(kind);
  if (first >= 0) return first - ORDER_FIRST.length;
  const last = ORDER_LAST.indexOf(kind);
  return last >= 0 ? last + 1 : 0;
}

function gvkString(o: KubeObject): string {
  const [group, version] = o.apiVersion.includes("/") ? o.apiVersion.split("/") : ["~G", o.apiVersion];
  return `${group}_${version}_${o.kind}`;
}

function sortLikeKustomize(objects: KubeObject[]): KubeObject[] {
  return [...objects].sort(
    (a, b) =>
      kindRank(a.kind) - kindRank(b.kind) ||
      cmp(gvkString(a), gvkString(b)) ||
      cmp(a.metadata.namespace ?? "", b.metadata.namespace ?? "") ||
      cmp(a.metadata.name, b.metadata.name),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Where the overlays live, from any working directory inside the repository. */
export function overlayDir(stage: string, root = resolve(import.meta.dirname, "../../../..")): string {
  const dir = join(root, "k8s", "overlays", stage);
  if (!existsSync(dir)) {
    // Any other stage (a developer's own, a preview) is sized like dev.
    return join(root, "k8s", "overlays", "dev");
  }
  return dir;
}
