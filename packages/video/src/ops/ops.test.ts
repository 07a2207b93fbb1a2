/**
 * video:deploy, teardown and video:status against a fake Kubernetes API server that speaks the
 * real HTTP paths and JSON of @kubernetes/client-node (fake-kube-api.ts). External programs (sst,
 * aws) go through an injected runner that records the calls.
 */

import { FakeKubeApi, type FakeKubeOptions } from "@healthflow/test-kit/fake-kube-api";
import { KubeConfig } from "@kubernetes/client-node";
import { jwtVerify } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { jitsiRoomConfig } from "../jitsi.js";
import { deployVideo } from "./deploy.js";
import type { CommandRunner } from "./stage.js";
import { assertStageContext, readStageOutputs } from "./stage.js";
import { videoStatus } from "./status.js";
import { teardown } from "./teardown.js";

let fake: FakeKubeApi | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

async function startFake(options: FakeKubeOptions = {}) {
  fake = new FakeKubeApi(options);
  await fake.start();
  const kc = new KubeConfig();
  kc.loadFromString(fake.kubeconfig());
  return { fake, kc };
}

function recorder(answers: Record<string, string> = {}) {
  const calls: string[] = [];
  const run: CommandRunner = async (cmd, args) => {
    const line = [cmd, ...args].join(" ");
    calls.push(line);
    for (const [prefix, stdout] of Object.entries(answers))
      if (line.startsWith(prefix)) return { code: 0, stdout, stderr: "" };
    return { code: 0, stdout: "", stderr: "" };
  };
  return { calls, run };
}

const outputs: Record<string, string> = {
  WebUrl: "https://app.dev.example.test",
  VideoUrl: "https://video.dev.example.test",
  JitsiDomain: "meet.dev.example.test",
  JitsiAppId: "healthflow-dev",
  JitsiSecretArn: "none",
  CertificateArn: "arn:aws:acm:eu-west-1:000000000000:certificate/0000-1111",
  ClusterName: "healthflow-test",
  CoreRepositoryUri: "000000000000.dkr.ecr.eu-west-1.amazonaws.com/healthflow-core",
  VideoRepositoryUri: "000000000000.dkr.ecr.eu-west-1.amazonaws.com/healthflow-video",
  CoreTargetGroupArn: "arn:aws:elasticloadbalancing:eu-west-1:000000000000:targetgroup/core/0123456789abcdef",
  DatabaseClusterArn: "arn:aws:rds:eu-west-1:000000000000:cluster:db",
  DatabaseSecretArn: "arn:aws:secretsmanager:eu-west-1:000000000000:secret:db",
  DatabaseAppUserSecretArn: "arn:aws:secretsmanager:eu-west-1:000000000000:secret:app",
  DatabaseHost: "db.cluster.internal",
  DatabaseName: "healthflow",
};
/** A stage deployed without HEALTHFLOW_DOMAIN. */
const noDomain = { ...outputs, VideoUrl: "none", JitsiDomain: "none", CertificateArn: "none" };

const secretEnv = {
  HEALTHFLOW_SECRET: "s".repeat(40),
  JITSI_APP_SECRET: "j".repeat(32),
};
const RDS_CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const fetchRdsCa = async (region: string) => {
  expect(region).toBe("eu-west-1");
  return RDS_CA;
};

/** A Deployment's first container's environment as the kubelet assembles it from the cluster's objects. */
function containerEnv(api: FakeKubeApi, namespace: string, deployment: string): Record<string, string> {
  const container = api.get("Deployment", namespace, deployment).spec.template.spec.containers[0];
  const env: Record<string, string> = {};
  const secretValue = (name: string, key: string) => {
    const secret = api.get("Secret", namespace, name);
    return secret.stringData?.[key] ?? Buffer.from(secret.data[key], "base64").toString();
  };
  for (const from of container.envFrom ?? [])
    if (from.configMapRef) Object.assign(env, api.get("ConfigMap", namespace, from.configMapRef.name).data);
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.secretKeyRef)
      env[e.name] = secretValue(e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key);
    else if (e.valueFrom?.configMapKeyRef)
      env[e.name] = api.get("ConfigMap", namespace, e.valueFrom.configMapKeyRef.name).data[
        e.valueFrom.configMapKeyRef.key
      ];
  }
  return env;
}

