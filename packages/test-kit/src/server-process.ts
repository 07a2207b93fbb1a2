/**
 * The real Node server (src/server.ts, run by tsx) as a child process, and a TCP proxy in front of
 * PostgreSQL that the faults and load suites control: take it down (the database "stops" for the
 * server while the shared PostgreSQL keeps serving everyone else), bring it back, slow it down.
 * Everything listens and connects on 127.0.0.1 only.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { REPO_ROOT } from "./reliability-support.js";
import { startTcpProxy } from "./tcp-proxy.js";

export { type TcpProxy as DbProxy, viaProxy } from "./tcp-proxy.js";

/** The database proxy of the faults suite (shared with the readiness tests). */
export const startDbProxy = (target: { host: string; port: number }, startUp = true) =>
  startTcpProxy(target, { listen: startUp });

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((done) => s.listen(0, "127.0.0.1", () => done()));
  const { port } = s.address() as { port: number };
  await new Promise<void>((done) => s.close(() => done()));
  return port;
}

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  baseUrl: string;
  /** Everything the server printed (JSON log lines), for diagnosis. */
  output(): string;
  /** Resident memory of the server process in bytes, from /proc. */
  rssBytes(): number;
  /** Settles with the exit code (or the signal name) when the process ends. */
  exited: Promise<number | string>;
  alive(): boolean;
  kill(signal?: NodeJS.Signals): void;
  /** Ends the process if it is still running and removes its data folder. */
  dispose(): Promise<void>;
}

/**
 * Starts src/server.ts against `databaseUrl` on a free loopback port. The secret is generated here
 * for this run only; the minimum notice is 0 so that bookings can be made at any future time.
 */
export async function startServer(databaseUrl: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "hf-reliability-"));
  const child = spawn(process.execPath, ["--import", "tsx", resolve(REPO_ROOT, "packages/functions/src/server.ts")], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      NODE_ENV: "production",
      DATABASE_URL: databaseUrl,
      HOST: "127.0.0.1",
      PORT: String(port),
      HEALTHFLOW_DATA_DIR: dataDir,
      HEALTHFLOW_WEB_DIR: join(dataDir, "no-web"),
      HEALTHFLOW_SECRET: randomBytes(32).toString("hex"),
      HEALTHFLOW_DEMO: "0",
      HEALTHFLOW_MIN_NOTICE_MINUTES: "0",
      LOG_LEVEL: "warn",
      LOG_FORMAT: "json",
      DB_POOL_MAX: "10",
      DB_CONNECT_TIMEOUT_SECONDS: "120",
      SHUTDOWN_GRACE_MS: "15000",
      // The load and fault suites have patients book many consultations far ahead: fair-booking
      // limits off here (they have their own tests in booking-limits.int.test.ts).
      HEALTHFLOW_BOOKING_HORIZON_DAYS: "3650",
      HEALTHFLOW_MAX_ACTIVE_BOOKINGS: "1000",
      HEALTHFLOW_MAX_ACTIVE_BOOKINGS_PER_DOCTOR: "1000",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const keep = (b: Buffer) => {
    out += b.toString();
    if (out.length > 2_000_000) out = out.slice(-1_000_000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  let running = true;
  const exited = new Promise<number | string>((done) =>
    child.on("exit", (code, signal) => {
      running = false;
      done(code ?? signal ?? "unknown");
    }),
  );
  return {
    child,
    pid: child.pid!,
    baseUrl: `http://127.0.0.1:${port}`,
    output: () => out,
    rssBytes: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
    },
    exited,
    alive: () => running,
    kill: (signal = "SIGTERM") => {
      if (running) child.kill(signal);
    },
    dispose: async () => {
      if (running) {
        child.kill("SIGKILL");
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `url` until `accept(status)` or the deadline; returns the last status (0: no answer). */
export async function waitForStatus(
  url: string,
  accept: (status: number) => boolean,
  timeoutMs: number,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = 0;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      last = res.status;
      if (accept(last)) return last;
    } catch {
      last = 0;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return last;
}
