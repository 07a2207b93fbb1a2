import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { defaultAppConfig } from "../config/config.js";
import { clientIp, normaliseIp } from "./client-ip.js";
import type { AppEnv } from "./context.js";

describe("normaliseIp", () => {
  it.each([
    ["203.0.113.7", "203.0.113.7"],
    ["::ffff:203.0.113.7", "203.0.113.7"],
    ["2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"],
    ["2001:DB8:1:2::9", "2001:db8:1:2::/64"],
    ["[2001:db8::1]", "2001:db8:0:0::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
  ])("%s → %s", (raw, expected) => expect(normaliseIp(raw)).toBe(expected));

  it("gives one key for every address of a /64", () => {
    expect(normaliseIp("2001:db8:a:b:1::1")).toBe(normaliseIp("2001:db8:a:b:ffff:ffff:ffff:ffff"));
    expect(normaliseIp("2001:db8:a:b::1")).not.toBe(normaliseIp("2001:db8:a:c::1"));
  });

  it.each(["", "999.1.1.1", "1.2.3", "not an ip", "1::2::3", "12345::1", "1:2:3:4:5:6:7:8:9", "<script>"])(
    "refuses %j",
    (raw) => expect(normaliseIp(raw)).toBeUndefined(),
  );
});

function appWith(trustProxyHops: number, socketIp?: string) {
  const app = new Hono<AppEnv>();
  app.use("*", async (c, next) => {
    c.set("deps", {
      config: defaultAppConfig({ trustProxyHops }),
      clientIp: () => socketIp,
    } as never);
    await next();
  });
  app.get("/", (c) => c.text(clientIp(c) ?? "none"));
  return app;
}

async function ipOf(app: Hono<AppEnv>, xff?: string) {
  return (await app.request("/", { headers: xff ? { "x-forwarded-for": xff } : {} })).text();
}

describe("clientIp", () => {
  it("ignores X-Forwarded-For unless proxies are trusted", async () => {
    expect(await ipOf(appWith(0, "10.0.0.5"), "198.51.100.1")).toBe("10.0.0.5");
    expect(await ipOf(appWith(0), "198.51.100.1")).toBe("none");
  });

  it("takes the address the outermost trusted proxy saw, not what the client wrote", async () => {
    // The client forged "1.1.1.1"; the one trusted proxy appended the real address.
    expect(await ipOf(appWith(1, "10.0.0.5"), "1.1.1.1, 198.51.100.1")).toBe("198.51.100.1");
    // Two proxies (CDN, then load balancer): the CDN's view of the client is second from the right.
    expect(await ipOf(appWith(2, "10.0.0.5"), "1.1.1.1, 198.51.100.1, 10.0.0.9")).toBe("198.51.100.1");
  });

  it("falls back to the socket when the header is missing, short or garbage", async () => {
    expect(await ipOf(appWith(1, "10.0.0.5"))).toBe("10.0.0.5");
    expect(await ipOf(appWith(2, "10.0.0.5"), "198.51.100.1")).toBe("10.0.0.5");
    expect(await ipOf(appWith(1, "10.0.0.5"), "1.1.1.1, junk")).toBe("10.0.0.5");
  });
});
