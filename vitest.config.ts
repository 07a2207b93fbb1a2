import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores here and in CI: more workers only add contention on the database.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: "node",
          include: [
            "packages/*/src/**/*.test.ts",
            "packages/*/test/**/*.test.ts",
            "stacks/**/*.test.ts",
            "scripts/**/*.test.ts",
          ],
          exclude: ["**/node_modules/**", "**/dist/**", "packages/web/**"],
        },
      },
      // The web app's browser-side logic (time zones, slot grouping, i18n, api.ts), run in Node.
      { extends: true, test: { name: "web", include: ["packages/web/src/**/*.test.ts"] } },
      // End-to-end in headless Chromium against the built server on a fresh database (docs/web.md).
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["packages/web/e2e/**/*.e2e.ts"],
          globalSetup: ["packages/web/e2e/global-setup.ts"],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
