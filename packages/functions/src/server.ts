/**
 * The Node entry: local `npm start` and the core API's EKS pod. One process serves the API, the
 * room service's routes and (when built) the web app, all from one origin.
 */
import {
  ConfigError,
  createApp,
  createLogger,
  MigrationFailed,
  openPlatform,
  type Platform,
  securityHeaders,
} from "@healthflow/core";
import { Hono } from "hono";
import { printBanner } from "./banner.js";
import { nodeClientIp } from "./client-ip.js";
import { drainOnSignals, listen, nodeLogger } from "./node-server.js";
import { servedModules } from "./served-modules.js";
import { defaultWebDir, mountWebApp } from "./web-assets.js";

const logger = nodeLogger(createLogger);

let platform: Platform;
try {
  platform = await openPlatform({ env: process.env, logger, dispatcher: true });
} catch (err) {
  logger.error(err instanceof ConfigError ? err.message : "start-up failed", { err });
  process.exit(1);
}

const api = createApp({ ...platform.deps, clientIp: nodeClientIp }, { modules: servedModules });
const root = new Hono();
// The web app's HTML and assets get the same CSP and headers as the API (docs/security.md).
root.use("*", securityHeaders(platform.config));
root.route("/", api);
const webDir = platform.env.HEALTHFLOW_WEB_DIR ?? defaultWebDir();
const webServed = mountWebApp(root, webDir);
root.notFound((c) => api.fetch(c.req.raw));

const server = listen(root.fetch, platform);
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
