import { createApp } from "@healthflow/core";
import type { AppDeps } from "@healthflow/core/http";
import { roomRoutes } from "./routes.js";

/** The room service alone, as its EKS deployment serves it: health checks and rooms. */
export function createVideoApp(deps: AppDeps) {
  return createApp(deps, { core: false, modules: [roomRoutes] });
}
