/**
 * The HealthFlow HTTP app. One factory, no knowledge of its runtime: the Node server, the Lambda
 * handler and the EKS pod all call `app.fetch` on what this returns.
 */
import { requestId } from "hono/request-id";
import { Unavailable } from "../errors.js";
import type { AppDeps } from "./context.js";
import { renderDocsPage } from "./docs-page.js";
import { handleError, handleNotFound } from "./error-handler.js";
import { newRouter } from "./router.js";
import { authRoutes } from "./routes/auth.js";
import { healthRoutes } from "./routes/health.js";
import { consultationRoutes } from "./routes/consultations.js";
import { scheduleRoutes } from "./routes/schedules.js";
import { userRoutes } from "./routes/users.js";

export const API_INFO = { title: "HealthFlow API", version: "0.1.0" };

export function createApp(deps: AppDeps) {
  const app = newRouter();

  app.use("*", requestId());
  app.use("*", async (c, next) => {
    c.set("deps", deps);
    const log = deps.logger.child({ reqId: c.get("requestId") });
    c.set("log", log);
    const started = performance.now();
    await next();
    const path = new URL(c.req.url).pathname;
    if (path !== "/healthz" && path !== "/readyz") {
      log.info("request", {
        method: c.req.method,
        path,
        status: c.res.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
      });
    }
  });
  // Until start-up has reached the database and migrated, the API answers 503 (load balancers and
  // the web app retry) instead of half-working.
  app.use("/api/*", async (_c, next) => {
    if (!deps.readiness.started()) throw new Unavailable("starting", "HealthFlow is starting; try again shortly.");
    await next();
  });

  app.route("/", healthRoutes);
  app.route("/", authRoutes);
  app.route("/", userRoutes);
  app.route("/", scheduleRoutes);
  app.route("/", consultationRoutes);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", { type: "http", scheme: "bearer" });
  app.openAPIRegistry.registerComponent("securitySchemes", "cookieAuth", {
    type: "apiKey",
    in: "cookie",
    name: "hf_session",
  });
  const openApiConfig = { openapi: "3.1.0", info: API_INFO };
  app.doc31("/api/openapi.json", openApiConfig);
  app.get("/api/docs", (c) => c.html(renderDocsPage(app.getOpenAPI31Document(openApiConfig) as never)));

  app.notFound(handleNotFound);
  app.onError(handleError);
  return app;
}

export type HealthFlowApp = ReturnType<typeof createApp>;
