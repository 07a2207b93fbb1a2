/**
 * No bearer secret in the logs (issue #11): a full room flow through the app as the adapters
 * assemble it (core API + room service), logging at debug level into a buffer, then the buffer is
 * searched for every token handed out. Also: a client's X-Request-Id is not taken unless a trusted
 * proxy is configured.
 */
import { createApp, createLogger } from "@healthflow/core";
import { createTestClinic, type TestClinic } from "@healthflow/test-kit/test-clinic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { servedModules } from "./served-modules.js";

const NOW = new Date("2030-09-02T12:00:00Z");
const START = "2030-09-03T12:00:00Z";

let clinic: TestClinic;
const lines: string[] = [];

beforeAll(async () => {
  clinic = await createTestClinic({ now: NOW, config: { publicUrl: "https://clinic.example" } });
});
afterAll(async () => {
  await clinic.close();
});

describe("room tokens never reach the log", () => {
  it("a full room flow at debug level leaves no token in the captured log", async () => {
    const logger = createLogger({ level: "debug", write: (l) => lines.push(l) });
    const app = createApp({ ...clinic.deps, logger }, { modules: servedModules });
    const call = async (method: string, path: string, token?: string, body?: unknown) => {
      const res = await app.request(path, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body ? { "content-type": "application/json" } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, body: (await res.json().catch(() => null)) as any };
    };
    const doctor = await clinic.person("doctor");
    const patient = await clinic.person("patient");
    expect(
      (
        await call("PUT", `/api/doctors/${doctor.user.id}/availability`, doctor.token, {
          rules: [{ weekday: 2, start: "08:00", end: "12:00" }],
        })
      ).status,
    ).toBe(200);
    const booked = await call("POST", "/api/consultations", patient.token, {
      doctorId: doctor.user.id,
      startsAt: START,
    });
    expect(booked.status).toBe(201);
    const id = booked.body.consultation.id;
    const tokens: string[] = [];
    for (const who of [doctor, patient]) {
      const link = await call("POST", `/api/consultations/${id}/room-link`, who.token);
      expect(link.status).toBe(200);
      tokens.push(link.body.url.split("/room/")[1]);
    }
    // Before the window (425), inside it (200), a tampered token (401), the page path, a revoked one (410).
    expect((await call("GET", `/api/rooms/${tokens[1]}`)).status).toBe(425);
    clinic.clock.set(new Date("2030-09-03T12:05:00Z"));
    expect((await call("GET", `/api/rooms/${tokens[0]}`)).status).toBe(200);
    expect((await call("GET", `/api/rooms/${tokens[1]}`)).status).toBe(200);
    expect((await call("GET", `/api/rooms/${tokens[1]}x`)).status).toBe(401);
    await call("GET", `/room/${tokens[1]}`);
    await call("GET", `/api/rooms/${tokens[0]}?token=${tokens[0]}`);
    clinic.clock.set(NOW);
    expect((await call("DELETE", `/api/consultations/${id}/room-links`, doctor.token)).status).toBe(204);
    clinic.clock.set(new Date("2030-09-03T12:05:00Z"));
    expect((await call("GET", `/api/rooms/${tokens[0]}`)).status).toBe(410);
    clinic.clock.set(NOW);

    const log = lines.join("\n");
    const roomLines = lines.filter((l) => l.includes("/api/rooms/") || l.includes("/room/"));
    expect(roomLines.length).toBeGreaterThanOrEqual(6);
    for (const token of tokens) {
      expect(log).not.toContain(token);
      // Nor a recognisable part of it (the signature, the payload).
      for (const part of token.split(".").slice(1)) expect(log).not.toContain(part);
    }
    for (const bearer of [doctor.token, patient.token]) expect(log).not.toContain(bearer);
    expect(roomLines.every((l) => l.includes("[redacted]"))).toBe(true);
  });
});

describe("X-Request-Id", () => {
  it("is the server's own unless a trusted proxy is configured", async () => {
    const plain = await clinic.app.request("/api/openapi.json", { headers: { "x-request-id": "spoofed-id-123" } });
    expect(plain.headers.get("x-request-id")).not.toBe("spoofed-id-123");
    expect(plain.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const proxied = await createTestClinic({ database: clinic.database, config: { trustProxyHops: 1 } });
    try {
      const res = await proxied.app.request("/api/openapi.json", { headers: { "x-request-id": "from-the-alb-123" } });
      expect(res.headers.get("x-request-id")).toBe("from-the-alb-123");
      const bad = await proxied.app.request("/api/openapi.json", {
        headers: { "x-request-id": "bad id <script>" },
      });
      expect(bad.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await proxied.close();
    }
  });
});
