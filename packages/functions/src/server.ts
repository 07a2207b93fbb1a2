/**
 * The Node entry: local `npm start` and the EKS pod. Listens at once (so /healthz and /readyz
 * answer while the database is still coming up), finishes start-up in the background, and on
 * SIGTERM/SIGINT stops accepting, drains in-flight requests (bounded), then closes the database.
 */
import type { Server } from "node:http";
import { ConfigError, createApp, createLogger, MigrationFailed, openPlatform } from "@healthflow/core";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { printBanner } from "./banner.js";
import { defaultWebDir, mountWebApp } from "./web-assets.js";

const SHUTDOWN_GRACE_MS = Number(process.env.SHUTDOWN_GRACE_MS ?? 20_000);

async function main() {
  const logger = createLogger({
    level: (process.env.LOG_LEVEL as "info") ?? "info",
    pretty: process.env.LOG_FORMAT ? process.env.LOG_FORMAT === "pretty" : Boolean(process.stdout.isTTY),
  });

  let platform: Awaited<ReturnType<typeof openPlatform>>;
  try {
    platform = await openPlatform({ env: process.env, logger });
  } catch (err) {
    logger.error(err instanceof ConfigError ? err.message : "start-up failed", { err });
    process.exit(1);
  }

  const root = new Hono();
  const api = createApp(platform.deps);
  root.route("/", api);
  const webDir = platform.env.HEALTHFLOW_WEB_DIR ?? defaultWebDir();
  const webServed = mountWebApp(root, webDir);
  root.notFound((c) => api.fetch(c.req.raw));

  const server = serve({ fetch: root.fetch, port: platform.env.PORT, hostname: platform.env.HOST }) as Server;
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

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info("stopping: draining in-flight requests", { signal, graceMs: SHUTDOWN_GRACE_MS });
    const force = setTimeout(() => {
      logger.warn("grace period over; closing remaining connections");
      server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    server.close(async () => {
      clearTimeout(force);
      await platform.close().catch((err) => logger.error("closing the database failed", { err }));
      logger.info("stopped");
      process.exit(0);
    });
    // Keep-alive connections with no request in flight would hold close() open.
    server.closeIdleConnections();
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main();
