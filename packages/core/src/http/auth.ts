/**
 * Who is calling: a bearer token (API clients) or the session cookie (the web app). Cookie-borne
 * writes must come from an allowed origin: SameSite=Lax alone still lets a sibling sub-domain or an
 * old browser forge a POST.
 */
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { resolveSession } from "../auth/session.js";
import { Forbidden, Unauthenticated } from "../errors.js";
import type { Role, User } from "../users/user.schema.js";
import type { AppEnv, Session } from "./context.js";
import { isLocalRequest } from "./local-host.js";

export const SESSION_COOKIE = "hf_session";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function bearerToken(c: Context<AppEnv>): string | undefined {
  const header = c.req.header("authorization");
  const match = header ? /^Bearer\s+([A-Za-z0-9_-]{20,100})\s*$/i.exec(header) : null;
  return match?.[1];
}

/** The caller's session, resolved once per request; null when anonymous. */
export async function currentSession(c: Context<AppEnv>): Promise<Session | null> {
  const cached = c.get("session");
  if (cached !== undefined) return cached;
  const deps = c.get("deps");
  const policy = { idleMinutes: deps.config.sessionIdleMinutes, maxHours: deps.config.sessionMaxHours };
  const bearer = bearerToken(c);
  const cookie = bearer ? undefined : getCookie(c, SESSION_COOKIE);
  const token = bearer ?? cookie;
  let session: Session | null = null;
  if (token) {
    const found = await resolveSession(deps.db, token, deps.now(), policy);
    if (found) session = { ...found, via: bearer ? "bearer" : "cookie" };
  }
  c.set("session", session);
  return session;
}

/** Origins allowed to send cookie-authenticated writes: ourselves, the public web origin, CORS list. */
export function allowedOrigins(c: Context<AppEnv>): Set<string> {
  const { config } = c.get("deps");
  const own = new URL(c.req.url).origin;
  return new Set([own, ...(config.publicUrl ? [config.publicUrl] : []), ...config.corsOrigins]);
}

export function assertSameOrigin(c: Context<AppEnv>, required: boolean): void {
  if (SAFE_METHODS.has(c.req.method)) return;
  const origin = c.req.header("origin");
  if (!origin) {
    if (required) throw new Forbidden("csrf_origin", "This request must come from the HealthFlow web app.");
    return;
  }
  if (!allowedOrigins(c).has(origin)) {
    throw new Forbidden("csrf_origin", "Requests from this origin are not allowed.");
  }
}

/** The signed-in user, or 401; with roles, 403 for any other role. */
export async function requireUser(c: Context<AppEnv>, ...roles: Role[]): Promise<User> {
  const session = await currentSession(c);
  if (!session) throw new Unauthenticated("unauthenticated", "Sign in to continue.");
  if (session.via === "cookie") assertSameOrigin(c, true);
  if (roles.length > 0 && !roles.includes(session.user.role)) {
    throw new Forbidden("forbidden", "Your role may not do this.");
  }
  return session.user;
}

export function setSessionCookie(c: Context<AppEnv>, token: string, expiresAt: Date): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "Lax",
    secure: !isLocalRequest(c.req.url),
    path: "/",
    // Max-Age, not Expires: the expiry comes from the app's clock, which need not be the wall clock
    // (hono refuses an Expires over 400 days ahead of it, and a browser would drop one in its past).
    maxAge: Math.max(0, Math.floor((expiresAt.getTime() - c.get("deps").now().getTime()) / 1000)),
  });
}

export function clearSessionCookie(c: Context<AppEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: !isLocalRequest(c.req.url) });
}
