/**
 * The first-load budget: the JavaScript a browser must fetch before the first screen (the entry
 * script and every chunk index.html preloads), gzipped. Fails above the budget so CI notices
 * growth; lazy route chunks are listed for information.
 *
 *   npm run size -w @healthflow/web        (after `npm run build -w @healthflow/web`)
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";

export const BUDGET_BYTES = 60 * 1024;

/** Script and modulepreload URLs of index.html, as paths relative to dist. */
export function initialScripts(html: string): string[] {
  const out = new Set<string>();
  for (const m of html.matchAll(/<script[^>]*\ssrc="([^"]+\.js)"/g)) out.add(m[1]!);
  for (const m of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+\.js)"/g)) out.add(m[1]!);
  return [...out].map((u) => u.replace(/^\//, ""));
}

export function gzipSize(buf: Buffer): number {
  return gzipSync(buf, { level: 9 }).length;
}

function main() {
  const dist = resolve(import.meta.dirname, "../dist");
  const html = readFileSync(join(dist, "index.html"), "utf8");
  const initial = initialScripts(html);
  if (initial.length === 0) throw new Error("no entry script found in dist/index.html");
  let total = 0;
  for (const file of initial) total += gzipSize(readFileSync(join(dist, file)));
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  const lazy = readdirSync(join(dist, "assets")).filter((f) => f.endsWith(".js") && !initial.includes(`assets/${f}`));
  let lazyTotal = 0;
  for (const f of lazy) lazyTotal += gzipSize(readFileSync(join(dist, "assets", f)));
  console.log(`initial JS (gzip): ${kb(total)} of ${kb(BUDGET_BYTES)} budget [${initial.join(", ")}]`);
  console.log(`lazy route chunks (gzip, loaded on demand): ${kb(lazyTotal)} in ${lazy.length} files`);
  if (total > BUDGET_BYTES) {
    console.error(`initial JS is over budget by ${kb(total - BUDGET_BYTES)}`);
    process.exit(1);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) main();
