/**
 * The one error currency of HealthFlow. Core throws these; it knows nothing of HTTP. The HTTP layer
 * (http/error-handler.ts) maps each class to a status in one place.
 *
 * Codes are stable strings that clients may branch on (`consultation.slot_taken` is shortened to
 * `slot_taken` on the wire: the code is the contract, the message is for people).
 */
export type ErrorDetails = Record<string, unknown> | unknown[];

export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;
  constructor(
    readonly code: string,
    message: string,
    readonly details?: ErrorDetails,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export type DomainErrorKind =
  | "invalid"
  | "unauthenticated"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "unprocessable"
  | "gone"
  | "too_early"
  | "rate_limited"
  | "unavailable";

/** Malformed input: 400. */
export class Invalid extends DomainError {
  readonly kind = "invalid";
}
/** No valid session: 401. */
export class Unauthenticated extends DomainError {
  readonly kind = "unauthenticated";
}
/** Signed in, but the role may not do this: 403. */
export class Forbidden extends DomainError {
  readonly kind = "forbidden";
}
/** Missing, or not visible to the caller (never reveal existence): 404. */
export class NotFound extends DomainError {
  readonly kind = "not_found";
}
/** The state of the world refuses it (taken slot, duplicate email, bad transition): 409. */
export class Conflict extends DomainError {
  readonly kind = "conflict";
}
/** Well-formed, but a business rule refuses it: 422. */
export class Unprocessable extends DomainError {
  readonly kind = "unprocessable";
}
/** Existed once, no longer usable (expired or closed room): 410. */
export class Gone extends DomainError {
  readonly kind = "gone";
}
/** Not yet (a room before it opens): 425. */
export class TooEarly extends DomainError {
  readonly kind = "too_early";
}
/** Too many attempts: 429, with the seconds to wait. */
export class RateLimited extends DomainError {
  readonly kind = "rate_limited";
  constructor(
    code: string,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(code, message, { retryAfterSeconds });
  }
}
/** A dependency (the database) is down: 503. */
export class Unavailable extends DomainError {
  readonly kind = "unavailable";
}
