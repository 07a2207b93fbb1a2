/**
 * /readyz against a PostgreSQL server that goes away and comes back, and start-up that waits for a
 * server that is not up yet. A TCP proxy stands between the app and the real server
 * (TEST_DATABASE_URL) so the test can cut it without touching the server other tests share.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTcpProxy, type TcpProxy, viaProxy } from "@healthflow/test-kit/tcp-proxy";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createApp } from "../http/app.js";
import { createLogger } from "../log/logger.js";
import { openPlatform, type Platform } from "./platform.js";

const serverUrl = process.env.TEST_DATABASE_URL;
// Made lazily: with the suite skipped (no server), vitest runs no hooks and nothing is left behind.
let dataDir: string | undefined;
afterAll(() => {
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function proxyToServer(listen = true): Promise<TcpProxy> {
  const target = new URL(serverUrl!);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) }, { listen });
  cleanups.push(() => proxy.close());
  return proxy;
}

async function open(proxy: TcpProxy, extraEnv: Record<string, string> = {}) {
  const lines: Record<string, unknown>[] = [];
  dataDir ??= mkdtempSync(join(tmpdir(), "healthflow-readiness-"));
  const platform: Platform = await openPlatform({
    env: {
      DATABASE_URL: viaProxy(serverUrl!, proxy),
      HEALTHFLOW_DATA_DIR: dataDir,
      DB_CONNECT_TIMEOUT_SECONDS: "60",
      ...extraEnv,
    },
    logger: createLogger({ level: "debug", write: (l) => lines.push(JSON.parse(l)) }),
    // The server is shared with other tests: no admin or demo data from here.
    bootstrap: false,
  });
  cleanups.push(() => platform.close());
  return { platform, lines, app: createApp(platform.deps) };
}

async function readyz(app: ReturnType<typeof createApp>) {
  const res = await app.request("/readyz");
  return { status: res.status, body: (await res.json()) as any };
}

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!serverUrl)("readiness against a PostgreSQL server that comes and goes", () => {
  it("/readyz is 503 with the error shape while the database is unreachable, and 200 again when it returns", async () => {
    const proxy = await proxyToServer();
    const { platform, app } = await open(proxy);
    expect(platform.dbConfig.kind).toBe("postgres");
    await platform.ready;
    expect(await readyz(app)).toEqual({ status: 200, body: { status: "ready" } });

    await proxy.down();
    const down = await readyz(app);
    expect(down.status).toBe(503);
    expect(down.body).toEqual({
      error: {
        code: "not_ready",
        message: expect.any(String),
        details: { started: true, database: "down", migrations: "current" },
      },
    });
    // API calls that need the database are 503 too, never 500
    const api = await app.request("/api/auth/me", {
      headers: { authorization: "Bearer aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
    });
    expect(api.status).toBe(503);
    expect(api.headers.get("retry-after")).toBe("5");
    expect(await api.json()).toEqual({ error: { code: "database_unavailable", message: expect.any(String) } });
    // /healthz is about the process, not the database
    expect((await app.request("/healthz")).status).toBe(200);

    await proxy.up();
    expect(await readyz(app)).toEqual({ status: 200, body: { status: "ready" } });
    expect((await app.request("/api/auth/me")).status).toBe(401);

    // and once more, to show recovery is not a one-off
    await proxy.down();
    expect((await readyz(app)).status).toBe(503);
    await proxy.up();
    expect((await readyz(app)).status).toBe(200);
  });

  it("start-up with the server down waits with backoff, answers 503 meanwhile, then serves once it is up", async () => {
    const proxy = await proxyToServer(false);
    const { platform, lines, app } = await open(proxy);
    let settled = false;
    platform.ready.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    const retries = () => lines.filter((l) => l.msg === "database not reachable yet; retrying");
    await until("three retries", () => retries().length >= 3);
    expect(settled).toBe(false);
    const waiting = await readyz(app);
    expect(waiting.status).toBe(503);
    expect(waiting.body.error.details).toMatchObject({ started: false });
    const api = await app.request("/api/doctors");
    expect(api.status).toBe(503);
    expect(((await api.json()) as any).error.code).toBe("starting");
    // the logged delays grow
    const delays = retries().map((l) => l.retryInMs as number);
    expect(delays[1]!).toBeGreaterThan(delays[0]!);
    expect(delays[2]!).toBeGreaterThan(delays[1]!);

    await proxy.up();
    const report = await platform.ready;
    expect(Array.isArray(report.appliedMigrations)).toBe(true);
    expect(lines.some((l) => l.msg === "database is up")).toBe(true);
    expect(await readyz(app)).toEqual({ status: 200, body: { status: "ready" } });
  });

  it("gives up after DB_CONNECT_TIMEOUT_SECONDS with a message saying why", async () => {
    const proxy = await proxyToServer(false);
    const { platform } = await open(proxy, { DB_CONNECT_TIMEOUT_SECONDS: "2" });
    await expect(platform.ready).rejects.toThrow(/database not reachable after 2 s: .*ECONNREFUSED/);
  });
});
