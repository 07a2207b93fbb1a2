/**
 * The Lambda entry (API Gateway HTTP API, payload v2): the same Hono app, through Hono's adapter.
 * Start-up happens once per cold start; migrations are the deploy Script's job, not the request's.
 */
import { createApp, createLogger, openPlatform } from "@healthflow/core";
import type { Hono } from "hono";
import { handle } from "hono/aws-lambda";
import { lambdaClientIp } from "./client-ip.js";
import { servedModules } from "./served-modules.js";
import { withSstConfig } from "./sst-config.js";

type LambdaHandler = ReturnType<typeof handle>;

/** The Lambda adapter around a given app; tests drive it with API Gateway v2 events. */
export function lambdaHandlerFor(app: Hono<any, any, any>): LambdaHandler {
  return handle(app);
}

let handlerPromise: Promise<LambdaHandler> | undefined;

async function build(): Promise<LambdaHandler> {
  const logger = createLogger({ level: (process.env.LOG_LEVEL as "info") ?? "info" });
  // Under SST, secrets and the public web URL come from SSM (see sst-config.ts).
  const env = await withSstConfig(process.env);
  const platform = await openPlatform({ env, logger, migrate: false, bootstrap: false, serves: "lambda" });
  await platform.ready;
  return lambdaHandlerFor(createApp({ ...platform.deps, clientIp: lambdaClientIp }, { modules: servedModules }));
}

export const handler: LambdaHandler = async (event, context) => {
  handlerPromise ??= build().catch((err) => {
    // Do not cache a failed start: the next invocation tries again.
    handlerPromise = undefined;
    throw err;
  });
  return (await handlerPromise)(event, context);
};
