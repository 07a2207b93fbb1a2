/**
 * Running a HealthFlow Hono app on Node (local, EKS pods): listen at once so health checks answer
 * while start-up finishes, and on SIGTERM/SIGINT stop accepting, drain in-flight requests for at
 * most SHUTDOWN_GRACE_MS, then close the database and exit 0.
 */
import type { Server } from "node:http";
import type { Logger, Platform } from "@healthflow/core";
import { serve } from "@hono/node-server";

export function shutdownGraceMs(env: Record<string, string | undefined> = process.env): number {
  const n = Number(env.SHUTDOWN_GRACE_MS);
  return Number.isFinite(n) && n > 0 ? n : 20_000;
}

/** The port is taken: say so in one line, naming the setting to change (no stack trace). */
export class PortInUse extends Error {
  constructor(
    readonly port: number,
    readonly host: string,
  ) {
    super(
      `Port ${port} on ${host} is already in use: stop what is using it, or set PORT to a free port (PORT=${port + 1} npm start).`,
    );
    this.name = "PortInUse";
  }
}

/** Resolves once the server is listening; rejects with `PortInUse` when the port is taken. */
export function listen(fetch: (req: Request) => Response | Promise<Response>, platform: Platform): Promise<Server> {
  return new Promise((resolveListening, reject) => {
    const server = serve({ fetch, port: platform.env.PORT, hostname: platform.env.HOST }) as Server;
    const onError = (err: NodeJS.ErrnoException) => {
      server.off("listening", onListening);
      reject(err.code === "EADDRINUSE" ? new PortInUse(platform.env.PORT, platform.env.HOST) : err);
    };
    const onListening = () => {
      server.off("error", onError);
      resolveListening(server);
    };
    server.once("error", onError);
    server.once("listening", onListening);
  });
}

export function drainOnSignals(server: Server, platform: Platform, logger: Logger): void {
  const graceMs = shutdownGraceMs();
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info("stopping: draining in-flight requests", { signal, graceMs });
    const force = setTimeout(() => {
      logger.warn("grace period over; closing remaining connections");
      server.closeAllConnections();
    }, graceMs);
    force.unref();
    // A keep-alive client keeps sending on its open connection after close(), so without this the
    // drain never ends by itself and the grace timer cuts requests mid-flight (the reliability
    // suite's SIGTERM test caught it): answer each request still arriving with `Connection: close`
    // and keep closing the connections that fall idle.
    server.prependListener("request", (_req, res) => res.setHeader("Connection", "close"));
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    sweep.unref();
    server.close(async () => {
      clearTimeout(force);
      clearInterval(sweep);
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

export function nodeLogger(
  createLogger: (o: { level?: "debug" | "info" | "warn" | "error"; pretty?: boolean }) => Logger,
) {
  return createLogger({
    level: (process.env.LOG_LEVEL as "info" | undefined) ?? "info",
    pretty: process.env.LOG_FORMAT ? process.env.LOG_FORMAT === "pretty" : Boolean(process.stdout.isTTY),
  });
}
