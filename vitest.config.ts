import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/src/**/*.test.ts", "stacks/**/*.test.ts", "scripts/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**", "packages/web/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores here and in CI: more workers only add contention on the database.
    maxWorkers: 2,
  },
});
