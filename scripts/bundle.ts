/**
 * `npm run bundle`: the pod images' code as single ESM files, so the runtime image needs no
 * node_modules and no TypeScript loader.
 *
 *   dist/core/server.mjs    packages/functions/src/server.ts  (the API pod)
 *   dist/core/migrate.mjs   packages/functions/src/migrate.ts (the migrate Job)
 *   dist/video/server.mjs   packages/functions/src/video-server.ts (the room service pod)
 *   dist/<image>/chunks/    code shared by the entries or imported lazily
 *
 * PGlite stays out: it loads WASM files next to its own module, which a bundle cannot carry, and a
 * pod always has DATABASE_URL. `pg-native` is an optional add-on of `pg` that we never enable.
 *
 * Usage: tsx scripts/bundle.ts [--only core|video] [--outdir dist]
 */
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { build } from "esbuild";

const root = resolve(import.meta.dirname, "..");

export interface BundleTarget {
  image: "core" | "video";
  /** Entry file → output name (without extension) inside `<outdir>/<image>/`. */
  entries: Record<string, string>;
}

export const targets: BundleTarget[] = [
  {
    image: "core",
    entries: { server: "packages/functions/src/server.ts", migrate: "packages/functions/src/migrate.ts" },
  },
  { image: "video", entries: { server: "packages/functions/src/video-server.ts" } },
];

export const external = ["@electric-sql/pglite", "@electric-sql/pglite/*", "kysely-pglite-dialect", "pg-native"];

/**
 * Bundles the chosen images into `<outdir>/<image>/`. Code splitting keeps each lazily imported
 * engine (create-db.ts) in its own chunk, so the PGlite chunk, whose package is not shipped, is
 * only ever loaded when no DATABASE_URL is set. Returns the entry files written.
 */
export async function bundle(options: { only?: "core" | "video"; outdir: string }): Promise<string[]> {
  const chosen = targets.filter((t) => !options.only || t.image === options.only);
  const written: string[] = [];
  for (const t of chosen) {
    const entryPoints: Record<string, string> = {};
    for (const [name, file] of Object.entries(t.entries)) {
      const entry = resolve(root, file);
      if (!existsSync(entry)) throw new Error(`bundle: entry ${file} does not exist (image ${t.image})`);
      entryPoints[name] = entry;
    }
    const outdir = resolve(options.outdir, t.image);
    rmSync(outdir, { recursive: true, force: true });
    mkdirSync(outdir, { recursive: true });
    await build({
      entryPoints,
      outdir,
      outExtension: { ".js": ".mjs" },
      chunkNames: "chunks/[name]-[hash]",
      splitting: true,
      bundle: true,
      platform: "node",
      target: "node22",
      format: "esm",
      sourcemap: "linked",
      minifySyntax: true,
      legalComments: "linked",
      external,
      logLevel: "warning",
      // Bundled CommonJS packages (pg) call require() for Node built-ins; ESM has no require.
      banner: {
        js: 'import { createRequire as __hfCreateRequire } from "node:module"; const require = __hfCreateRequire(import.meta.url);',
      },
    });
    for (const name of Object.keys(entryPoints)) written.push(resolve(outdir, `${name}.mjs`));
  }
  return written;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { only: { type: "string" }, outdir: { type: "string", default: "dist" } },
  });
  if (values.only && values.only !== "core" && values.only !== "video") {
    console.error("--only must be core or video");
    process.exit(2);
  }
  try {
    const files = await bundle({ only: values.only as "core" | "video" | undefined, outdir: resolve(values.outdir!) });
    for (const f of files) console.log(`bundled ${f}`);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
