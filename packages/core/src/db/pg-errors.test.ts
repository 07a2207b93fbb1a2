import { describe, expect, it } from "vitest";
import {
  isDataException,
  isExclusionViolation,
  isForeignKeyViolation,
  isRetryableConflict,
  isServerFull,
  isUnavailable,
  isUniqueViolation,
  violatedConstraint,
} from "./pg-errors.js";

/** The shape `pg` and PGlite give: SQLSTATE in `code`, the constraint in its own field. */
function pgError(code: string, message = "error", extra: Record<string, unknown> = {}) {
  return Object.assign(new Error(message), { code, ...extra });
}
/** The RDS Data API gives only the server's message text. */
const dataApiError = (message: string) => Object.assign(new Error(message), { name: "DatabaseErrorException" });

describe("pg-errors", () => {
  it("recognises unique violations by SQLSTATE and by Data API message, and names the constraint", () => {
    const pg = pgError("23505", 'duplicate key value violates unique constraint "users_email_lower_key"', {
      constraint: "users_email_lower_key",
    });
    expect(isUniqueViolation(pg)).toBe(true);
    expect(violatedConstraint(pg)).toBe("users_email_lower_key");
    const viaDataApi = dataApiError(
      'ERROR: duplicate key value violates unique constraint "doctor_profiles_license_key"\n  Detail: Key ...',
    );
    expect(isUniqueViolation(viaDataApi)).toBe(true);
    expect(violatedConstraint(viaDataApi)).toBe("doctor_profiles_license_key");
    expect(isUniqueViolation(pgError("23503"))).toBe(false);
    expect(isExclusionViolation(pg)).toBe(false);
  });

  it("recognises exclusion and foreign-key violations", () => {
    expect(isExclusionViolation(pgError("23P01"))).toBe(true);
    expect(isExclusionViolation(dataApiError('conflicting key value violates exclusion constraint "no_overlap"'))).toBe(
      true,
    );
    expect(isForeignKeyViolation(pgError("23503"))).toBe(true);
    expect(
      isForeignKeyViolation(dataApiError('insert or update on table "x" violates foreign key constraint "x_fk"')),
    ).toBe(true);
    expect(isForeignKeyViolation(pgError("23505"))).toBe(false);
  });

  it("classifies SQLSTATE class 22 as bad data, and nothing else", () => {
    expect(isDataException(pgError("22P02", 'invalid input syntax for type uuid: "x"'))).toBe(true);
    expect(isDataException(pgError("22003"))).toBe(true);
    expect(isDataException(pgError("23505"))).toBe(false);
    expect(isDataException(pgError("42P01"))).toBe(false);
    expect(isDataException(new Error("22P02"))).toBe(false);
  });

  it.each([
    ["connection refused", Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" })],
    ["connection reset", Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" })],
    ["DNS failure", Object.assign(new Error("getaddrinfo ENOTFOUND db"), { code: "ENOTFOUND" })],
    ["admin shutdown (57P01)", pgError("57P01", "terminating connection due to administrator command")],
    ["statement timeout (57014)", pgError("57014", "canceling statement due to statement timeout")],
    ["connection failure class 08", pgError("08006")],
    ["too many connections", pgError("53300")],
    ["pg: connection terminated", new Error("Connection terminated unexpectedly")],
    ["pg: pool connect timeout", new Error("timeout exceeded when trying to connect")],
    ["pg: pool ended", new Error("Cannot use a pool after calling end on the pool")],
    ["server starting up", new Error("the database system is starting up")],
  ])("treats %s as unavailable", (_name, err) => {
    expect(isUnavailable(err)).toBe(true);
  });

  it.each([
    ["unique violation", pgError("23505")],
    ["syntax error", pgError("42601", "syntax error at or near")],
    ["plain bug", new TypeError("cannot read properties of undefined")],
    ["null", null],
    ["undefined", undefined],
    ["a string", "ECONNREFUSED"],
  ])("does not treat %s as unavailable", (_name, err) => {
    expect(isUnavailable(err)).toBe(false);
  });

  it("never throws on values that are not errors", () => {
    for (const v of [null, undefined, 42, "text", {}, { code: 5 }, { message: 7 }]) {
      expect(isUniqueViolation(v)).toBe(false);
      expect(isDataException(v)).toBe(false);
      expect(violatedConstraint(v)).toBeUndefined();
    }
  });

  it("recognises a deadlock or serialization victim (retry the transaction) on every engine", () => {
    expect(isRetryableConflict(pgError("40P01", "deadlock detected"))).toBe(true);
    expect(isRetryableConflict(pgError("40001", "could not serialize access due to concurrent update"))).toBe(true);
    // The Data API gives only text.
    expect(isRetryableConflict(new Error("ERROR: deadlock detected\n  Detail: ...; SQLState: 40P01"))).toBe(true);
    expect(isRetryableConflict(pgError("23P01", "conflicting key value violates exclusion constraint"))).toBe(false);
    expect(isRetryableConflict(null)).toBe(false);
  });

  it("recognises a server with every connection slot taken", () => {
    expect(isServerFull(pgError("53300", "sorry, too many clients already"))).toBe(true);
    expect(isServerFull(new Error("sorry, too many clients already"))).toBe(true);
    expect(isServerFull(pgError("57P01", "terminating connection due to administrator command"))).toBe(false);
  });
});
