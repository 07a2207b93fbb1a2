/**
 * The web origin reaches the API Lambda without a stack cycle. CloudFront (Web stack) routes
 * `/api/*` to the API (Api stack), so the Api stack cannot reference the distribution's domain.
 * Instead the Web stack writes the URL to the SSM parameter an SST `Config.Parameter` named
 * HEALTHFLOW_PUBLIC_URL would have, and the Lambda is given SST's "fetch from SSM" placeholder for
 * it, so `sst/node/config` loads it at cold start like any other bound value.
 */
import { Config } from "sst/config.js";

export const PUBLIC_URL_PARAMETER = "HEALTHFLOW_PUBLIC_URL";

/** e.g. /sst/healthflow/prod/Parameter/HEALTHFLOW_PUBLIC_URL/value */
export function publicUrlParameterPath(): string {
  return Config.pathFor({ type: "Parameter", id: PUBLIC_URL_PARAMETER, prop: "value" });
}

/** e.g. SST_Parameter_value_HEALTHFLOW_PUBLIC_URL */
export function publicUrlEnvironmentKey(): string {
  return Config.envFor({ type: "Parameter", id: PUBLIC_URL_PARAMETER, prop: "value" });
}
