/**
 * An early answer reaches the client (issue #11). When the server answers before reading a body
 * (413 for an oversized one), it says
 * `Connection: close`, reads and discards a bounded amount of what the client is still sending,
 * and closes without a reset, so the client sees the answer, and no request sent on a reused
 * keep-alive connection is lost. A few hundred mixed oversized and normal requests over four
 * keep-alive connections: every one gets its status.
 */

import type { Server } from "node:http";
import { Agent, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import type { Platform } from "@healthflow/core";
import { createTestClinic, type TestClinic } from "@healthflow/test-kit/test-clinic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listen } from "./node-server.js";

let clinic: TestClinic;
let server: Server;
let port: number;

beforeAll(async () => {
  clinic = await createTestClinic({ config: { maxBodyBytes: 64 * 1024, requestBudgetPerMinute: 1_000_000 } });
  server = await listen(clinic.app.fetch, { env: { PORT: 0, HOST: "127.0.0.1" } } as unknown as Platform);
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((done) => server?.close(done));
  await clinic?.close();
});

type Kind = "oversized" | "oversized-chunked" | "health" | "small-post";
interface Outcome {
  kind: Kind;
  status?: number;
  error?: string;
  connection?: string;
}

function send(agent: Agent, kind: Kind): Promise<Outcome> {
  return new Promise((done) => {
    let settled = false;
    const finish = (o: Omit<Outcome, "kind">) => {
      if (!settled) {
        settled = true;
        done({ kind, ...o });
      }
    };
    const big = Buffer.alloc(kind === "oversized" ? 300 * 1024 : 200 * 1024, 0x61);
    const small = Buffer.from(JSON.stringify({ doctorId: "x", startsAt: "2031-01-01T10:00:00Z" }));
    const headers: Record<string, string | number> = { "content-type": "application/json" };
    if (kind === "oversized") headers["content-length"] = big.length;
    if (kind === "small-post") headers["content-length"] = small.length;
    const req = httpRequest(
      {
        agent,
        host: "127.0.0.1",
        port,
        method: kind === "health" ? "GET" : "POST",
        path: kind === "health" ? "/healthz" : "/api/consultations",
        headers: kind === "health" ? {} : headers,
      },
      (res) => {
        res.resume();
        res.on("end", () => finish({ status: res.statusCode, connection: String(res.headers.connection) }));
        res.on("error", (e) => finish({ error: `response: ${e.message}` }));
      },
    );
    // A write failing after the answer arrived is not a lost answer; one failing before it is.
    req.on("error", (e) => setTimeout(() => finish({ error: `request: ${(e as Error).message}` }), 50));
    if (kind === "health") req.end();
    else if (kind === "small-post") req.end(small);
    else {
      // Sent in pieces, as a real upload is, so the answer can arrive mid-body.
      const piece = 16 * 1024;
      let offset = 0;
      const pump = () => {
        while (offset < big.length) {
          const chunk = big.subarray(offset, offset + piece);
          offset += piece;
          if (!req.write(chunk)) return void req.once("drain", pump);
        }
        req.end();
      };
      pump();
    }
  });
}

describe("early answers over keep-alive connections", () => {
  it("300 mixed oversized and normal requests on 4 connections: every status is seen, none lost", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const kinds: Kind[] = Array.from({ length: 300 }, (_, i) =>
      i % 5 === 0 ? "oversized" : i % 7 === 0 ? "oversized-chunked" : i % 2 ? "health" : "small-post",
    );
    try {
      const outcomes = await Promise.all(kinds.map((k) => send(agent, k)));
      const expected: Record<Kind, number> = {
        oversized: 413,
        "oversized-chunked": 413,
        health: 200,
        "small-post": 400, // validated before the session is looked at
      };
      const wrong = outcomes.filter((o) => o.status !== expected[o.kind]);
      expect(wrong).toEqual([]);
      for (const o of outcomes.filter((o) => o.kind.startsWith("oversized"))) expect(o.connection).toBe("close");
      expect(outcomes.filter((o) => o.status === 413).length).toBeGreaterThanOrEqual(60);
    } finally {
      agent.destroy();
    }
  });
});
