import { describe, expect, it } from "vitest";
import { dummyHash, generatePassword, hashPassword, needsRehash, verifyPassword } from "./password.js";

describe("password hashing (scrypt)", () => {
  it("verifies the right password and refuses a wrong one", async () => {
    const stored = await hashPassword("correct horse battery");
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(stored).not.toContain("correct horse battery");
    expect(await verifyPassword("correct horse battery", stored)).toBe(true);
    expect(await verifyPassword("correct horse batterY", stored)).toBe(false);
    expect(await verifyPassword("", stored)).toBe(false);
  });

  it("salts every hash, so one password gives different strings that both verify", async () => {
    const [a, b] = await Promise.all([hashPassword("same password"), hashPassword("same password")]);
    expect(a).not.toBe(b);
    expect(await verifyPassword("same password", a)).toBe(true);
    expect(await verifyPassword("same password", b)).toBe(true);
  });

  it("normalises Unicode, so a composed and a decomposed accent are the same password", async () => {
    const composed = "sen\u00e7ha-forte";
    const decomposed = "senc\u0327ha-forte";
    expect(composed).not.toBe(decomposed);
    expect(await verifyPassword(decomposed, await hashPassword(composed))).toBe(true);
  });

  it("answers false, never throws, for malformed stored hashes", async () => {
    const good = await hashPassword("abcdefgh");
    const [, , , , salt, key] = good.split("$");
    const malformed = [
      "",
      "plain-text-password",
      "bcrypt$2b$10$abcdefghijklmnopqrstuv",
      "scrypt$32768$8$1$onlyfive",
      "scrypt$0$0$0$$",
      "scrypt$abc$8$1$x$y",
      // scrypt refuses these parameters: N not a power of two, memory far over the limit.
      `scrypt$3$8$1$${salt}$${key}`,
      `scrypt$32768$8$99999999$${salt}$${key}`,
      `scrypt$1073741824$8$1$${salt}$${key}`,
      // right parameters, damaged key
      `scrypt$32768$8$1$${salt}$${key!.slice(0, 20)}`,
      `scrypt$32768$8$1$${salt}$`,
    ];
    for (const stored of malformed) {
      await expect(verifyPassword("abcdefgh", stored), stored).resolves.toBe(false);
    }
  });

  it("needsRehash is false for current parameters and true for anything else", async () => {
    expect(needsRehash(await hashPassword("abcdefgh"))).toBe(false);
    expect(needsRehash("scrypt$16384$8$1$c2FsdA$a2V5")).toBe(true);
    expect(needsRehash("scrypt$32768$4$1$c2FsdA$a2V5")).toBe(true);
    expect(needsRehash("bcrypt$whatever")).toBe(true);
  });

  it("verifies older, weaker parameters (so they can be upgraded on sign-in)", async () => {
    // Build a hash with N=2^14 the way an older release would have stored it.
    const { randomBytes, scryptSync } = await import("node:crypto");
    const salt = randomBytes(16);
    const key = scryptSync("old password", salt, 32, { N: 1 << 14, r: 8, p: 1 });
    const old = `scrypt$16384$8$1$${salt.toString("base64url")}$${key.toString("base64url")}`;
    expect(await verifyPassword("old password", old)).toBe(true);
    expect(needsRehash(old)).toBe(true);
  });

  it("generates strong random passwords and a dummy hash that matches nothing guessable", async () => {
    const passwords = new Set(Array.from({ length: 50 }, generatePassword));
    expect(passwords.size).toBe(50);
    for (const p of passwords) expect(p).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const dummy = await dummyHash();
    expect(await dummyHash()).toBe(dummy);
    expect(await verifyPassword("", dummy)).toBe(false);
    expect(await verifyPassword("123", dummy)).toBe(false);
  });
});
