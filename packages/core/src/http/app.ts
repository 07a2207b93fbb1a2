/**
 * The HealthFlow HTTP app. One factory, no knowledge of its runtime: the Node server, the Lambda
 * handler and the EKS pod all call `app.fetch` on what this returns.
 */

import type { OpenAPIHono } from "@hono/zod-openapi";
import { Unavailable } from "../errors.js";
import { createFhirApp, FHIR_BASE_PATH, registerFhirOpenApi } from "../fhir/fhir-app.js";
import type { AppDeps, AppEnv } from "./context.js";
import { cors } from "./cors.js";
import { renderDocsPage } from "./docs-page.js";
import { handleError, handleNotFound } from "./error-handler.js";
import { redactUrlForLog } from "./redact.js";
import { dbRequestBudget, requestBudget } from "./request-budget.js";
import { requestId } from "./request-id.js";
import { bodySizeLimit, requestTimeout } from "./request-limits.js";
import { newRouter } from "./router.js";
import { accountRoutes } from "./routes/account.js";
import { auditRoutes } from "./routes/audit.js";
import { authRoutes } from "./routes/auth.js";
import { calendarFeedRoutes } from "./routes/calendar-feeds.js";
import { consultationRoutes } from "./routes/consultations.js";
import { firstAvailableRoutes } from "./routes/first-available.js";
import { healthRoutes } from "./routes/health.js";
import { messageRoutes } from "./routes/messages.js";
import { patientHistoryRoutes } from "./routes/patient-history.js";
import { privacyRoutes } from "./routes/privacy.js";
import { roomLinkRoutes } from "./routes/room-links.js";
import { scheduleRoutes } from "./routes/schedules.js";
import { telemedicineRoutes } from "./routes/telemedicine.js";
import { userRoutes } from "./routes/users.js";
import { securityHeaders } from "./security-headers.js";
import { dbSignInLimiters } from "./sign-in-guard.js";

const API_INFO = {
  title: "HealthFlow API",
  version: "0.1.0",
  license: { name: "AGPL-3.0-only", identifier: "AGPL-3.0-only" },
  description:
    "Every `/api` request counts against a request budget (HEALTHFLOW_REQUEST_BUDGET_PER_MINUTE per session, " +
    "twice that per IP when anonymous; shared by every server process): past it, 429 `rate_limited` with " +
    "`Retry-After`. A body larger than HEALTHFLOW_MAX_BODY_BYTES is 413 `payload_too_large` with `Connection: close`.",
};

export interface AppOptions {
  /** Route modules served beside (or, with `core: false`, instead of) the core API. */
  modules?: OpenAPIHono<AppEnv>[];
  /** Serve the core API routes (default true); the video pod serves only its own module. */
  core?: boolean;
}

export function createApp(deps: AppDeps, options: AppOptions = {}) {
  const app = newRouter();
  deps = {
    ...deps,
    signInLimiters: deps.signInLimiters ?? dbSignInLimiters(deps.db, deps.config, deps.now),
    requestBudget: deps.requestBudget ?? dbRequestBudget(deps.db, deps.config, deps.now),
  };

  // Outermost, so every response (errors, 404s, preflights) carries the headers.
  app.use("*", securityHeaders(deps.config));
  app.use("*", requestId(deps.config));
  app.use("*", async (c, next) => {
    c.set("deps", deps);
    const log = deps.logger.child({ reqId: c.get("requestId") });
    c.set("log", log);
    const started = performance.now();
    await next();
    const path = c.req.path;
    if (path !== "/healthz" && path !== "/readyz") {
      log.info("request", {
        method: c.req.method,
        // Never the raw path: room links and other bearer secrets travel in it (redact.ts).
        path: redactUrlForLog(path),
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
  app.use("/api/*", requestBudget(deps.requestBudget!));
  app.use("/api/*", bodySizeLimit(deps.config.maxBodyBytes));
  app.use("/api/*", requestTimeout(deps.config.requestTimeoutMs));
  // Calendar feeds (issue 14) are public, the token being the credential: the same start-up gate,
  // budget (per address, as anonymous) and timeout, so a leaked token hammered is not free.
  app.use("/cal/*", async (_c, next) => {
    if (!deps.readiness.started()) throw new Unavailable("starting", "HealthFlow is starting; try again shortly.");
    await next();
  });
  app.use("/cal/*", requestBudget(deps.requestBudget!));
  app.use("/cal/*", requestTimeout(deps.config.requestTimeoutMs));

  app.route("/", healthRoutes);
  if (options.core !== false) {
    app.route("/", authRoutes);
    app.route("/", accountRoutes);
    app.route("/", userRoutes);
    app.route("/", scheduleRoutes);
    app.route("/", firstAvailableRoutes);
    app.route("/", consultationRoutes);
    app.route("/", auditRoutes);
    app.route("/", privacyRoutes);
    app.route("/", roomLinkRoutes);
    app.route("/", telemedicineRoutes);
    app.route("/", messageRoutes);
    app.route("/", calendarFeedRoutes);
    app.route("/", patientHistoryRoutes);
    // FHIR R4 (docs/fhir.md): its own error shape (OperationOutcome) and content type.
    app.route(FHIR_BASE_PATH, createFhirApp());
    registerFhirOpenApi(app.openAPIRegistry);
  }
  for (const module of options.modules ?? []) app.route("/", module);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", { type: "http", scheme: "bearer" });
  app.openAPIRegistry.registerComponent("securitySchemes", "cookieAuth", {
    type: "apiKey",
    in: "cookie",
    name: "hf_session",
  });
  // One relative server: the document is served by the API it describes, at whatever origin.
  const openApiConfig = { openapi: "3.1.0", info: API_INFO, servers: [{ url: "/", description: "This server" }] };
  app.doc31("/api/openapi.json", openApiConfig);
  app.get("/api/docs", (c) => c.html(renderDocsPage(app.getOpenAPI31Document(openApiConfig) as never)));

  app.notFound(handleNotFound);
  app.onError(handleError);
  return app;
}

export type HealthFlowApp = ReturnType<typeof createApp>;
