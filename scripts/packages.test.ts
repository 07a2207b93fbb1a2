/**
 * The workspace's boundaries, checked on every import of every TypeScript file in the repository:
 * - shipped code (a non-test file under packages/<name>/src) never imports vitest or the test kit;
 * - every package an import names is declared by the package that holds the importing file
 *   (shipped code in `dependencies`, tests and tooling in `dependencies` or `devDependencies`);
 * - an import of a workspace package goes through an entry point that package exports.
 * Imports are read with TypeScript's own pre-processor (static, dynamic, `import type`, re-exports).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

interface Manifest {
  name: string;
  private?: boolean;
  exports?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const readManifest = (dir: string): Manifest => JSON.parse(readFileSync(join(ROOT, dir, "package.json"), "utf8"));

const rootManifest = readManifest(".");
const workspaces = new Map<string, Manifest>(
  (rootManifest as unknown as { workspaces: string[] }).workspaces.map((dir) => [dir, readManifest(dir)]),
);
const workspaceNames = new Map([...workspaces].map(([dir, m]) => [m.name, { dir, manifest: m }]));

const sourceFiles = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], {
  cwd: ROOT,
  encoding: "utf8",
})
  .split("\n")
  .filter((f) => /\.(ts|tsx|mts)$/.test(f) && !f.endsWith(".d.ts"))
  .filter((f) => {
    try {
      readFileSync(join(ROOT, f));
      return true;
    } catch {
      return false; // deleted in the work tree, not yet staged
    }
  });

/** The workspace folder holding a file ("packages/core"), or "." for the root's own tooling. */
function ownerOf(file: string): string {
  return [...workspaces.keys()].find((dir) => file.startsWith(`${dir}/`)) ?? ".";
}

function isTestFile(file: string): boolean {
  return /\.(test|e2e)\.tsx?$/.test(file) || /(^|\/)(test|e2e)\//.test(file);
}

/** Shipped code: a non-test file under packages/<name>/src of a package other than the test kit. */
function isShipped(file: string): boolean {
  const owner = ownerOf(file);
  return (
    owner !== "." &&
    workspaces.get(owner)?.name !== "@healthflow/test-kit" &&
    file.startsWith(`${owner}/src/`) &&
    !isTestFile(file)
  );
}

function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith(".") || specifier.startsWith("/")) return undefined;
  if (specifier.startsWith("node:") || builtinModules.includes(specifier.split("/")[0]!)) return undefined;
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
}

const imports = sourceFiles.flatMap((file) =>
  ts.preProcessFile(readFileSync(join(ROOT, file), "utf8"), true, true).importedFiles.map((i) => ({
    file,
    specifier: i.fileName,
  })),
);

describe("workspace boundaries", () => {
  it("reads the imports of the whole repository", () => {
    expect(sourceFiles.length).toBeGreaterThan(100);
    expect(imports.filter((i) => i.specifier === "vitest").length).toBeGreaterThan(20);
  });

  it("shipped code never imports vitest or the test kit", () => {
    const offenders = imports
      .filter((i) => isShipped(i.file))
      .filter((i) => i.specifier === "vitest" || packageOf(i.specifier) === "@healthflow/test-kit")
      .map((i) => `${i.file} imports ${i.specifier}`);
    expect(offenders).toEqual([]);
  });

  it("every imported package is declared by the package that imports it", () => {
    const missing = new Set<string>();
    for (const { file, specifier } of imports) {
      const name = packageOf(specifier);
      if (!name) continue;
      const owner = ownerOf(file);
      const m = owner === "." ? rootManifest : workspaces.get(owner)!;
      if (m.name === name) continue;
      const runtime = { ...m.dependencies, ...m.peerDependencies };
      const declared = isShipped(file) ? name in runtime : name in runtime || name in (m.devDependencies ?? {});
      if (!declared) missing.add(`${owner}/package.json lacks ${name} (${file})`);
    }
    expect([...missing].sort()).toEqual([]);
  });

  it("imports of workspace packages use only the entry points those packages export", () => {
    const outside: string[] = [];
    for (const { file, specifier } of imports) {
      const name = packageOf(specifier);
      const target = name && workspaceNames.get(name);
      if (!target) continue;
      const entry = `.${specifier.slice(name.length)}`;
      const exported = target.manifest.exports ?? { ".": "./src/index.ts" };
      if (!(entry in exported)) outside.push(`${file} imports ${specifier}`);
    }
    expect(outside).toEqual([]);
  });

  it("exports name files, not patterns, and the test kit stays private and out of shipped dependencies", () => {
    for (const [dir, m] of workspaces) {
      for (const [entry, target] of Object.entries(m.exports ?? {})) {
        expect(`${dir}: ${entry}`).not.toContain("*");
        expect(readFileSync(join(ROOT, dir, target), "utf8").length).toBeGreaterThan(0);
      }
      expect(Object.keys(m.dependencies ?? {}), `${m.name} ships the test kit`).not.toContain("@healthflow/test-kit");
    }
    expect(workspaceNames.get("@healthflow/test-kit")?.manifest.private).toBe(true);
  });

  it("files that `sst build` generates are ignored, not tracked (a synth leaves the tree clean)", () => {
    const generated = "packages/web/src/sst-env.d.ts";
    const git = (...args: string[]) => execFileSync("git", args, { cwd: ROOT, encoding: "utf8" });
    expect(git("ls-files", "--", generated)).toBe("");
    expect(git("check-ignore", "--no-index", generated).trim()).toBe(generated);
  });
});
