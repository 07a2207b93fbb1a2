/**
 * The web app's files as the Node server serves them: the SPA fallback answers app routes with
 * index.html, but a missing fingerprinted asset (an open tab asking for a chunk of the previous
 * build) is a 404, so the browser's dynamic import fails and the app can reload itself.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hono } from "hono";
import { afterAll, describe, expect, it } from "vitest";
import { mountWebApp } from "./web-assets.js";

const dir = mkdtempSync(join(tmpdir(), "healthflow-web-"));
mkdirSync(join(dir, "assets"));
writeFileSync(join(dir, "index.html"), "<!doctype html><title>HealthFlow</title>");
writeFileSync(join(dir, "assets", "book-NEW123.js"), "export default 1;");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const app = new Hono();
mountWebApp(app, dir);

describe("serving the built web app", () => {
  it("serves an existing asset as JavaScript, cached for good", async () => {
    const res = await app.request("/assets/book-NEW123.js");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/javascript/);
    expect(res.headers.get("cache-control")).toContain("immutable");
  });

  it("answers a missing asset with 404, not the app's HTML", async () => {
    const res = await app.request("/assets/book-OLD999.js");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type") ?? "").not.toMatch(/html/);
    expect(await res.text()).not.toContain("<!doctype html>");
  });

  it("still answers app routes with index.html", async () => {
    const res = await app.request("/agenda?view=week");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(await res.text()).toContain("<title>HealthFlow</title>");
  });
});

describe("a rebuild while the server runs", () => {
  it("serves the new index.html, not the one read at start-up", async () => {
    const later = new Date(Date.now() + 5_000);
    writeFileSync(join(dir, "index.html"), "<!doctype html><title>HealthFlow v2</title>");
    utimesSync(join(dir, "index.html"), later, later);
    expect(await (await app.request("/login")).text()).toContain("HealthFlow v2");
  });
});
