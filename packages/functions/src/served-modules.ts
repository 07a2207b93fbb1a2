/**
 * The route modules every HealthFlow adapter serves beside the core API (Node server, Lambda).
 * One list, so the adapters and the suites that test "the app as served" cannot drift apart.
 */
import { roomRoutes } from "@healthflow/video";

export const servedModules = [roomRoutes];
