/**
 * The only module that knows the API's URLs. Every request goes through `request`, which turns any
 * non-2xx answer into an `ApiError` carrying the server's `{error:{code,message,details}}`, and
 * reports a 401 to the app (which sends the user to sign-in with a return path) unless the call
 * opts out (sign-in itself, room tokens).
 *
 * Every request and response type is derived from the API's own zod schemas (./contract.ts), so a
 * change of contract there breaks this file's typecheck rather than the app at run time.
 */
import type {
  Availability,
  BookInput,
  BookingRules,
  CalendarFeedCreated,
  CalendarFeedStatus,
  ConsentText,
  ConsultationMode,
  ConsultationPatch,
  ConsultationQuery,
  CreateCalendarFeedInput,
  CreateUserRequest,
  DoctorLoad,
  FirstAvailableList,
  Language,
  LoginInput,
  MessageDetail,
  MessageStatus,
  MessageSummary,
  PatientHistory,
  PutAvailabilityInput,
  RegisterInput,
  Responses,
  Role,
  Room,
  RoomLink,
  RoomRole,
  RoomStatus,
  UpdateMeRequest,
  UpdateUserRequest,
  User,
  UserStatusFilter,
  WaitingRoom,
} from "./contract";

export class ApiError extends Error {
  constructor(
    /** HTTP status; 0 when the server could not be reached. */
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Field errors of a 400, as `{ "email": "Invalid email" }` (first message per field). */
export function fieldErrors(err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(err instanceof ApiError) || !Array.isArray(err.details)) return out;
  for (const d of err.details as { path?: unknown; message?: unknown }[]) {
    const path = Array.isArray(d.path) ? d.path.join(".") : String(d.path ?? "");
    if (path && !(path in out) && typeof d.message === "string") out[path] = d.message;
  }
  return out;
}

let unauthorizedHandler: ((err: ApiError) => void) | undefined;

/** The app registers what a 401 means for the user (back to sign-in, remembering where they were). */
export function onUnauthorized(handler: ((err: ApiError) => void) | undefined): void {
  unauthorizedHandler = handler;
}

interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | undefined>;
  /** false: a 401 is the caller's business (sign-in form, session probe, room tokens). */
  redirectOn401?: boolean;
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  let url = path;
  if (options.query) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(options.query)) if (v !== undefined && v !== "") params.set(k, v);
    const qs = params.toString();
    if (qs) url += `?${qs}`;
  }
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      credentials: "same-origin",
      headers:
        options.body === undefined
          ? { accept: "application/json" }
          : { "content-type": "application/json", accept: "application/json" },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch (cause) {
    throw new ApiError(0, "network", (cause as Error)?.message || "network error");
  }
  if (response.status === 204) return undefined as T;
  let data: unknown;
  try {
    data = await response.json();
  } catch {
    data = undefined;
  }
  if (response.ok) return data as T;
  const body = (data as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  const err = new ApiError(
    response.status,
    typeof body?.code === "string" ? body.code : `http_${response.status}`,
    typeof body?.message === "string" ? body.message : response.statusText || `HTTP ${response.status}`,
    body?.details,
  );
  if (response.status === 401 && options.redirectOn401 !== false) unauthorizedHandler?.(err);
  throw err;
}

const enc = encodeURIComponent;

