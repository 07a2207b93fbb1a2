/**
 * Serves the built web app (packages/web/dist) from the same origin as the API, with the SPA
 * fallback: any GET that is not an API or health path and is not a file gets index.html.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { serveStatic } from "@hono/node-server/serve-static";
import type { Hono } from "hono";

export function defaultWebDir(): string {
  return resolve(import.meta.dirname, "../../web/dist");
}

export function mountWebApp(app: Hono<any>, webDir: string): boolean {
  const index = join(webDir, "index.html");
  if (!existsSync(index)) return false;
  const html = readFileSync(index, "utf8");
  app.use(
    "/assets/*",
    serveStatic({
      root: webDir,
      onFound: (_path, c) => {
        // Vite fingerprints asset names, so they never change under the same URL.
        c.header("Cache-Control", "public, max-age=31536000, immutable");
      },
    }),
  );
  app.use("*", serveStatic({ root: webDir, index: "__none__" }));
  app.get("*", (c, next) => {
    const path = new URL(c.req.url).pathname;
    if (path.startsWith("/api/") || path === "/healthz" || path === "/readyz") return next();
    c.header("Cache-Control", "no-cache");
    return c.html(html);
  });
  return true;
}
