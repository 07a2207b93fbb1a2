import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { registerWithVerification } from "../../auth/account-flows.js";
import { endSession, startSession } from "../../auth/session.js";
import { authenticate, registerPatient } from "../../users/user.js";
import {
  currentSessionSchema,
  loginInputSchema,
  registerInputSchema,
  sessionResponseSchema,
  userEnvelopeSchema,
} from "../../users/user.schema.js";
import { assertSameOrigin, clearSessionCookie, currentSession, requireUser, setSessionCookie } from "../auth.js";
import type { AppEnv } from "../context.js";
import { notifyContextOf } from "../notify-context.js";
import { errorResponses, jsonBody, jsonResponse, newRouter, security } from "../router.js";
import { guardSignIn, signInSucceeded } from "../sign-in-guard.js";

const sessionResponse = sessionResponseSchema;

const login = createRoute({
  method: "post",
  path: "/api/auth/login",
  operationId: "login",
  security: [], // public: no session needed
  tags: ["auth"],
  summary: "Sign in; returns a session token and sets the session cookie",
  request: { body: jsonBody(loginInputSchema) },
  responses: { 200: jsonResponse(sessionResponse, "Signed in"), ...errorResponses(400, 401, 403, 429) },
});

const logout = createRoute({
  method: "post",
  path: "/api/auth/logout",
  operationId: "logout",
  tags: ["auth"],
  summary: "End the current session",
  security,
  responses: { 204: { description: "Signed out" }, ...errorResponses(401, 403) },
});

const me = createRoute({
  method: "get",
  path: "/api/auth/me",
  operationId: "getMe",
  tags: ["auth"],
  summary: "The signed-in user",
  security,
  responses: { 200: jsonResponse(userEnvelopeSchema, "The user"), ...errorResponses(401) },
});

const session = createRoute({
  method: "get",
  path: "/api/auth/session",
  operationId: "getSession",
  tags: ["auth"],
  summary: "Who is signed in: the user, or null (200 either way, so a signed-out page logs no error)",
  security: [...security, {}],
  responses: { 200: jsonResponse(currentSessionSchema, "The session's user, or null"), ...errorResponses(429) },
});

const register = createRoute({
  method: "post",
  path: "/api/auth/register",
  operationId: "register",
  security: [], // public: no session needed
  tags: ["auth"],
  summary: "Patient sign-up",
  description:
    "With email verification on (`HEALTHFLOW_REQUIRE_EMAIL_VERIFICATION`, the default): 202 " +
    '`{status:"verification_sent"}` whether or not the email already has an account (its owner is told by mail ' +
    "instead), and a link `<public origin>/verify-email?token=…` valid 48 h goes to the address. With it off: " +
    "201 with a session, 409 `email_taken`.",
  request: { body: jsonBody(registerInputSchema) },
  responses: {
    201: jsonResponse(sessionResponse, "Registered and signed in (verification off)"),
    202: jsonResponse(z.object({ status: z.literal("verification_sent") }), "Check your inbox (verification on)"),
    ...errorResponses(400, 403, 409, 429),
  },
});

export async function openSession(c: Context<AppEnv>, userId: string) {
  const { db, config, now } = c.get("deps");
  const session = await startSession(db, userId, now(), {
    idleMinutes: config.sessionIdleMinutes,
    maxHours: config.sessionMaxHours,
  });
  setSessionCookie(c, session.token, session.expiresAt);
  return session.token;
}

export const authRoutes = newRouter()
  .openapi(login, async (c) => {
    assertSameOrigin(c, false);
    const { email, password } = c.req.valid("json");
    await guardSignIn(c, "login", email);
    const user = await authenticate(c.get("deps").db, email, password);
    await signInSucceeded(c, "login", email);
    const token = await openSession(c, user.id);
    c.get("log").info("signed in", { userId: user.id });
    return c.json({ user, token }, 200);
  })
  .openapi(register, async (c) => {
    assertSameOrigin(c, false);
    const input = c.req.valid("json");
    await guardSignIn(c, "register", input.email);
    if (c.get("deps").config.requireEmailVerification) {
      await registerWithVerification(c.get("deps").db, input, notifyContextOf(c));
      return c.json({ status: "verification_sent" as const }, 202);
    }
    const user = await registerPatient(c.get("deps").db, input);
    const token = await openSession(c, user.id);
    return c.json({ user, token }, 201);
  })
  .openapi(logout, async (c) => {
    await requireUser(c);
    const session = await currentSession(c);
    if (session) await endSession(c.get("deps").db, session.sessionId);
    clearSessionCookie(c);
    return c.body(null, 204);
  })
  .openapi(me, async (c) => c.json({ user: await requireUser(c) }, 200))
  .openapi(session, async (c) => {
    const found = await currentSession(c);
    c.header("Cache-Control", "no-store");
    return c.json({ user: found?.user ?? null }, 200);
  });
