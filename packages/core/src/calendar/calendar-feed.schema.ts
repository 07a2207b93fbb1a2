/**
 * Calendar subscription feeds on the wire (issue 14), shared by the API and the web app. Plain zod:
 * this file is bundled for the browser.
 */
import { z } from "zod";

/** `POST /api/me/calendar-feed`: the doctor may put the consultations' reasons in their own feed. */
export const createCalendarFeedSchema = z.object({
  /**
   * Doctors only (default false): the patient's stated reason in the event's description. A
   * patient's feed always carries the reason they gave themselves; notes never appear.
   */
  includeReason: z.boolean().optional(),
});

/** The feed URL, shown once: only its hash is stored. */
export const calendarFeedCreatedSchema = z.object({
  url: z.string(),
});

export const calendarFeedStatusSchema = z.object({
  active: z.boolean(),
  createdAt: z.string().nullable(),
  /** Whether the doctor's feed shows the reasons (false for patients' feeds and when none). */
  includeReason: z.boolean(),
});

export type CalendarFeedStatus = z.infer<typeof calendarFeedStatusSchema>;
export type CalendarFeedCreated = z.infer<typeof calendarFeedCreatedSchema>;
export type CreateCalendarFeedInput = z.input<typeof createCalendarFeedSchema>;
