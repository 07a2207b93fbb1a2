/**
 * The web build's stamp decides whether `npm start` and the browser tests build again: only when a
 * file that went into the bundle changed, or the bundle was built in another mode.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, STAMP_FILE, staleReason } from "../packages/web/build/stamp.js";

const dist = mkdtempSync(join(tmpdir(), "healthflow-dist-"));
afterAll(() => rmSync(dist, { recursive: true, force: true }));
const sha = (file: string) =>
  createHash("sha256")
    .update(readFileSync(join(ROOT, file)))
    .digest("hex");
const stamp = (mode: string, inputs: Record<string, string>) =>
  writeFileSync(join(dist, STAMP_FILE), JSON.stringify({ mode, inputs }));

describe("the web build stamp", () => {
  it("asks for a build when there is no bundle or no stamp", () => {
    expect(staleReason(dist)).toBe("not built yet");
    writeFileSync(join(dist, "index.html"), "<!doctype html>");
    expect(staleReason(dist)).toBe("no build stamp");
  });

  it("is current when every input has the hash it was built from, in production mode", () => {
    stamp("production", {
      "packages/web/index.html": sha("packages/web/index.html"),
      "package.json": sha("package.json"),
    });
    expect(staleReason(dist)).toBeNull();
  });

  it("asks for a build when an input changed or went away, or the mode differs", () => {
    stamp("production", { "packages/web/index.html": "0".repeat(64) });
    expect(staleReason(dist)).toBe("packages/web/index.html changed");
    stamp("production", { "packages/web/src/gone.tsx": "0".repeat(64) });
    expect(staleReason(dist)).toBe("packages/web/src/gone.tsx changed");
    stamp("development", { "packages/web/index.html": sha("packages/web/index.html") });
    expect(staleReason(dist)).toBe("built in development mode");
  });
});
