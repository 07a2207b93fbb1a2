import { describe, expect, it } from "vitest";
import { createLogger, silentLogger } from "./logger.js";

function capture(options: Parameters<typeof createLogger>[0] = {}) {
  const lines: string[] = [];
  const logger = createLogger({ ...options, write: (l) => lines.push(l) });
  return { logger, lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe("logger", () => {
  it("writes one JSON object per line with time, level, msg and the fields", () => {
    const { logger, lines, records } = capture();
    logger.info("signed in", { userId: "u1", ms: 12.5 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain("\n");
    const [r] = records();
    expect(Object.keys(r!).slice(0, 3)).toEqual(["time", "level", "msg"]);
    expect(r).toMatchObject({ level: "info", msg: "signed in", userId: "u1", ms: 12.5 });
    expect(new Date(r!.time as string).toISOString()).toBe(r!.time);
  });

  it("adds a child's fields to every line, nested children accumulate, the parent is unchanged", () => {
    const { logger, records } = capture({ base: { service: "api" } });
    const req = logger.child({ reqId: "r-1" });
    const deeper = req.child({ userId: "u-9" });
    req.warn("slow", { ms: 900 });
    deeper.error("boom");
    logger.info("plain");
    const [a, b, c] = records();
    expect(a).toMatchObject({ level: "warn", msg: "slow", service: "api", reqId: "r-1", ms: 900 });
    expect(b).toMatchObject({ level: "error", msg: "boom", service: "api", reqId: "r-1", userId: "u-9" });
    expect(c).toMatchObject({ msg: "plain", service: "api" });
    expect(c).not.toHaveProperty("reqId");
  });

  it("drops lines below the level, children included", () => {
    const { logger, records } = capture({ level: "warn" });
    logger.debug("d");
    logger.info("i");
    logger.warn("w");
    logger.error("e");
    logger.child({ x: 1 }).info("child info");
    logger.child({ x: 1 }).error("child error");
    expect(records().map((r) => r.msg)).toEqual(["w", "e", "child error"]);
    const debug = capture({ level: "debug" });
    debug.logger.debug("d");
    expect(debug.records().map((r) => r.level)).toEqual(["debug"]);
    const info = capture();
    info.logger.debug("hidden");
    expect(info.lines).toEqual([]);
  });

  it("serialises errors with name, message and stack", () => {
    const { logger, records } = capture();
    logger.error("failed", { err: new TypeError("bad thing") });
    const err = records()[0]!.err as Record<string, string>;
    expect(err.name).toBe("TypeError");
    expect(err.message).toBe("bad thing");
    expect(err.stack).toContain("bad thing");
  });

  it("keeps time, level and msg authoritative when fields use the same names", () => {
    const { logger, records } = capture();
    logger.child({ level: "debug" }).error("real message", { msg: "spoofed", time: "yesterday" });
    const [r] = records();
    expect(r).toMatchObject({ level: "error", msg: "real message" });
    expect(r!.time).not.toBe("yesterday");
  });

  it("pretty mode writes a short human line, not JSON", () => {
    const { logger, lines } = capture({ pretty: true });
    logger.info("listening", { url: "http://localhost:3000" });
    expect(lines).toHaveLength(1);
    expect(() => JSON.parse(lines[0]!)).toThrow();
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} /);
    expect(lines[0]).toContain("listening");
    expect(lines[0]).toContain('"url":"http://localhost:3000"');
  });

  it("silentLogger writes nothing", () => {
    const writes: unknown[] = [];
    const original = process.stdout.write;
    process.stdout.write = ((chunk: unknown) => {
      writes.push(chunk);
      return true;
    }) as typeof process.stdout.write;
    try {
      silentLogger.error("nothing");
      silentLogger.child({ a: 1 }).error("nothing");
    } finally {
      process.stdout.write = original;
    }
    expect(writes).toEqual([]);
  });
});
