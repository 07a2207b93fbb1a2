/**
 * The room service's entry for its own EKS deployment: health checks and rooms only, port 3001 by
 * default. It never migrates (the core's migrate Job does) and never creates accounts.
 */
import { createLogger, openPlatform } from "@healthflow/core";
import { createVideoApp } from "@healthflow/video";
import { drainOnSignals, listen, nodeLogger, PortInUse } from "./node-server.js";

const logger = nodeLogger(createLogger);
const platform = await openPlatform({
  env: { PORT: "3001", ...process.env },
  logger,
  migrate: false,
  bootstrap: false,
  serves: "node",
});
const server = await listen(createVideoApp(platform.deps).fetch, platform).catch(async (err) => {
  if (!(err instanceof PortInUse)) throw err;
  logger.error(err.message);
  await platform.close().catch(() => {});
  process.exit(1);
});
logger.info("room service listening", { port: platform.env.PORT });
platform.ready.catch((err) => {
  logger.error(`start-up failed: ${(err as Error).message}`);
  process.exit(1);
});
drainOnSignals(server, platform, logger);
