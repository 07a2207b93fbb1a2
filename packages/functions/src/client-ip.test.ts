import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { Hono } from "hono";
import { handle } from "hono/aws-lambda";
import { describe, expect, it } from "vitest";
import { lambdaClientIp, nodeClientIp, viewerAddress } from "./client-ip.js";

describe("nodeClientIp", () => {
  it("is the socket's peer address, whatever X-Forwarded-For says", async () => {
    const app = new Hono();
    app.get("/", (c) => c.text(nodeClientIp(c) ?? "none"));
    const server = createServer(getRequestListener(app.fetch));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/`, { headers: { "x-forwarded-for": "1.2.3.4" } });
      expect(await res.text()).toBe("127.0.0.1");
    } finally {
      server.close();
    }
  });

  it("is undefined without Node bindings instead of failing the request", async () => {
    const app = new Hono();
    app.get("/", (c) => c.text(nodeClientIp(c) ?? "none"));
    expect(await (await app.request("/")).text()).toBe("none");
  });

  it("behind CloudFront, is the viewer's address from CloudFront-Viewer-Address, not the edge's", async () => {
    const app = new Hono();
    app.get("/", (c) => c.text(lambdaClientIp(c) ?? "none"));
    const handler = handle(app);
    const event = (viewer: string) => ({
      version: "2.0",
      routeKey: "$default",
      rawPath: "/",
      rawQueryString: "",
      headers: { host: "api.example", "cloudfront-viewer-address": viewer, "x-forwarded-for": "1.2.3.4, 64.252.1.1" },
      requestContext: {
        http: {
          method: "GET",
          path: "/",
          protocol: "HTTP/1.1",
          sourceIp: "64.252.1.1",
          userAgent: "Amazon CloudFront",
        },
        domainName: "api.example",
        requestId: "r",
        routeKey: "$default",
        stage: "$default",
        time: "",
        timeEpoch: 0,
        accountId: "0",
        apiId: "a",
        domainPrefix: "api",
      },
      isBase64Encoded: false,
    });
    const body = async (viewer: string) =>
      ((await handler(event(viewer) as never, {} as never)) as { body: string }).body;
    expect(await body("198.51.100.10:46532")).toBe("198.51.100.10");
    expect(await body("2001:db8::7:46532")).toBe("2001:db8::7");
    expect(await body("[2001:db8::7]:46532")).toBe("2001:db8::7");
    // Garbage falls back on API Gateway's view.
    expect(await body("not an address")).toBe("64.252.1.1");
  });
});

describe("viewerAddress", () => {
  it("strips the port and refuses garbage", () => {
    expect(viewerAddress("203.0.113.5:443")).toBe("203.0.113.5");
    expect(viewerAddress("203.0.113.5")).toBeUndefined();
    expect(viewerAddress("")).toBeUndefined();
    expect(viewerAddress("evil<script>:1")).toBeUndefined();
  });
});

describe("lambdaClientIp", () => {
  it("is API Gateway's requestContext.http.sourceIp", async () => {
    const app = new Hono();
    app.get("/", (c) => c.text(lambdaClientIp(c) ?? "none"));
    const handler = handle(app);
    const event = {
      version: "2.0",
      routeKey: "$default",
      rawPath: "/",
      rawQueryString: "",
      headers: { host: "api.example", "x-forwarded-for": "1.2.3.4" },
      requestContext: {
        http: { method: "GET", path: "/", protocol: "HTTP/1.1", sourceIp: "203.0.113.9", userAgent: "t" },
        domainName: "api.example",
        requestId: "r",
        routeKey: "$default",
        stage: "$default",
        time: "",
        timeEpoch: 0,
        accountId: "0",
        apiId: "a",
        domainPrefix: "api",
      },
      isBase64Encoded: false,
    };
    const res = (await handler(event as never, {} as never)) as { body: string };
    expect(res.body).toBe("203.0.113.9");
    expect(await (await app.request("/")).text()).toBe("none");
  });

  it("behind CloudFront, is the viewer's address from CloudFront-Viewer-Address, not the edge's", async () => {
    const app = new Hono();
    app.get("/", (c) => c.text(lambdaClientIp(c) ?? "none"));
    const handler = handle(app);
    const event = (viewer: string) => ({
      version: "2.0",
      routeKey: "$default",
      rawPath: "/",
      rawQueryString: "",
      headers: { host: "api.example", "cloudfront-viewer-address": viewer, "x-forwarded-for": "1.2.3.4, 64.252.1.1" },
      requestContext: {
        http: {
          method: "GET",
          path: "/",
          protocol: "HTTP/1.1",
          sourceIp: "64.252.1.1",
          userAgent: "Amazon CloudFront",
        },
        domainName: "api.example",
        requestId: "r",
        routeKey: "$default",
        stage: "$default",
        time: "",
        timeEpoch: 0,
        accountId: "0",
        apiId: "a",
        domainPrefix: "api",
      },
      isBase64Encoded: false,
    });
    const body = async (viewer: string) =>
      ((await handler(event(viewer) as never, {} as never)) as { body: string }).body;
    expect(await body("198.51.100.10:46532")).toBe("198.51.100.10");
    expect(await body("2001:db8::7:46532")).toBe("2001:db8::7");
    expect(await body("[2001:db8::7]:46532")).toBe("2001:db8::7");
    // Garbage falls back on API Gateway's view.
    expect(await body("not an address")).toBe("64.252.1.1");
  });
});

describe("viewerAddress", () => {
  it("strips the port and refuses garbage", () => {
    expect(viewerAddress("203.0.113.5:443")).toBe("203.0.113.5");
    expect(viewerAddress("203.0.113.5")).toBeUndefined();
    expect(viewerAddress("")).toBeUndefined();
    expect(viewerAddress("evil<script>:1")).toBeUndefined();
  });
});
