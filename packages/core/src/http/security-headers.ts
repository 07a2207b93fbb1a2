/**
 * Response headers that make the browser enforce what the server means: a strict
 * Content-Security-Policy, HSTS off localhost, no MIME sniffing, no referrer, no framing. Applied
 * once, by createApp, so every response of every adapter (API, errors, 404s, the web app's HTML)
 * carries them; a handler may set a narrower policy of its own, which is kept.
 *
 * Jitsi: the room page loads `https://<JITSI_DOMAIN>/external_api.js`, which frames the meeting.
 * The web app is a single-page app, so a document loaded at `/` can navigate to `/room/...` without
 * a reload and keeps the policy it was loaded with: the Jitsi origin must be in every HTML
 * document's policy, not only `/room/*`'s. It is the one configured origin, never a wildcard.
 */
import type { MiddlewareHandler } from "hono";
import { every } from "hono/combine";
import { secureHeaders } from "hono/secure-headers";
import type { AppConfig } from "../config/config.js";
import { isLocalRequest } from "./local-host.js";

/** `https://<domain>` when the configured domain is a plain host[:port]; otherwise nothing. */
export function jitsiOrigin(domain: string): string | undefined {
  // The value goes into a header: anything but a host name (and port) is refused, not escaped.
  return /^[a-z0-9.-]+(:\d{1,5})?$/i.test(domain) ? `https://${domain.toLowerCase()}` : undefined;
}

// The server-rendered API reference (/api/docs) keeps its stylesheet inline; it has no script.
const INLINE_STYLE_PATHS = new Set(["/api/docs"]);

export function securityHeaders(config: Pick<AppConfig, "jitsi">): MiddlewareHandler {
  const jitsi = jitsiOrigin(config.jitsi.domain);
  // Two fixed policies built once: a per-request callback in the policy would make Hono rebuild
  // every header on every request (about 4 % of a booking's CPU in the #16 profile).
  const headersWith = (styleSrc: string) =>
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", ...(jitsi ? [jitsi] : [])],
        frameSrc: [jitsi ?? "'none'"],
        connectSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        styleSrc: [styleSrc],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
      xFrameOptions: "DENY",
      referrerPolicy: "no-referrer", // room links carry their token in the path: no referrer, to anyone
      // HSTS is set below, off localhost only; the other headers Hono would add were never sent here.
      strictTransportSecurity: false,
      crossOriginOpenerPolicy: false,
      originAgentCluster: false,
      xDnsPrefetchControl: false,
      xDownloadOptions: false,
      xPermittedCrossDomainPolicies: false,
      xXssProtection: false,
      overwrite: false,
    });
  const strict = headersWith("'self'");
  const inlineStyles = headersWith("'self' 'unsafe-inline'");
  return every(
    (c, next) => (INLINE_STYLE_PATHS.has(c.req.path) ? inlineStyles : strict)(c, next),
    // Local because Hono's secureHeaders sends HSTS to every host, and a browser would then pin
    // http://localhost (the local `npm start`) to https.
    async (c, next) => {
      await next();
      if (!isLocalRequest(c.req.url))
        c.res.headers.set("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    },
  );
}
