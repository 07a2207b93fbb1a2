/**
 * Serves the built web app (packages/web/dist) from the same origin as the API, with the SPA
 * fallback: any GET that is not an API or health path, not under /assets/ and not a file gets
 * index.html.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { serveStatic } from "@hono/node-server/serve-static";
import type { Hono } from "hono";

export function defaultWebDir(): string {
  return resolve(import.meta.dirname, "../../web/dist");
}

export function mountWebApp(app: Hono<any>, webDir: string): boolean {
  const index = join(webDir, "index.html");
  if (!existsSync(index)) return false;
  // Read again when the file changes: a rebuild while the server runs must not leave it handing
  // out an index.html that names assets which are gone.
  let cached = { mtimeMs: -1, html: "" };
  const html = () => {
    const { mtimeMs } = statSync(index);
    if (mtimeMs !== cached.mtimeMs) cached = { mtimeMs, html: readFileSync(index, "utf8") };
    return cached.html;
  };
  // Vite fingerprints asset names, so they never change under the same URL. (Set after the file is
  // served: serveStatic's onFound runs once the response is built, too late to add a header.)
  app.use("/assets/*", async (c, next) => {
    await next();
    if (c.res.status === 200) c.res.headers.set("Cache-Control", "public, max-age=31536000, immutable");
  });
  app.use("/assets/*", serveStatic({ root: webDir }));
  // A fingerprinted asset that is not there (a tab open across a rebuild asks for the old names)
  // is a 404, never the app's HTML: the browser then fails the import cleanly and the app reloads.
  app.all("/assets/*", (c) => {
    c.header("Cache-Control", "no-store");
    return c.text("Not found", 404);
  });
  app.use("*", serveStatic({ root: webDir, index: "__none__" }));
  app.get("*", (c, next) => {
    const path = new URL(c.req.url).pathname;
    if (path.startsWith("/api/") || path === "/healthz" || path === "/readyz") return next();
    c.header("Cache-Control", "no-cache");
    return c.html(html());
  });
  return true;
}
