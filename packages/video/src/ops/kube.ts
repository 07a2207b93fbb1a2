/** Small helpers over @kubernetes/client-node shared by the ops commands. */
import {
  ApiException,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
} from "@kubernetes/client-node";
import type { Log } from "./stage.js";
import { sleep } from "./stage.js";

const FIELD_MANAGER = "healthflow-ops";

export class Kube {
  readonly objects: KubernetesObjectApi;
  constructor(readonly kc: KubeConfig) {
    this.objects = KubernetesObjectApi.makeApiClient(kc);
  }

  /** Server-side apply, forcing ownership of the fields we declare (we are their only author). */
  async apply<T extends KubernetesObject>(obj: T): Promise<T> {
    return this.objects.patch(obj, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
  }

  async read<T extends KubernetesObject>(header: {
    apiVersion: string;
    kind: string;
    name: string;
    namespace?: string;
  }): Promise<T | undefined> {
    try {
      return (await this.objects.read({
        apiVersion: header.apiVersion,
        kind: header.kind,
        metadata: { name: header.name, namespace: header.namespace },
      })) as T;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Deletes (dependents in the background); true when it existed. */
  async delete(obj: KubernetesObject): Promise<boolean> {
    try {
      await this.objects.delete(obj, undefined, undefined, undefined, undefined, "Background");
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }
}

function isNotFound(err: unknown): boolean {
  return err instanceof ApiException && err.code === 404;
}

export function describe(o: KubernetesObject): string {
  return `${o.kind}/${o.metadata?.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata?.name}`;
}

/**
 * Polls `check` until it returns a value (done) or the deadline passes (throws with the last
 * progress line). Progress is logged when it changes, and at least every `heartbeatMs`.
 */
export async function waitUntil<T>(options: {
  what: string;
  timeoutMs: number;
  pollMs: number;
  log: Log;
  heartbeatMs?: number;
  check: () => Promise<{ done: true; value: T } | { done: false; progress: string }>;
}): Promise<T> {
  const start = Date.now();
  const heartbeat = options.heartbeatMs ?? 10_000;
  let lastLine = "";
  let lastAt = 0;
  for (;;) {
    const r = await options.check();
    const elapsed = Math.round((Date.now() - start) / 1000);
    if (r.done) {
      options.log(`  ✓ ${options.what} (${elapsed}s)`);
      return r.value;
    }
    if (r.progress !== lastLine || Date.now() - lastAt >= heartbeat) {
      options.log(`  … ${options.what}: ${r.progress} (${elapsed}s)`);
      lastLine = r.progress;
      lastAt = Date.now();
    }
    if (Date.now() - start >= options.timeoutMs) {
      throw new Error(
        `timed out after ${Math.round(options.timeoutMs / 1000)}s waiting for ${options.what}: ${r.progress}`,
      );
    }
    await sleep(options.pollMs);
  }
}
