/**
 * The GitHub workflows, read as data, and deploy.yml's gate script run for real (bash, git, a
 * stand-in `gh`): CI is .ci/run; deploy runs only for a commit CI passed on, prod only from main;
 * it assumes a role through OIDC (no keys) and runs sst deploy → image push (tagged with the
 * commit) → video:deploy, in that order; every action is pinned by commit SHA. GitHub itself is
 * not run here.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const read = (name: string) => readFileSync(new URL(`../.github/workflows/${name}`, import.meta.url), "utf8");
const usesOf = (wf: any) =>
  Object.values(wf.jobs).flatMap((j: any) => j.steps.filter((s: any) => s.uses).map((s: any) => String(s.uses)));

describe("workflows", () => {
  it("ci.yml runs .ci/run and nothing else", () => {
    const ci = parse(read("ci.yml"));
    const runs = ci.jobs.ci.steps.filter((s: any) => s.run).map((s: any) => s.run.trim());
    expect(runs).toEqual(["bash .ci/run"]);
  });

  it("every action in every workflow is pinned to a full commit SHA", () => {
    for (const name of ["ci.yml", "deploy.yml"]) {
      const uses = usesOf(parse(read(name)));
      expect(uses.length, name).toBeGreaterThan(0);
      for (const u of uses) expect(u, name).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
    }
  });

  it("deploy.yml: dev after CI passed on main, prod from v* tags through the gate, OIDC only, in order", () => {
    const text = read("deploy.yml");
    const wf = parse(text);
    expect(wf.on.workflow_run).toEqual({ workflows: ["ci"], types: ["completed"], branches: ["main"] });
    expect(wf.on.push).toEqual({ tags: ["v*"] }); // no plain push to main: that goes through CI first
    const job = wf.jobs.deploy;
    expect(job.needs).toBe("gate");
    expect(job.if).toBe("needs.gate.outputs.go == 'true'");
    expect(job.permissions["id-token"]).toBe("write");
    expect(wf.permissions["id-token"]).toBeUndefined();
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, as the workflow spells it
    expect(job.env.STAGE).toBe("${{ needs.gate.outputs.stage }}");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, as the workflow spells it
    expect(job.env.IMAGE_TAG).toBe("${{ needs.gate.outputs.sha }}");
    // No long-lived credentials in any form.
    expect(text).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws-access-key-id|secrets\.AWS/);
    const steps: any[] = job.steps;
    // It builds and deploys the commit CI tested, not whatever main points at now.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, as the workflow spells it
    expect(steps[0].with.ref).toBe("${{ needs.gate.outputs.sha }}");
    const index = (pred: (s: any) => boolean) => steps.findIndex(pred);
    const assume = index((s) => String(s.uses).startsWith("aws-actions/configure-aws-credentials"));
    const deploy = index((s) => /npx sst deploy --stage "\$STAGE"/.test(s.run ?? ""));
    const pushes = steps
      .map((s, i) => [s, i] as const)
      .filter(([s]) => String(s.uses).startsWith("docker/build-push-action"));
    const video = index((s) => /npm run video:deploy -- --stage "\$STAGE"/.test(s.run ?? ""));
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, as the workflow spells it
    expect(steps[assume].with["role-to-assume"]).toBe("${{ vars.AWS_DEPLOY_ROLE_ARN }}");
    expect(assume).toBeGreaterThanOrEqual(0);
    expect(deploy).toBeGreaterThan(assume);
    expect(pushes.map(([s]) => s.with.target)).toEqual(["core", "video"]);
    for (const [s, i] of pushes) {
      expect(i).toBeGreaterThan(deploy);
      expect(i).toBeLessThan(video);
      expect(s.with.tags).toMatch(/:\$\{\{ needs\.gate\.outputs\.sha \}\}$/);
    }
    // The settings prod requires reach sst deploy.
    for (const v of [
      "HEALTHFLOW_DOMAIN",
      "HEALTHFLOW_HOSTED_ZONE_ID",
      "HEALTHFLOW_JITSI_SECRET_ARN",
      "HEALTHFLOW_DEPLOY_ROLE_ARN",
    ]) {
      expect(Object.keys(job.env)).toContain(v);
    }
  });
});

describe("deploy.yml's gate, run with bash and git", () => {
  const script = parse(read("deploy.yml")).jobs.gate.steps.find((s: any) => s.id === "decide").run as string;
  const git = (cwd: string, ...args: string[]) =>
    execFileSync("git", ["-c", "user.email=ci@example.test", "-c", "user.name=ci", ...args], {
      cwd,
      encoding: "utf8",
    }).trim();

  /** origin (bare) with main: A → B, a side branch from A: C; a clone of it to run in. */
  function repo() {
    const dir = mkdtempSync(join(tmpdir(), "hf-gate-"));
    const work = join(dir, "work");
    git(dir, "init", "-q", "--bare", "origin.git");
    git(dir, "clone", "-q", join(dir, "origin.git"), "work");
    git(work, "checkout", "-q", "-b", "main");
    const commit = (m: string) => {
      git(work, "commit", "-q", "--allow-empty", "-m", m);
      return git(work, "rev-parse", "HEAD");
    };
    const a = commit("A");
    const b = commit("B");
    git(work, "push", "-q", "origin", "main");
    git(work, "checkout", "-q", "-b", "side", a);
    const c = commit("C");
    git(work, "checkout", "-q", "main");
    // A stand-in for the GitHub CLI: the number of successful ci runs on main for the commit.
    const bin = join(dir, "bin");
    execFileSync("mkdir", [bin]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell default in a script's text
    writeFileSync(join(bin, "gh"), '#!/bin/sh\necho "${FAKE_CI_SUCCESSES:-0}"\n');
    chmodSync(join(bin, "gh"), 0o755);
    return { work, bin, b, c };
  }

  function gate(r: ReturnType<typeof repo>, env: Record<string, string>) {
    const outFile = join(r.work, "..", `out-${Math.random()}`);
    writeFileSync(outFile, "");
    const res = spawnSync("bash", ["-c", script], {
      cwd: r.work,
      env: { PATH: `${r.bin}:${process.env.PATH}`, GITHUB_OUTPUT: outFile, GITHUB_REF_NAME: "v1.0.0", ...env },
      encoding: "utf8",
    });
    const out = Object.fromEntries(
      readFileSync(outFile, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split("=") as [string, string]),
    );
    return { code: res.status, out, log: res.stdout + res.stderr };
  }

  it("dev: deploys the commit of a successful CI run of a push to main, nothing else", () => {
    const r = repo();
    const run = (over: Record<string, string>) =>
      gate(r, {
        EVENT: "workflow_run",
        RUN_CONCLUSION: "success",
        RUN_EVENT: "push",
        RUN_BRANCH: "main",
        RUN_SHA: r.b,
        ...over,
      });
    expect(run({}).out).toEqual({ go: "true", stage: "dev", sha: r.b });
    expect(run({ RUN_CONCLUSION: "failure" }).out.go).toBe("false");
    expect(run({ RUN_EVENT: "pull_request" }).out.go).toBe("false");
    expect(run({ RUN_BRANCH: "side" }).out.go).toBe("false");
  });

  it("prod: a tag on main with CI passed deploys; a tag elsewhere does nothing; untested fails", () => {
    const r = repo();
    const onMain = gate(r, { EVENT: "push", GITHUB_SHA: r.b, FAKE_CI_SUCCESSES: "1" });
    expect(onMain).toMatchObject({ code: 0, out: { go: "true", stage: "prod", sha: r.b } });
    const elsewhere = gate(r, { EVENT: "push", GITHUB_SHA: r.c, FAKE_CI_SUCCESSES: "1" });
    expect(elsewhere).toMatchObject({ code: 0, out: { go: "false", stage: "prod" } });
    expect(elsewhere.log).toContain("not on main");
    const untested = gate(r, { EVENT: "push", GITHUB_SHA: r.b, FAKE_CI_SUCCESSES: "0" });
    expect(untested.code).not.toBe(0);
    expect(untested.log).toContain("CI has not passed");
  });
});
