/** @healthflow/video: the consult-room service (Jitsi credentials for signed room links). */
export { createVideoApp } from "./app.js";
export { type JitsiRoomConfig, type JitsiSettings, jitsiRoomConfig } from "./jitsi.js";
export { roomResponseSchema, roomRoutes } from "./routes.js";
