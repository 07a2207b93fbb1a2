/**
 * Self-service account routes: email verification, forgot/reset password, change password, sign out
 * everywhere, accepting an invitation, the language preference. Tokens travel in POST bodies only
 * (the request log records method, path and status: never a body or a query string).
 */
import { createRoute, z } from "@hono/zod-openapi";
import {
  acceptInvite,
  changePassword,
  requestPasswordReset,
  resendVerification,
  resetPassword,
  signOutEverywhere,
  updateProfile,
  verifyEmail,
} from "../../auth/account-flows.js";
import { emailSchema, passwordSchema, updateMeInputSchema, userSchema } from "../../users/user.schema.js";
import { assertSameOrigin, clearSessionCookie, currentSession, requireUser } from "../auth.js";
import { notifyContextOf } from "../notify-context.js";
import { errorResponses, jsonBody, jsonResponse, newRouter, security } from "../router.js";
import { guardSignIn, signInSucceeded } from "../sign-in-guard.js";
import { openSession } from "./auth.js";

const tokenSchema = z.string().min(20).max(200);
const sessionResponse = z.object({ user: userSchema, token: z.string() });
const accepted = { description: "Accepted: a message goes out if the account can receive one" } as const;
const tokenErrors =
  "400 `invalid_token` (unknown, of another kind, or its account changed), `token_expired`, `token_used`.";

const verifyRoute = createRoute({
  operationId: "verifyEmail",
  security: [],
  method: "post",
  path: "/api/auth/verify-email",
  tags: ["auth"],
  summary: "Confirm an email with the link's token, and sign in",
  description: `The token comes from \`<public origin>/verify-email?token=…\` (48 h, single use). ${tokenErrors}`,
  request: { body: jsonBody(z.object({ token: tokenSchema })) },
  responses: { 200: jsonResponse(sessionResponse, "Verified and signed in"), ...errorResponses(400, 403) },
});

const resendRoute = createRoute({
  operationId: "resendVerification",
  security: [],
  method: "post",
  path: "/api/auth/verify-email/resend",
  tags: ["auth"],
  summary: "Send another verification link",
  description:
    "Always 202, whether or not the email has an unverified account. At most one link a minute and five a day " +
    "per account; 429 after too many requests from one address or for one email.",
  request: { body: jsonBody(z.object({ email: emailSchema })) },
  responses: { 202: accepted, ...errorResponses(400, 403, 429) },
});

const forgotRoute = createRoute({
  operationId: "forgotPassword",
  security: [],
  method: "post",
  path: "/api/auth/forgot-password",
  tags: ["auth"],
  summary: "Send a password reset link",
  description:
    "Always 202, whether or not the email has an account. The link `<public origin>/reset-password?token=…` " +
    "works once, for 30 minutes. At most one a minute and five a day per account; 429 as for resend.",
  request: { body: jsonBody(z.object({ email: emailSchema })) },
  responses: { 202: accepted, ...errorResponses(400, 403, 429) },
});

const resetRoute = createRoute({
  operationId: "resetPassword",
  security: [],
  method: "post",
  path: "/api/auth/reset-password",
  tags: ["auth"],
  summary: "Set a new password with a reset link's token; every session of the account ends",
  description: tokenErrors,
  request: { body: jsonBody(z.object({ token: tokenSchema, password: passwordSchema })) },
  responses: { 204: { description: "Password changed" }, ...errorResponses(400, 403) },
});

const changeRoute = createRoute({
  operationId: "changePassword",
  method: "post",
  path: "/api/auth/change-password",
  tags: ["auth"],
  summary: "Change one's password (the current one is required); the other sessions end",
  description: "400 `wrong_password` when the current password is not right; 429 after too many tries.",
  security,
  request: {
    body: jsonBody(z.object({ currentPassword: z.string().min(1).max(200), newPassword: passwordSchema })),
  },
  responses: { 204: { description: "Password changed" }, ...errorResponses(400, 401, 403, 429) },
});