describe("video:deploy", () => {
  it("leaves a cluster where Prosody accepts the room service's tokens and acts on the doctor's and patient's roles", async () => {
    const { fake, kc } = await startFake({ rolloutMs: 50, jobMs: 20, lbProvisionMs: 20 });
    const { run } = recorder({
      "aws secretsmanager get-secret-value": JSON.stringify({ username: "u", password: "p" }),
    });
    await deployVideo(
      { stage: "dev", tag: "abc123", outputs, pollMs: 10, timeoutMs: 10_000 },
      { kc, run, env: secretEnv, log: () => {}, resolve4: async () => ["203.0.113.7"], fetchRdsCa },
    );
    // The two sides as deployed: what the room service signs with, and what Prosody verifies with.
    const video = containerEnv(fake, "healthflow", "video");
    const prosody = containerEnv(fake, "healthflow", "prosody");
    expect(prosody).toMatchObject({ ENABLE_AUTH: "1", AUTH_TYPE: "jwt", ENABLE_GUESTS: "0" });
    const modules = prosody.XMPP_MUC_MODULES!.split(",");
    const now = Date.now();
    for (const role of ["doctor", "patient"] as const) {
      const { jwt } = await jitsiRoomConfig(
        {
          domain: video.JITSI_DOMAIN!,
          appId: video.JITSI_APP_ID,
          appSecret: video.JITSI_APP_SECRET,
          audience: video.JITSI_AUDIENCE,
        },
        "a3f1c2",
        { id: "u-1", name: "Ana", role },
        { opensAt: new Date(now - 60_000), closesAt: new Date(now + 3_600_000) },
      );
      expect(jwt, "the room service is configured for JWT rooms").toBeDefined();
      // Prosody's token check: signature with its secret, issuer and audience among those it accepts.
      const { payload } = await jwtVerify(jwt!, new TextEncoder().encode(prosody.JWT_APP_SECRET), {
        issuer: prosody.JWT_ACCEPTED_ISSUERS!.split(","),
        audience: prosody.JWT_ACCEPTED_AUDIENCES!.split(","),
      });
      expect(payload.iss).toBe(prosody.JWT_APP_ID);
      // The role claims only matter if the plugin that reads each one is loaded, and the lobby is on.
      const user = (payload.context as { user: Record<string, string> }).user;
      expect(user.affiliation).toBe(role === "doctor" ? "owner" : "member");
      expect(modules).toContain("token_affiliation");
      // The plugin matches the boolean true only (jitsi.ts).
      expect(user.lobby_bypass).toBe(role === "doctor");
      expect(modules).toContain("token_lobby_bypass");
      expect(prosody.ENABLE_LOBBY).toBe("1");
    }
  });

  it("writes secrets and config first, applies everything server-side, reruns the migration, waits, prints URLs", async () => {
    const { fake, kc } = await startFake({ rolloutMs: 800, jobMs: 100, lbProvisionMs: 100 });
    const lines: string[] = [];
    const appPassword = "AppRolePassword0123456789abcdefghijklmno";
    const { calls, run } = recorder({
      "aws secretsmanager get-secret-value": JSON.stringify({ username: "healthflow_app", password: appPassword }),
    });
    const result = await deployVideo(
      { stage: "dev", tag: "abc123", outputs, pollMs: 20, timeoutMs: 10_000 },
      {
        kc,
        run,
        env: secretEnv,
        log: (l) => lines.push(l),
        resolve4: async () => ["203.0.113.7", "198.51.100.4"],
        fetchRdsCa,
      },
    );

    // The app role's password from Secrets Manager, then the role made through the Data API as the
    // master user, carrying a SCRAM verifier and never the password itself.
    expect(calls[0]).toContain(`aws secretsmanager get-secret-value --secret-id ${outputs.DatabaseAppUserSecretArn}`);
    const sql = calls.slice(1);
    expect(sql).toHaveLength(8);
    for (const c of sql) {
      expect(c).toContain(
        `aws rds-data execute-statement --resource-arn ${outputs.DatabaseClusterArn} --secret-arn ${outputs.DatabaseSecretArn} --database healthflow --sql`,
      );
      expect(c).not.toContain(appPassword);
    }
    expect(sql[0]).toMatch(/ROLE healthflow_app WITH LOGIN NOSUPERUSER .* PASSWORD 'SCRAM-SHA-256\$4096:/);
    const app = fake.get("Secret", "healthflow", "healthflow-app");
    expect(app.stringData).toEqual({
      "database-url": `postgres://healthflow_app:${appPassword}@db.cluster.internal:5432/healthflow?sslmode=verify-full&sslrootcert=/etc/healthflow/rds-ca/ca.pem`,
      secret: secretEnv.HEALTHFLOW_SECRET,
      "jitsi-app-secret": secretEnv.JITSI_APP_SECRET,
    });
    expect(fake.get("ConfigMap", "healthflow", "rds-ca").data).toEqual({ "ca.pem": RDS_CA });
    expect(fake.get("Secret", "healthflow", "jitsi-internal").stringData["jvb-auth-password"]).toMatch(/^[\w-]{32}$/);

    // The core pods join the API load balancer's target group.
    expect(fake.get("TargetGroupBinding", "healthflow", "core").spec).toEqual({
      targetGroupARN: outputs.CoreTargetGroupArn,
      targetType: "ip",
      serviceRef: { name: "core", port: 80 },
    });

    // One Jitsi audience: what the pods sign with is what Prosody accepts.
    const stageCfg = fake.get("ConfigMap", "healthflow", "healthflow-stage").data;
    const jitsiCfg = fake.get("ConfigMap", "healthflow", "jitsi-stage").data;
    expect(stageCfg["jitsi-app-id"]).toBe("healthflow-dev");
    expect(jitsiCfg).toMatchObject({
      JWT_APP_ID: "healthflow-dev",
      JWT_ACCEPTED_ISSUERS: "healthflow-dev",
      JWT_ACCEPTED_AUDIENCES: "healthflow-dev",
      PUBLIC_URL: "https://meet.dev.example.test",
    });

    // Every request that changed state was a server-side apply with our field manager.
    const patches = fake.requests.filter((r) => r.method === "PATCH");
    expect(patches.length).toBeGreaterThan(20);
    for (const p of patches) {
      expect(p.contentType).toBe("application/apply-patch+yaml");
      expect(p.query.fieldManager).toBe("healthflow-ops");
      expect(p.query.force).toBe("true");
    }

    // Order: namespace, then what the pods reference, then workloads; the Job after the workloads.
    const m = fake.mutations();
    const at = (s: string) => m.indexOf(s);
    expect(at("APPLY Namespace/healthflow")).toBe(0);
    expect(at("APPLY Secret/healthflow-app")).toBeLessThan(at("APPLY Deployment/core"));
    expect(at("APPLY ConfigMap/jitsi-stage")).toBeLessThan(at("APPLY Deployment/prosody"));
    expect(at("APPLY Job/core-migrate")).toBeGreaterThan(at("APPLY Deployment/video"));
    expect(m).not.toContain("DELETE Job/core-migrate"); // nothing to delete on a first deploy

    // Images and hosts were set for the stage; the client kept fields such as the preStop sleep.
    const core = fake.get("Deployment", "healthflow", "core");
    expect(core.spec.template.spec.containers[0].image).toBe(`${outputs.CoreRepositoryUri}:abc123`);
    expect(core.spec.template.spec.containers[0].lifecycle.preStop.sleep.seconds).toBe(5);
    expect(fake.get("Job", "healthflow", "core-migrate").spec.template.spec.containers[0].image).toBe(
      `${outputs.CoreRepositoryUri}:abc123`,
    );
    expect(fake.get("Deployment", "healthflow", "video").spec.template.spec.containers[0].image).toBe(
      `${outputs.VideoRepositoryUri}:abc123`,
    );
    const ingress = fake.get("Ingress", "healthflow", "healthflow");
    expect(ingress.spec.rules.map((r: any) => r.host)).toEqual(["video.dev.example.test", "meet.dev.example.test"]);
    expect(ingress.spec.tls[0].hosts).toEqual(["video.dev.example.test", "meet.dev.example.test"]);
    // The stage's certificate by ARN: without it the controller searches ACM and may make no ALB.
    expect(ingress.metadata.annotations["alb.ingress.kubernetes.io/certificate-arn"]).toBe(outputs.CertificateArn);
    expect(fake.get("ConfigMap", "healthflow", "healthflow-stage").data).toEqual({
      "public-url": "https://app.dev.example.test",
      "jitsi-domain": "meet.dev.example.test",
      "jitsi-app-id": "healthflow-dev",
    });

    // The bridge learnt the NLB's addresses after it existed, and was rolled again for them.
    expect(fake.get("ConfigMap", "healthflow", "jitsi-stage").data.JVB_ADVERTISE_IPS).toBe("198.51.100.4,203.0.113.7");
    const jvbApplies = m.filter((x) => x === "APPLY Deployment/jvb");
    expect(jvbApplies).toHaveLength(2);
    expect(
      fake.get("Deployment", "healthflow", "jvb").spec.template.metadata.annotations[
        "healthflow.app/jvb-advertise-ips"
      ],
    ).toBe("198.51.100.4,203.0.113.7");

    // It waited: progress lines before the ticks, and the rollout was really complete at the end.
    expect(lines.some((l) => l.includes("… rollout of Deployment core"))).toBe(true);
    expect(lines.some((l) => l.includes("✓ rollout of Deployment core"))).toBe(true);
    expect(lines.some((l) => l.includes("✓ Job/healthflow/core-migrate succeeded"))).toBe(true);
    for (const d of ["core", "video", "prosody", "jicofo", "jvb", "jitsi-web"]) {
      const dep = fake.get("Deployment", "healthflow", d);
      expect(dep.status.updatedReplicas, d).toBe(dep.spec.replicas);
    }
    expect(result).toEqual({
      videoUrl: "https://video.dev.example.test",
      jitsiUrl: "https://meet.dev.example.test",
      albHostname: "healthflow-0123.elb.eu-west-1.amazonaws.com",
      mediaHostname: "jvb-udp-0123.elb.eu-west-1.amazonaws.com",
      mediaIps: ["198.51.100.4", "203.0.113.7"],
    });
    expect(lines.join("\n")).toContain("Room service  https://video.dev.example.test");
  });

  it("on a re-deploy, deletes the finished migrate Job before applying it again and keeps internal passwords", async () => {
    const { fake, kc } = await startFake({ rolloutMs: 20, jobMs: 20, lbProvisionMs: 0 });
    const deps = {
      kc,
      run: recorder().run,
      env: { ...secretEnv, DATABASE_URL: "postgres://x:y@db/healthflow" },
      log: () => {},
      resolve4: async () => ["203.0.113.7"],
      fetchRdsCa,
    };
    await deployVideo({ stage: "dev", tag: "one", outputs, pollMs: 10, timeoutMs: 5_000 }, deps);
    const password = fake.get("Secret", "healthflow", "jitsi-internal").stringData["jicofo-auth-password"];
    // The real API server returns Secrets with base64 `data`; make the fake look like that.
    const internal = fake.get("Secret", "healthflow", "jitsi-internal");
    internal.data = Object.fromEntries(
      Object.entries(internal.stringData as Record<string, string>).map(([k, v]) => [
        k,
        Buffer.from(v).toString("base64"),
      ]),
    );
    const before = fake.mutations().length;
    await deployVideo({ stage: "dev", tag: "two", outputs, pollMs: 10, timeoutMs: 5_000 }, deps);
    const second = fake.mutations().slice(before);
    expect(second.indexOf("DELETE Job/core-migrate")).toBeGreaterThan(-1);
    expect(second.indexOf("DELETE Job/core-migrate")).toBeLessThan(second.indexOf("APPLY Job/core-migrate"));
    expect(fake.get("Secret", "healthflow", "jitsi-internal").stringData["jicofo-auth-password"]).toBe(password);
    // Same media address as before: the bridge is not rolled a second time.
    expect(second.filter((x) => x === "APPLY Deployment/jvb")).toHaveLength(1);
  });

  it("fails, naming the Job, when the migration fails, and does not wait for rollouts", async () => {
    const { fake, kc } = await startFake({ rolloutMs: 20, jobMs: 30, jobOutcome: "fail" });
    const lines: string[] = [];
    await expect(
      deployVideo(
        { stage: "dev", tag: "t", outputs, pollMs: 10, timeoutMs: 5_000 },
        {
          kc,
          run: recorder().run,
          env: { ...secretEnv, DATABASE_URL: "postgres://x@db/h" },
          log: (l) => lines.push(l),
          fetchRdsCa,
        },
      ),
    ).rejects.toThrow(/core-migrate failed \(BackoffLimitExceeded/);
    expect(lines.some((l) => l.includes("rollout of Deployment"))).toBe(false);
    expect(fake.mutations()).toContain("APPLY Job/core-migrate");
  });

  it("times out with the last progress when a rollout never completes", async () => {
    const { kc } = await startFake({ rolloutMs: Number.POSITIVE_INFINITY, jobMs: 0 });
    await expect(
      deployVideo(
        { stage: "dev", tag: "t", outputs, pollMs: 10, timeoutMs: 300 },
        {
          kc,
          run: recorder().run,
          env: { ...secretEnv, DATABASE_URL: "postgres://x@db/h" },
          log: () => {},
          fetchRdsCa,
        },
      ),
    ).rejects.toThrow(/timed out after 0s waiting for rollout of Deployment core: 0\/1 updated/);
  });

  it("reads missing secrets from SST, the Jitsi key from its Secrets Manager secret, and refuses to start without the outputs", async () => {
    const { kc } = await startFake({ rolloutMs: 0, jobMs: 0, lbProvisionMs: 0 });
    const { calls, run } = recorder({
      "npx sst secrets get HEALTHFLOW_SECRET": `${"h".repeat(40)}\n`,
      "npx sst secrets get JITSI_APP_SECRET": `${"k".repeat(32)}\n`,
    });
    const deps = {
      kc,
      run,
      env: { DATABASE_URL: "postgres://x@db/h" },
      log: () => {},
      resolve4: async () => ["192.0.2.1"],
      fetchRdsCa,
    };
    await deployVideo({ stage: "dev", tag: "t", outputs, pollMs: 5, timeoutMs: 5_000 }, deps);
    expect(calls).toEqual([
      "npx sst secrets get HEALTHFLOW_SECRET --stage dev",
      "npx sst secrets get JITSI_APP_SECRET --stage dev",
    ]);
    calls.length = 0;
    const jitsiSecretArn = "arn:aws:secretsmanager:eu-west-1:000000000000:secret:jitsi";
    await deployVideo(
      { stage: "prod", tag: "t", outputs: { ...outputs, JitsiSecretArn: jitsiSecretArn }, pollMs: 5, timeoutMs: 5_000 },
      deps,
    );
    expect(calls).toEqual([
      "npx sst secrets get HEALTHFLOW_SECRET --stage prod",
      `aws secretsmanager get-secret-value --secret-id ${jitsiSecretArn} --query SecretString --output text`,
    ]);
    const { VideoRepositoryUri: _omit, ...partial } = outputs;
    await expect(
      deployVideo({ stage: "dev", tag: "t", outputs: partial }, { kc, run, env: {}, log: () => {} }),
    ).rejects.toThrow("stack outputs missing: VideoRepositoryUri");
  });

  it("without a domain: plain HTTP on the ALB's own name for the room service, no Jitsi, said loudly", async () => {
    const { fake, kc } = await startFake({ rolloutMs: 0, jobMs: 0, lbProvisionMs: 0 });
    const lines: string[] = [];
    const result = await deployVideo(
      { stage: "dev", tag: "t", outputs: noDomain, pollMs: 5, timeoutMs: 5_000 },
      {
        kc,
        run: recorder().run,
        env: { HEALTHFLOW_SECRET: "s".repeat(40), DATABASE_URL: "postgres://x@db/h" },
        log: (l) => lines.push(l),
        fetchRdsCa,
      },
    );
    const ingress = fake.get("Ingress", "healthflow", "healthflow");
    expect(ingress.spec.tls).toBeUndefined();
    expect(ingress.spec.rules).toEqual([
      {
        http: {
          paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "video", port: { name: "http" } } } }],
        },
      },
    ]);
    const annotations = ingress.metadata.annotations;
    expect(annotations["alb.ingress.kubernetes.io/listen-ports"]).toBe('[{"HTTP": 80}]');
    expect(annotations["alb.ingress.kubernetes.io/certificate-arn"]).toBeUndefined();
    expect(annotations["alb.ingress.kubernetes.io/ssl-redirect"]).toBeUndefined();
    // No self-hosted Jitsi: none of its objects, and the pods use meet.jit.si without tokens.
    expect(fake.mutations().filter((m) => /jvb|prosody|jicofo|jitsi/.test(m))).toEqual([]);
    expect(fake.get("ConfigMap", "healthflow", "healthflow-stage").data).toEqual({
      "public-url": "https://app.dev.example.test",
      "jitsi-domain": "meet.jit.si",
    });
    expect(fake.get("Secret", "healthflow", "healthflow-app").stringData["jitsi-app-secret"]).toBeUndefined();
    expect(lines.filter((l) => l.startsWith("!!!")).join(" ")).toMatch(/PLAIN HTTP.*meet\.jit\.si/);
    expect(result.videoUrl).toBe("http://healthflow-0123.elb.eu-west-1.amazonaws.com");
    expect(result.jitsiUrl).toBeUndefined();
  });

  it("waits for a paused database to resume before creating the role", async () => {
    const { kc } = await startFake({ rolloutMs: 0, jobMs: 0, lbProvisionMs: 0 });
    let resuming = 2;
    const slept: number[] = [];
    const calls: string[] = [];
    const run: CommandRunner = async (cmd, args) => {
      calls.push([cmd, ...args].join(" "));
      if (args[0] === "secretsmanager")
        return { code: 0, stdout: '{"username":"healthflow_app","password":"pw123456"}', stderr: "" };
      if (args[0] === "rds-data" && resuming-- > 0) {
        return {
          code: 254,
          stdout: "",
          stderr: "An error occurred (DatabaseResumingException): resuming after being auto-paused",
        };
      }
      return { code: 0, stdout: "", stderr: "" };
    };
    await deployVideo(
      { stage: "dev", tag: "t", outputs: noDomain, pollMs: 5, timeoutMs: 5_000 },
      {
        kc,
        run,
        env: { HEALTHFLOW_SECRET: "s".repeat(40) },
        log: () => {},
        fetchRdsCa,
        sleep: async (ms) => void slept.push(ms),
      },
    );
    expect(slept).toEqual([15_000, 15_000]);
    expect(calls.filter((c) => c.includes("rds-data"))).toHaveLength(8 + 2);
  });
});

