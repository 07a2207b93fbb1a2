/**
 * Start-up refuses a wrong setting, naming it (issue #11): the database and shutdown settings that
 * used to fall back silently, and a server on a non-loopback address without HEALTHFLOW_PUBLIC_URL
 * (its links would otherwise name whatever Host a client sends).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../../..");
const tsx = join(root, "node_modules/.bin/tsx");
const dataDir = mkdtempSync(join(tmpdir(), "healthflow-settings-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function start(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(tsx, ["packages/functions/src/server.ts"], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        HEALTHFLOW_DATA_DIR: dataDir,
        PORT: "65000", // never reached: each case stops at the settings
        HOST: "127.0.0.1",
        LOG_FORMAT: "json",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      done({ code, output });
    });
  });
}

describe("the server refuses to start", () => {
  it.each([
    [{ HOST: "0.0.0.0" }, "HEALTHFLOW_PUBLIC_URL"],
    [{ DB_POOL_MAX: "lots", DATABASE_URL: "postgres://u:p@127.0.0.1:1/x" }, "DB_POOL_MAX"],
    [{ DB_STATEMENT_TIMEOUT_MS: "10s", DATABASE_URL: "postgres://u:p@127.0.0.1:1/x" }, "DB_STATEMENT_TIMEOUT_MS"],
    [{ DATABASE_URL: "not-a-url" }, "DATABASE_URL"],
    [{ SHUTDOWN_GRACE_MS: "-1" }, "SHUTDOWN_GRACE_MS"],
  ])("with %j, exit 1 naming %s", async (env, name) => {
    const { code, output } = await start(env);
    expect(code, output).toBe(1);
    expect(output).toContain(name);
    expect(output).toContain("invalid configuration");
    // Only the variable at fault is named (PORT and the rest are fine).
    expect(output).not.toContain("PORT:");
  });
});
