/**
 * The API document is good enough to generate clients from: `/api/openapi.json` of the app as the
 * adapters serve it (core API and room service) passes Redocly's recommended lint with no error and
 * no warning. The real Redocly CLI (the pinned devDependency) runs on the document the app serves.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { createTestClinic, type TestClinic } from "@healthflow/test-kit/test-clinic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { servedModules } from "./served-modules.js";

const root = resolve(import.meta.dirname, "../../..");
// The CLI pinned in this package's devDependencies (npm hoists it to the root node_modules).
const redocly = join(root, "node_modules/@redocly/cli/bin/cli.js");

interface LintProblem {
  ruleId: string;
  severity: "error" | "warn";
  message: string;
  location?: Array<{ pointer?: string }>;
}

describe("the OpenAPI document", () => {
  let clinic: TestClinic;
  let dir: string;

  beforeAll(async () => {
    clinic = await createTestClinic({ modules: servedModules });
    dir = mkdtempSync(join(tmpdir(), "hf-openapi-"));
  });
  afterAll(async () => {
    await clinic?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("passes Redocly's recommended lint with 0 errors and 0 warnings", async () => {
    const res = await clinic.app.request("/api/openapi.json");
    expect(res.status).toBe(200);
    const doc = await res.json();
    // The served document covers every route of the app, the room service's included.
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/api/consultations", "/api/rooms/{token}"]));
    const file = join(dir, "openapi.json");
    writeFileSync(file, JSON.stringify(doc));

    const { stdout } = await promisify(execFile)(
      process.execPath,
      [redocly, "lint", file, "--extends", "recommended", "--format", "json"],
      {
        cwd: dir, // no redocly.yaml here: the recommended rules, nothing relaxed
        env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", NO_COLOR: "1" },
        maxBuffer: 16 * 1024 * 1024,
      },
    ).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? "" })); // exit 1 when it finds errors
    const report = JSON.parse(stdout) as { totals: { errors: number; warnings: number }; problems: LintProblem[] };
    const problems = report.problems.map(
      (p) => `${p.severity} ${p.ruleId} ${p.location?.[0]?.pointer ?? ""}: ${p.message}`,
    );
    expect(problems).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });
});
