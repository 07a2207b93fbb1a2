/**
 * The Lambda entry (API Gateway HTTP API, payload v2): the same Hono app, through Hono's adapter.
 * Start-up happens once per cold start; migrations are the deploy Script's job, not the request's.
 */
import { createApp, createLogger, openPlatform } from "@healthflow/core";
import { handle } from "hono/aws-lambda";

type LambdaHandler = ReturnType<typeof handle>;
let handlerPromise: Promise<LambdaHandler> | undefined;

async function build(): Promise<LambdaHandler> {
  const logger = createLogger({ level: (process.env.LOG_LEVEL as "info") ?? "info" });
  const platform = await openPlatform({ env: process.env, logger, migrate: false, bootstrap: false });
  await platform.ready;
  return handle(createApp(platform.deps));
}

export const handler: LambdaHandler = async (event, context) => {
  handlerPromise ??= build().catch((err) => {
    // Do not cache a failed start: the next invocation tries again.
    handlerPromise = undefined;
    throw err;
  });
  return (await handlerPromise)(event, context);
};
