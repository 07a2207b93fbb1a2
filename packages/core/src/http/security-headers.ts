/**
 * Response headers that make the browser enforce what the server means: a strict
 * Content-Security-Policy, HSTS off localhost, no MIME sniffing, no referrer, no framing. Set after
 * the handler runs, so error responses and the web app's HTML carry them too (the Node server
 * mounts this on its root app as well).
 *
 * Jitsi: the room page loads `https://<JITSI_DOMAIN>/external_api.js`, which frames the meeting.
 * The web app is a single-page app, so a document loaded at `/` can navigate to `/room/...` without
 * a reload and keeps the policy it was loaded with: the Jitsi origin must be in every HTML
 * document's policy, not only `/room/*`'s. It is the one configured origin, never a wildcard.
 */
import type { MiddlewareHandler } from "hono";
import type { AppConfig } from "../config/config.js";

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

export function isLocalHostname(hostname: string): boolean {
  return LOCAL_HOSTS.has(hostname) || hostname.endsWith(".localhost");
}

/** `https://<domain>` when the configured domain is a plain host[:port]; otherwise nothing. */
export function jitsiOrigin(domain: string): string | undefined {
  // The value goes into a header: anything but a host name (and port) is refused, not escaped.
  return /^[a-z0-9.-]+(:\d{1,5})?$/i.test(domain) ? `https://${domain.toLowerCase()}` : undefined;
}

export function contentSecurityPolicy(config: Pick<AppConfig, "jitsi">, options: { inlineStyles?: boolean } = {}) {
  const jitsi = jitsiOrigin(config.jitsi.domain);
  const directives: [string, string[]][] = [
    ["default-src", ["'self'"]],
    ["script-src", ["'self'", ...(jitsi ? [jitsi] : [])]],
    ["frame-src", jitsi ? [jitsi] : ["'none'"]],
    ["connect-src", ["'self'"]],
    ["img-src", ["'self'", "data:"]],
    ["style-src", options.inlineStyles ? ["'self'", "'unsafe-inline'"] : ["'self'"]],
    ["font-src", ["'self'"]],
    ["object-src", ["'none'"]],
    ["base-uri", ["'none'"]],
    ["form-action", ["'self'"]],
    ["frame-ancestors", ["'none'"]],
  ];
  return directives.map(([name, values]) => `${name} ${values.join(" ")}`).join("; ");
}

// The server-rendered API reference (/api/docs) keeps its stylesheet inline; it has no script.
const INLINE_STYLE_PATHS = new Set(["/api/docs"]);

export function securityHeaders(config: Pick<AppConfig, "jitsi">): MiddlewareHandler {
  const strict = contentSecurityPolicy(config);
  const withInlineStyles = contentSecurityPolicy(config, { inlineStyles: true });
  return async (c, next) => {
    await next();
    const url = new URL(c.req.url);
    const h = c.res.headers;
    // A handler may set a narrower policy of its own; only fill in what is missing.
    if (!h.has("content-security-policy")) {
      h.set("Content-Security-Policy", INLINE_STYLE_PATHS.has(url.pathname) ? withInlineStyles : strict);
    }
    h.set("X-Content-Type-Options", "nosniff");
    // Room links carry their token in the path: no referrer, to anyone.
    h.set("Referrer-Policy", "no-referrer");
    h.set("X-Frame-Options", "DENY");
    h.set("Cross-Origin-Resource-Policy", "same-origin");
    if (!isLocalHostname(url.hostname)) {
      h.set("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    }
  };
}
