/**
 * The web app's build. In development the API runs on its own port (`npm run dev` at the root), and
 * Vite proxies the API paths to it so the browser still sees one origin (the session cookie and
 * the Origin check need that).
 */
import { defineConfig } from "vite";
import solid from "vite-plugin-solid";
import { buildStamp } from "./build/stamp.js";

const api = process.env.HEALTHFLOW_API_URL ?? "http://127.0.0.1:3000";

export default defineConfig({
  plugins: [solid(), buildStamp()],
  build: { target: "es2022", sourcemap: false },
  server: {
    port: 5173,
    proxy: {
      "/api": { target: api, changeOrigin: false },
      "/cal": { target: api, changeOrigin: false },
      "/healthz": api,
      "/readyz": api,
    },
  },
});
