/**
 * Calendar subscription feeds (issue 14): `/api/me/calendar-feed` to create (or replace), see and
 * revoke one's feed, and the feed itself at `/cal/<token>.ics`, public (the token is the
 * credential), behind the same request budget as `/api` (app.ts), with a strong ETag so clients
 * polling every few minutes get a bodiless 304.
 */
import { createHash } from "node:crypto";
import { createRoute, z } from "@hono/zod-openapi";
import { createFeed, feedPath, feedStatus, findFeed, renderFeed, revokeFeed } from "../../calendar/calendar-feed.js";
import {
  calendarFeedCreatedSchema,
  calendarFeedStatusSchema,
  createCalendarFeedSchema,
} from "../../calendar/calendar-feed.schema.js";
import { NotFound } from "../../errors.js";
import { requireUser } from "../auth.js";
import { publicOrigin } from "../public-origin.js";
import { errorResponses, jsonResponse, newRouter, security } from "../router.js";

const WHO =
  "Doctors (their agenda) and patients (their consultations); an admin has no agenda of their own: 403 `forbidden`.";

const createFeedRoute = createRoute({
  method: "post",
  path: "/api/me/calendar-feed",
  operationId: "createCalendarFeed",
  tags: ["calendar"],
  summary: "Create one's private calendar feed URL, replacing the previous one",
  description:
    `${WHO} The URL (\`<HEALTHFLOW_PUBLIC_URL>/cal/<token>.ics\`) is shown this once: only the token's hash ` +
    "is stored. A previous feed's URL stops working at once (404). `includeReason` (doctors only, default " +
    "false) puts each consultation's reason in the doctor's feed; a patient's feed always shows their own " +
    "reason. Notes never appear.",
  security,
  request: {
    body: { required: false, content: { "application/json": { schema: createCalendarFeedSchema } } },
  },
  responses: {
    201: jsonResponse(calendarFeedCreatedSchema, "The feed URL (shown once)"),
    ...errorResponses(400, 401, 403, 503),
  },
});

const statusRoute = createRoute({
  method: "get",
  path: "/api/me/calendar-feed",
  operationId: "getCalendarFeed",
  tags: ["calendar"],
  summary: "Whether one has a calendar feed, and since when (never its URL)",
  description: WHO,
  security,
  responses: {
    200: jsonResponse(calendarFeedStatusSchema, "The feed's status"),
    ...errorResponses(401, 403),
  },
});

const revokeRoute = createRoute({
  method: "delete",
  path: "/api/me/calendar-feed",
  operationId: "revokeCalendarFeed",
  tags: ["calendar"],
  summary: "Revoke one's calendar feed: its URL answers 404 from now on",
  description: `${WHO} Idempotent.`,
  security,
  responses: { 204: { description: "Revoked (or there was none)" }, ...errorResponses(401, 403) },
});

const feedRoute = createRoute({
  method: "get",
  path: "/cal/{token}",
  operationId: "getCalendarFeedIcs",
  tags: ["calendar"],
  summary: "A calendar feed (iCalendar, RFC 5545), for Google Calendar, Outlook or Apple Calendar",
  description:
    "The path is `/cal/<token>.ics`; no sign-in, the token is the credential (redacted in logs). Unknown, " +
    "replaced or revoked tokens and disabled accounts: 404 `calendar_feed_not_found`. One VEVENT per " +
    "consultation starting from 30 days ago to 365 days ahead, at most 2,000 (cancelled ones, STATUS:CANCELLED, for 30 days " +
    "after the cancellation); UID `<consultation id>@healthflow` as in the e-mailed invites; times in UTC. " +
    "Strong `ETag` (a hash of the body); `If-None-Match` with it gives 304 with no body. Counts against the " +
    "anonymous request budget of the caller's address (429 `rate_limited`).",
  security: [],
  request: {
    params: z.object({
      token: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,200}\.ics$/)
        .openapi({ description: "The feed's token followed by `.ics`", example: `${"A".repeat(43)}.ics` }),
    }),
  },
  responses: {
    200: {
      description: "The feed",
      headers: {
        ETag: { schema: { type: "string" }, description: "Strong validator: a hash of the body" },
        "Cache-Control": { schema: { type: "string" }, description: "private, max-age=300" },
      },
      content: { "text/calendar": { schema: z.string() } },
    },
    304: { description: "Not modified (If-None-Match matched the ETag)" },
    ...errorResponses(404, 429),
  },
});

/** Clients may poll every few minutes; five minutes of private caching is what they get. */
const CACHE_CONTROL = "private, max-age=300";

/** `If-None-Match` matches `etag` (weak comparison, RFC 9110 13.1.2; `*` matches any). */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch
    .split(",")
    .map((v) => v.trim().replace(/^W\//, ""))
    .some((v) => v === "*" || v === etag);
}

export const calendarFeedRoutes = newRouter()
  .openapi(createFeedRoute, async (c) => {
    const user = await requireUser(c, "doctor", "patient");
    const origin = publicOrigin(c);
    const { db, now } = c.get("deps");
    const { token } = await createFeed(db, user, c.req.valid("json") ?? {}, now());
    return c.json({ url: `${origin}${feedPath(token)}` }, 201);
  })
  .openapi(statusRoute, async (c) => {
    const user = await requireUser(c, "doctor", "patient");
    return c.json(await feedStatus(c.get("deps").db, user.id), 200);
  })
  .openapi(revokeRoute, async (c) => {
    const user = await requireUser(c, "doctor", "patient");
    await revokeFeed(c.get("deps").db, user.id);
    return c.body(null, 204);
  })
  .openapi(
    feedRoute,
    async (c) => {
      const token = c.req.valid("param").token.slice(0, -".ics".length);
      const { db, config, now } = c.get("deps");
      const owner = await findFeed(db, token);
      if (!owner) throw new NotFound("calendar_feed_not_found", "No such calendar feed.");
      const body = await renderFeed(db, owner, { publicOrigin: publicOrigin(c), roomSecret: config.secret }, now());
      const etag = `"${createHash("sha256").update(body).digest("base64url")}"`;
      c.header("ETag", etag);
      c.header("Cache-Control", CACHE_CONTROL);
      if (matches(c.req.header("if-none-match"), etag)) return c.body(null, 304);
      c.header("Content-Type", "text/calendar; charset=utf-8");
      c.header("Content-Disposition", 'inline; filename="healthflow.ics"');
      return c.body(body, 200);
    },
    // A malformed token is an unknown one: 404, as for any feed that does not exist.
    (result): undefined => {
      if (!result.success) throw new NotFound("calendar_feed_not_found", "No such calendar feed.");
      return undefined;
    },
  );
