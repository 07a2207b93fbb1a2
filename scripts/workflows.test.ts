/**
 * The GitHub workflows, read as data: CI is .ci/run; deploy assumes a role through OIDC (no keys),
 * picks the stage from the ref, and runs sst deploy → image push (tagged with the commit) →
 * video:deploy, in that order. GitHub itself is not run here.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const read = (name: string) => readFileSync(new URL(`../.github/workflows/${name}`, import.meta.url), "utf8");

describe("workflows", () => {
  it("ci.yml runs .ci/run and nothing else", () => {
    const ci = parse(read("ci.yml"));
    const runs = ci.jobs.ci.steps.filter((s: any) => s.run).map((s: any) => s.run.trim());
    expect(runs).toEqual(["bash .ci/run"]);
  });

  it("deploy.yml: main → dev, v* tags → prod, OIDC only, in order", () => {
    const text = read("deploy.yml");
    const wf = parse(text);
    expect(wf.on.push.branches).toEqual(["main"]);
    expect(wf.on.push.tags).toEqual(["v*"]);
    expect(wf.permissions["id-token"]).toBe("write");
    const job = wf.jobs.deploy;
    expect(job.env.STAGE).toBe("${{ startsWith(github.ref, 'refs/tags/v') && 'prod' || 'dev' }}");
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
    expect(steps[assume].with["role-to-assume"]).toBe("${{ vars.AWS_DEPLOY_ROLE_ARN }}");
    expect(assume).toBeGreaterThanOrEqual(0);
    expect(deploy).toBeGreaterThan(assume);
    expect(pushes.map(([s]) => s.with.target)).toEqual(["core", "video"]);
    for (const [s, i] of pushes) {
      expect(i).toBeGreaterThan(deploy);
      expect(i).toBeLessThan(video);
      expect(s.with.tags).toMatch(/:\$\{\{ github\.sha \}\}$/);
    }
  });
});
