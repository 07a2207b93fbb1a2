/**
 * `@healthflow/core/http`: the app factory and the pieces a service mounted on it needs (the video
 * service builds its routes with the same router, error responses and context).
 */
export { createApp, type HealthFlowApp } from "./app.js";
export type { AppDeps, AppEnv, Readiness } from "./context.js";
export { errorResponses, jsonBody, jsonResponse, newRouter } from "./router.js";
export { securityHeaders } from "./security-headers.js";
