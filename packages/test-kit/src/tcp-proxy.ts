/**
 * A TCP proxy on 127.0.0.1 that tests can take down and bring back, to play a database server that
 * goes away (a restart, a failover, a network cut) without touching the real server.
 */
import { connect, createServer, type Server, type Socket } from "node:net";

export interface TcpProxy {
  port: number;
  /** Stops listening and cuts every open connection. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  /** Delays every byte the server sends back by `ms` (0: none), order preserved. */
  setLatency(ms: number): void;
  close(): Promise<void>;
}

export async function startTcpProxy(
  target: { host: string; port: number },
  options: { listen?: boolean } = {},
): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  let latency = 0;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer((client) => {
        const upstream = connect(target.port, target.host);
        let due = 0;
        const cut = () => {
          client.destroy();
          upstream.destroy();
        };
        for (const sock of [client, upstream]) {
          sockets.add(sock);
          sock.on("close", () => {
            sockets.delete(sock);
            cut();
          });
          sock.on("error", cut);
        }
        client.pipe(upstream);
        upstream.on("data", (chunk: Buffer) => {
          if (latency === 0 && due <= Date.now()) {
            client.write(chunk);
            return;
          }
          due = Math.max(Date.now() + latency, due);
          setTimeout(() => {
            if (!client.destroyed) client.write(chunk);
          }, due - Date.now());
        });
      });
      s.once("error", reject);
      s.listen(port, "127.0.0.1", () => {
        port = (s.address() as { port: number }).port;
        server = s;
        resolve();
      });
    });

  const down = async () => {
    const s = server;
    server = undefined;
    for (const sock of sockets) sock.destroy();
    sockets.clear();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  if (options.listen !== false) {
    await listen();
  } else {
    // Reserve a free port, then release it: the proxy starts "down" on a known port.
    await listen();
    await down();
  }
  return {
    get port() {
      return port;
    },
    down,
    up: listen,
    setLatency: (ms: number) => {
      latency = ms;
    },
    close: down,
  };
}

/** The same connection string, pointed at the proxy instead of the server. */
export function viaProxy(url: string, proxy: TcpProxy): string {
  const u = new URL(url);
  u.hostname = "127.0.0.1";
  u.port = String(proxy.port);
  return u.toString();
}
