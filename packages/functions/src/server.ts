/**
 * The Node entry: local `npm start` and the core API's EKS pod. One process serves the API, the
 * room service's routes and (when built) the web app, all from one origin.
 */
import { resolve } from "node:path";
import {
  ConfigError,
  createApp,
  createLogger,
  dbConfigFromEnv,
  MigrationFailed,
  openPlatform,
  type Platform,
  parseEnv,
} from "@healthflow/core";
import { Hono } from "hono";
import { printBanner } from "./banner.js";
import { nodeClientIp } from "./client-ip.js";
import { DataDirBusy, lockDataDir } from "./data-dir-lock.js";
import { drainOnSignals, listen, nodeLogger, PortInUse } from "./node-server.js";
import { servedModules } from "./served-modules.js";
import { defaultWebDir, mountWebApp } from "./web-assets.js";

const logger = nodeLogger(createLogger);

// The embedded database belongs to one process: a second server on the same folder stops here.
try {
  const env = parseEnv(process.env);
  const dbConfig = dbConfigFromEnv(env, { dataDir: resolve(env.HEALTHFLOW_DATA_DIR) });
  if (dbConfig.kind === "pglite" && dbConfig.dataDir) lockDataDir(dbConfig.dataDir);
} catch (err) {
  if (!(err instanceof DataDirBusy) && !(err instanceof ConfigError)) throw err;
  logger.error(err.message);
  process.exit(1);
}

let platform: Platform;
try {
  platform = await openPlatform({ env: process.env, logger, serves: "node", dispatcher: true });
} catch (err) {
  logger.error(err instanceof ConfigError ? err.message : "start-up failed", { err });
  process.exit(1);
}

const api = createApp({ ...platform.deps, clientIp: nodeClientIp }, { modules: servedModules });
const root = new Hono();
// Mounted on the root, the API's middleware runs for the web app's HTML and assets too: they get
// the same CSP and headers (docs/security.md), applied once.
root.route("/", api);
const webDir = platform.env.HEALTHFLOW_WEB_DIR ?? defaultWebDir();
const webServed = mountWebApp(root, webDir);
root.notFound((c) => api.fetch(c.req.raw));

const server = await listen(root.fetch, platform).catch(async (err) => {
  if (!(err instanceof PortInUse)) throw err;
  logger.error(err.message);
  await platform.close().catch(() => {});
  process.exit(1);
});
const url = `http://${platform.env.HOST === "0.0.0.0" ? "localhost" : platform.env.HOST}:${platform.env.PORT}`;
logger.info("listening", { url, database: platform.dbConfig.kind, web: webServed ? webDir : "not built" });

platform.ready.then(
  (report) => printBanner({ url, report, webServed, database: platform.dbConfig.kind, logger }),
  async (err) => {
    logger.error(
      err instanceof MigrationFailed
        ? `start-up stopped: ${err.message}. Fix the migration and start again.`
        : `start-up failed: ${(err as Error).message}`,
      { err },
    );
    server.close();
    await platform.close().catch(() => {});
    process.exit(1);
  },
);

drainOnSignals(server, platform, logger);