describe("teardown", () => {
  const lbService = (name: string, namespace: string) => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace },
    spec: { type: "LoadBalancer", ports: [{ port: 10000, protocol: "UDP" }] },
  });
  const clusterIp = (name: string, namespace: string) => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace },
    spec: { type: "ClusterIP", ports: [{ port: 80 }] },
  });
  const ingress = (name: string, namespace: string) => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name, namespace },
    spec: { ingressClassName: "alb" },
  });

  function seedCluster(f: FakeKubeApi) {
    f.seed(
      lbService("jvb-udp", "healthflow"),
      lbService("someone-elses", "other"),
      clusterIp("core", "healthflow"),
      ingress("healthflow", "healthflow"),
    );
  }

  it("deletes every load balancer in the cluster, waits until each is released, then runs sst remove", async () => {
    const { fake, kc } = await startFake({ lbReleaseMs: 300 });
    seedCluster(fake);
    const lines: string[] = [];
    const removeCalledAt: number[] = [];
    const calls: string[] = [];
    const run: CommandRunner = async (cmd, args, o) => {
      calls.push(`${cmd} ${args.join(" ")}${o?.inherit ? " (inherit)" : ""}`);
      removeCalledAt.push(Date.now());
      return { code: 0, stdout: "", stderr: "" };
    };
    const started = Date.now();
    const r = await teardown({ stage: "dev", pollMs: 1_000, heartbeatMs: 50 }, { kc, run, log: (l) => lines.push(l) });

    expect(fake.mutations()).toEqual([
      "DELETE Ingress/healthflow",
      "DELETE Service/jvb-udp",
      "DELETE Service/someone-elses",
    ]);
    expect(fake.get("Service", "healthflow", "core")).toBeDefined(); // ClusterIP left alone
    for (const [kind, ns, name] of [
      ["Service", "healthflow", "jvb-udp"],
      ["Service", "other", "someone-elses"],
      ["Ingress", "healthflow", "healthflow"],
    ] as const) {
      expect(fake.get(kind, ns, name), `${kind}/${name}`).toBeUndefined();
    }
    expect(calls).toEqual(["npx sst remove --stage dev (inherit)"]);
    // sst remove ran only after the release (300 ms), and promptly thanks to the watch (re-list is 1 s).
    expect(removeCalledAt[0]! - started).toBeGreaterThanOrEqual(290);
    expect(removeCalledAt[0]! - started).toBeLessThan(1_000);
    expect(fake.requests.some((q) => q.path === "/api/v1/services" && q.query.watch === "true")).toBe(true);
    expect(
      fake.requests.some((q) => q.path === "/apis/networking.k8s.io/v1/ingresses" && q.query.watch === "true"),
    ).toBe(true);
    expect(lines.some((l) => l.includes("✓ Service/healthflow/jvb-udp gone"))).toBe(true);
    expect(r).toEqual({
      deleted: ["Service/healthflow/jvb-udp", "Service/other/someone-elses", "Ingress/healthflow/healthflow"],
      removed: true,
    });
  });

  it("--dry-run lists and changes nothing, even for prod without --yes", async () => {
    const { fake, kc } = await startFake();
    seedCluster(fake);
    const { calls, run } = recorder();
    const lines: string[] = [];
    await teardown({ stage: "prod", dryRun: true }, { kc, run, log: (l) => lines.push(l) });
    expect(fake.mutations()).toEqual([]);
    expect(calls).toEqual([]);
    const text = lines.join("\n");
    expect(text).toContain("Service/healthflow/jvb-udp");
    expect(text).toContain("Service/other/someone-elses");
    expect(text).toContain("Ingress/healthflow/healthflow");
    expect(text).not.toContain("Service/healthflow/core");
    expect(text).toContain("would delete the 3 object(s) above, wait for them, then run: npx sst remove --stage prod");
  });

  it("refuses a prod stage without --yes before touching anything", async () => {
    const { fake, kc } = await startFake();
    seedCluster(fake);
    const { calls, run } = recorder();
    await expect(teardown({ stage: "prod" }, { kc, run, log: () => {} })).rejects.toThrow(/without --yes/);
    expect(fake.requests).toEqual([]);
    expect(calls).toEqual([]);
    await teardown({ stage: "prod", yes: true, pollMs: 20 }, { kc, run, log: () => {} });
    expect(calls).toEqual(["npx sst remove --stage prod"]);
  });

  it("gives up after its bound, with the leftovers named, and never runs sst remove", async () => {
    const { fake, kc } = await startFake({ lbReleaseMs: Number.POSITIVE_INFINITY });
    seedCluster(fake);
    const { calls, run } = recorder();
    const lines: string[] = [];
    await expect(
      teardown({ stage: "dev", timeoutMs: 400, pollMs: 50, heartbeatMs: 100 }, { kc, run, log: (l) => lines.push(l) }),
    ).rejects.toThrow(/timed out after 0s; still present: .*Service\/healthflow\/jvb-udp.*sst remove was NOT run/);
    expect(calls).toEqual([]);
    expect(lines.filter((l) => l.includes("… waiting for 3 load balancer(s)")).length).toBeGreaterThanOrEqual(2);
  });

  it("stops when sst remove fails", async () => {
    const { kc } = await startFake();
    const run: CommandRunner = async () => ({ code: 2, stdout: "", stderr: "" });
    await expect(teardown({ stage: "dev" }, { kc, run, log: () => {} })).rejects.toThrow("sst remove exited with 2");
  });
});

