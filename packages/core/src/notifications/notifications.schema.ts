/** The outbox on the wire, shared by the admin API (validation + OpenAPI) and the web app. Plain zod. */
import { z } from "zod";

export const messageStatusSchema = z.enum(["pending", "sending", "sent", "failed", "cancelled", "skipped"]);
export type MessageStatus = z.infer<typeof messageStatusSchema>;

export const messageSummarySchema = z.object({
  id: z.string().uuid(),
  to: z.string(),
  subject: z.string(),
  kind: z.string(),
  status: messageStatusSchema,
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
});
export type MessageSummary = z.infer<typeof messageSummarySchema>;

export const messageDetailSchema = messageSummarySchema.extend({
  messageId: z.string(),
  language: z.enum(["pt-BR", "en"]),
  dueAt: z.string(),
  consultationId: z.string().nullable(),
  text: z.string(),
  html: z.string(),
  calendar: z.string().nullable(),
  /** The copy the local mailbox delivered (links included), when this process's mailbox holds one. */
  mailbox: z.object({ text: z.string(), html: z.string(), deliveredAt: z.string() }).nullable(),
});
export type MessageDetail = z.infer<typeof messageDetailSchema>;
