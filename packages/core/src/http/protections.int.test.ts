/**
 * Headers, CORS and request limits through the real app: every response (JSON, errors, 404s,
 * preflights, the API reference page) carries the security headers.
 */

import { createTestClinic, type TestClinic } from "@healthflow/test-kit/test-clinic";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppEnv } from "./context.js";
import { handleError } from "./error-handler.js";
import { requestTimeout } from "./request-limits.js";
import { jitsiOrigin, securityHeaders } from "./security-headers.js";

const WEB = "https://app.clinica.example";
let clinic: TestClinic;
beforeAll(async () => {
  clinic = await createTestClinic({
    config: { corsOrigins: [WEB], jitsi: { domain: "video.clinica.example" }, maxBodyBytes: 4096 },
  });
});
afterAll(async () => {
  await clinic?.close();
});

function expectSecurityHeaders(res: Response) {
  const csp = res.headers.get("content-security-policy") ?? "";
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("script-src 'self' https://video.clinica.example;");
  expect(csp).toContain("frame-src https://video.clinica.example;");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("object-src 'none'");
  expect(csp).toContain("base-uri 'none'");
  expect(csp).not.toMatch(/unsafe-eval|\*/);
  expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  expect(res.headers.get("referrer-policy")).toBe("no-referrer");
  expect(res.headers.get("x-frame-options")).toBe("DENY");
}

describe("security headers", () => {
  it("are on success, error, 404 and unauthenticated responses", async () => {
    const admin = await clinic.person("admin");
    for (const [path, as, status] of [
      ["/api/auth/me", admin, 200],
      ["/api/auth/me", undefined, 401],
      ["/api/nowhere", undefined, 404],
      ["/healthz", undefined, 200],
    ] as const) {
      const res = await clinic.app.request(path, { headers: as ? as.headers : {} });
      expect(res.status).toBe(status);
      expectSecurityHeaders(res);
    }
    const invalid = await clinic.app.request("/api/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    expect(invalid.status).toBe(400);
    expectSecurityHeaders(invalid);
  });

  it("keep script out of inline styles: strict everywhere, inline styles only on the script-free API reference", async () => {
    const api = await clinic.app.request("/api/auth/me");
    expect(api.headers.get("content-security-policy")).toContain("style-src 'self';");
    const docs = await clinic.app.request("/api/docs");
    expect(docs.status).toBe(200);
    expect(docs.headers.get("content-security-policy")).toContain("style-src 'self' 'unsafe-inline'");
    expect(docs.headers.get("content-security-policy")).toContain("script-src 'self' https://video.clinica.example;");
    expect(await docs.text()).not.toMatch(/<script/i);
  });

  it("send HSTS off localhost only", async () => {
    const local = await clinic.app.request("http://localhost:3000/healthz");
    expect(local.headers.get("strict-transport-security")).toBeNull();
    const loopback = await clinic.app.request("http://127.0.0.1:3000/healthz");
    expect(loopback.headers.get("strict-transport-security")).toBeNull();
    const prod = await clinic.app.request("https://app.clinica.example/healthz");
    expect(prod.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
  });

  it("never put a malformed Jitsi domain into the policy", async () => {
    expect(jitsiOrigin("meet.jit.si")).toBe("https://meet.jit.si");
    expect(jitsiOrigin("video.example:8443")).toBe("https://video.example:8443");
    for (const bad of ["evil.example; script-src *", "a b", "https://x", "*"]) expect(jitsiOrigin(bad)).toBeUndefined();
    const app = new Hono();
    app.use("*", securityHeaders({ jitsi: { domain: "x; script-src *" } }));
    app.get("/", (c) => c.text("ok"));
    const csp = (await app.request("/")).headers.get("content-security-policy");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("frame-src 'none'");
  });
});

describe("CORS", () => {
  it("is closed to unlisted origins: no CORS headers, preflight refused in the error shape", async () => {
    const res = await clinic.app.request("/api/doctors", { headers: { origin: "https://evil.example" } });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
    const preflight = await clinic.app.request("/api/auth/login", {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(403);
    expect((await preflight.json()).error.code).toBe("cors_origin_not_allowed");
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    expectSecurityHeaders(preflight);
  });

  it("is closed by default (no HEALTHFLOW_CORS_ORIGINS)", async () => {
    const closed = await createTestClinic({ database: clinic.database });
    const preflight = await closed.app.request("/api/auth/login", {
      method: "OPTIONS",
      headers: { origin: WEB, "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("answers a listed origin's preflight and requests, with credentials", async () => {
    const preflight = await clinic.app.request("/api/auth/login", {
      method: "OPTIONS",
      headers: {
        origin: WEB,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(WEB);
    expect(preflight.headers.get("access-control-allow-credentials")).toBe("true");
    expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");
    expect(preflight.headers.get("access-control-allow-headers")).toContain("content-type");

    const patient = await clinic.person("patient");
    const res = await clinic.app.request("/api/auth/me", { headers: { ...patient.headers, origin: WEB } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(WEB);
    expect(res.headers.get("vary")).toContain("Origin");
  });
});

describe("request limits", () => {
  it("refuses a body over the limit with 413 in the error shape, before any handler runs", async () => {
    const big = JSON.stringify({ email: "a@b.example", password: "x".repeat(5000) });
    const res = await clinic.app.request("/api/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(big.length) },
      body: big,
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      error: { code: "payload_too_large", message: expect.any(String), details: { maxBytes: 4096 } },
    });
    expectSecurityHeaders(res);
    // Also when the client does not declare a length (chunked upload).
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const chunked = await clinic.app.request("/api/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
  });

  it("lets a body under the limit through", async () => {
    const res = await clinic.call("POST", "/api/auth/login", {
      body: { email: "a@b.example", password: "x".repeat(100) },
    });
    expect(res.status).toBe(401);
  });

  it("answers a request that runs too long with 503 request_timeout and Retry-After", async () => {
    // A throw-away app with the same middleware and error handler, and a handler that hangs.
    const app = new Hono<AppEnv>();
    app.use("*", requestTimeout(50));
    app.get("/slow", async (c) => {
      await new Promise((r) => setTimeout(r, 2_000));
      return c.text("too late");
    });
    app.get("/fast", (c) => c.text("ok"));
    app.onError(handleError);
    const started = performance.now();
    const res = await app.request("/slow");
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    expect(await res.json()).toEqual({
      error: { code: "request_timeout", message: expect.any(String), details: { timeoutMs: 50 } },
    });
    expect((await app.request("/fast")).status).toBe(200);
  });

  it("is wired into the app from configuration", async () => {
    const impatient = await createTestClinic({ database: clinic.database, config: { requestTimeoutMs: 1 } });
    // scrypt alone takes far more than 1 ms.
    const res = await impatient.call("POST", "/api/auth/login", {
      body: { email: "a@b.example", password: "xxxxxxxx" },
    });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe("request_timeout");
  });
});
