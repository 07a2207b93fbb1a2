/**
 * The Node server as a real process on the embedded database, as `npm start` runs it: it becomes
 * ready, prints the logins, drains an in-flight request on SIGTERM and exits 0, and its data
 * survives a restart on the same data folder. Each test has its own data folder: they run in any
 * order, or alone.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { killServers, spawnServer } from "../test/server-child.js";

const dataDirs: string[] = [];

function newDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "healthflow-server-"));
  dataDirs.push(dir);
  return dir;
}

afterAll(() => {
  killServers();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  return new Promise((done) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });
}

interface Server {
  base: string;
  child: ChildProcess;
  output: () => string;
  logs: () => Record<string, unknown>[];
  exited: Promise<number | null>;
}

async function startServer(dataDir: string): Promise<Server> {
  const port = await freePort();
  const { child, exited, output } = spawnServer(
    {
      HEALTHFLOW_DATA_DIR: dataDir,
      PORT: String(port),
      LOG_FORMAT: "json",
      HEALTHFLOW_WEB_DIR: join(dataDir, "no-web-build"),
      HEALTHFLOW_REQUIRE_EMAIL_VERIFICATION: "0",
    },
    "node",
  );
  const server: Server = {
    base: `http://127.0.0.1:${port}`,
    child,
    exited,
    output,
    logs: () =>
      output()
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early (${child.exitCode}):\n${output()}`);
    if (Date.now() > deadline) throw new Error(`server not ready in time:\n${output()}`);
    const ready = await fetch(`${server.base}/readyz`).then(
      (r) => r.status,
      () => 0,
    );
    // The banner is written right after start-up completes; wait for it too.
    if (ready === 200 && output().includes("HealthFlow is running at")) return server;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function api(server: Server, method: string, path: string, body?: unknown, token?: string) {
  const res = await fetch(`${server.base}${path}`, {
    method,
    headers: {
      ...(body ? { "content-type": "application/json" } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

/** Sends the headers and half the body now; `finish()` sends the rest and resolves the response. */
function slowRequest(server: Server, path: string, body: string) {
  const url = new URL(path, server.base);
  let resolveRes!: (r: { status: number; body: string }) => void;
  const response = new Promise<{ status: number; body: string }>((r) => (resolveRes = r));
  const req = httpRequest(
    {
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: "POST",
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
    },
    (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolveRes({ status: res.statusCode ?? 0, body: text }));
    },
  );
  req.on("error", (err) => resolveRes({ status: -1, body: String(err) }));
  const half = Math.floor(body.length / 2);
  req.write(body.slice(0, half));
  return {
    finish: () => {
      req.end(body.slice(half));
      return response;
    },
  };
}

async function until(what: string, cond: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

type Login = { email: string; password: string };

/** The logins a first start prints: the admin's (shown once) and the demo people's. */
function printedLogins(out: string): { admin: Login; doctors: Login[]; patients: Login[] } {
  const admin = /^\s+(admin@healthflow\.local)\s+(\S{20,})\s*$/m.exec(out);
  expect(admin, out).not.toBeNull();
  const demo = [...out.matchAll(/^\s+(doctor|patient)\s+(\S+@\S+)\s+(\S{20,})\s*$/gm)];
  const of = (role: string) => demo.filter((m) => m[1] === role).map((m) => ({ email: m[2]!, password: m[3]! }));
  return { admin: { email: admin![1]!, password: admin![2]! }, doctors: of("doctor"), patients: of("patient") };
}

describe("the Node server (npm start)", () => {
  const patient = {
    email: "persisted.patient@test.healthflow.local",
    password: "survives restarts 42",
    name: "Pat Persist",
  };

  it("starts on the embedded database, prints the admin and demo logins, and serves the API", async () => {
    const server = await startServer(newDataDir());
    const out = server.output();
    // Structured logs with a request id on request lines, plus the human banner.
    const logs = server.logs();
    expect(logs.some((l) => l.msg === "listening" && l.database === "pglite")).toBe(true);
    expect(out).toContain(`HealthFlow is running at ${server.base}`);
    expect(out).toContain("This password is shown ONCE");
    const printed = printedLogins(out);
    const adminLogin = printed.admin;
    expect(printed.doctors).toHaveLength(3);
    expect(printed.patients.length).toBeGreaterThanOrEqual(2);
    const demoDoctor = printed.doctors[0]!;

    expect((await api(server, "POST", "/api/auth/login", adminLogin)).status).toBe(200);
    expect((await api(server, "POST", "/api/auth/login", demoDoctor)).status).toBe(200);
    const healthz = await api(server, "GET", "/healthz");
    expect(healthz).toMatchObject({ status: 200, body: { status: "ok" } });
    const requestLine = server.logs().find((l) => l.msg === "request" && l.path === "/api/auth/login");
    expect(requestLine).toMatchObject({ method: "POST", status: 200, reqId: expect.any(String) });

    // SIGTERM with a request in flight: the request completes, then the process exits 0.
    const slow = slowRequest(server, "/api/auth/register", JSON.stringify(patient));
    await new Promise((r) => setTimeout(r, 300));
    server.child.kill("SIGTERM");
    await until("the drain to start", () => server.output().includes("stopping: draining in-flight requests"));
    const res = await slow.finish();
    expect(res.status, res.body).toBe(201);
    expect(JSON.parse(res.body).user.email).toBe(patient.email);
    const started = Date.now();
    expect(await server.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(server.logs().some((l) => l.msg === "stopped")).toBe(true);
  }, 150_000);

  it("restarts on the same data folder with everything still there and nothing re-created", async () => {
    // A first life of its own: start, note the printed logins, register a patient, stop.
    const dataDir = newDataDir();
    const first = await startServer(dataDir);
    const { admin: adminLogin, doctors } = printedLogins(first.output());
    const demoDoctor = doctors[0]!;
    expect((await api(first, "POST", "/api/auth/register", patient)).status).toBe(201);
    first.child.kill("SIGTERM");
    expect(await first.exited, first.output().slice(-3000)).toBe(0);

    const server = await startServer(dataDir);
    try {
      const out = server.output();
      expect(out).not.toContain("This password is shown ONCE");
      expect(out).toContain(demoDoctor.email);
      const login = await api(server, "POST", "/api/auth/login", { email: patient.email, password: patient.password });
      expect(login.status).toBe(200);
      expect(login.body.user).toMatchObject({ email: patient.email, name: patient.name, role: "patient" });
      const admin = await api(server, "POST", "/api/auth/login", adminLogin);
      expect(admin.status).toBe(200);
      const doctors = await api(server, "GET", "/api/doctors", undefined, admin.body.token);
      expect(doctors.body.doctors).toHaveLength(3);
      const admins = await api(server, "GET", "/api/users?role=admin", undefined, admin.body.token);
      expect(admins.body.users).toHaveLength(1);
    } finally {
      const started = Date.now();
      server.child.kill("SIGTERM");
      expect(await server.exited).toBe(0);
      expect(Date.now() - started).toBeLessThan(10_000);
    }
    expect(server.logs().some((l) => l.msg === "stopped")).toBe(true);
  }, 150_000);
});