describe("video:status", () => {
  it("shows pods with restarts, and services and ingresses with their external addresses", async () => {
    const { fake, kc } = await startFake();
    const now = new Date("2026-01-01T12:00:00Z");
    fake.seed(
      {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "core-abc", namespace: "healthflow" },
        spec: { containers: [{ name: "core", image: "x" }] },
        status: {
          phase: "Running",
          startTime: "2026-01-01T11:00:00Z",
          containerStatuses: [{ name: "core", ready: true, restartCount: 3, image: "x", imageID: "", started: true }],
        },
      },
      {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "elsewhere", namespace: "other" },
        spec: { containers: [{ name: "c", image: "x" }] },
      },
      {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "jvb-udp", namespace: "healthflow" },
        spec: { type: "LoadBalancer", ports: [{ port: 10000, protocol: "UDP" }] },
        status: { loadBalancer: { ingress: [{ hostname: "nlb.example" }] } },
      },
      {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: { name: "healthflow", namespace: "healthflow" },
        spec: { rules: [{ host: "video.example" }, { host: "meet.example" }] },
      },
    );
    const lines: string[] = [];
    const report = await videoStatus({ now }, { kc, log: (l) => lines.push(l) });
    expect(report.pods).toEqual([{ name: "core-abc", phase: "Running", ready: "1/1", restarts: 3, age: "60m" }]);
    expect(report.services).toEqual([
      { name: "jvb-udp", type: "LoadBalancer", ports: "10000/UDP", external: "nlb.example" },
    ]);
    expect(report.ingresses).toEqual([
      { name: "healthflow", hosts: "video.example,meet.example", address: "<pending>" },
    ]);
    expect(lines.join("\n")).toMatch(/core-abc\s+Running\s+1\/1\s+3\s+60m/);
  });
});

describe("stage helpers", () => {
  it("refuses a kube context that is not the stage's cluster", async () => {
    const { kc } = await startFake();
    expect(() => assertStageContext(kc, "healthflow-test")).not.toThrow();
    expect(() => assertStageContext(kc, "healthflow-prod")).toThrow(/is not cluster healthflow-prod/);
    expect(() => assertStageContext(kc, "healthflow-prod", true)).not.toThrow();
  });

  it("merges the stage's stacks from .sst/outputs.json and ignores other stages", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "hf-outputs-"));
    const file = join(dir, "outputs.json");
    writeFileSync(
      file,
      JSON.stringify({
        "dev-healthflow-Api": { ApiUrl: "https://dev" },
        "dev-healthflow-Video": { ClusterName: "c-dev" },
        "prod-healthflow-Api": { ApiUrl: "https://prod" },
      }),
    );
    expect(readStageOutputs("dev", file)).toEqual({ ApiUrl: "https://dev", ClusterName: "c-dev" });
    expect(() => readStageOutputs("staging", file)).toThrow(/no outputs for stage "staging"/);
  });
});
