import { describe, expect, it } from "vitest";
import { chunkLoaded, reloadOnce } from "./stale-chunk";

function memory() {
  const m = new Map<string, string>();
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
  };
}

describe("reloading once for a stale route chunk", () => {
  it("reloads the first time, not again right after the reload", () => {
    const store = memory();
    expect(reloadOnce(store, 1_000_000)).toBe(true);
    expect(reloadOnce(store, 1_005_000)).toBe(false);
  });

  it("may reload again after a chunk loaded, or long after", () => {
    const store = memory();
    expect(reloadOnce(store, 1_000_000)).toBe(true);
    chunkLoaded(store);
    expect(reloadOnce(store, 1_001_000)).toBe(true);
    expect(reloadOnce(store, 1_001_000 + 60_000)).toBe(true);
  });

  it("never reloads without session storage (no way to remember it did)", () => {
    expect(reloadOnce(undefined)).toBe(false);
  });
});
