import { createRoute, z } from "@hono/zod-openapi";
import { errorBody } from "../error-handler.js";
import { jsonResponse, newRouter } from "../router.js";

const healthz = createRoute({
  method: "get",
  path: "/healthz",
  operationId: "getLiveness",
  hide: true, // a probe for load balancers and Kubernetes, not part of the client API
  tags: ["health"],
  summary: "Liveness: the process is up",
  responses: { 200: jsonResponse(z.object({ status: z.literal("ok") }), "Alive") },
});

const readyz = createRoute({
  method: "get",
  path: "/readyz",
  operationId: "getReadiness",
  hide: true, // a probe for load balancers and Kubernetes, not part of the client API
  tags: ["health"],
  summary: "Readiness: the database answers and migrations are current",
  responses: {
    200: jsonResponse(z.object({ status: z.literal("ready") }), "Ready"),
    503: { description: "Not ready", content: { "application/json": { schema: z.any() } } },
  },
});

export const healthRoutes = newRouter()
  .openapi(healthz, (c) => c.json({ status: "ok" as const }, 200))
  .openapi(readyz, async (c) => {
    const { readiness } = c.get("deps");
    const status = readiness.started()
      ? await readiness.check().catch(() => ({ database: false, migrations: false }))
      : { database: false, migrations: false };
    if (status.database && status.migrations) return c.json({ status: "ready" as const }, 200);
    c.header("Retry-After", "5");
    return c.json(
      errorBody("not_ready", "Not ready: waiting for the database or migrations.", {
        started: readiness.started(),
        database: status.database ? "up" : "down",
        migrations: status.migrations ? "current" : "pending",
      }),
      503,
    );
  });
