/**
 * The Data API stand-in (and a tiny SSM) behind the AWS wire protocols, on a loopback port, so a
 * *bundled* Lambda (the artifact `sst build` produced, with its own AWS SDK inside) can run
 * against the real PostgreSQL server with only AWS_ENDPOINT_URL changed:
 *
 * - RDS Data API, REST-JSON: POST /Execute, /BeginTransaction, /CommitTransaction,
 *   /RollbackTransaction; errors as 400 with `x-amzn-errortype` and `{ message }`.
 * - SSM, JSON 1.1: `X-Amz-Target: AmazonSSM.GetParameters` (how `sst/node/config` loads bound
 *   secrets and parameters), from a fixed map.
 *
 * Requests are not signature-checked. Test-only.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { DataApiStandIn } from "./data-api-stand-in.js";

export interface AwsWireStandIn {
  url: string;
  /** "Execute", "AmazonSSM.GetParameters", ... in the order received. */
  calls: string[];
  close(): Promise<void>;
}

export async function startAwsWireStandIn(
  dataApi: DataApiStandIn,
  ssmParameters: Record<string, string> = {},
): Promise<AwsWireStandIn> {
  const calls: string[] = [];
  const server = createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk) => {
      raw += chunk;
    });
    req.on("end", async () => {
      const send = (status: number, body: unknown, errorType?: string) => {
        res.writeHead(status, {
          "content-type": "application/json",
          ...(errorType ? { "x-amzn-errortype": errorType } : {}),
        });
        res.end(JSON.stringify(body));
      };
      try {
        const input = raw ? JSON.parse(raw) : {};
        const target = req.headers["x-amz-target"]?.toString();
        if (target) {
          calls.push(target);
          if (target !== "AmazonSSM.GetParameters")
            return send(400, { message: `${target} not stubbed` }, "ValidationException");
          const names: string[] = input.Names ?? [];
          return send(200, {
            Parameters: names
              .filter((n) => n in ssmParameters)
              .map((n) => ({ Name: n, Value: ssmParameters[n], Type: "SecureString", Version: 1 })),
            InvalidParameters: names.filter((n) => !(n in ssmParameters)),
          });
        }
        const path = new URL(req.url ?? "/", "http://x").pathname;
        calls.push(path.slice(1));
        switch (path) {
          case "/Execute": {
            const { $metadata: _, ...out } = await dataApi.executeStatement(input);
            return send(200, out);
          }
          case "/BeginTransaction": {
            const { $metadata: _, ...out } = await dataApi.beginTransaction(input);
            return send(200, out);
          }
          case "/CommitTransaction": {
            const { $metadata: _, ...out } = await dataApi.commitTransaction(input);
            return send(200, out);
          }
          case "/RollbackTransaction": {
            const { $metadata: _, ...out } = await dataApi.rollbackTransaction(input);
            return send(200, out);
          }
          default:
            return send(404, { message: `${path} not stubbed` }, "NotFoundException");
        }
      } catch (err) {
        const e = err as Error;
        send(400, { message: e.message }, e.name || "BadRequestException");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