export const api = {
  login: (input: LoginInput) =>
    request<Responses["session"]>("POST", "/api/auth/login", { body: input, redirectOn401: false }),
  /** `{user}` with a session (verification off) or `{status:"verification_sent"}` (on: check the inbox). */
  register: (input: RegisterInput) =>
    request<Responses["session"] | { status: "verification_sent" }>("POST", "/api/auth/register", {
      body: input,
      redirectOn401: false,
    }),
  verifyEmail: (token: string) =>
    request<{ user: User }>("POST", "/api/auth/verify-email", { body: { token }, redirectOn401: false }),
  resendVerification: (email: string) =>
    request<void>("POST", "/api/auth/verify-email/resend", { body: { email }, redirectOn401: false }),
  forgotPassword: (email: string) =>
    request<void>("POST", "/api/auth/forgot-password", { body: { email }, redirectOn401: false }),
  resetPassword: (token: string, password: string) =>
    request<void>("POST", "/api/auth/reset-password", { body: { token, password }, redirectOn401: false }),
  acceptInvite: (token: string, password: string) =>
    request<{ user: User }>("POST", "/api/auth/accept-invite", { body: { token, password }, redirectOn401: false }),
  changePassword: (currentPassword: string, newPassword: string) =>
    request<void>("POST", "/api/auth/change-password", { body: { currentPassword, newPassword } }),
  logoutAll: () => request<void>("POST", "/api/auth/logout-all"),
  updateMe: (input: { language?: Language }) =>
    request<{ user: User }>("PATCH", "/api/auth/me", { body: input }).then((r) => r.user),

  listMessages: (query: { status?: MessageStatus; cursor?: string; limit?: number } = {}) =>
    request<{ messages: MessageSummary[]; nextCursor: string | null }>("GET", "/api/messages", {
      query: { status: query.status, cursor: query.cursor, limit: String(query.limit ?? 50) },
    }),
  getMessage: (id: string) =>
    request<{ message: MessageDetail }>("GET", `/api/messages/${enc(id)}`).then((r) => r.message),
  retryMessage: (id: string) =>
    request<{ message: MessageSummary }>("POST", `/api/messages/${enc(id)}/retry`).then((r) => r.message),
  logout: () => request<void>("POST", "/api/auth/logout", { redirectOn401: false }),
  /** The signed-in user, or null when there is no session (a 200 either way: no console error). */
  me: async (): Promise<User | null> =>
    (await request<Responses["currentSession"]>("GET", "/api/auth/session", { redirectOn401: false })).user,

  /** Every account of a role, following the server's pages (500 a page, at most 20 pages); active ones by default. */
  listUsers: async (role?: Role, status?: UserStatusFilter): Promise<User[]> => {
    const users: User[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const r = await request<Responses["userPage"]>("GET", "/api/users", {
        query: { role, status, limit: "500", cursor },
      });
      users.push(...r.users);
      if (!r.nextCursor) break;
      cursor = r.nextCursor;
    }
    return users;
  },
  createUser: (input: CreateUserRequest) => request<Responses["user"]>("POST", "/api/users", { body: input }),
  bookingRules: () => request<BookingRules>("GET", "/api/booking-rules"),
  listDoctors: () => request<Responses["doctors"]>("GET", "/api/doctors").then((r) => r.doctors),

  // Search (issue #13).
  /** One page of patients matching `q` (admins: all; doctors: their own patients). */
  searchPatients: (q: string, cursor?: string, limit = 20) =>
    request<Responses["userPage"]>("GET", "/api/users", {
      query: { role: "patient", q, cursor, limit: String(limit) },
    }),
  /** Doctors by name or specialty words, and/or exactly one specialty. */
  searchDoctors: (query: { q?: string; specialty?: string }) =>
    request<Responses["doctors"]>("GET", "/api/doctors", { query }).then((r) => r.doctors),
  /** The first free slot of each doctor of a specialty, earliest first (at most 10). */
  firstAvailable: (specialty: string, from?: string) =>
    request<FirstAvailableList>("GET", "/api/slots/first-available", { query: { specialty, from } }).then(
      (r) => r.slots,
    ),

  getAvailability: (doctorId: string) => request<Availability>("GET", `/api/doctors/${enc(doctorId)}/availability`),
  putAvailability: (doctorId: string, input: PutAvailabilityInput) =>
    request<Availability>("PUT", `/api/doctors/${enc(doctorId)}/availability`, { body: input }),
  listTimeOff: (doctorId: string, from?: string, to?: string) =>
    request<Responses["timeOffList"]>("GET", `/api/doctors/${enc(doctorId)}/time-off`, { query: { from, to } }).then(
      (r) => r.timeOff,
    ),
  addTimeOff: (doctorId: string, input: { startsAt: string; endsAt: string; reason?: string }) =>
    request<Responses["timeOff"]>("POST", `/api/doctors/${enc(doctorId)}/time-off`, { body: input }).then(
      (r) => r.timeOff,
    ),
  deleteTimeOff: (doctorId: string, timeOffId: string) =>
    request<void>("DELETE", `/api/doctors/${enc(doctorId)}/time-off/${enc(timeOffId)}`),
  slots: (doctorId: string, from: string, to: string) =>
    request<Responses["slots"]>("GET", `/api/doctors/${enc(doctorId)}/slots`, { query: { from, to } }).then(
      (r) => r.slots,
    ),

  book: (input: BookInput) =>
    request<Responses["consultation"]>("POST", "/api/consultations", { body: input }).then((r) => r.consultation),
  listConsultations: (query: ConsultationQuery = {}) =>
    request<Responses["consultationPage"]>("GET", "/api/consultations", { query: { ...query } }).then(
      (r) => r.consultations,
    ),
  getConsultation: (id: string) =>
    request<Responses["consultation"]>("GET", `/api/consultations/${enc(id)}`).then((r) => r.consultation),
  updateConsultation: (id: string, patch: ConsultationPatch) =>
    request<Responses["consultation"]>("PATCH", `/api/consultations/${enc(id)}`, { body: patch }).then(
      (r) => r.consultation,
    ),
  cancelConsultation: (id: string, reason?: string) =>
    request<Responses["consultation"]>("POST", `/api/consultations/${enc(id)}/cancel`, {
      body: reason ? { reason } : {},
    }).then((r) => r.consultation),

  roomLink: (consultationId: string, forRole?: RoomRole) =>
    request<RoomLink>("POST", `/api/consultations/${enc(consultationId)}/room-link`, {
      body: forRole ? { for: forRole } : {},
    }),
  /** The patient gets their room link again by mail (429 `rate_limited` more than once a minute). */
  emailRoomLink: (consultationId: string) =>
    request<{ status: "queued" }>("POST", `/api/consultations/${enc(consultationId)}/room-link/email`),
  /** Every link issued so far stops working (410 link_revoked); the doctor or an admin. */
  revokeRoomLinks: (consultationId: string) =>
    request<void>("DELETE", `/api/consultations/${enc(consultationId)}/room-links`),
  /** The token is the credential here: a 401 means a bad link, not an expired session. */
  room: (token: string) => request<Room>("GET", `/api/rooms/${enc(token)}`, { redirectOn401: false }),

  // Teleconsultation (issue 15). On the room page the room link is the patient's credential.
  consentText: () => request<ConsentText>("GET", "/api/consent/telemedicine", { redirectOn401: false }),
  giveConsent: (consultationId: string, version: string, roomToken?: string) =>
    request<{ consent: { version: string; givenAt: string } }>(
      "POST",
      `/api/consultations/${enc(consultationId)}/consent`,
      {
        body: { version, roomToken },
        redirectOn401: false,
      },
    ),
  withdrawConsent: (consultationId: string) =>
    request<void>("DELETE", `/api/consultations/${enc(consultationId)}/consent`),
  checkIn: (consultationId: string, roomToken?: string) =>
    request<{ checkedInAt: string }>("POST", `/api/consultations/${enc(consultationId)}/check-in`, {
      body: { roomToken },
      redirectOn401: false,
    }),
  roomStatus: (token: string) =>
    request<RoomStatus>("GET", `/api/rooms/${enc(token)}/status`, { redirectOn401: false }),
  /** The waiting room, for polling where server-sent events are unavailable. */
  waitingRoom: (doctorId?: string) => request<WaitingRoom>("GET", "/api/agenda/waiting", { query: { doctorId } }),

  // Calendar subscription feeds (issue 14): the URL comes back once, at creation.
  calendarFeed: () => request<CalendarFeedStatus>("GET", "/api/me/calendar-feed"),
  createCalendarFeed: (input: CreateCalendarFeedInput = {}) =>
    request<CalendarFeedCreated>("POST", "/api/me/calendar-feed", { body: input }).then((r) => r.url),
  revokeCalendarFeed: () => request<void>("DELETE", "/api/me/calendar-feed"),
  // User management (issue 13).
  updateUser: (id: string, input: UpdateUserRequest) =>
    request<Responses["user"]>("PATCH", `/api/users/${enc(id)}`, { body: input }).then((r) => r.user),
  /** Every session of the account ends at once; 409 `cannot_disable_self`, `last_admin`. */
  disableUser: (id: string) => request<Responses["user"]>("POST", `/api/users/${enc(id)}/disable`).then((r) => r.user),
  enableUser: (id: string) => request<Responses["user"]>("POST", `/api/users/${enc(id)}/enable`).then((r) => r.user),
  doctorLoad: (doctorId: string) => request<DoctorLoad>("GET", `/api/doctors/${enc(doctorId)}/load`),
  /** One's own profile: name, phone (`null` removes it), language. */
  updateProfile: (input: UpdateMeRequest) =>
    request<{ user: User }>("PATCH", "/api/auth/me", { body: input }).then((r) => r.user),
  // In person or video, and the patient's history (issue #13).
  /** Free slots, each with the modes it offers; only those offering `mode` when given. */
  slotsInMode: (doctorId: string, from: string, to: string, mode?: ConsultationMode) =>
    request<Responses["slots"]>("GET", `/api/doctors/${enc(doctorId)}/slots`, { query: { from, to, mode } }).then(
      (r) => r.slots,
    ),
  /** A patient's past consultations, newest first (doctors who saw them or are booked with them; admins). */
  patientHistory: (patientId: string, cursor?: string) =>
    request<PatientHistory>("GET", `/api/patients/${enc(patientId)}/history`, { query: { cursor, limit: "20" } }),
};

/** `GET /api/agenda/events`: the waiting room as server-sent events. */
export function agendaEventsUrl(doctorId?: string): string {
  return doctorId ? `/api/agenda/events?doctorId=${enc(doctorId)}` : "/api/agenda/events";
}

/** A feed URL as `webcal://` (Apple Calendar and Outlook subscribe on opening it). */
export function webcalUrl(url: string): string {
  return url.replace(/^https?:\/\//, "webcal://");
}

/** The in-app path of a room URL the server built (it may name the public origin). */
export function roomPath(url: string): string {
  const u = new URL(url, "http://x");
  return u.pathname + u.search;
}
