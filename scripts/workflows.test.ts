/**
 * The GitHub workflows, read as data and exercised where they compute something: CI is .ci/run (and
 * that script parses); deploy runs for pushes to main and v* tags only, derives the stage from the
 * ref the same way in its concurrency group, environment and STAGE (main → dev, v* tags → prod),
 * assumes a role through OIDC (no keys, no hard-coded account), and runs sst deploy → image push
 * (tagged with the commit) → video:deploy, in that order. GitHub itself is not run here: the
 * expressions are evaluated by a small interpreter of the subset they use.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const read = (name: string) => readFileSync(new URL(`../.github/workflows/${name}`, import.meta.url), "utf8");

/**
 * Evaluates a workflow value with `${{ }}` expressions for one push. The subset used here (string
 * literals, `&&`, `||`, context properties, `startsWith`) means the same in JavaScript, where
 * `startsWith` is GitHub's case-insensitive one.
 */
interface PushContext {
  github: { ref: string; sha: string };
  vars: Record<string, string>;
  steps?: Record<string, { outputs: Record<string, string> }>;
}

function evaluate(value: string, context: PushContext) {
  return value.replace(/\$\{\{(.*?)\}\}/g, (_m, expr: string) => {
    const startsWith = (a: string, b: string) => String(a).toLowerCase().startsWith(String(b).toLowerCase());
    const fn = new Function("startsWith", "github", "vars", "steps", `return (${expr});`);
    return String(fn(startsWith, context.github, context.vars, context.steps ?? {}) ?? "");
  });
}

/** GitHub's branch and tag filters: `*` matches anything but `/`. */
const matchesFilter = (filters: string[], name: string) =>
  filters.some((f) => new RegExp(`^${f.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*")}$`).test(name));

describe("workflows", () => {
  it("ci.yml runs .ci/run and nothing else, and .ci/run is a script bash can parse", () => {
    const ci = parse(read("ci.yml"));
    const runs = ci.jobs.ci.steps.filter((s: any) => s.run).map((s: any) => s.run.trim());
    expect(runs).toEqual(["bash .ci/run"]);
    expect(() => execFileSync("bash", ["-n", new URL("../.ci/run", import.meta.url).pathname])).not.toThrow();
  });

  it("deploy.yml: main → dev, v* tags → prod, other refs do not deploy; group, environment and STAGE agree", () => {
    const wf = parse(read("deploy.yml"));
    const job = wf.jobs.deploy;
    const pushes: Array<[string, string | null]> = [
      ["refs/heads/main", "dev"],
      ["refs/tags/v1.4.0", "prod"],
      ["refs/tags/v2.0.0-rc.1", "prod"],
      ["refs/heads/feature/x", null],
      ["refs/tags/release-1", null],
    ];
    for (const [ref, stage] of pushes) {
      const [, kind, name] = /^refs\/(heads|tags)\/(.+)$/.exec(ref)!;
      const triggered = matchesFilter(wf.on.push[kind === "heads" ? "branches" : "tags"] ?? [], name!);
      expect(triggered, ref).toBe(stage !== null);
      if (!stage) continue;
      const ctx = { github: { ref, sha: "abc123" }, vars: { AWS_DEPLOY_ROLE_ARN: "arn:aws:iam::1:role/deploy" } };
      expect(evaluate(job.env.STAGE, ctx), ref).toBe(stage);
      expect(evaluate(job.environment, ctx), ref).toBe(stage);
      expect(evaluate(wf.concurrency.group, ctx), ref).toBe(`deploy-${stage}`);
    }
    expect(wf.concurrency["cancel-in-progress"]).toBe(false);
  });

  it("deploy.yml: OIDC only, in order", () => {
    const text = read("deploy.yml");
    const wf = parse(text);
    expect(wf.permissions["id-token"]).toBe("write");
    const job = wf.jobs.deploy;
    // No long-lived credentials in any form.
    expect(text).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws-access-key-id|secrets\.AWS/);
    const steps: any[] = job.steps;
    const index = (pred: (s: any) => boolean) => steps.findIndex(pred);
    const assume = index((s) => String(s.uses).startsWith("aws-actions/configure-aws-credentials"));
    const deploy = index((s) => /npx sst deploy --stage "\$STAGE"/.test(s.run ?? ""));
    const pushes = steps
      .map((s, i) => [s, i] as const)
      .filter(([s]) => String(s.uses).startsWith("docker/build-push-action"));
    const video = index((s) => /npm run video:deploy -- --stage "\$STAGE"/.test(s.run ?? ""));
    // The role comes from a repository variable: no account id is written into the workflow.
    const ctx: PushContext = {
      github: { ref: "refs/heads/main", sha: "abc123" },
      vars: { AWS_DEPLOY_ROLE_ARN: "arn:x" },
      steps: { out: { outputs: { core: "ecr/core", video: "ecr/video" } } },
    };
    const outputs = index((s) => s.id === "out");
    expect(evaluate(steps[assume].with["role-to-assume"], ctx)).toBe("arn:x");
    expect(assume).toBeGreaterThanOrEqual(0);
    expect(deploy).toBeGreaterThan(assume);
    expect(pushes.map(([s]) => s.with.target)).toEqual(["core", "video"]);
    for (const [s, i] of pushes) {
      expect(i).toBeGreaterThan(Math.max(deploy, outputs));
      expect(i).toBeLessThan(video);
      // Each image goes to its own repository of the stage, tagged with the commit.
      expect(evaluate(String(s.with.tags), ctx)).toBe(`ecr/${s.with.target}:abc123`);
    }
  });
});
