/** The outbox, for admins: every message with its status, attempts and last error; retry failed ones. */
import { createRoute, z } from "@hono/zod-openapi";
import { readMailboxCopy } from "../../notifications/channels/mailbox.js";
import {
  messageDetailSchema,
  messageStatusSchema,
  messageSummarySchema,
} from "../../notifications/notifications.schema.js";
import { getMessage, listMessages, retryMessage } from "../../notifications/outbox.js";
import { LIST_DEFAULT_LIMIT, LIST_MAX_LIMIT } from "../../scheduling/scheduling.schema.js";
import { requireUser } from "../auth.js";
import { errorResponses, jsonResponse, newRouter, security } from "../router.js";

const statusSchema = messageStatusSchema;

const idParams = z.object({ id: z.string().uuid() });

const listRoute = createRoute({
  operationId: "listMessages",
  method: "get",
  path: "/api/messages",
  tags: ["messages"],
  summary: "The outbox, newest first; keyset-paginated (admins only)",
  security,
  request: {
    query: z.object({
      status: statusSchema.optional(),
      limit: z.coerce.number().int().min(1).max(LIST_MAX_LIMIT).default(LIST_DEFAULT_LIMIT),
      cursor: z.string().max(600).optional(),
    }),
  },
  responses: {
    200: jsonResponse(
      z.object({ messages: z.array(messageSummarySchema), nextCursor: z.string().nullable() }),
      "Messages",
    ),
    ...errorResponses(400, 401, 403),
  },
});

const getRoute = createRoute({
  operationId: "getMessage",
  method: "get",
  path: "/api/messages/{id}",
  tags: ["messages"],
  summary: "One message as rendered (account-token links show `[token]`), with its calendar part (admins only)",
  security,
  request: { params: idParams },
  responses: {
    200: jsonResponse(z.object({ message: messageDetailSchema }), "The message"),
    ...errorResponses(400, 401, 403, 404),
  },
});

const retryRoute = createRoute({
  operationId: "retryMessage",
  method: "post",
  path: "/api/messages/{id}/retry",
  tags: ["messages"],
  summary: "Queue a failed message again, due now, attempts from zero (admins only)",
  description: "409 `not_retryable` when the message is not `failed`.",
  security,
  request: { params: idParams },
  responses: {
    200: jsonResponse(z.object({ message: messageSummarySchema }), "Queued again"),
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

export const messageRoutes = newRouter()
  .openapi(listRoute, async (c) => {
    await requireUser(c, "admin");
    return c.json(await listMessages(c.get("deps").db, c.req.valid("query")), 200);
  })
  .openapi(getRoute, async (c) => {
    await requireUser(c, "admin");
    const { db, config } = c.get("deps");
    const message = await getMessage(db, c.req.valid("param").id);
    const copy =
      config.mail.channel === "mailbox" && config.mail.mailboxDir
        ? await readMailboxCopy(config.mail.mailboxDir, message.id)
        : undefined;
    return c.json(
      {
        message: {
          ...message,
          mailbox: copy ? { text: copy.text, html: copy.html, deliveredAt: copy.deliveredAt } : null,
        },
      },
      200,
    );
  })
  .openapi(retryRoute, async (c) => {
    const actor = await requireUser(c, "admin");
    const { db, now } = c.get("deps");
    return c.json({ message: await retryMessage(db, c.req.valid("param").id, actor, now()) }, 200);
  });