const logoutAllRoute = createRoute({
  operationId: "logoutEverywhere",
  method: "post",
  path: "/api/auth/logout-all",
  tags: ["auth"],
  summary: "Sign out everywhere: every session of the account ends, this one included",
  security,
  responses: { 204: { description: "Signed out everywhere" }, ...errorResponses(401, 403) },
});

const acceptInviteRoute = createRoute({
  operationId: "acceptInvite",
  security: [],
  method: "post",
  path: "/api/auth/accept-invite",
  tags: ["auth"],
  summary: "Accept an invitation: choose a password, and sign in",
  description: `The token comes from \`<public origin>/accept-invite?token=…\` (7 days, single use). ${tokenErrors}`,
  request: { body: jsonBody(z.object({ token: tokenSchema, password: passwordSchema })) },
  responses: { 200: jsonResponse(sessionResponse, "Password set and signed in"), ...errorResponses(400, 403) },
});

const updateMeRoute = createRoute({
  operationId: "updateMe",
  method: "patch",
  path: "/api/auth/me",
  tags: ["auth"],
  summary: "Update one's own profile: name, phone and the language of messages and screens (pt-BR or en)",
  description:
    "Every field is optional; `phone: null` removes the phone (digits, spaces, +, ( ) and -, 8 to 20 " +
    "characters). Role and email cannot be changed here: an unknown field is 400.",
  security,
  request: { body: jsonBody(updateMeInputSchema) },
  responses: { 200: jsonResponse(z.object({ user: userSchema }), "The user"), ...errorResponses(400, 401, 403) },
});

export const accountRoutes = newRouter()
  .openapi(verifyRoute, async (c) => {
    assertSameOrigin(c, false);
    const { db, now } = c.get("deps");
    const user = await verifyEmail(db, c.req.valid("json").token, now());
    const token = await openSession(c, user.id);
    return c.json({ user, token }, 200);
  })
  .openapi(resendRoute, async (c) => {
    assertSameOrigin(c, false);
    const { email } = c.req.valid("json");
    await guardSignIn(c, "recovery", email);
    await resendVerification(c.get("deps").db, email, notifyContextOf(c));
    return c.body(null, 202);
  })
  .openapi(forgotRoute, async (c) => {
    assertSameOrigin(c, false);
    const { email } = c.req.valid("json");
    await guardSignIn(c, "recovery", email);
    await requestPasswordReset(c.get("deps").db, email, notifyContextOf(c));
    return c.body(null, 202);
  })
  .openapi(resetRoute, async (c) => {
    assertSameOrigin(c, false);
    const { token, password } = c.req.valid("json");
    await resetPassword(c.get("deps").db, token, password, notifyContextOf(c));
    // If the caller was signed in as that account, their session just ended with the others.
    clearSessionCookie(c);
    return c.body(null, 204);
  })
  .openapi(changeRoute, async (c) => {
    const user = await requireUser(c);
    const session = await currentSession(c);
    await guardSignIn(c, "password", user.email);
    await changePassword(c.get("deps").db, user.id, c.req.valid("json"), session?.sessionId, notifyContextOf(c));
    await signInSucceeded(c, "password", user.email);
    return c.body(null, 204);
  })
  .openapi(logoutAllRoute, async (c) => {
    const user = await requireUser(c);
    await signOutEverywhere(c.get("deps").db, user.id);
    clearSessionCookie(c);
    return c.body(null, 204);
  })
  .openapi(acceptInviteRoute, async (c) => {
    assertSameOrigin(c, false);
    const { token, password } = c.req.valid("json");
    const user = await acceptInvite(c.get("deps").db, token, password, notifyContextOf(c));
    const session = await openSession(c, user.id);
    return c.json({ user, token: session }, 200);
  })
  .openapi(updateMeRoute, async (c) => {
    const user = await requireUser(c);
    return c.json({ user: await updateProfile(c.get("deps").db, user.id, c.req.valid("json")) }, 200);
  });
