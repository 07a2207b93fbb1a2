import { describe, expect, it } from "vitest";
import { mergeSstConfig, withSstConfig } from "./sst-config.js";

describe("SST-bound config onto the environment", () => {
  it("copies the known names, keeps operator-set variables, ignores the rest", () => {
    const merged = mergeSstConfig(
      { HEALTHFLOW_SECRET: "from-env", KEEP: "1" },
      {
        HEALTHFLOW_SECRET: "from-ssm",
        JITSI_APP_SECRET: "j",
        HEALTHFLOW_PUBLIC_URL: "https://x.example",
        STAGE: "dev",
      },
    );
    expect(merged).toEqual({
      HEALTHFLOW_SECRET: "from-env",
      KEEP: "1",
      JITSI_APP_SECRET: "j",
      HEALTHFLOW_PUBLIC_URL: "https://x.example",
    });
  });

  it("outside SST (no SST_APP) returns the environment untouched, without loading SST", async () => {
    const env = { A: "1" };
    expect(await withSstConfig(env)).toBe(env);
  });
});
