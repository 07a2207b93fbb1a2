/**
 * The app's edges: malformed input, unknown routes, the OpenAPI document and docs page, health
 * endpoints. Bad input must give 400 with the one error shape, never a 500.
 */

import {
  createTestClinic,
  TEST_PASSWORD,
  type TestClinic,
  type TestPerson,
  uniqueEmail,
} from "@healthflow/test-kit/test-clinic";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "./app.js";

let clinic: TestClinic;
let admin: TestPerson;
beforeAll(async () => {
  clinic = await createTestClinic();
  admin = await clinic.person("admin");
});
afterAll(async () => {
  await clinic?.close();
});

function expectErrorShape(body: unknown, code?: string) {
  expect(body).toEqual({
    error: {
      code: code ?? expect.any(String),
      message: expect.any(String),
      ...((body as { error?: { details?: unknown } })?.error?.details !== undefined
        ? { details: expect.anything() }
        : {}),
    },
  });
}

async function raw(method: string, path: string, body: string | undefined, headers: Record<string, string> = {}) {
  const res = await clinic.app.request(path, { method, headers, body });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, body: json as any, type: res.headers.get("content-type") };
}

describe("malformed input", () => {
  // [method, path, needs the admin's token]
  const routes: [string, string, boolean][] = [
    ["POST", "/api/auth/login", false],
    ["POST", "/api/auth/register", false],
    ["POST", "/api/users", true],
  ];

  it.each(routes)("%s %s: invalid JSON is 400 bad_request with the error shape", async (method, path, asAdmin) => {
    for (const text of ["{", '{"email": "a@b.co",}', "not json at all", "{'single': 'quotes'}"]) {
      const res = await raw(method, path, text, {
        "content-type": "application/json",
        ...(asAdmin ? admin.headers : {}),
      });
      expect(res.status, text).toBe(400);
      expectErrorShape(res.body, "bad_request");
      expect(res.type).toMatch(/application\/json/);
    }
  });

  it.each(routes)("%s %s: a wrong or missing content-type is 400, not 500", async (method, path, asAdmin) => {
    const extra = asAdmin ? admin.headers : {};
    const variants: Record<string, string>[] = [
      { "content-type": "text/plain" },
      { "content-type": "application/x-www-form-urlencoded" },
      {},
    ];
    for (const headers of variants) {
      const res = await raw(method, path, JSON.stringify({ email: "a@b.co", password: TEST_PASSWORD }), {
        ...headers,
        ...extra,
      });
      expect(res.status, JSON.stringify(headers)).toBe(400);
      expectErrorShape(res.body, "unsupported_media_type");
    }
  });

  it("missing fields are 400 invalid_request with one detail per field", async () => {
    const res = await clinic.call("POST", "/api/auth/register", { body: {} });
    expect(res.status).toBe(400);
    expectErrorShape(res.body, "invalid_request");
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(["email", "name", "password"]);
    for (const d of res.body.error.details)
      expect(d).toEqual({ path: expect.any(String), message: expect.any(String) });
  });

  it.each([
    ["a number for the email", { email: 123, password: TEST_PASSWORD }],
    ["an array for the password", { email: "a@b.co", password: ["x"] }],
    ["null fields", { email: null, password: null }],
    ["an object for the email", { email: { $ne: "" }, password: TEST_PASSWORD }],
    ["a bad email", { email: "not-an-email", password: TEST_PASSWORD }],
  ])("login with %s is 400", async (_name, body) => {
    const res = await clinic.call("POST", "/api/auth/login", { body });
    expect(res.status).toBe(400);
    expectErrorShape(res.body, "invalid_request");
  });

  it.each([
    ["a JSON array", "[]"],
    ["JSON null", "null"],
    ["a JSON string", '"hello"'],
    ["a JSON number", "42"],
  ])("a body that is %s is 400", async (_name, text) => {
    const res = await raw("POST", "/api/auth/register", text, { "content-type": "application/json" });
    expect(res.status).toBe(400);
    expectErrorShape(res.body);
  });

  it("a string where a number belongs is 400 (no silent coercion)", async () => {
    const res = await clinic.call("POST", "/api/users", {
      as: admin,
      body: {
        email: uniqueEmail("coerce"),
        name: "Dr. Coerce",
        role: "doctor",
        password: TEST_PASSWORD,
        doctor: { specialty: "X", licenseNumber: "CRM/SP 99", timezone: "UTC", slotMinutes: "30" },
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain("doctor.slotMinutes");
  });

  it("arbitrary JSON bodies never give a 500 on any write route", async () => {
    const paths = ["/api/auth/login", "/api/auth/register", "/api/users"];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), fc.jsonValue({ maxDepth: 3 }), async (path, value) => {
        const res = await raw("POST", path, JSON.stringify(value), {
          "content-type": "application/json",
          ...admin.headers,
        });
        expect(res.status).toBeLessThan(500);
        expectErrorShape(res.body);
      }),
      { numRuns: 60, seed: 20_310_310 },
    );
  });

  it("near-valid bodies with hostile strings never give a 500", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), fc.string({ maxLength: 300 }), async (email, password) => {
        const res = await raw("POST", "/api/auth/login", JSON.stringify({ email, password }), {
          "content-type": "application/json",
        });
        expect([400, 401]).toContain(res.status);
        expectErrorShape(res.body);
      }),
      { numRuns: 30, seed: 42 },
    );
  });
});

