/**
 * Builds the web app only when `dist` is not the production bundle of the sources on disk (see
 * build/stamp.ts). `npm start` runs it before the server, `npm ci` after installing, the browser
 * tests before starting: all of them get the same bundle, built once.
 *
 *   tsx packages/web/scripts/ensure-build.ts          (exit 1 when the build fails)
 */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { ROOT, staleReason } from "../build/stamp.js";

/** Builds when needed; returns what happened, throws when the build fails. */
export function ensureWebBuild(log: (line: string) => void = console.log): "built" | "current" {
  const reason = staleReason();
  if (reason === null) return "current";
  log(`Building the web app (${reason})...`);
  const build = spawnSync("npm", ["run", "build", "-w", "@healthflow/web"], { cwd: ROOT, stdio: "inherit" });
  if (build.status !== 0) throw new Error("building the web app failed");
  return "built";
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  try {
    ensureWebBuild();
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
