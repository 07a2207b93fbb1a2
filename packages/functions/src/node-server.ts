/**
 * Running a HealthFlow Hono app on Node (local, EKS pods): listen at once so health checks answer
 * while start-up finishes, and on SIGTERM/SIGINT stop accepting, drain in-flight requests for at
 * most SHUTDOWN_GRACE_MS, then close the database and exit 0.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Logger, Platform } from "@healthflow/core";
import { serve } from "@hono/node-server";

/** How much of a refused body is read and thrown away after an early answer, at most. */
export const LINGER = { ms: 2_000, bytes: 8 * 1024 * 1024 };

/**
 * An early answer (413 for an oversized body, 401 before a body is read) must reach the client
 * and must not cost the next request on the connection. Two things go wrong by default: the
 * answer says nothing about the connection, so the client sends its next request on it, and the
 * socket is destroyed while the client is still sending its body, so the kernel answers the
 * unread bytes with a reset that can wipe out the answer on the client's side ("other side
 * closed"). So: an answer written before the request's body was fully received says
 * `Connection: close`, and that connection is closed the lingering way (as nginx's
 * `lingering_close`): our side is shut for writing, what the client still sends is read and
 * discarded for at most LINGER.ms / LINGER.bytes, then the socket is closed.
 */
export function deliverEarlyAnswers(server: Server, linger = LINGER): void {
  server.prependListener("request", (req: IncomingMessage, res: ServerResponse) => {
    const writeHead = res.writeHead;
    res.writeHead = function (this: ServerResponse, ...args: Parameters<ServerResponse["writeHead"]>) {
      if (!req.complete && !this.headersSent) {
        this.setHeader("Connection", "close");
        lingerOnClose(req.socket, linger);
      }
      return writeHead.apply(this, args);
    } as ServerResponse["writeHead"];
  });
}

function lingerOnClose(socket: Socket, linger: typeof LINGER): void {
  let lingering = false;
  socket.destroySoon = function (this: Socket) {
    if (lingering || this.destroyed) return;
    lingering = true;
    let bytes = 0;
    const close = () => {
      clearTimeout(timer);
      this.destroy();
    };
    const timer = setTimeout(close, linger.ms);
    timer.unref();
    this.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > linger.bytes) close();
    });
    this.once("end", close);
    this.once("error", close);
    // FIN after the answer: the client reads it to the end, then closes its side.
    this.end();
    this.resume();
  };
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
    deliverEarlyAnswers(server);
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
  const graceMs = platform.env.SHUTDOWN_GRACE_MS;
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