describe("unknown routes", () => {
  it.each([
    ["GET", "/api/nothing-here"],
    ["POST", "/api/auth/me"],
    ["DELETE", "/api/users"],
    ["GET", "/no/such/page"],
    ["GET", "/api/users/%E0%A4%A"],
  ])("%s %s is 404 with the error shape", async (method, path) => {
    const res = await raw(method, path, undefined, admin.headers);
    expect(res.status).toBe(404);
    expectErrorShape(res.body, "not_found");
  });
});

describe("API documentation", () => {
  it("GET /api/openapi.json is an OpenAPI 3.1 document listing the contract paths", async () => {
    const res = await clinic.call("GET", "/api/openapi.json");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.1.0");
    expect(res.body.info).toMatchObject({ title: "HealthFlow API" });
    const paths = res.body.paths;
    const contract: [string, string][] = [
      ["/api/auth/login", "post"],
      ["/api/auth/logout", "post"],
      ["/api/auth/me", "get"],
      ["/api/auth/register", "post"],
      ["/api/users", "post"],
      ["/api/users", "get"],
      ["/api/doctors", "get"],
    ];
    for (const [path, method] of contract) expect(paths[path]?.[method], `${method} ${path}`).toBeDefined();
    // Every operation has an id a client generator can name it by; the probes are not client API.
    for (const ops of Object.values<Record<string, { operationId?: string }>>(paths))
      for (const op of Object.values(ops)) expect(op.operationId).toMatch(/^[a-z][A-Za-z]+$/);
    expect(paths["/healthz"]).toBeUndefined();
    expect(paths["/readyz"]).toBeUndefined();
    const login = paths["/api/auth/login"].post;
    const schema = login.requestBody.content["application/json"].schema;
    expect(schema.required).toEqual(expect.arrayContaining(["email", "password"]));
    expect(Object.keys(login.responses)).toEqual(expect.arrayContaining(["200", "400", "401"]));
    expect(res.body.components.securitySchemes).toMatchObject({
      bearerAuth: { type: "http", scheme: "bearer" },
      cookieAuth: { type: "apiKey", in: "cookie", name: "hf_session" },
    });
    // the schema of a user never mentions a password
    expect(JSON.stringify(paths["/api/users"].get.responses)).not.toMatch(/password/i);
  });

  it("GET /api/docs renders a readable HTML page of the same operations", async () => {
    const res = await raw("GET", "/api/docs", undefined);
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/text\/html/);
    expect(res.body).toContain("<!doctype html>");
    expect(res.body).toContain("<code>/api/auth/login</code>");
    expect(res.body).toContain("<code>/api/doctors</code>");
    expect(res.body).toContain('href="/api/openapi.json"');
  });
});

describe("health", () => {
  it("GET /healthz is 200 {status:ok}; /readyz is 200 when ready", async () => {
    expect(await clinic.call("GET", "/healthz")).toMatchObject({ status: 200, body: { status: "ok" } });
    expect(await clinic.call("GET", "/readyz")).toMatchObject({ status: 200, body: { status: "ready" } });
  });

  it("answers 503 while start-up is unfinished: /readyz not_ready, the API starting, /healthz still 200", async () => {
    const app = createApp({
      ...clinic.deps,
      readiness: { started: () => false, check: async () => ({ database: true, migrations: true }) },
    });
    const ready = await app.request("/readyz");
    expect(ready.status).toBe(503);
    expect(ready.headers.get("retry-after")).toBe("5");
    expect(await ready.json()).toEqual({
      error: {
        code: "not_ready",
        message: expect.any(String),
        details: { started: false, database: "down", migrations: "pending" },
      },
    });
    const api = await app.request("/api/auth/me", { headers: admin.headers });
    expect(api.status).toBe(503);
    expectErrorShape(await api.json(), "starting");
    expect((await app.request("/healthz")).status).toBe(200);
  });

  it("/readyz is 503 when the live check fails or throws", async () => {
    for (const check of [
      async () => ({ database: false, migrations: true }),
      async () => ({ database: true, migrations: false }),
      async () => {
        throw new Error("boom");
      },
    ]) {
      const app = createApp({ ...clinic.deps, readiness: { started: () => true, check } });
      const res = await app.request("/readyz");
      expect(res.status).toBe(503);
      expectErrorShape(await res.json(), "not_ready");
    }
  });
});
