/**
 * What the ops commands know about a stage: its SST outputs (`.sst/outputs.json`, written by
 * `sst deploy`), its secrets (environment first, then `sst secrets get`; the database's come from
 * AWS Secrets Manager, see deploy.ts), and a kube client pointed at its cluster. Commands run external programs
 * only through a `CommandRunner`, so tests can observe and answer them.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";

interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program; `inherit` streams its output to ours (sst remove), otherwise it is captured. */
export type CommandRunner = (cmd: string, args: string[], options?: { inherit?: boolean }) => Promise<CommandResult>;

export const runCommand: CommandRunner = (cmd, args, options = {}) =>
  new Promise((res, rej) => {
    const child = spawn(cmd, args, { stdio: options.inherit ? "inherit" : ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d) => {
      stdout += d;
    });
    child.stderr?.on("data", (d) => {
      stderr += d;
    });
    child.on("error", rej);
    child.on("exit", (code) => res({ code: code ?? 1, stdout, stderr }));
  });

export type Log = (line: string) => void;

/** Stages that hold patients' data: destructive commands need --yes there. */
export function isProdStage(stage: string): boolean {
  return /^(prod|production)$/i.test(stage);
}

/**
 * The outputs of every stack of `stage`, merged. SST v2 keys `.sst/outputs.json` by stack name,
 * `<stage>-<app>-<Stack>`.
 */
export function readStageOutputs(stage: string, file = resolve(".sst/outputs.json")): Record<string, string> {
  if (!existsSync(file)) {
    throw new Error(`no stack outputs at ${file}: run \`npx sst deploy --stage ${stage}\` first (or pass --outputs)`);
  }
  const all = JSON.parse(readFileSync(file, "utf8")) as Record<string, Record<string, string>>;
  const merged: Record<string, string> = {};
  for (const [stack, outputs] of Object.entries(all)) {
    if (stack.startsWith(`${stage}-`)) Object.assign(merged, outputs);
  }
  if (!Object.keys(merged).length) {
    throw new Error(`${file} has no outputs for stage "${stage}": run \`npx sst deploy --stage ${stage}\` first`);
  }
  return merged;
}

export function requireOutputs<K extends string>(outputs: Record<string, string>, keys: K[]): Record<K, string> {
  const missing = keys.filter((k) => !outputs[k]);
  if (missing.length) throw new Error(`stack outputs missing: ${missing.join(", ")} (see docs/kubernetes.md)`);
  return Object.fromEntries(keys.map((k) => [k, outputs[k]!])) as Record<K, string>;
}

/** A secret from the environment, else from SST (`sst secrets get NAME --stage S`). */
export async function stageSecret(
  name: string,
  stage: string,
  deps: { env: Record<string, string | undefined>; run: CommandRunner },
): Promise<string> {
  const fromEnv = deps.env[name];
  if (fromEnv) return fromEnv;
  const r = await deps.run("npx", ["sst", "secrets", "get", name, "--stage", stage]);
  const value = r.stdout.trim();
  if (r.code !== 0 || !value) {
    throw new Error(
      `secret ${name} is not set for stage ${stage}: \`npx sst secrets set ${name} <value> --stage ${stage}\``,
    );
  }
  return value;
}

/** The kube client for the stage, refusing a current context that is not the stage's cluster. */
export function loadKubeConfig(options: {
  kubeconfig?: string;
  clusterName?: string;
  anyContext?: boolean;
}): KubeConfig {
  const kc = new KubeConfig();
  if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
  else kc.loadFromDefault();
  assertStageContext(kc, options.clusterName, options.anyContext);
  return kc;
}

/**
 * EKS contexts written by `aws eks update-kubeconfig` name the cluster by ARN, ending in
 * `cluster/<name>`. Deploying prod's overlay into dev's cluster (or deleting prod's load balancers
 * from a dev shell) starts with the wrong context, so that is refused unless --any-context.
 */
export function assertStageContext(kc: KubeConfig, clusterName: string | undefined, anyContext = false): void {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error("no current Kubernetes context: run the stack's KubeconfigCommand output first");
  if (!clusterName || anyContext) return;
  const names = [cluster.name, kc.getCurrentContext()];
  if (!names.some((n) => n === clusterName || n?.endsWith(`/${clusterName}`))) {
    throw new Error(
      `the current Kubernetes context (${kc.getCurrentContext()}) is not cluster ${clusterName}; ` +
        "switch context (see the KubeconfigCommand output) or pass --any-context",
    );
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
