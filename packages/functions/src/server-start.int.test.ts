/**
 * How `npm start` refuses to run where it would do harm, as real processes: a second server on the
 * same embedded data folder stops with one line naming the folder and the first server's pid
 * (instead of reporting ready and losing what is written to it), and a busy port ends in one line
 * naming the PORT setting (instead of "listening" followed by a stack trace).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../../..");
const tsx = join(root, "node_modules/.bin/tsx");
const folders: string[] = [];
const running = new Set<ChildProcess>();

afterAll(() => {
  for (const child of running) child.kill("SIGKILL");
  for (const f of folders) rmSync(f, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "healthflow-start-"));
  folders.push(dir);
  return dir;
}

async function occupiedPort(): Promise<{ port: number; server: Server }> {
  return new Promise((done) => {
    const server = createServer().listen(0, "127.0.0.1", () =>
      done({ port: (server.address() as { port: number }).port, server }),
    );
  });
}

async function freePort(): Promise<number> {
  const { port, server } = await occupiedPort();
  await new Promise((r) => server.close(r));
  return port;
}

function start(dataDir: string, port: number) {
  const child = spawn(tsx, ["packages/functions/src/server.ts"], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      HEALTHFLOW_DATA_DIR: dataDir,
      HEALTHFLOW_DEMO: "0",
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_FORMAT: "pretty",
      HEALTHFLOW_WEB_DIR: join(dataDir, "no-web-build"),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((done) =>
    child.on("exit", (code) => {
      running.delete(child);
      done(code);
    }),
  );
  return { child, exited, output: () => out, base: `http://127.0.0.1:${port}` };
}

async function ready(base: string, output: () => string, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const status = await fetch(`${base}/readyz`).then(
      (r) => r.status,
      () => 0,
    );
    // The banner follows the end of start-up (admin, demo): stopping before it is a failed start.
    if (status === 200 && output().includes("HealthFlow is running at")) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`not ready:\n${output()}`);
}

/** Lines a person would read, without blank ones. */
const lines = (text: string) => text.split("\n").filter((l) => l.trim() !== "");

describe("npm start refuses what would do harm, in one line", () => {
  it("a busy port: one line naming the port and PORT, no stack trace, no 'listening'", async () => {
    const { port, server: squatter } = await occupiedPort();
    try {
      const server = start(tempDir(), port);
      expect(await server.exited).toBe(1);
      const out = server.output();
      expect(out).toContain(`Port ${port}`);
      expect(out).toMatch(/set PORT to/);
      expect(out).not.toMatch(/^\s+at /m);
      expect(out).not.toContain("listening");
      expect(lines(out).filter((l) => /error/i.test(l))).toHaveLength(1);
    } finally {
      squatter.close();
    }
  }, 60_000);

  it("a second server on the same data folder stops, naming the folder and the first one's pid", async () => {
    const dataDir = tempDir();
    const first = start(dataDir, await freePort());
    try {
      await ready(first.base, first.output);
      const second = start(dataDir, await freePort());
      expect(await second.exited).toBe(1);
      const out = second.output();
      expect(out).toContain(dataDir);
      // The pid named is the first server's process (tsx runs the server as its child).
      const pid = Number(/pid (\d+)/.exec(out)?.[1]);
      const parent = Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
      expect([pid, parent]).toContain(first.child.pid);
      expect(out).toContain("HEALTHFLOW_DATA_DIR");
      expect(out).not.toMatch(/^\s+at /m);
      // The first one is untouched and still serving.
      expect((await fetch(`${first.base}/readyz`)).status).toBe(200);
    } finally {
      first.child.kill("SIGTERM");
      expect(await first.exited).toBe(0);
    }
    // Its lock went with it: the folder can be used again.
    const again = start(dataDir, await freePort());
    try {
      await ready(again.base, again.output);
    } finally {
      again.child.kill("SIGTERM");
      await again.exited;
    }
  }, 240_000);
});
