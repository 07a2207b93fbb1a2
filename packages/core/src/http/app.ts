/**
 * The HealthFlow HTTP app. One factory, no knowledge of its runtime: the Node server, the Lambda
 * handler and the EKS pod all call `app.fetch` on what this returns.
 */

import type { OpenAPIHono } from "@hono/zod-openapi";
import { requestId } from "hono/request-id";
import { Unavailable } from "../errors.js";
import type { AppDeps, AppEnv } from "./context.js";
import { cors } from "./cors.js";
import { renderDocsPage } from "./docs-page.js";
import { handleError, handleNotFound } from "./error-handler.js";
import { bodySizeLimit, requestTimeout } from "./request-limits.js";
import { newRouter } from "./router.js";
import { accountRoutes } from "./routes/account.js";
import { auditRoutes } from "./routes/audit.js";
import { authRoutes } from "./routes/auth.js";
import { consultationRoutes } from "./routes/consultations.js";
import { healthRoutes } from "./routes/health.js";
import { messageRoutes } from "./routes/messages.js";
import { privacyRoutes } from "./routes/privacy.js";
import { roomLinkRoutes } from "./routes/room-links.js";
import { scheduleRoutes } from "./routes/schedules.js";
import { userRoutes } from "./routes/users.js";
import { securityHeaders } from "./security-headers.js";
import { memorySignInLimiters } from "./sign-in-guard.js";

export const API_INFO = { title: "HealthFlow API", version: "0.1.0" };

export interface AppOptions {
  /** Route modules served beside (or, with `core: false`, instead of) the core API. */
  modules?: OpenAPIHono<AppEnv>[];
  /** Serve the core API routes (default true); the video pod serves only its own module. */
  core?: boolean;
}

export function createApp(deps: AppDeps, options: AppOptions = {}) {
  const app = newRouter();
  deps = { ...deps, signInLimiters: deps.signInLimiters ?? memorySignInLimiters(deps.config, deps.now) };

  // Outermost, so every response (errors, 404s, preflights) carries the headers.
  app.use("*", securityHeaders(deps.config));
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
  app.use("/api/*", cors(deps.config));
  app.use("/api/*", async (_c, next) => {
    if (!deps.readiness.started()) throw new Unavailable("starting", "HealthFlow is starting; try again shortly.");
    await next();
  });
  app.use("/api/*", bodySizeLimit(deps.config.maxBodyBytes));
  app.use("/api/*", requestTimeout(deps.config.requestTimeoutMs));

  app.route("/", healthRoutes);
  if (options.core !== false) {
    app.route("/", authRoutes);
    app.route("/", accountRoutes);
    app.route("/", userRoutes);
    app.route("/", scheduleRoutes);
    app.route("/", consultationRoutes);
    app.route("/", auditRoutes);
    app.route("/", privacyRoutes);
    app.route("/", roomLinkRoutes);
    app.route("/", messageRoutes);
  }
  for (const module of options.modules ?? []) app.route("/", module);

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
