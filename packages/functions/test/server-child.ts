/**
 * src/server.ts as a real child process, as `npm start` runs it, for the start-up tests
 * (server.int, server-start.int, startup-settings.int): loopback only, a minimal environment
 * (PATH, HOME, HOST) plus what each test sets, output captured.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join, resolve } from "node:path";

export const REPO_ROOT = resolve(import.meta.dirname, "../../..");
const running = new Set<ChildProcess>();

export interface ServerChild {
  child: ChildProcess;
  /** Settles with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Everything printed on stdout and stderr so far. */
  output: () => string;
}

/**
 * Starts the server with `env` on top of PATH, HOME and HOST=127.0.0.1. `runner` "tsx" is the tsx
 * CLI (what `npm start` does); "node" is Node itself with tsx's loader: the CLI is a second process
 * that relays signals with a short timeout, and under load a relayed SIGTERM could kill the server
 * (exit 143) before its drain handler ran.
 */
export function spawnServer(env: Record<string, string>, runner: "tsx" | "node" = "tsx"): ServerChild {
  const [command, args] =
    runner === "tsx"
      ? [join(REPO_ROOT, "node_modules/.bin/tsx"), ["packages/functions/src/server.ts"]]
      : [process.execPath, ["--import", "tsx", "packages/functions/src/server.ts"]];
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, HOST: "127.0.0.1", ...env },
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
  return { child, exited, output: () => out };
}

/** Kills every server still running (for afterAll). */
export function killServers(): void {
  for (const child of running) child.kill("SIGKILL");
}
