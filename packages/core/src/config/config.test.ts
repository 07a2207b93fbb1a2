import { describe, expect, it } from "vitest";
import {
  appConfigFromEnv,
  assertPublicOriginKnown,
  ConfigError,
  defaultAppConfig,
  isLoopbackHost,
  parseEnv,
} from "./config.js";

function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    parseEnv(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe("parseEnv", () => {
  it("applies the documented defaults to an empty environment", () => {
    const env = parseEnv({});
    expect(env).toMatchObject({
      PORT: 3000,
      HOST: "127.0.0.1",
      HEALTHFLOW_DATA_DIR: "./.healthflow",
      HEALTHFLOW_SESSION_IDLE_MINUTES: 720,
      HEALTHFLOW_SESSION_MAX_HOURS: 168,
      HEALTHFLOW_CORS_ORIGINS: [],
      JITSI_DOMAIN: "meet.jit.si",
      LOG_LEVEL: "info",
      DB_CONNECT_TIMEOUT_SECONDS: 300,
    });
    expect(env.HEALTHFLOW_DEMO).toBeUndefined();
    expect(env.HEALTHFLOW_ADMIN_PASSWORD).toBeUndefined();
  });

  it("treats empty strings as unset and ignores unrelated variables", () => {
    const env = parseEnv({ PORT: "", HEALTHFLOW_DEMO: "", PATH: "/usr/bin", HOME: "/root" });
    expect(env.PORT).toBe(3000);
    expect(env.HEALTHFLOW_DEMO).toBeUndefined();
  });

  it("parses numbers, booleans and origins", () => {
    const env = parseEnv({
      PORT: "8080",
      HEALTHFLOW_DEMO: "0",
      HEALTHFLOW_PUBLIC_URL: "https://clinic.example.org/some/path?q=1",
      HEALTHFLOW_CORS_ORIGINS: " https://a.example.org/x , http://localhost:5173 ,",
      HEALTHFLOW_SESSION_IDLE_MINUTES: "30",
    });
    expect(env.PORT).toBe(8080);
    expect(env.HEALTHFLOW_DEMO).toBe(false);
    expect(parseEnv({ HEALTHFLOW_DEMO: "yes" }).HEALTHFLOW_DEMO).toBe(true);
    expect(parseEnv({ HEALTHFLOW_DEMO: "1" }).HEALTHFLOW_DEMO).toBe(true);
    expect(env.HEALTHFLOW_PUBLIC_URL).toBe("https://clinic.example.org");
    expect(env.HEALTHFLOW_CORS_ORIGINS).toEqual(["https://a.example.org", "http://localhost:5173"]);
    const app = appConfigFromEnv(env);
    expect(app).toMatchObject({
      publicUrl: "https://clinic.example.org",
      corsOrigins: ["https://a.example.org", "http://localhost:5173"],
      sessionIdleMinutes: 30,
      sessionMaxHours: 168,
    });
  });

  it.each([
    ["PORT", "abc"],
    ["PORT", "70000"],
    ["PORT", "80.5"],
    ["PORT", "-1"],
    ["HEALTHFLOW_DEMO", "maybe"],
    ["HEALTHFLOW_ADMIN_EMAIL", "not-an-email"],
    ["HEALTHFLOW_ADMIN_PASSWORD", "1234567"],
    ["HEALTHFLOW_PUBLIC_URL", "clinic.example.org"],
    ["HEALTHFLOW_CORS_ORIGINS", "https://ok.example.org,not a url"],
    ["HEALTHFLOW_SESSION_IDLE_MINUTES", "0"],
    ["HEALTHFLOW_SECRET", "too-short"],
    ["JITSI_APP_SECRET", "short"],
    ["LOG_LEVEL", "trace"],
    ["LOG_FORMAT", "xml"],
    ["DB_CONNECT_TIMEOUT_SECONDS", "soon"],
    // These four were read beside the schema and silently fell back on a bad value (issue #11).
    ["DATABASE_URL", "not a url"],
    ["DATABASE_URL", "mysql://db.example.org/healthflow"],
    ["DB_POOL_MAX", "lots"],
    ["DB_POOL_MAX", "0"],
    ["DB_STATEMENT_TIMEOUT_MS", "-5"],
    ["DB_STATEMENT_TIMEOUT_MS", "10s"],
    ["SHUTDOWN_GRACE_MS", "forever"],
    ["DB_CLUSTER_ARN", "cluster-1"],
    ["HEALTHFLOW_REQUEST_BUDGET_PER_MINUTE", "0"],
    ["HEALTHFLOW_BOOKING_HORIZON_DAYS", "ninety"],
    ["HEALTHFLOW_MAX_ACTIVE_BOOKINGS", "-1"],
    ["HEALTHFLOW_MAX_ACTIVE_BOOKINGS_PER_DOCTOR", "0"],
  ])("refuses %s=%j with a ConfigError naming the variable", (name, value) => {
    const err = configError({ [name]: value });
    expect(err.issues.some((i) => i.startsWith(`${name}:`))).toBe(true);
    expect(err.message).toContain(name);
  });

  it("refuses origins that are not http(s), which would serialise to the untrusted origin null", () => {
    expect(() => parseEnv({ HEALTHFLOW_PUBLIC_URL: "file:///etc/passwd" })).toThrow(/HEALTHFLOW_PUBLIC_URL/);
    expect(() => parseEnv({ HEALTHFLOW_CORS_ORIGINS: "https://ok.example,javascript:alert(1)" })).toThrow(
      /HEALTHFLOW_CORS_ORIGINS/,
    );
    expect(parseEnv({ HEALTHFLOW_PUBLIC_URL: "https://clinic.example/path" }).HEALTHFLOW_PUBLIC_URL).toBe(
      "https://clinic.example",
    );
  });

  it("reports every bad variable at once", () => {
    const err = configError({ PORT: "abc", LOG_LEVEL: "loud", HEALTHFLOW_DEMO: "perhaps" });
    expect(err.issues.map((i) => i.split(":")[0]).sort()).toEqual(["HEALTHFLOW_DEMO", "LOG_LEVEL", "PORT"]);
  });

  it("refuses JITSI_APP_ID without JITSI_APP_SECRET, and accepts the pair", () => {
    const err = configError({ JITSI_APP_ID: "healthflow" });
    expect(err.issues).toEqual(["JITSI_APP_SECRET: required when JITSI_APP_ID is set"]);
    const env = parseEnv({ JITSI_APP_ID: "healthflow", JITSI_APP_SECRET: "s".repeat(32) });
    expect(appConfigFromEnv(env).jitsi).toMatchObject({ appId: "healthflow", appSecret: "s".repeat(32) });
  });

  it("never holds a default admin password or secret", () => {
    const env = parseEnv({});
    expect(env.HEALTHFLOW_ADMIN_EMAIL).toBeUndefined();
    expect(env.HEALTHFLOW_ADMIN_PASSWORD).toBeUndefined();
    expect(env.HEALTHFLOW_SECRET).toBeUndefined();
    expect(defaultAppConfig().secret).toBeUndefined();
  });

  it("takes its defaults from the settings schema, and lets any field be overridden", () => {
    expect(defaultAppConfig()).toEqual(appConfigFromEnv(parseEnv({})));
    expect(defaultAppConfig()).toMatchObject({
      minNoticeMinutes: 60,
      sessionIdleMinutes: 720,
      authRateLimit: { windowSeconds: 900, maxPerIp: 30, maxPerAccount: 10 },
      maxBodyBytes: 65536,
      requestTimeoutMs: 15000,
      corsOrigins: [],
      jitsi: { domain: "meet.jit.si" },
    });
    expect(defaultAppConfig({ minNoticeMinutes: 5 }).minNoticeMinutes).toBe(5);
  });
});

describe("the database and shutdown settings go through the schema", () => {
  it("parses them with their documented defaults", () => {
    const env = parseEnv({});
    expect(env).toMatchObject({ DB_POOL_MAX: 10, DB_STATEMENT_TIMEOUT_MS: 10_000, SHUTDOWN_GRACE_MS: 20_000 });
    expect(env.DATABASE_URL).toBeUndefined();
    const set = parseEnv({
      DATABASE_URL: "postgres://u:p@db.example.org:5432/hf",
      DB_POOL_MAX: "25",
      DB_STATEMENT_TIMEOUT_MS: "5000",
      SHUTDOWN_GRACE_MS: "3000",
    });
    expect(set).toMatchObject({
      DATABASE_URL: "postgres://u:p@db.example.org:5432/hf",
      DB_POOL_MAX: 25,
      DB_STATEMENT_TIMEOUT_MS: 5000,
      SHUTDOWN_GRACE_MS: 3000,
    });
  });

  it("needs both Data API ARNs or neither", () => {
    const err = configError({ DB_CLUSTER_ARN: "arn:aws:rds:us-east-1:1:cluster:x" });
    expect(err.message).toContain("DB_SECRET_ARN");
  });

  it("maps the fair-booking and request-budget settings", () => {
    const app = appConfigFromEnv(
      parseEnv({
        HEALTHFLOW_BOOKING_HORIZON_DAYS: "30",
        HEALTHFLOW_MAX_ACTIVE_BOOKINGS: "6",
        HEALTHFLOW_MAX_ACTIVE_BOOKINGS_PER_DOCTOR: "3",
        HEALTHFLOW_REQUEST_BUDGET_PER_MINUTE: "100",
      }),
    );
    expect(app.booking).toEqual({ horizonDays: 30, maxActive: 6, maxActivePerDoctor: 3 });
    expect(app.requestBudgetPerMinute).toBe(100);
    expect(appConfigFromEnv(parseEnv({})).booking).toEqual({ horizonDays: 90, maxActive: 4, maxActivePerDoctor: 2 });
  });
});

describe("the public origin", () => {
  it("is optional on loopback only", () => {
    expect(() => assertPublicOriginKnown(parseEnv({}), "node")).not.toThrow();
    expect(() => assertPublicOriginKnown(parseEnv({ HOST: "localhost" }), "node")).not.toThrow();
    expect(() => assertPublicOriginKnown(parseEnv({ HOST: "::1" }), "node")).not.toThrow();
    for (const host of ["0.0.0.0", "10.0.0.7", "::"]) {
      expect(() => assertPublicOriginKnown(parseEnv({ HOST: host }), "node")).toThrow(/HEALTHFLOW_PUBLIC_URL/);
    }
    expect(() =>
      assertPublicOriginKnown(parseEnv({ HOST: "0.0.0.0", HEALTHFLOW_PUBLIC_URL: "https://c.example.org" }), "node"),
    ).not.toThrow();
  });

  it("is required on Lambda", () => {
    expect(() => assertPublicOriginKnown(parseEnv({}), "lambda")).toThrow(ConfigError);
    expect(() =>
      assertPublicOriginKnown(parseEnv({ HEALTHFLOW_PUBLIC_URL: "https://c.example.org" }), "lambda"),
    ).not.toThrow();
  });

  it("knows loopback hosts", () => {
    for (const h of ["localhost", "127.0.0.1", "127.1.2.3", "[::1]", "::1", "localhost:3000", "app.localhost"]) {
      expect(isLoopbackHost(h), h).toBe(true);
    }
    for (const h of ["evil.example", "0.0.0.0", "10.0.0.1", "localhost.evil.example", "128.0.0.1"]) {
      expect(isLoopbackHost(h), h).toBe(false);
    }
  });
});

describe("the clinic's address (issue #13)", () => {
  it("is unset by default, trimmed when given, and refused when too short to be one", () => {
    expect(appConfigFromEnv(parseEnv({})).clinicAddress).toBeUndefined();
    const address = "Av. Paulista, 1000 – São Paulo, SP";
    expect(appConfigFromEnv(parseEnv({ HEALTHFLOW_CLINIC_ADDRESS: `  ${address} ` })).clinicAddress).toBe(address);
    expect(() => parseEnv({ HEALTHFLOW_CLINIC_ADDRESS: "x" })).toThrow(/HEALTHFLOW_CLINIC_ADDRESS/);
  });
});
