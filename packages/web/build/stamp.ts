/**
 * The web build's stamp: which source files went into `dist` and their content hashes, so start-up
 * (and the browser tests) can tell in a few milliseconds whether `dist` is the bundle of the sources
 * on disk, and build only when it is not. Written by a Vite plugin at build time from Vite's own
 * module graph (every file the bundle imports, the web app's and @healthflow/core's alike), plus
 * the files that steer the build (config, index.html, package.json files, the lock file).
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import type { Plugin } from "vite";

export const STAMP_FILE = "build-stamp.json";
export const WEB_DIR = resolve(import.meta.dirname, "..");
export const ROOT = resolve(WEB_DIR, "../..");
/** Files that change the bundle without being imported by it. */
const STEERING = [
  "packages/web/vite.config.ts",
  "packages/web/index.html",
  "packages/web/package.json",
  "packages/web/build/stamp.ts",
  "package-lock.json",
];

export interface Stamp {
  mode: string;
  /** Repository-relative path → sha256 of its content. */
  inputs: Record<string, string>;
}

function hashFile(path: string): string | null {
  try {
    return createHash("sha256").update(readFileSync(path)).digest("hex");
  } catch {
    return null;
  }
}

/** Writes dist/build-stamp.json after each production build. */
export function buildStamp(): Plugin {
  let mode = "production";
  let outDir = join(WEB_DIR, "dist");
  let root = ROOT;
  return {
    name: "healthflow-build-stamp",
    apply: "build",
    configResolved(config) {
      mode = config.mode;
      outDir = resolve(config.root, config.build.outDir);
      // The config is bundled by Vite: take the folders from its resolved root, not this module's URL.
      root = resolve(config.root, "../..");
    },
    writeBundle() {
      const files = new Set(STEERING);
      for (const id of this.getModuleIds()) {
        const path = id.split("?")[0]!;
        if (!isAbsolute(path) || path.includes("/node_modules/") || !existsSync(path)) continue;
        files.add(relative(root, path));
      }
      const inputs: Record<string, string> = {};
      for (const f of [...files].sort()) inputs[f] = hashFile(join(root, f)) ?? "missing";
      const stamp: Stamp = { mode, inputs };
      writeFileSync(join(outDir, STAMP_FILE), `${JSON.stringify(stamp, null, 1)}\n`);
    },
  };
}

/**
 * Why `dist` must be built again, or null when it is the production bundle of the sources on
 * disk. Cheap: one hash per input file.
 */
export function staleReason(distDir: string = join(WEB_DIR, "dist")): string | null {
  if (!existsSync(join(distDir, "index.html"))) return "not built yet";
  let stamp: Stamp;
  try {
    stamp = JSON.parse(readFileSync(join(distDir, STAMP_FILE), "utf8")) as Stamp;
  } catch {
    return "no build stamp";
  }
  if (stamp.mode !== "production") return `built in ${stamp.mode} mode`;
  for (const [file, hash] of Object.entries(stamp.inputs)) {
    if (hashFile(join(ROOT, file)) !== hash) return `${file} changed`;
  }
  return null;
}
