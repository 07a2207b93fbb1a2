import { describe, expect, it } from "vitest";
import { r4Problems } from "./r4-validator.js";

describe("the R4 validator used by the FHIR tests", () => {
  it("accepts valid resources and refuses structural, invariant and terminology errors", () => {
    const ok = {
      resourceType: "Appointment",
      status: "booked",
      start: "2031-06-03T12:00:00.000Z",
      end: "2031-06-03T12:30:00.000Z",
      participant: [{ actor: { reference: "Patient/1" }, status: "accepted" }],
    };
    expect(r4Problems(ok)).toEqual([]);
    expect(r4Problems({ ...ok, status: "scheduled" }).join()).toMatch(/Appointment.status/);
    expect(r4Problems({ ...ok, extra: 1 }).join()).toMatch(/extra/);
    expect(r4Problems({ ...ok, end: undefined }).join()).toMatch(/app-2/);
    expect(r4Problems({ ...ok, participant: [{ ...ok.participant[0], status: "yes" }] }).join()).toMatch(
      /participant.status/,
    );
    const outcome = { resourceType: "OperationOutcome", issue: [{ severity: "error", code: "conflict" }] };
    expect(r4Problems(outcome)).toEqual([]);
    expect(r4Problems({ ...outcome, issue: [{ severity: "error", code: "slot_taken" }] })).not.toEqual([]);
    const bundle = {
      resourceType: "Bundle",
      type: "searchset",
      total: 1,
      entry: [{ resource: { ...ok, status: "x" } }],
    };
    expect(r4Problems(bundle)).not.toEqual([]);
  });
});
