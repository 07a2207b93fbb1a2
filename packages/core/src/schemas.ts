/**
 * `@healthflow/core/schemas`: the wire shapes (zod schemas and their types) shared by the API and the
 * web app. Plain zod only: this entry must stay safe to bundle for the browser.
 */
export * from "./audit/audit.schema.js";
// Calendar subscription feeds (issue 14).
export * from "./calendar/calendar-feed.schema.js";
export * from "./notifications/notifications.schema.js";
export * from "./rooms/room.schema.js";
export * from "./scheduling/scheduling.schema.js";
// The clock rules of status changes, so the dashboard offers exactly what the API accepts.
export * from "./scheduling/transition-time.js";
// Wall-clock time in IANA zones (issue 13, agenda grid): the dashboard places working hours and
// consultations by the same zone rules the server computes slots with.
export { type LocalDate, localToUtc, toLocal, weekdayOf } from "./scheduling/zoned-time.js";
// The CRM's states (UF) and how a licence reads, for the doctor form.
export { UFS, type Uf } from "./telemedicine/crm.js";
export * from "./telemedicine/telemedicine.schema.js";
export * from "./users/user.schema.js";
