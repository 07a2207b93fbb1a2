/**
 * Values SST binds to a function (Config.Secret, Config.Parameter) live in SSM, and
 * `sst/node/config` loads them at cold start. The app reads plain environment variables, so this
 * copies the ones it knows onto an environment object. Outside SST (no SST_APP) it changes nothing,
 * so the same handler also runs under any other Lambda deployment with plain env vars.
 */
const SST_CONFIG_NAMES = [
  "HEALTHFLOW_SECRET",
  "JITSI_APP_SECRET",
  "HEALTHFLOW_ADMIN_EMAIL",
  "HEALTHFLOW_ADMIN_PASSWORD",
  "HEALTHFLOW_PUBLIC_URL",
] as const;

type Env = Record<string, string | undefined>;

/** Environment variables already set win over SST's values (an operator's override). */
export function mergeSstConfig(env: Env, config: Record<string, unknown>): Env {
  const merged: Env = { ...env };
  for (const name of SST_CONFIG_NAMES) {
    const value = config[name];
    if (typeof value === "string" && value !== "" && !merged[name]) merged[name] = value;
  }
  return merged;
}

export async function withSstConfig(env: Env): Promise<Env> {
  if (!env.SST_APP) return env;
  const { Config } = await import("sst/node/config");
  return mergeSstConfig(env, Object.fromEntries(Object.entries(Config)));
}
