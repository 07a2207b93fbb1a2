import { isPermanentConnectError } from "../db/pg-errors.js";
import type { Logger } from "../log/logger.js";

/**
 * Waits until `ping` succeeds, retrying with exponential backoff (250 ms doubling to 10 s, with
 * jitter) for at most `timeoutMs`; logs each failure. The seed's fixed "Retry" loop, bounded.
 */
export async function waitForDatabase(
  ping: () => Promise<void>,
  logger: Logger,
  options: { timeoutMs: number; sleep?: (ms: number) => Promise<void>; signal?: AbortSignal },
): Promise<void> {
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const deadline = Date.now() + options.timeoutMs;
  let delay = 250;
  for (let attempt = 1; ; attempt++) {
    try {
      await ping();
      if (attempt > 1) logger.info("database is up", { attempt });
      return;
    } catch (err) {
      // Waiting cannot fix a wrong password or a missing database: say so at once.
      if (isPermanentConnectError(err)) {
        throw new Error(`database refused the connection: ${(err as Error).message}`);
      }
      if (options.signal?.aborted) throw new Error("start-up cancelled while waiting for the database");
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new Error(
          `database not reachable after ${Math.round(options.timeoutMs / 1000)} s: ${(err as Error).message}`,
        );
      }
      const wait = Math.min(delay * (0.8 + Math.random() * 0.4), remaining);
      logger.warn("database not reachable yet; retrying", {
        attempt,
        retryInMs: Math.round(wait),
        err: (err as Error).message,
      });
      await sleep(wait);
      delay = Math.min(delay * 2, 10_000);
    }
  }
}
